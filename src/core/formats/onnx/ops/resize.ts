import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { readNumbers, type Value } from '../values';
import { asTensor, checkCreatedSize, fail, input, type OpContext, type OpImpl } from './types';

/*
 * Resize and Upsample on NCHW tensors, for generators that upsample between convolutions, and
 * DepthToSpace / SpaceToDepth (pixel shuffle). Only the spatial axes may change size.
 */

/** Output size per axis: from `sizes` when given, else floor(input · scale). */
function targetShape(context: OpContext, x: Tensor, scales: number[], sizes: number[]): number[] {
  let shape: number[];
  if (sizes.length > 0) shape = sizes;
  else if (scales.length === x.rank) shape = x.shape.map((d, i) => Math.floor(d * scales[i]));
  else return fail(context, 'corrupt', 'neither scales nor sizes match the input rank');

  if (shape.length !== x.rank || shape[0] !== x.shape[0] || shape[1] !== x.shape[1]) {
    fail(
      context,
      'unsupported',
      `resizing [${x.shape.join(', ')}] to [${shape.join(', ')}] changes more than the spatial axes`,
    );
  }
  if (x.rank !== 4)
    fail(context, 'unsupported', `resizing a rank-${x.rank} input is not supported (only NCHW)`);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 1))
    fail(context, 'corrupt', `output shape [${shape.join(', ')}] is invalid`);
  checkCreatedSize(context, shape);
  return shape;
}

/** Maps output index `o` to an input coordinate, as ONNX coordinate_transformation_mode does. */
function sourceCoordinate(mode: string, o: number, input: number, output: number): number {
  const scale = output / input;
  if (mode === 'asymmetric') return o / scale;
  if (mode === 'align_corners') return output === 1 ? 0 : (o * (input - 1)) / (output - 1);
  if (mode === 'pytorch_half_pixel' && output === 1) return 0;
  return (o + 0.5) / scale - 0.5;
}

function roundNearest(mode: string, x: number): number {
  if (mode === 'floor') return Math.floor(x);
  if (mode === 'ceil') return Math.ceil(x);
  const halfway = Math.abs(x - Math.trunc(x)) === 0.5;
  if (halfway) return mode === 'round_prefer_ceil' ? Math.ceil(x) : Math.floor(x);
  return Math.round(x);
}

/**
 * Builds the [output, input] interpolation matrix of one axis: one-hot rows for nearest, two
 * weights per row for linear (coordinates clamped to the input, as ONNX and PyTorch do).
 */
function interpolationMatrix(
  context: OpContext,
  mode: string,
  input: number,
  output: number,
): Float32Array {
  const coordinates = context.attrs.string(
    'coordinate_transformation_mode',
    context.opset >= 11 ? 'half_pixel' : 'asymmetric',
  );
  const supported = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
  if (!supported.includes(coordinates)) {
    fail(
      context,
      'unsupported',
      `coordinate_transformation_mode '${coordinates}' is not supported`,
    );
  }
  const rounding = context.attrs.string(
    'nearest_mode',
    context.opset >= 11 ? 'round_prefer_floor' : 'floor',
  );
  const matrix = new Float32Array(output * input);
  for (let o = 0; o < output; o++) {
    const source = sourceCoordinate(coordinates, o, input, output);
    if (mode === 'nearest') {
      const index = Math.min(Math.max(roundNearest(rounding, source), 0), input - 1);
      matrix[o * input + index] = 1;
      continue;
    }
    const clamped = Math.min(Math.max(source, 0), input - 1);
    const low = Math.floor(clamped);
    const high = Math.min(low + 1, input - 1);
    const weight = clamped - low;
    matrix[o * input + low] += 1 - weight;
    matrix[o * input + high] += weight;
  }
  return matrix;
}

/** Resizes the last axis of `x` with an [output, input] matrix: x · matrixᵀ. */
function resizeLastAxis(x: Tensor, matrix: Float32Array, output: number): Tensor {
  const input = x.shape[x.rank - 1];
  const weights = tf.transpose(tf.tensor2d(matrix, [output, input]));
  const flat = tf.reshape(x, [-1, input]) as Tensor2D;
  return tf.reshape(tf.matMul(flat, weights as Tensor2D), [...x.shape.slice(0, -1), output]);
}

