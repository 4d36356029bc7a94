import { CheckpointError, DEFAULT_LIMITS } from '../errors';
import type { TensorProto } from './proto';
import { staticTensor, type ElementKind, type StaticTensor } from './values';

/** TensorProto.DataType codes. */
export const DataType = {
  undefined: 0,
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  complex128: 15,
  bfloat16: 16,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([name, code]) => [code, name]),
);

/** Bytes per element in `raw_data`, for the types this reader decodes. */
const ELEMENT_BYTES: Record<number, number> = {
  [DataType.float]: 4,
  [DataType.uint8]: 1,
  [DataType.int8]: 1,
  [DataType.uint16]: 2,
  [DataType.int16]: 2,
  [DataType.int32]: 4,
  [DataType.int64]: 8,
  [DataType.bool]: 1,
  [DataType.float16]: 2,
  [DataType.double]: 8,
  [DataType.uint32]: 4,
  [DataType.uint64]: 8,
  [DataType.bfloat16]: 2,
};

export function dataTypeName(code: number | undefined): string {
  if (code === undefined) return 'unknown';
  return TYPE_NAMES[code] ?? `type ${code}`;
}

/** Returns the element kind that stores an ONNX data type, or undefined for types not decoded. */
export function elementKind(code: number): ElementKind | undefined {
  if (code === DataType.float || code === DataType.double) return 'float';
  if (code === DataType.float16 || code === DataType.bfloat16) return 'float';
  if (code === DataType.bool) return 'bool';
  if (ELEMENT_BYTES[code] !== undefined) return 'int';
  return undefined;
}

/** Product of the dims, after checking that each is a non-negative integer. */
export function elementCount(dims: readonly number[], label: string, file?: string): number {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new CheckpointError(
        'corrupt',
        `${label} has an invalid dimension ${dim} in [${dims.join(', ')}]`,
        file,
      );
    }
    count *= dim;
  }
  return count;
}

/**
 * Decodes a TensorProto into a static tensor: float types become float32 values, integer and
 * boolean types become exact doubles. Sizes are checked against `maxTensorBytes` and against
 * the stored data before any array is allocated.
 */
export function decodeTensorProto(
  proto: TensorProto,
  options: { file?: string; maxTensorBytes?: number; persistent?: boolean } = {},
): StaticTensor {
  const { file } = options;
  const label = `tensor '${proto.name}'`;
  if (proto.dataLocation === 1 || proto.externalData.length > 0) {
    const location = proto.externalData.find((entry) => entry.key === 'location')?.value ?? '?';
    throw new CheckpointError(
      'unsupported',
      `${label} keeps its data in the external file '${location}'; external data is not read. ` +
        'Save the model with its weights embedded (onnx.save_model with save_as_external_data=False).',
      file,
    );
  }

  if (proto.hasSegment) {
    throw new CheckpointError(
      'unsupported',
      `${label} is split into segments, which is not supported`,
      file,
    );
  }

  const kind = elementKind(proto.dataType);
  const bytesPerElement = ELEMENT_BYTES[proto.dataType];
  if (kind === undefined || bytesPerElement === undefined) {
    throw new CheckpointError(
      'unsupported',
      `${label} has data type ${dataTypeName(proto.dataType)}, which is not supported`,
      file,
    );
  }

  const count = elementCount(proto.dims, label, file);
  const limit = options.maxTensorBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  if (count * bytesPerElement > limit) {
    throw new CheckpointError(
      'too-large',
      `${label} declares ${count * bytesPerElement} bytes, over the limit of ${limit}`,
      file,
    );
  }

  const data = decodeValues(proto, kind, count, bytesPerElement, label, file);
  return staticTensor(kind, proto.dims, data, options.persistent ?? true);
}

function decodeValues(
  proto: TensorProto,
  kind: ElementKind,
  count: number,
  bytesPerElement: number,
  label: string,
  file?: string,
): Float32Array | Float64Array {
  const out = kind === 'float' ? new Float32Array(0) : new Float64Array(0);
  const allocate = () => (kind === 'float' ? new Float32Array(count) : new Float64Array(count));
  if (proto.rawData !== undefined) {
    if (proto.rawData.length !== count * bytesPerElement) {
      throw new CheckpointError(
        'corrupt',
        `${label} has ${proto.rawData.length} bytes of raw data, expected ${count * bytesPerElement} for shape [${proto.dims.join(', ')}]`,
        file,
      );
    }
    const values = allocate();
    readRaw(proto.rawData, proto.dataType, values);
    return values;
  }
  const typed = typedField(proto);
  if (typed.length !== count) {
    if (typed.length === 0 && count === 0) return out;
    throw new CheckpointError(
      'corrupt',
      `${label} stores ${typed.length} values, expected ${count} for shape [${proto.dims.join(', ')}]`,
      file,
    );
  }
  const values = allocate();
  for (let i = 0; i < count; i++) values[i] = convertStored(typed[i], proto.dataType);
  return values;
}

/** Returns the repeated field that stores a data type's values when `raw_data` is absent. */
function typedField(proto: TensorProto): number[] {
  switch (proto.dataType) {
    case DataType.float:
      return proto.floatData;
    case DataType.double:
      return proto.doubleData;
    case DataType.int64:
      return proto.int64Data;
    case DataType.uint32:
    case DataType.uint64:
      return proto.uint64Data;
    default:
      // int32, int16, int8, uint16, uint8, bool, float16 and bfloat16 are all kept in int32_data.
      return proto.int32Data;
  }
}

function convertStored(value: number, dataType: number): number {
  if (dataType === DataType.float16) return halfToFloat(value & 0xffff);
  if (dataType === DataType.bfloat16) return bfloat16ToFloat(value & 0xffff);
  if (dataType === DataType.bool) return value !== 0 ? 1 : 0;
  return value;
}

function readRaw(raw: Uint8Array, dataType: number, out: Float32Array | Float64Array): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = out.length;
  switch (dataType) {
    case DataType.float:
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return;
    case DataType.double:
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return;
    case DataType.float16:
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return;
    case DataType.bfloat16:
      for (let i = 0; i < n; i++) out[i] = bfloat16ToFloat(view.getUint16(2 * i, true));
      return;
    case DataType.int64:
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      return;
    case DataType.uint64:
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(8 * i, true));
      return;
    case DataType.int32:
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return;
    case DataType.uint32:
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, true);
      return;
    case DataType.int16:
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true);
      return;
    case DataType.uint16:
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, true);
      return;
    case DataType.int8:
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return;
    case DataType.bool:
      for (let i = 0; i < n; i++) out[i] = raw[i] !== 0 ? 1 : 0;
      return;
    default:
      // uint8.
      for (let i = 0; i < n; i++) out[i] = raw[i];
  }
}

/** Converts IEEE 754 half-precision bits to a number. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function bfloat16ToFloat(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}
