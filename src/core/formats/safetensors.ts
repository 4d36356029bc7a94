import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from './errors';
import {
  DTYPE_BYTES,
  decodeElements,
  makeTensor,
  shapeSize,
  type SourceDType,
  type StateDict,
} from './tensor';

const SAFETENSORS_DTYPES: Record<string, SourceDType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Largest JSON header accepted, in bytes (100 MiB, far above the headers of real files). */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

export interface SafetensorsFile {
  stateDict: StateDict;
  /** The `__metadata__` string map, when present. */
  metadata: Record<string, string>;
}

interface HeaderEntry {
  name: string;
  dtype: SourceDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file: an 8-byte little-endian header length, a JSON header that maps each
 * tensor name to its dtype, shape and byte range, then the data. The ranges must lie inside the
 * data section, match their shapes and not overlap.
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: { file?: string; limits?: ReadLimits } = {},
): SafetensorsFile {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const fail = (code: 'corrupt' | 'truncated' | 'too-large' | 'unsupported', message: string) =>
    new CheckpointError(code, message, options.file);

  if (bytes.length < 8)
    throw fail('truncated', 'the file is shorter than the 8-byte safetensors header length.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw fail(
      'too-large',
      `the safetensors header declares ${declared} bytes, above the limit of ${MAX_SAFETENSORS_HEADER}.`,
    );
  }
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) {
    throw fail(
      'truncated',
      `the safetensors header declares ${headerLength} bytes but the file has ${bytes.length - 8} after the length.`,
    );
  }

  const header = parseHeaderJson(bytes.subarray(8, 8 + headerLength), fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = readEntries(header, fail);
  checkRanges(entries, dataLength, limits, fail);

  const stateDict: StateDict = new Map();
  for (const entry of entries) {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const values = decodeElements(bytes, dataStart + entry.begin, count, entry.dtype);
    stateDict.set(entry.name, makeTensor(entry.shape, entry.dtype, values));
  }
  return { stateDict, metadata: readMetadata(header.__metadata__, fail) };
}

type Fail = (
  code: 'corrupt' | 'truncated' | 'too-large' | 'unsupported',
  message: string,
) => CheckpointError;

function parseHeaderJson(raw: Uint8Array, fail: Fail): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw fail('corrupt', 'the safetensors header is not valid UTF-8 JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw fail('corrupt', 'the safetensors header is not a JSON object.');
  }
  return header as Record<string, unknown>;
}

function readEntries(header: Record<string, unknown>, fail: Fail): HeaderEntry[] {
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof info !== 'object' || info === null)
      throw fail('corrupt', `header entry '${name}' is not an object.`);
    const dtype = typeof info.dtype === 'string' ? SAFETENSORS_DTYPES[info.dtype] : undefined;
    if (dtype === undefined)
      throw fail(
        'unsupported',
        `tensor '${name}' has unsupported dtype ${JSON.stringify(info.dtype)}.`,
      );
    const shape = info.shape;
    const offsets = info.data_offsets;
    if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
      throw fail('corrupt', `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}.`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((at) => Number.isSafeInteger(at) && at >= 0)
    ) {
      throw fail(
        'corrupt',
        `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}.`,
      );
    }
    entries.push({
      name,
      dtype,
      shape: shape as number[],
      begin: offsets[0] as number,
      end: offsets[1] as number,
    });
  }
  return entries;
}

function checkRanges(
  entries: HeaderEntry[],
  dataLength: number,
  limits: ReadLimits,
  fail: Fail,
): void {
  let total = 0;
  for (const entry of entries) {
    const bytes = shapeSize(entry.shape, `tensor '${entry.name}'`) * DTYPE_BYTES[entry.dtype];
    total += bytes;
    if (total > limits.maxTensorBytes)
      throw fail('too-large', `the tensors declare more than ${limits.maxTensorBytes} bytes.`);
    if (entry.end < entry.begin || entry.end - entry.begin !== bytes) {
      throw fail(
        'corrupt',
        `tensor '${entry.name}' spans bytes ${entry.begin}-${entry.end} but its shape needs ${bytes}.`,
      );
    }
    if (entry.end > dataLength) {
      throw fail(
        'truncated',
        `tensor '${entry.name}' ends at byte ${entry.end} of a ${dataLength}-byte data section.`,
      );
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    if (sorted[i].begin < previous.end) {
      throw fail(
        'corrupt',
        `tensors '${previous.name}' and '${sorted[i].name}' overlap in the data section.`,
      );
    }
  }
}

function readMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('corrupt', '__metadata__ is not an object.');
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string')
      throw fail('corrupt', `__metadata__ entry '${key}' is not a string.`);
    out[key] = item;
  }
  return out;
}
