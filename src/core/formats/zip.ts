import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';
import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from './errors';

export const ZIP_LOCAL_MAGIC = 0x04034b50;
const CENTRAL_MAGIC = 0x02014b50;
const EOCD_MAGIC = 0x06054b50;
const ZIP64_LOCATOR_MAGIC = 0x07064b50;
const ZIP64_EOCD_MAGIC = 0x06064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/**
 * Entries up to this size skip the compression-ratio check, because they cannot expand into much
 * memory and small runs of zeros (a zero-initialised bias) legitimately compress more than 200x.
 */
const RATIO_CHECK_FLOOR = 1024 * 1024;

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

/** A zip archive in memory. Its entries are validated when it is opened and decompressed on demand. */
export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();

  constructor(
    private readonly bytes: Buffer,
    readonly entries: readonly ZipEntry[],
    private readonly file?: string,
  ) {
    for (const entry of entries) this.byName.set(entry.name, entry);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Returns an entry's bytes after checking its sizes and CRC-32. */
  read(name: string): Buffer {
    const entry = this.byName.get(name);
    if (entry === undefined) throw this.error('corrupt', `the archive has no entry '${name}'.`);
    const start = this.dataStart(entry);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    const data = entry.method === 0 ? raw : this.inflate(entry, raw);
    if (data.length !== entry.size) {
      throw this.error(
        'corrupt',
        `entry '${name}' holds ${data.length} bytes but declares ${entry.size}.`,
      );
    }
    if (crc32(data) !== entry.crc32)
      throw this.error('corrupt', `entry '${name}' fails its CRC-32 check.`);
    return data;
  }

  private dataStart(entry: ZipEntry): number {
    const at = entry.localHeaderOffset;
    if (at + 30 > this.bytes.length || this.bytes.readUInt32LE(at) !== ZIP_LOCAL_MAGIC) {
      throw this.error('corrupt', `the local header of entry '${entry.name}' is missing.`);
    }
    const start = at + 30 + this.bytes.readUInt16LE(at + 26) + this.bytes.readUInt16LE(at + 28);
    if (start + entry.compressedSize > this.bytes.length) {
      throw this.error('truncated', `entry '${entry.name}' runs past the end of the archive.`);
    }
    return start;
  }

  private inflate(entry: ZipEntry, raw: Buffer): Buffer {
    try {
      // One byte more than declared, so that a stream that inflates past its size is detected.
      return inflateRawSync(raw, { maxOutputLength: Math.max(entry.size + 1, 1) });
    } catch (error) {
      if (
        error instanceof RangeError ||
        (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ) {
        throw this.error(
          'too-large',
          `entry '${entry.name}' inflates past its declared ${entry.size} bytes.`,
        );
      }
      throw this.error('corrupt', `entry '${entry.name}' is not valid deflate data.`);
    }
  }

  private error(code: 'corrupt' | 'truncated' | 'too-large', message: string): CheckpointError {
    return new CheckpointError(code, message, this.file);
  }
}

/** Parses the end record and central directory of a zip archive and validates every entry. */
export function openZip(
  bytes: Buffer,
  options: { file?: string; limits?: ReadLimits } = {},
): ZipArchive {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const fail = (
    code: 'corrupt' | 'truncated' | 'too-large' | 'unsafe' | 'unsupported',
    message: string,
  ) => new CheckpointError(code, message, options.file);

  const directory = findDirectory(bytes, fail);
  if (directory.count > limits.maxEntries) {
    throw fail(
      'too-large',
      `the archive has ${directory.count} entries, above the limit of ${limits.maxEntries}.`,
    );
  }
  if (directory.offset + directory.size > bytes.length) {
    throw fail('truncated', 'the zip central directory runs past the end of the file.');
  }
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    const entry = readCentralEntry(bytes, at, fail);
    validateEntry(entry.entry, limits, fail);
    if (names.has(entry.entry.name))
      throw fail('corrupt', `entry '${entry.entry.name}' appears twice.`);
    names.add(entry.entry.name);
    entries.push(entry.entry);
    at = entry.next;
  }
  return new ZipArchive(bytes, entries, options.file);
}

type Fail = (
  code: 'corrupt' | 'truncated' | 'too-large' | 'unsafe' | 'unsupported',
  message: string,
) => CheckpointError;

interface Directory {
  count: number;
  size: number;
  offset: number;
}

function findDirectory(bytes: Buffer, fail: Fail): Directory {
  if (bytes.length < EOCD_SIZE)
    throw fail('truncated', 'the file is too short to be a zip archive.');
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) !== EOCD_MAGIC) continue;
    if (at + EOCD_SIZE + bytes.readUInt16LE(at + 20) !== bytes.length) continue;
    const directory = {
      count: bytes.readUInt16LE(at + 10),
      size: bytes.readUInt32LE(at + 12),
      offset: bytes.readUInt32LE(at + 16),
    };
    const needs64 =
      directory.count === 0xffff ||
      directory.size === 0xffffffff ||
      directory.offset === 0xffffffff;
    return needs64 ? readZip64Directory(bytes, at, fail) : directory;
  }
  throw fail(
    'truncated',
    'no zip end-of-central-directory record was found; the archive is truncated or not a zip.',
  );
}

