import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Element interpretation of a static tensor: float32, exact integers, or booleans (0 or 1). */
export type ElementKind = 'float' | 'int' | 'bool';

/**
 * A tensor whose values are known in JavaScript: an initializer, a Constant, or the result of a
 * shape computation. Float values are float32; integer and boolean values are exact doubles, so
 * int64 shapes and indices up to 2^53 are represented exactly.
 */
export interface StaticTensor {
  readonly kind: 'static';
  readonly dtype: ElementKind;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
  /**
   * True for values that are the same on every call: initializers, Constants and the values
   * folded from them. Their tensor forms are cached for the model's lifetime.
   */
  readonly persistent: boolean;
}

/** A value flowing along a graph edge: a tfjs tensor on the differentiable path, or static. */
export type Value = Tensor | StaticTensor;

export function staticTensor(
  dtype: ElementKind,
  shape: readonly number[],
  data: Float32Array | Float64Array | readonly number[],
  persistent = false,
): StaticTensor {
  let values: Float32Array | Float64Array;
  if (data instanceof Float32Array || data instanceof Float64Array) values = data;
  else values = dtype === 'float' ? Float32Array.from(data) : Float64Array.from(data);
  if (dtype === 'float' && values instanceof Float64Array) values = Float32Array.from(values);
  if (dtype !== 'float' && values instanceof Float32Array) values = Float64Array.from(values);
  return { kind: 'static', dtype, shape: [...shape], data: values, persistent };
}

export function isStatic(value: Value | undefined): value is StaticTensor {
  return value !== undefined && !(value instanceof tf.Tensor) && value.kind === 'static';
}

export function shapeOf(value: Value): number[] {
  return [...value.shape];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Reads the integers of a static value, or of a tensor (for shape inputs only). */
export function readInts(value: Value): number[] {
  if (isStatic(value)) return Array.from(value.data, (v) => Math.trunc(v));
  return Array.from(value.dataSync(), (v) => Math.trunc(v));
}

export function readNumbers(value: Value): number[] {
  if (isStatic(value)) return Array.from(value.data);
  return Array.from(value.dataSync());
}

/**
 * Caches the tfjs tensors made from persistent static values (and tensors derived from them,
 * such as transposed weights), so they are created once per model and disposed with it.
 */
export class TensorCache {
  private readonly entries = new WeakMap<StaticTensor, Map<string, Tensor>>();
  private readonly all: Tensor[] = [];

  /** Returns the tensor form of `value` made by `build`, cached under `key` if `value` is persistent. */
  get(value: StaticTensor, key: string, build: () => Tensor): Tensor {
    if (!value.persistent) return build();
    let byKey = this.entries.get(value);
    if (byKey === undefined) {
      byKey = new Map();
      this.entries.set(value, byKey);
    }
    const cached = byKey.get(key);
    if (cached !== undefined && !cached.isDisposed) return cached;
    const built = tf.keep(build());
    byKey.set(key, built);
    this.all.push(built);
    return built;
  }

  dispose(): void {
    for (const tensor of this.all) tensor.dispose();
    this.all.length = 0;
  }
}

/** Makes a tfjs tensor from a static value: float32, int32 or bool. */
export function staticToTensor(value: StaticTensor): Tensor {
  const shape = [...value.shape];
  if (value.dtype === 'float') return tf.tensor(value.data as Float32Array, shape, 'float32');
  if (value.dtype === 'bool') return tf.tensor(Uint8Array.from(value.data), shape, 'bool');
  return tf.tensor(Int32Array.from(value.data), shape, 'int32');
}

/** Reads a tensor back into a static value (for values that must be known in JavaScript). */
export function tensorToStatic(tensor: Tensor, persistent = false): StaticTensor {
  const kinds: Record<string, ElementKind> = { float32: 'float', bool: 'bool' };
  const kind = kinds[tensor.dtype] ?? 'int';
  const values = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  return staticTensor(
    kind,
    tensor.shape,
    kind === 'float' ? Float32Array.from(values) : Float64Array.from(values),
    persistent,
  );
}

/** Numpy-style broadcast of two shapes, or undefined when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Row-major strides for reading `shape` as if broadcast to `target` (0 on broadcast axes). */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const strides = new Array<number>(target.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = target.length - shape.length + i;
    strides[axis] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/** Maps `f` over the broadcast of two static values, in float64; returns undefined on mismatch. */
export function broadcastBinary(
  a: StaticTensor,
  b: StaticTensor,
  dtype: ElementKind,
  f: (x: number, y: number) => number,
): StaticTensor | undefined {
  return broadcastMap([a, b], dtype, (values) => f(values[0], values[1]));
}

/** Maps `f` over the broadcast of several static values; returns undefined on mismatch. */
export function broadcastMap(
  operands: readonly StaticTensor[],
  dtype: ElementKind,
  f: (values: number[]) => number,
): StaticTensor | undefined {
  let shape: number[] | undefined = [];
  for (const operand of operands) shape = shape && broadcastShapes(shape, operand.shape);
  if (shape === undefined) return undefined;
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  const strides = operands.map((operand) => broadcastStrides(operand.shape, shape));
  const index = new Array<number>(shape.length).fill(0);
  const values = new Array<number>(operands.length);
  for (let flat = 0; flat < size; flat++) {
    for (let k = 0; k < operands.length; k++) {
      let offset = 0;
      for (let axis = 0; axis < shape.length; axis++) offset += index[axis] * strides[k][axis];
      values[k] = operands[k].data[offset];
    }
    out[flat] = f(values);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
  }
  return staticTensor(dtype, shape, out);
}

/** Resolves a possibly negative axis against a rank, or returns undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const resolved = axis < 0 ? axis + rank : axis;
  return resolved >= 0 && resolved < rank ? resolved : undefined;
}
