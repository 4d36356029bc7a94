import { dilateFilter } from '../../../backend/dilateFilter';
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { isStatic, shapeOf, type Value } from '../values';
import { resolveWindow, type Window2D } from './spatial';
import { asTensor, checkCreatedSize, fail, input, type OpContext, type OpImpl } from './types';

/*
 * ONNX convolutions are NCHW with weights [out, in, kh, kw] (Conv) or [in, out, kh, kw]
 * (ConvTranspose). tfjs convolves NHWC with filters [kh, kw, in, out], so the input is
 * transposed in and out of NHWC around each op. Dilation is applied by spreading the filter
 * taps with zeros, because tfjs 4.22 has no conv2d gradient for dilation rates above 1.
 */

/** Returns the input as a 4-D NCHW tensor (a 1-D convolution gets a height of 1) and its spatial rank. */
function toNchw(value: Value, context: OpContext): { x: Tensor4D; spatial: number } {
  const x = asTensor(value, context);
  if (x.rank === 4) return { x: x as Tensor4D, spatial: 2 };
  if (x.rank === 3) return { x: tf.expandDims(x, 2) as Tensor4D, spatial: 1 };
  return fail(
    context,
    'unsupported',
    `${x.rank - 2}-D convolutions are not supported (only 1-D and 2-D)`,
  );
}

/** Returns the weight shape as [out or in, in or out, kh, kw], with a height of 1 for 1-D kernels. */
function weightShape(
  weight: Value,
  spatial: number,
  context: OpContext,
): [number, number, number, number] {
  const shape = shapeOf(weight);
  if (shape.length !== spatial + 2) {
    fail(
      context,
      'corrupt',
      `weight shape [${shape.join(', ')}] does not match a ${spatial}-D convolution`,
    );
  }
  return spatial === 1
    ? [shape[0], shape[1], 1, shape[2]]
    : [shape[0], shape[1], shape[2], shape[3]];
}

/**
 * Builds the filter in tfjs layout: `perm` maps the ONNX axes (with the height axis added) to
 * [kh, kw, a, b], and taps are spread by the dilations. Cached for static weights.
 */
function filter(
  weight: Value,
  shape: number[],
  perm: number[],
  dilations: [number, number],
  context: OpContext,
): Tensor4D {
  const build = () => {
    const w = tf.reshape(asTensor(weight, context), shape);
    return dilateFilter(tf.transpose(w, perm) as Tensor4D, dilations);
  };
  if (!isStatic(weight)) return build();
  return context.cache.get(
    weight,
    `filter:${perm.join('')}:${dilations.join('x')}`,
    build,
  ) as Tensor4D;
}

/** Shape of a weight [a, b, kh, kw] once its taps are spread by the dilations. */
function dilatedShape(shape: readonly number[], [dh, dw]: [number, number]): number[] {
  return [shape[0], shape[1], (shape[2] - 1) * dh + 1, (shape[3] - 1) * dw + 1];
}

function groupCheck(context: OpContext): void {
  const group = context.attrs.int('group', 1);
  if (group !== 1) {
    fail(
      context,
      'unsupported',
      `grouped convolution (group=${group}) is not supported; only group=1 is`,
    );
  }
}

/** Adds a bias [channels] to an NHWC tensor and returns to NCHW (dropping an added height axis). */
function finish(y: Tensor4D, bias: Value | undefined, spatial: number, context: OpContext): Tensor {
  const withBias = bias === undefined ? y : tf.add(y, asTensor(bias, context));
  const nchw = tf.transpose(withBias, [0, 3, 1, 2]);
  return spatial === 1 ? tf.squeeze(nchw, [2]) : nchw;
}

/** Resolves the window of a Conv node for an NCHW input shape (also used to describe layers). */
export function convWindow(
  context: OpContext,
  xShape: readonly number[],
  kernel: [number, number],
  spatial: number,
): Window2D {
  return resolveWindow(context, kernel, [xShape[2], xShape[3]], spatial);
}

const conv: OpImpl = (inputs, context) => {
  groupCheck(context);
  const { x, spatial } = toNchw(input(inputs, 0, context), context);
  const weight = input(inputs, 1, context);
  const wShape = weightShape(weight, spatial, context);
  if (wShape[1] !== x.shape[1]) {
    fail(
      context,
      'corrupt',
      `input has ${x.shape[1]} channels but the weight expects ${wShape[1]}`,
    );
  }
  const window = convWindow(context, x.shape, [wShape[2], wShape[3]], spatial);
  const [top, bottom, left, right] = window.pads;
  const [n, c, h, w] = x.shape;
  checkCreatedSize(context, [n, c, h + top + bottom, w + left + right]);
  checkCreatedSize(context, dilatedShape(wShape, window.dilations));
  const f = filter(weight, wShape, [2, 3, 1, 0], window.dilations, context);
  const nhwc = tf.transpose(x, [0, 2, 3, 1]);
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const y = tf.conv2d(nhwc, f, window.strides, padding);
  return [finish(y, inputs[2], spatial, context)];
};

