import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { outputSize, pair, resolveWindow, type Window2D } from './spatial';
import { asTensor, checkCreatedSize, fail, input, type OpContext, type OpImpl } from './types';

/** Padding far below any activation, so padded cells never win a max. */
const MAX_POOL_PAD = -3.4e38;

interface PoolGeometry extends Window2D {
  /** Extra zero padding at the bottom and right that ceil_mode needs for its last windows. */
  extra: [number, number];
}

function poolGeometry(context: OpContext, x: Tensor4D, spatial: number): PoolGeometry {
  const kernel = pair(context, 'kernel_shape', 1, spatial);
  if (context.attrs.ints('kernel_shape') === undefined)
    fail(context, 'corrupt', "attribute 'kernel_shape' is missing");
  const window = resolveWindow(context, kernel, [x.shape[2], x.shape[3]], spatial);
  if (window.dilations.some((d) => d !== 1))
    fail(context, 'unsupported', 'dilated pooling is not supported');
  const ceil = context.attrs.int('ceil_mode', 0) !== 0;
  const [top, bottom, left, right] = window.pads;
  const extra = [0, 1].map((axis) => {
    const size = x.shape[2 + axis];
    const [begin, end] = axis === 0 ? [top, bottom] : [left, right];
    const count = outputSize(size, kernel[axis], window.strides[axis], begin, end, ceil);
    return Math.max(0, (count - 1) * window.strides[axis] + kernel[axis] - (size + begin + end));
  }) as [number, number];
  const [n, c, h, w] = x.shape;
  checkCreatedSize(context, [n, c, h + top + bottom + extra[0], w + left + right + extra[1]]);
  return { ...window, extra };
}

function toNchw(context: OpContext, value: Tensor): { x: Tensor4D; spatial: number } {
  if (value.rank === 4) return { x: value as Tensor4D, spatial: 2 };
  if (value.rank === 3) return { x: tf.expandDims(value, 2) as Tensor4D, spatial: 1 };
  return fail(
    context,
    'unsupported',
    `${value.rank - 2}-D pooling is not supported (only 1-D and 2-D)`,
  );
}

function fromNhwc(y: Tensor, spatial: number): Tensor {
  const nchw = tf.transpose(y, [0, 3, 1, 2]);
  return spatial === 1 ? tf.squeeze(nchw, [2]) : nchw;
}

function padNhwc(
  x: Tensor,
  pads: [number, number, number, number],
  extra: [number, number],
  value: number,
): Tensor {
  const [top, bottom, left, right] = pads;
  if (top + bottom + left + right + extra[0] + extra[1] === 0) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [top, bottom + extra[0]],
      [left, right + extra[1]],
      [0, 0],
    ],
    value,
  );
}

/**
 * AveragePool. The padded sum is divided by the number of cells each window covers: real cells,
 * plus explicit padding when count_include_pad is set; ceil_mode's extra cells never count.
 */
const averagePool: OpImpl = (inputs, context) => {
  const { x, spatial } = toNchw(context, asTensor(input(inputs, 0, context), context));
  const geometry = poolGeometry(context, x, spatial);
  const nhwc = tf.transpose(x, [0, 2, 3, 1]);
  const padded = padNhwc(nhwc, geometry.pads, geometry.extra, 0) as Tensor4D;
  const mean = tf.avgPool(padded, geometry.kernel, geometry.strides, 'valid');
  if (padded === nhwc) return [fromNhwc(mean, spatial)];
  const includePad = context.attrs.int('count_include_pad', 0) !== 0;
  const [, height, width] = nhwc.shape;
  const ones = tf.ones([1, height, width, 1]);
  const withPads = includePad
    ? padNhwc(ones, geometry.pads, [0, 0], 1)
    : padNhwc(ones, geometry.pads, [0, 0], 0);
  const mask = padNhwc(withPads, [0, 0, 0, 0], geometry.extra, 0) as Tensor4D;
  const coverage = tf.avgPool(mask, geometry.kernel, geometry.strides, 'valid');
  return [fromNhwc(tf.div(mean, coverage), spatial)];
};

const maxPool: OpImpl = (inputs, context) => {
  if (context.outputs.length > 1 && context.outputs[1] !== '') {
    fail(context, 'unsupported', 'the Indices output of MaxPool is not supported');
  }
  const { x, spatial } = toNchw(context, asTensor(input(inputs, 0, context), context));
  const geometry = poolGeometry(context, x, spatial);
  const nhwc = tf.transpose(x, [0, 2, 3, 1]);
  const padded = padNhwc(nhwc, geometry.pads, geometry.extra, MAX_POOL_PAD) as Tensor4D;
  return [fromNhwc(tf.maxPool(padded, geometry.kernel, geometry.strides, 'valid'), spatial)];
};

function globalPool(reduce: (x: Tensor, axes: number[]) => Tensor): OpImpl {
  return (inputs, context) => {
    const x = asTensor(input(inputs, 0, context), context);
    if (x.rank < 3) fail(context, 'corrupt', `input of rank ${x.rank} has no spatial axes`);
    const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
    return [reduce(x, axes)];
  };
}

export const POOL_OPS: Record<string, OpImpl> = {
  AveragePool: averagePool,
  MaxPool: maxPool,
  GlobalAveragePool: globalPool((x, axes) => tf.mean(x, axes, true)),
  GlobalMaxPool: globalPool((x, axes) => tf.max(x, axes, true)),
};
