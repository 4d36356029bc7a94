import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  isStatic,
  normalizeAxis,
  readInts,
  readNumbers,
  sizeOf,
  staticTensor,
  type Value,
} from '../values';
import {
  concatStatic,
  gatherStatic,
  reshapeStatic,
  sliceStatic,
  transposeStatic,
} from './staticOps';
import {
  asTensor,
  checkCreatedSize,
  fail,
  input,
  STATIC_ELEMENT_LIMIT,
  type OpContext,
  type OpImpl,
} from './types';

function axisOf(context: OpContext, axis: number, rank: number): number {
  const resolved = normalizeAxis(axis, rank);
  if (resolved === undefined)
    fail(context, 'corrupt', `axis ${axis} is out of range for rank ${rank}`);
  return resolved;
}

function reshapeValue(value: Value, shape: number[]): Value {
  return isStatic(value) ? reshapeStatic(value, shape) : tf.reshape(value, shape);
}

/** Reshape: 0 copies the input's dimension (unless allowzero is set), -1 is inferred. */
const reshape: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const requested = readInts(input(inputs, 1, context));
  const allowZero = context.attrs.int('allowzero', 0) !== 0;
  const shape = requested.map((dim, i) => (dim === 0 && !allowZero ? x.shape[i] : dim));
  if (shape.some((dim) => dim === undefined || dim < -1)) {
    fail(
      context,
      'corrupt',
      `shape [${requested.join(', ')}] is invalid for input [${x.shape.join(', ')}]`,
    );
  }
  const total = sizeOf(x.shape);
  const unknown = shape.indexOf(-1);
  if (unknown >= 0) {
    const known = shape.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (shape.lastIndexOf(-1) !== unknown || known === 0 || total % known !== 0) {
      fail(
        context,
        'corrupt',
        `cannot reshape [${x.shape.join(', ')}] to [${requested.join(', ')}]`,
      );
    }
    shape[unknown] = total / known;
  }
  if (sizeOf(shape) !== total)
    fail(context, 'corrupt', `cannot reshape [${x.shape.join(', ')}] to [${requested.join(', ')}]`);
  return [reshapeValue(x, shape)];
};

const flatten: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const rank = x.shape.length;
  const axis = context.attrs.int('axis', 1);
  const resolved = axis < 0 ? axis + rank : axis;
  if (resolved < 0 || resolved > rank)
    fail(context, 'corrupt', `axis ${axis} is out of range for rank ${rank}`);
  return [reshapeValue(x, [sizeOf(x.shape.slice(0, resolved)), sizeOf(x.shape.slice(resolved))])];
};