/**
 * ConvTranspose: the full transposed convolution ('valid', size s·(n-1) + k_eff) is computed, then
 * `output_padding` zeros are appended at the end and the begin/end pads cropped, as ONNX defines
 * the output: s·(n-1) + output_padding + k_eff - pad_begin - pad_end, or `output_shape`.
 */
const convTranspose: OpImpl = (inputs, context) => {
  groupCheck(context);
  const { x, spatial } = toNchw(input(inputs, 0, context), context);
  const weight = input(inputs, 1, context);
  const wShape = weightShape(weight, spatial, context);
  if (wShape[0] !== x.shape[1]) {
    fail(
      context,
      'corrupt',
      `input has ${x.shape[1]} channels but the weight expects ${wShape[0]}`,
    );
  }

  const [batch, , height, width] = x.shape;
  const window = resolveWindow(context, [wShape[2], wShape[3]], [height, width], spatial);
  checkCreatedSize(context, dilatedShape(wShape, window.dilations));
  const f = filter(weight, wShape, [2, 3, 1, 0], window.dilations, context);
  const [kh, kw] = [f.shape[0], f.shape[1]];
  const [sh, sw] = window.strides;
  const full: [number, number] = [sh * (height - 1) + kh, sw * (width - 1) + kw];
  checkCreatedSize(context, [batch, wShape[1], full[0], full[1]]);

  const nhwc = tf.transpose(x, [0, 2, 3, 1]) as Tensor4D;
  const y = tf.conv2dTranspose(
    nhwc,
    f,
    [batch, full[0], full[1], wShape[1]],
    window.strides,
    'valid',
  );

  const crop = transposeCrop(context, window, full, [height, width], spatial);
  const padEnd = [
    Math.max(0, crop.begin[0] + crop.size[0] - full[0]),
    Math.max(0, crop.begin[1] + crop.size[1] - full[1]),
  ];
  const extended =
    padEnd[0] + padEnd[1] > 0
      ? tf.pad(y, [
          [0, 0],
          [0, padEnd[0]],
          [0, padEnd[1]],
          [0, 0],
        ])
      : y;
  const cropped = tf.slice(
    extended,
    [0, crop.begin[0], crop.begin[1], 0],
    [batch, crop.size[0], crop.size[1], wShape[1]],
  );
  return [finish(cropped as Tensor4D, inputs[2], spatial, context)];
};

/** Locates the ONNX output inside the full transposed convolution, per spatial axis. */
function transposeCrop(
  context: OpContext,
  window: Window2D,
  full: [number, number],
  inputSize: [number, number],
  spatial: number,
): { begin: [number, number]; size: [number, number] } {
  const outputPadding = context.attrs.ints('output_padding') ?? [];
  const extra =
    spatial === 1 ? [0, outputPadding[0] ?? 0] : [outputPadding[0] ?? 0, outputPadding[1] ?? 0];
  const autoPad = context.attrs.string('auto_pad', 'NOTSET');
  let requested = context.attrs.ints('output_shape');
  if ((requested === undefined || requested.length === 0) && autoPad.startsWith('SAME')) {
    // SAME padding makes the output the input size times the stride.
    requested = inputSize.map((n, axis) => n * window.strides[axis]).slice(2 - spatial);
  }
  const [top, bottom, left, right] = window.pads;
  if (requested !== undefined && requested.length > 0) {
    const target = requested.slice(-spatial);
    const size: [number, number] = spatial === 1 ? [1, target[0]] : [target[0], target[1]];
    // NOTE: this follows the ONNX operator text (SAME_UPPER puts the smaller half first, other
    // modes the larger half); some runtimes have differed. PyTorch exports never set output_shape.
    const upper = autoPad === 'SAME_UPPER';
    const begin = [0, 1].map((axis) => {
      const total = full[axis] + extra[axis] - size[axis];
      return upper ? Math.floor(total / 2) : total - Math.floor(total / 2);
    }) as [number, number];
    return { begin, size };
  }
  const size: [number, number] = [
    full[0] + extra[0] - top - bottom,
    full[1] + extra[1] - left - right,
  ];
  if (size[0] < 1 || size[1] < 1) fail(context, 'corrupt', 'the padding leaves an empty output');
  return { begin: [top, left], size };
}

export const CONV_OPS: Record<string, OpImpl> = { Conv: conv, ConvTranspose: convTranspose };
