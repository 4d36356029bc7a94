import { sizeOf, staticTensor, type StaticTensor } from '../values';

/*
 * Data movement on static values in JavaScript, so that shape subgraphs (Shape, Gather,
 * Unsqueeze, Concat, Slice) are evaluated on concrete integers at every call.
 */

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/** Builds a static value of `shape` whose element at an index comes from `source(index)`. */
function mapIndices(
  value: StaticTensor,
  shape: number[],
  source: (index: number[]) => number,
): StaticTensor {
  const size = sizeOf(shape);
  const out = value.dtype === 'float' ? new Float32Array(size) : new Float64Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    out[flat] = value.data[source(index)];
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
    }
  }
  return staticTensor(value.dtype, shape, out);
}

export function reshapeStatic(value: StaticTensor, shape: readonly number[]): StaticTensor {
  return staticTensor(value.dtype, shape, value.data, value.persistent);
}

export function transposeStatic(value: StaticTensor, perm: readonly number[]): StaticTensor {
  const strides = stridesOf(value.shape);
  const shape = perm.map((axis) => value.shape[axis]);
  return mapIndices(value, shape, (index) =>
    index.reduce((offset, i, k) => offset + i * strides[perm[k]], 0),
  );
}

/** Slice with, per axis, a start, a count and a (possibly negative) step, all already clamped. */
export function sliceStatic(
  value: StaticTensor,
  starts: number[],
  counts: number[],
  steps: number[],
): StaticTensor {
  const strides = stridesOf(value.shape);
  return mapIndices(value, counts, (index) =>
    index.reduce((offset, i, axis) => offset + (starts[axis] + i * steps[axis]) * strides[axis], 0),
  );
}

export function gatherStatic(
  value: StaticTensor,
  axis: number,
  indices: StaticTensor,
): StaticTensor {
  const strides = stridesOf(value.shape);
  const shape = [...value.shape.slice(0, axis), ...indices.shape, ...value.shape.slice(axis + 1)];
  const indexRank = indices.shape.length;
  const indexStrides = stridesOf(indices.shape);
  const dim = value.shape[axis];
  return mapIndices(value, shape, (index) => {
    let offset = 0;
    for (let a = 0; a < axis; a++) offset += index[a] * strides[a];
    let flat = 0;
    for (let k = 0; k < indexRank; k++) flat += index[axis + k] * indexStrides[k];
    const picked = indices.data[flat];
    offset += (picked < 0 ? picked + dim : picked) * strides[axis];
    for (let a = axis + 1; a < value.shape.length; a++)
      offset += index[a + indexRank - 1] * strides[a];
    return offset;
  });
}

export function concatStatic(values: readonly StaticTensor[], axis: number): StaticTensor {
  const first = values[0];
  const shape = [...first.shape];
  shape[axis] = values.reduce((total, value) => total + value.shape[axis], 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const size = sizeOf(shape);
  const out = first.dtype === 'float' ? new Float32Array(size) : new Float64Array(size);
  let offset = 0;
  for (let o = 0; o < outer; o++) {
    for (const value of values) {
      const block = sizeOf(value.shape.slice(axis));
      out.set(value.data.subarray(o * block, (o + 1) * block), offset);
      offset += block;
    }
  }
  return staticTensor(first.dtype, shape, out);
}