function readZip64Directory(bytes: Buffer, eocd: number, fail: Fail): Directory {
  const locator = eocd - 20;
  if (locator < 0 || bytes.readUInt32LE(locator) !== ZIP64_LOCATOR_MAGIC) {
    throw fail('corrupt', 'the zip64 end-of-central-directory locator is missing.');
  }
  const at = readSafeUInt64(bytes, locator + 8, fail);
  if (at + 56 > bytes.length || bytes.readUInt32LE(at) !== ZIP64_EOCD_MAGIC) {
    throw fail('corrupt', 'the zip64 end-of-central-directory record is missing.');
  }
  return {
    count: readSafeUInt64(bytes, at + 32, fail),
    size: readSafeUInt64(bytes, at + 40, fail),
    offset: readSafeUInt64(bytes, at + 48, fail),
  };
}

function readSafeUInt64(bytes: Buffer, at: number, fail: Fail): number {
  const value = bytes.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw fail('too-large', `a zip64 field declares ${value}.`);
  return Number(value);
}

function readCentralEntry(
  bytes: Buffer,
  at: number,
  fail: Fail,
): { entry: ZipEntry; next: number } {
  if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_MAGIC) {
    throw fail('corrupt', `the zip central directory is damaged at byte ${at}.`);
  }
  const flags = bytes.readUInt16LE(at + 8);
  if (flags & 1) throw fail('unsupported', 'encrypted zip entries are not supported.');
  const nameLength = bytes.readUInt16LE(at + 28);
  const extraLength = bytes.readUInt16LE(at + 30);
  const commentLength = bytes.readUInt16LE(at + 32);
  const next = at + 46 + nameLength + extraLength + commentLength;
  if (next > bytes.length) throw fail('truncated', 'the zip central directory is cut off.');

  const entry: ZipEntry = {
    name: bytes.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength),
    method: bytes.readUInt16LE(at + 10),
    crc32: bytes.readUInt32LE(at + 16),
    compressedSize: bytes.readUInt32LE(at + 20),
    size: bytes.readUInt32LE(at + 24),
    localHeaderOffset: bytes.readUInt32LE(at + 42),
  };
  applyZip64Extra(
    entry,
    bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength),
    fail,
  );
  return { entry, next };
}

/** Replaces 0xFFFFFFFF size and offset fields with the values in the zip64 extra field (id 1). */
function applyZip64Extra(entry: ZipEntry, extra: Buffer, fail: Fail): void {
  const fields = (['size', 'compressedSize', 'localHeaderOffset'] as const).filter(
    (field) => entry[field] === 0xffffffff,
  );
  if (fields.length === 0) return;
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 1) {
      if (length < fields.length * 8 || at + 4 + length > extra.length) break;
      fields.forEach((field, i) => (entry[field] = readSafeUInt64(extra, at + 4 + i * 8, fail)));
      return;
    }
    at += 4 + length;
  }
  throw fail('corrupt', `entry '${entry.name}' needs a zip64 extra field but has none.`);
}

function validateEntry(entry: ZipEntry, limits: ReadLimits, fail: Fail): void {
  const name = entry.name;
  const quoted = JSON.stringify(name);
  if (name.length === 0 || name.includes('\0'))
    throw fail('unsafe', `an entry name is empty or contains NUL: ${quoted}.`);
  if (name.includes('\\')) throw fail('unsafe', `entry name ${quoted} contains a backslash.`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name))
    throw fail('unsafe', `entry name ${quoted} is an absolute path.`);
  if (name.split('/').includes('..'))
    throw fail('unsafe', `entry name ${quoted} contains a '..' segment.`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw fail(
      'unsupported',
      `entry ${quoted} uses compression method ${entry.method}; only stored and deflate are supported.`,
    );
  }
  if (entry.size > limits.maxEntryBytes || entry.compressedSize > limits.maxEntryBytes) {
    throw fail(
      'too-large',
      `entry ${quoted} declares ${entry.size} bytes, above the limit of ${limits.maxEntryBytes}.`,
    );
  }
  if (entry.method === 0 && entry.size !== entry.compressedSize) {
    throw fail(
      'corrupt',
      `stored entry ${quoted} declares different compressed and uncompressed sizes.`,
    );
  }
  const ratio = entry.size / Math.max(entry.compressedSize, 1);
  if (entry.size > RATIO_CHECK_FLOOR && ratio > limits.maxCompressionRatio) {
    throw fail(
      'too-large',
      `entry ${quoted} expands ${ratio.toFixed(0)}x (above the limit of ${limits.maxCompressionRatio}x); it looks like a zip bomb.`,
    );
  }
}
