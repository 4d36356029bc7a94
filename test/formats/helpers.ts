import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../src/core/formats/crc32';
import { CheckpointError, type CheckpointErrorCode } from '../../src/core/formats/errors';

export const TOY = path.join(__dirname, '..', 'fixtures', 'wgan-gp-toy');
export const SYNTHETIC = path.join(__dirname, '..', 'fixtures', 'synthetic');

export function toyFile(...parts: string[]): Buffer {
  return readFileSync(path.join(TOY, ...parts));
}

export function syntheticFile(name: string): Buffer {
  return readFileSync(path.join(SYNTHETIC, name));
}

/** Runs `action` and checks that it throws a CheckpointError, optionally with a code and message. */
export function expectCheckpointError(
  action: () => unknown,
  code?: CheckpointErrorCode,
  message?: RegExp,
): CheckpointError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    if (code !== undefined) assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return error;
  }
  assert.fail('expected a CheckpointError, but nothing was thrown');
}

export interface ZipInput {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Overrides the uncompressed size written in the headers. */
  declaredSize?: number;
}

/**
 * Writes a zip archive with the given entries, for tests that need malformed archives. With
 * `zip64`, every size and offset moves to zip64 extra fields and records, as writers do for
 * archives above 4 GiB.
 */
export function buildZip(entries: ZipInput[], options: { zip64?: boolean } = {}): Buffer {
  const zip64 = options.zip64 === true;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const body = entry.deflate ? deflateRawSync(entry.data) : entry.data;
    const size = entry.declaredSize ?? entry.data.length;
    const fields = {
      method: entry.deflate ? 8 : 0,
      crc: crc32(entry.data),
      compressed: body.length,
      size,
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(fields.method, 8);
    local.writeUInt32LE(fields.crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : fields.compressed, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : fields.size, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = zip64 ? zip64Extra([fields.size, fields.compressed]) : Buffer.alloc(0);
    local.writeUInt16LE(localExtra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(fields.method, 10);
    central.writeUInt32LE(fields.crc, 16);
    central.writeUInt32LE(zip64 ? 0xffffffff : fields.compressed, 20);
    central.writeUInt32LE(zip64 ? 0xffffffff : fields.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    const centralExtra = zip64
      ? zip64Extra([fields.size, fields.compressed, offset])
      : Buffer.alloc(0);
    central.writeUInt16LE(centralExtra.length, 30);
    locals.push(local, name, localExtra, body);
    centrals.push(central, name, centralExtra);
    offset += 30 + name.length + localExtra.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  if (!zip64) return Buffer.concat([...locals, directory, end]);

  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries.length), 24);
  record.writeBigUInt64LE(BigInt(entries.length), 32);
  record.writeBigUInt64LE(BigInt(directory.length), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, directory, record, locator, end]);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(1, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return extra;
}
