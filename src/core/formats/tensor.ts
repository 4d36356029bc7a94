import { endianness } from 'node:os';
import { CheckpointError } from './errors';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Element types that checkpoint files store. Every reader converts them to float32. */
export type SourceDType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** A tensor read from a file, converted to float32 in row-major (C) order. */
export interface LoadedTensor {
  shape: number[];
  /** The element type in the file, before conversion. */
  dtype: SourceDType;
  values: Float32Array;
  /** Number of NaN or infinite values, which callers report instead of failing. */
  nonFinite: number;
}

/** Parameter name to tensor, in file order (a Map, because names such as `0` would reorder). */
export type StateDict = Map<string, LoadedTensor>;

export const DTYPE_BYTES: Record<SourceDType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) count++;
  return count;
}

/** Returns the number of elements of a shape, rejecting negative, fractional or unsafe sizes. */
export function shapeSize(shape: readonly number[], label: string): number {
  let size = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new CheckpointError(
        'corrupt',
        `${label} has an invalid dimension ${dim} in shape [${shape}].`,
      );
    }
    size *= dim;
    if (!Number.isSafeInteger(size)) {
      throw new CheckpointError('too-large', `${label} declares an absurd shape [${shape}].`);
    }
  }
  return size;
}

/** Decodes `count` little-endian elements of `dtype` starting at byte `offset` into float32. */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: SourceDType,
): Float32Array {
  const width = DTYPE_BYTES[dtype];
  if (offset < 0 || offset + count * width > bytes.length) {
    throw new CheckpointError(
      'truncated',
      `${count} ${dtype} values at byte ${offset} run past the end of the data (${bytes.length} bytes).`,
    );
  }
  if (dtype === 'float32' && LITTLE_ENDIAN_HOST) {
    // Copying into a fresh buffer aligns the data, so a typed-array view can replace the loop.
    const copy = new Uint8Array(count * width);
    copy.set(bytes.subarray(offset, offset + count * width));
    return new Float32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * width);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = readElement(view, i * width, dtype);
  return out;
}

function readElement(view: DataView, at: number, dtype: SourceDType): number {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(at, true);
    case 'float64':
      return view.getFloat64(at, true);
    case 'float16':
      return halfToFloat(view.getUint16(at, true));
    case 'bfloat16':
      return bfloat16ToFloat(view.getUint16(at, true));
    case 'int64':
      return Number(view.getBigInt64(at, true));
    case 'int32':
      return view.getInt32(at, true);
    case 'int16':
      return view.getInt16(at, true);
    case 'int8':
      return view.getInt8(at);
    case 'uint8':
      return view.getUint8(at);
    case 'bool':
      return view.getUint8(at) === 0 ? 0 : 1;
  }
}

/** Converts an IEEE 754 binary16 bit pattern to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

/** Converts a bfloat16 bit pattern (the top half of a float32) to a number. */
export function bfloat16ToFloat(bits: number): number {
  bfloatScratch.setUint32(0, bits << 16);
  return bfloatScratch.getFloat32(0);
}

export function makeTensor(
  shape: number[],
  dtype: SourceDType,
  values: Float32Array,
): LoadedTensor {
  return { shape, dtype, values, nonFinite: countNonFinite(values) };
}
