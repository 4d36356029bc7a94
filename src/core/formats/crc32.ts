import * as zlib from 'node:zlib';

const TABLE = buildTable();

/** zlib's native CRC-32, present from Node 20.15 and 22.2. Older versions use the table below. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Computes the CRC-32 (the reflected 0xEDB88320 polynomial of zip and gzip) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(bytes) >>> 0;
  return tableCrc32(bytes);
}

/** Computes the same CRC-32 one byte at a time, for tests that compare it with zlib's. */
export function tableCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