const transpose: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const rank = x.shape.length;
  const perm = context.attrs.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) {
    fail(context, 'corrupt', `perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  return [isStatic(x) ? transposeStatic(x, perm) : tf.transpose(x, perm)];
};

const concat: OpImpl = (inputs, context) => {
  const values = inputs.filter((v): v is Value => v !== undefined);
  if (values.length === 0) fail(context, 'corrupt', 'Concat has no inputs');
  const rank = values[0].shape.length;
  const axis = axisOf(context, context.attrs.int('axis', 0), rank);
  const mismatch = values.some(
    (v) =>
      v.shape.length !== rank || v.shape.some((d, i) => i !== axis && d !== values[0].shape[i]),
  );
  if (mismatch)
    fail(
      context,
      'corrupt',
      `inputs [${values.map((v) => v.shape.join('x')).join(', ')}] do not concatenate on axis ${axis}`,
    );
  if (values.every(isStatic)) return [concatStatic(values.filter(isStatic), axis)];
  const nonEmpty = values.filter((v) => sizeOf(v.shape) > 0);
  const tensors = (nonEmpty.length > 0 ? nonEmpty : values).map((v) => asTensor(v, context));
  return [tensors.length === 1 ? tensors[0] : tf.concat(tensors, axis)];
};

/** Clamped start, element count and step per axis, as ONNX Slice defines them. */
function sliceRange(dim: number, start: number, end: number, step: number): [number, number] {
  const from = start < 0 ? start + dim : start;
  const to = end < 0 ? end + dim : end;
  if (step > 0) {
    const s = Math.min(Math.max(from, 0), dim);
    const e = Math.min(Math.max(to, 0), dim);
    return [s, Math.max(0, Math.ceil((e - s) / step))];
  }
  const s = Math.min(Math.max(from, 0), dim - 1);
  const e = Math.min(Math.max(to, -1), dim - 1);
  return [s, Math.max(0, Math.ceil((s - e) / -step))];
}

const slice: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const rank = x.shape.length;
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (context.opset < 10) {
    starts = context.attrs.ints('starts') ?? [];
    ends = context.attrs.ints('ends') ?? [];
    axes = context.attrs.ints('axes');
  } else {
    starts = readInts(input(inputs, 1, context));
    ends = readInts(input(inputs, 2, context));
    axes = inputs[3] === undefined ? undefined : readInts(inputs[3]);
    steps = inputs[4] === undefined ? undefined : readInts(inputs[4]);
  }

  const axisList = axes ?? starts.map((_, i) => i);
  if (
    ends.length !== starts.length ||
    axisList.length !== starts.length ||
    (steps && steps.length !== starts.length)
  ) {
    fail(context, 'corrupt', 'starts, ends, axes and steps differ in length');
  }

  const begin = new Array<number>(rank).fill(0);
  const counts = [...x.shape];
  const strides = new Array<number>(rank).fill(1);
  axisList.forEach((a, i) => {
    const axis = axisOf(context, a, rank);
    const step = steps?.[i] ?? 1;
    if (step === 0) fail(context, 'corrupt', 'a slice step is 0');
    [begin[axis], counts[axis]] = sliceRange(x.shape[axis], starts[i], ends[i], step);
    strides[axis] = step;
  });

  if (isStatic(x)) return [sliceStatic(x, begin, counts, strides)];
  return [sliceTensor(x, begin, counts, strides)];
};

/**
 * Slices a tensor. Negative steps reverse the axis first; steps above 1 take a contiguous block
 * of count·step elements (zero-padded at the end where needed) and keep every step-th one by a
 * reshape, because tfjs 4.22 registers no gradient for StridedSlice.
 */
function sliceTensor(x: Tensor, begin: number[], counts: number[], strides: number[]): Tensor {
  if (counts.some((c) => c === 0)) return tf.zeros(counts, x.dtype);
  const negative = strides.map((s, axis) => (s < 0 ? axis : -1)).filter((axis) => axis >= 0);
  let source = x;
  const start = [...begin];
  const step = strides.map(Math.abs);
  if (negative.length > 0) {
    source = tf.reverse(x, negative);
    for (const axis of negative) start[axis] = x.shape[axis] - 1 - begin[axis];
  }
  const span = counts.map((c, axis) => Math.min(c * step[axis], source.shape[axis] - start[axis]));
  let out = tf.slice(source, start, span);
  step.forEach((s, axis) => {
    if (s === 1) return;
    out = everyNth(out, axis, s, counts[axis]);
  });
  return out;
}

/** Keeps elements 0, step, 2·step, ... (count of them) along `axis`. */
function everyNth(x: Tensor, axis: number, step: number, count: number): Tensor {
  const missing = count * step - x.shape[axis];
  const paddings = x.shape.map((_, a) => [0, a === axis ? missing : 0] as [number, number]);
  const padded = missing > 0 ? tf.pad(x, paddings) : x;
  const split = [...padded.shape.slice(0, axis), count, step, ...padded.shape.slice(axis + 1)];
  const grouped = tf.reshape(padded, split);
  const begin = split.map(() => 0);
  const size = split.map((d, a) => (a === axis + 1 ? 1 : d));
  return tf.reshape(
    tf.slice(grouped, begin, size),
    x.shape.map((d, a) => (a === axis ? count : d)),
  );
}

/**
 * Gather along `axis`. With static indices and up to 256 of them the result is built from
 * slices, whose gradient every backend has; tfjs-backend-wasm 4.22 lacks UnsortedSegmentSum,
 * which the gradient of tf.gather needs.
 */
const gather: OpImpl = (inputs, context) => {
  const data = input(inputs, 0, context);
  const indices = input(inputs, 1, context);
  const axis = axisOf(context, context.attrs.int('axis', 0), data.shape.length);
  const dim = data.shape[axis];
  if (isStatic(indices)) {
    const bad = Array.from(indices.data).find((i) => i < -dim || i >= dim);
    if (bad !== undefined)
      fail(context, 'corrupt', `index ${bad} is out of range for a dimension of ${dim}`);
    if (isStatic(data)) return [gatherStatic(data, axis, indices)];
    if (indices.data.length <= 256)
      return [
        gatherBySlices(
          data,
          axis,
          indices.shape,
          Array.from(indices.data, (i) => (i < 0 ? i + dim : i)),
        ),
      ];
  }
  const picked = tf.gather(
    asTensor(data, context),
    tf.cast(asTensor(indices, context), 'int32'),
    axis,
  );
  return [picked];
};

function gatherBySlices(
  data: Tensor,
  axis: number,
  indexShape: readonly number[],
  indices: number[],
): Tensor {
  const size = [...data.shape];
  size[axis] = 1;
  const pieces = indices.map((index) => {
    const begin = new Array<number>(data.rank).fill(0);
    begin[axis] = index;
    return tf.slice(data, begin, size);
  });
  const joined = pieces.length === 1 ? pieces[0] : tf.concat(pieces, axis);
  return tf.reshape(joined, [
    ...data.shape.slice(0, axis),
    ...indexShape,
    ...data.shape.slice(axis + 1),
  ]);
}

const shape: OpImpl = (inputs, context) => {
  const dims = [...input(inputs, 0, context).shape];
  const start = normalizeBound(context.attrs.int('start', 0), dims.length);
  const end = normalizeBound(context.attrs.int('end', dims.length), dims.length);
  const picked = dims.slice(start, Math.max(start, end));
  return [staticTensor('int', [picked.length], picked)];
};

function normalizeBound(bound: number, rank: number): number {
  return Math.min(Math.max(bound < 0 ? bound + rank : bound, 0), rank);
}

const size: OpImpl = (inputs, context) => [
  staticTensor('int', [], [sizeOf(input(inputs, 0, context).shape)]),
];

/** Axes of Squeeze and Unsqueeze: an attribute before opset 13, an optional input from then on. */
function axesOf(inputs: readonly (Value | undefined)[], context: OpContext): number[] | undefined {
  if (context.opset < 13) return context.attrs.ints('axes');
  return inputs[1] === undefined ? undefined : readInts(inputs[1]);
}

const unsqueeze: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const axes = axesOf(inputs, context);
  if (axes === undefined) fail(context, 'corrupt', 'Unsqueeze has no axes');
  const rank = x.shape.length + axes.length;
  const resolved = axes.map((a) => axisOf(context, a, rank)).sort((a, b) => a - b);
  const out = [...x.shape];
  for (const axis of resolved) out.splice(axis, 0, 1);
  return [reshapeValue(x, out)];
};

const squeeze: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const axes = axesOf(inputs, context);
  const rank = x.shape.length;
  const drop =
    axes === undefined
      ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
      : axes.map((a) => axisOf(context, a, rank));
  if (drop.some((axis) => x.shape[axis] !== 1))
    fail(context, 'corrupt', `cannot squeeze axes [${drop.join(', ')}] of [${x.shape.join(', ')}]`);
  return [
    reshapeValue(
      x,
      x.shape.filter((_, i) => !drop.includes(i)),
    ),
  ];
};

const constant: OpImpl = (_inputs, context) => {
  const { attrs } = context;
  const tensor = attrs.tensor('value');
  if (tensor !== undefined) return [tensor];
  if (attrs.has('value_float'))
    return [staticTensor('float', [], [attrs.float('value_float', 0)], true)];
  if (attrs.has('value_int')) return [staticTensor('int', [], [attrs.int('value_int', 0)], true)];
  const floats = attrs.floats('value_floats');
  if (attrs.has('value_floats') && floats)
    return [staticTensor('float', [floats.length], floats, true)];
  const ints = attrs.ints('value_ints');
  if (attrs.has('value_ints') && ints) return [staticTensor('int', [ints.length], ints, true)];
  return fail(
    context,
    'unsupported',
    `Constant with attributes [${attrs.names().join(', ')}] is not supported`,
  );
};

const constantOfShape: OpImpl = (inputs, context) => {
  const dims = readInts(input(inputs, 0, context));
  if (dims.some((d) => d < 0)) fail(context, 'corrupt', `shape [${dims.join(', ')}] is invalid`);
  checkCreatedSize(context, dims);
  const fill = context.attrs.tensor('value') ?? staticTensor('float', [1], [0]);
  const count = sizeOf(dims);
  if (count > STATIC_ELEMENT_LIMIT) {
    return [tf.fill(dims, fill.data[0], fill.dtype === 'float' ? 'float32' : 'int32')];
  }
  return [staticTensor(fill.dtype, dims, new Float64Array(count).fill(fill.data[0]))];
};

const expand: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const requested = readInts(input(inputs, 1, context));
  const rank = Math.max(x.rank, requested.length);
  const target = Array.from({ length: rank }, (_, i) => {
    const a = x.shape[x.rank - rank + i] ?? 1;
    const b = requested[requested.length - rank + i] ?? 1;
    return a === 1 ? b : a;
  });
  checkCreatedSize(context, target);
  return [tf.broadcastTo(x, target)];
};

/** Pad: pads (and value) are attributes before opset 11 and inputs from then on. */
const pad: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const rank = x.rank;
  const mode = context.attrs.string('mode', 'constant');

  let pads: number[];
  let value = 0;
  let axes = Array.from({ length: rank }, (_, i) => i);
  if (context.opset < 11) {
    pads = context.attrs.ints('pads') ?? [];
    value = context.attrs.float('value', 0);
  } else {
    pads = readInts(input(inputs, 1, context));
    if (inputs[2] !== undefined) value = readNumbers(inputs[2])[0] ?? 0;
    if (inputs[3] !== undefined) axes = readInts(inputs[3]).map((a) => axisOf(context, a, rank));
  }

  if (pads.length !== 2 * axes.length)
    fail(context, 'corrupt', `pads [${pads.join(', ')}] do not match ${axes.length} axes`);

  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  axes.forEach((axis, i) => {
    before[axis] = pads[i];
    after[axis] = pads[i + axes.length];
  });

  // Negative pads crop.
  const cropBegin = before.map((p) => Math.max(0, -p));
  const cropSize = x.shape.map((d, axis) => d - cropBegin[axis] - Math.max(0, -after[axis]));
  if (cropSize.some((d) => d < 0))
    fail(context, 'corrupt', 'negative pads crop more than the input');
  const cropped =
    cropBegin.some((c) => c > 0) || after.some((p) => p < 0) ? tf.slice(x, cropBegin, cropSize) : x;

  const paddings = before.map(
    (p, axis) => [Math.max(0, p), Math.max(0, after[axis])] as [number, number],
  );
  if (paddings.every(([b, a]) => b === 0 && a === 0)) return [cropped];
  checkCreatedSize(
    context,
    cropped.shape.map((d, axis) => d + paddings[axis][0] + paddings[axis][1]),
  );
  if (mode === 'constant') return [tf.pad(cropped, paddings, value)];
  // NOTE: tf.mirrorPad is not used: its gradient in tfjs 4.22 is wrong for 'reflect' (checked
  // against a hand-computed gradient), so both modes are built from slices.
  if (mode === 'reflect') return [slicePad(context, cropped, paddings, true)];
  if (mode === 'edge') return [slicePad(context, cropped, paddings, false)];
  return fail(context, 'unsupported', `Pad mode '${mode}' is not supported`);
};

/** Reflect padding (mirror without the edge) or edge padding (repeat the edge), axis by axis. */
function slicePad(
  context: OpContext,
  x: Tensor,
  paddings: [number, number][],
  reflect: boolean,
): Tensor {
  let out = x;
  paddings.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const dim = out.shape[axis];
    if (reflect && (before >= dim || after >= dim))
      fail(
        context,
        'corrupt',
        `reflect padding of ${Math.max(before, after)} needs more than ${dim} elements`,
      );
    const take = (start: number, length: number) => {
      const begin = out.shape.map((_, a) => (a === axis ? start : 0));
      const size = out.shape.map((d, a) => (a === axis ? length : d));
      return tf.slice(out, begin, size);
    };
    const reps = (count: number) => out.shape.map((_, a) => (a === axis ? count : 1));
    const parts: Tensor[] = [];
    if (before > 0)
      parts.push(reflect ? tf.reverse(take(1, before), [axis]) : tf.tile(take(0, 1), reps(before)));
    parts.push(out);
    if (after > 0)
      parts.push(
        reflect
          ? tf.reverse(take(dim - 1 - after, after), [axis])
          : tf.tile(take(dim - 1, 1), reps(after)),
      );
    out = tf.concat(parts, axis);
  });
  return out;
}

const tile: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const repeats = readInts(input(inputs, 1, context));
  if (repeats.length !== x.rank || repeats.some((r) => r < 0)) {
    fail(context, 'corrupt', `repeats [${repeats.join(', ')}] are invalid for rank ${x.rank}`);
  }
  checkCreatedSize(
    context,
    x.shape.map((d, i) => d * repeats[i]),
  );
  return [tf.tile(x, repeats)];
};

const split: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const axis = axisOf(context, context.attrs.int('axis', 0), x.rank);
  let sizes =
    context.opset < 13
      ? context.attrs.ints('split')
      : inputs[1] === undefined
        ? undefined
        : readInts(inputs[1]);
  if (sizes === undefined || sizes.length === 0) {
    const parts = context.attrs.int('num_outputs', context.outputs.length);
    const chunk = Math.ceil(x.shape[axis] / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(chunk, x.shape[axis] - i * chunk));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== x.shape[axis])
    fail(context, 'corrupt', `split sizes [${sizes.join(', ')}] do not add up to ${x.shape[axis]}`);
  return tf.split(x, sizes, axis);
};

const range: OpImpl = (inputs, context) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => readNumbers(input(inputs, i, context))[0]);
  const count = Math.max(0, Math.ceil((limit - start) / delta));
  if (!Number.isFinite(count) || count > STATIC_ELEMENT_LIMIT)
    fail(context, 'corrupt', 'Range is empty-step or too long');
  const kind = isStatic(inputs[0]) ? inputs[0].dtype : 'float';
  return [
    staticTensor(
      kind,
      [count],
      Array.from({ length: count }, (_, i) => start + i * delta),
    ),
  ];
};

export const SHAPE_OPS: Record<string, OpImpl> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Shape: shape,
  Size: size,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Expand: expand,
  Pad: pad,
  Tile: tile,
  Split: split,
  Range: range,
};