/**
 * Resizes the two spatial axes of an NCHW tensor by separable interpolation matrices, so the
 * gradient is two matMuls on every backend. (tfjs 4.22's ResizeBilinear gradient failed here
 * with a transposed shape for non-square outputs.)
 */
function resizeWith(context: OpContext, x: Tensor, shape: number[], mode: string): Tensor {
  if (context.attrs.int('antialias', 0) !== 0)
    fail(context, 'unsupported', 'antialiased resizing is not supported');
  const kind = mode === 'bilinear' ? 'linear' : mode;
  if (kind !== 'nearest' && kind !== 'linear') {
    fail(context, 'unsupported', `resize mode '${mode}' is not supported (nearest or linear)`);
  }
  const [, , height, width] = x.shape;
  const alongWidth = resizeLastAxis(
    x,
    interpolationMatrix(context, kind, width, shape[3]),
    shape[3],
  );
  const heightLast = tf.transpose(alongWidth, [0, 1, 3, 2]);
  const alongHeight = resizeLastAxis(
    heightLast,
    interpolationMatrix(context, kind, height, shape[2]),
    shape[2],
  );
  return tf.transpose(alongHeight, [0, 1, 3, 2]);
}

const optionalNumbers = (value: Value | undefined): number[] =>
  value === undefined ? [] : readNumbers(value);

/** Resize: inputs X, roi, scales, sizes from opset 11; X and scales in opset 10. */
const resize: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const scales = optionalNumbers(context.opset >= 11 ? inputs[2] : inputs[1]);
  const sizes = context.opset >= 11 ? optionalNumbers(inputs[3]) : [];
  const shape = targetShape(context, x, scales, sizes);
  return [resizeWith(context, x, shape, context.attrs.string('mode', 'nearest'))];
};

/** Upsample (opsets 7 to 9): scales are an attribute before opset 9 and an input from then on. */
const upsample: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const scales =
    context.opset >= 9 ? optionalNumbers(inputs[1]) : (context.attrs.floats('scales') ?? []);
  const shape = targetShape(context, x, scales, []);
  return [resizeWith(context, x, shape, context.attrs.string('mode', 'nearest'))];
};

/** DepthToSpace (pixel shuffle): [N, C·b², H, W] to [N, C, H·b, W·b], DCR or CRD order. */
const depthToSpace: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const block = context.attrs.int('blocksize', 0);
  const [n, c, h, w] = x.shape as number[];
  if (x.rank !== 4 || block < 1 || c % (block * block) !== 0) {
    fail(
      context,
      'corrupt',
      `blocksize ${block} does not divide the channels of [${x.shape.join(', ')}]`,
    );
  }
  const channels = c / (block * block);
  const crd = context.attrs.string('mode', 'DCR') === 'CRD';
  const split = crd ? [n, channels, block, block, h, w] : [n, block, block, channels, h, w];
  const perm = crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2];
  return [
    tf.reshape(tf.transpose(tf.reshape(x, split), perm), [n, channels, h * block, w * block]),
  ];
};

const spaceToDepth: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const block = context.attrs.int('blocksize', 0);
  const [n, c, h, w] = x.shape as number[];
  if (x.rank !== 4 || block < 1 || h % block !== 0 || w % block !== 0) {
    fail(
      context,
      'corrupt',
      `blocksize ${block} does not divide the spatial size of [${x.shape.join(', ')}]`,
    );
  }
  const blocks = tf.reshape(x, [n, c, h / block, block, w / block, block]);
  return [
    tf.reshape(tf.transpose(blocks, [0, 3, 5, 1, 2, 4]), [
      n,
      c * block * block,
      h / block,
      w / block,
    ]),
  ];
};

export const RESIZE_OPS: Record<string, OpImpl> = {
  Resize: resize,
  Upsample: upsample,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
};
