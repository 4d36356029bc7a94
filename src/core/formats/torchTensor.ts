import { CheckpointError } from './errors';
import { TORCH_STORAGE_DTYPES } from './pickleGlobals';
import { PyGlobal, PyTuple, describeValue, type HostValue, type PyValue } from './pickleValues';
import {
  DTYPE_BYTES,
  decodeElements,
  makeTensor,
  shapeSize,
  type LoadedTensor,
  type SourceDType,
} from './tensor';

/** A torch storage named by a persistent id. Its bytes arrive with it (zip) or later (legacy). */
export class TorchStorage implements HostValue {
  readonly hostKind = 'storage';
  bytes: Uint8Array | undefined;

  constructor(
    readonly key: string,
    readonly dtype: SourceDType,
    /** Number of elements the persistent id declares. */
    readonly numel: number,
    /** Element offset into a root storage for legacy views, otherwise 0. */
    readonly viewOffset = 0,
  ) {}
}

/** A tensor rebuilt by `_rebuild_tensor_v2`, gathered once the storage bytes are known. */
export class TorchTensor implements HostValue {
  readonly hostKind = 'tensor';
  isParameter = false;
  private loaded: LoadedTensor | undefined;

  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}

  /** The tensor as float32, gathered through its strides. Throws when the storage is too short. */
  get tensor(): LoadedTensor {
    this.loaded ??= gather(this);
    return this.loaded;
  }
}

export function isTorchTensor(value: PyValue | undefined): value is TorchTensor & PyValue {
  return value instanceof TorchTensor;
}

/** Reads the storage dtype from the class global in a persistent id (`torch.FloatStorage`, ...). */
export function storageDType(type: PyValue, file?: string): SourceDType {
  const dtype =
    type instanceof PyGlobal && type.module === 'torch'
      ? TORCH_STORAGE_DTYPES[type.name]
      : undefined;
  if (dtype === undefined) {
    throw new CheckpointError(
      'corrupt',
      `unknown storage type ${describeValue(type)} in a persistent id.`,
      file,
    );
  }
  return dtype as SourceDType;
}

/** Builds a tensor from the arguments of `_rebuild_tensor_v2(storage, offset, size, stride, ...)`. */
export function rebuildTensor(args: PyValue[], file?: string): TorchTensor {
  const [storage, offset, size, stride] = args;
  const fail = (message: string) => new CheckpointError('corrupt', message, file);
  if (!(storage instanceof TorchStorage))
    throw fail(`a tensor refers to ${describeValue(storage)} instead of a storage.`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw fail(`invalid storage offset ${describeValue(offset)}.`);
  const shape = intTuple(size, 'size', fail);
  const strides =
    stride === undefined ? contiguousStrides(shape) : intTuple(stride, 'stride', fail);
  if (strides.length !== shape.length)
    throw fail(`a tensor has size [${shape}] but stride [${strides}].`);
  return new TorchTensor(storage, offset + storage.viewOffset, shape, strides);
}

function intTuple(
  value: PyValue | undefined,
  field: string,
  fail: (message: string) => CheckpointError,
): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (
    items === undefined ||
    !items.every((item) => typeof item === 'number' && Number.isSafeInteger(item) && item >= 0)
  ) {
    throw fail(`invalid tensor ${field} ${describeValue(value)}.`);
  }
  return items as number[];
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis];
  }
  return strides;
}

/** Copies a strided view of the storage into a dense row-major float32 array. */
function gather(tensor: TorchTensor): LoadedTensor {
  const { storage, offset, shape, stride } = tensor;
  const count = shapeSize(shape, `a tensor of shape [${shape}]`);
  if (storage.bytes === undefined)
    throw new CheckpointError('corrupt', `storage '${storage.key}' has no data.`);
  const available = Math.floor(storage.bytes.length / DTYPE_BYTES[storage.dtype]);
  const last =
    count === 0
      ? offset
      : offset + shape.reduce((sum, dim, axis) => sum + (dim - 1) * stride[axis], 0);
  if (last >= available && count > 0) {
    throw new CheckpointError(
      'corrupt',
      `a tensor of shape [${shape}] at offset ${offset} reads past storage '${storage.key}' (${available} elements).`,
    );
  }
  const contiguous = contiguousStrides(shape).every(
    (step, axis) => shape[axis] <= 1 || step === stride[axis],
  );
  if (contiguous)
    return makeTensor(
      shape,
      storage.dtype,
      decodeElements(storage.bytes, offset * DTYPE_BYTES[storage.dtype], count, storage.dtype),
    );

  // Non-contiguous (a transposed or sliced view): decode the storage span, then walk the indices.
  const span = decodeElements(storage.bytes, 0, Math.min(available, last + 1), storage.dtype);
  const values = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let source = offset;
  for (let k = 0; k < count; k++) {
    values[k] = span[source];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis]++;
      source += stride[axis];
      if (index[axis] < shape[axis]) break;
      source -= stride[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return makeTensor(shape, storage.dtype, values);
}
