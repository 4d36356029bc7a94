import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { isStatic, normalizeAxis, readInts, type Value } from '../values';
import { asTensor, fail, input, type OpContext, type OpImpl } from './types';

/** Reshapes a per-channel parameter [C] to broadcast over axis 1 of a rank-`rank` input. */
function channelParam(value: Value, rank: number, key: string, context: OpContext): Tensor {
  const shape = [-1, ...new Array<number>(Math.max(0, rank - 2)).fill(1)];
  const build = () => tf.reshape(asTensor(value, context), shape);
  if (!isStatic(value)) return build();
  return context.cache.get(value, `${key}:${rank}`, build);
}

/**
 * BatchNormalization in inference mode: y = (x - mean) / sqrt(var + epsilon) · scale + B with
 * the stored running statistics, so samples stay independent as the probe's input gradient
 * assumes. Graphs exported in training mode are rejected.
 */
const batchNormalization: OpImpl = (inputs, context) => {
  if (
    context.attrs.int('training_mode', 0) !== 0 ||
    context.outputs.filter((name) => name !== '').length > 1
  ) {
    fail(
      context,
      'unsupported',
      'BatchNormalization in training mode is not supported; export the model in eval mode',
    );
  }
  const x = asTensor(input(inputs, 0, context), context);
  const epsilon = context.attrs.float('epsilon', 1e-5);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) =>
    channelParam(input(inputs, i, context), x.rank, 'bn', context),
  );
  const inverse = tf.mul(scale, tf.rsqrt(tf.add(variance, epsilon)));
  return [tf.add(tf.mul(tf.sub(x, mean), inverse), bias)];
};

/** Normalises over `axes` per sample: (x - mean) / sqrt(var + epsilon), with the biased variance. */
function normalize(
  x: Tensor,
  axes: number[],
  epsilon: number,
): { y: Tensor; mean: Tensor; inverse: Tensor } {
  const mean = tf.mean(x, axes, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axes, true);
  const inverse = tf.rsqrt(tf.add(variance, epsilon));
  return { y: tf.mul(centred, inverse), mean, inverse };
}

const instanceNormalization: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  if (x.rank < 3) fail(context, 'corrupt', `input of rank ${x.rank} has no spatial axes`);
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
  const { y } = normalize(x, axes, context.attrs.float('epsilon', 1e-5));
  const scale = channelParam(input(inputs, 1, context), x.rank, 'in', context);
  const bias = channelParam(input(inputs, 2, context), x.rank, 'in', context);
  return [tf.add(tf.mul(y, scale), bias)];
};

/** LayerNormalization (opset 17): normalises over the axes from `axis` to the last. */
const layerNormalization: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const axis = normalizeAxis(context.attrs.int('axis', -1), x.rank);
  if (axis === undefined) fail(context, 'corrupt', `axis is out of range for rank ${x.rank}`);
  const axes = Array.from({ length: x.rank - axis }, (_, i) => i + axis);
  const { y, mean, inverse } = normalize(x, axes, context.attrs.float('epsilon', 1e-5));
  let out = tf.mul(y, asTensor(input(inputs, 1, context), context));
  if (inputs[2] !== undefined) out = tf.add(out, asTensor(inputs[2], context));
  return [out, mean, inverse];
};

type Reducer = (x: Tensor, axes: number[], keepDims: boolean) => Tensor;

/**
 * Builds a Reduce operator. Axes come from the attribute before the opset that moved them to an input
 * (13 for ReduceSum, 18 for the others); no axes reduces everything unless
 * noop_with_empty_axes is set.
 */
function reduce(reducer: Reducer, axesInputSince: number): OpImpl {
  return (inputs, context) => {
    const x = asTensor(input(inputs, 0, context), context);
    const keepDims = context.attrs.int('keepdims', 1) !== 0;
    let axes: number[] | undefined;
    if (context.opset >= axesInputSince)
      axes = inputs[1] === undefined ? undefined : readInts(inputs[1]);
    else axes = context.attrs.ints('axes');
    if (axes === undefined || axes.length === 0) {
      if (context.attrs.int('noop_with_empty_axes', 0) !== 0) return [x];
      axes = Array.from({ length: x.rank }, (_, i) => i);
    }
    const resolved = axes.map((a) => normalizeAxis(a, x.rank));
    if (resolved.some((a) => a === undefined))
      fail(context, 'corrupt', `axes [${axes.join(', ')}] are out of range for rank ${x.rank}`);
    return [reducer(x, resolved as number[], keepDims)];
  };
}

export const NORM_OPS: Record<string, OpImpl> = {
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  LayerNormalization: layerNormalization,
  ReduceMean: reduce((x, axes, keep) => tf.mean(x, axes, keep), 18),
  ReduceSum: reduce((x, axes, keep) => tf.sum(x, axes, keep), 13),
  ReduceMax: reduce((x, axes, keep) => tf.max(x, axes, keep), 18),
  ReduceMin: reduce((x, axes, keep) => tf.min(x, axes, keep), 18),
  ReduceProd: reduce((x, axes, keep) => tf.prod(x, axes, keep), 18),
  ReduceSumSquare: reduce((x, axes, keep) => tf.sum(tf.square(x), axes, keep), 18),
  ReduceL2: reduce((x, axes, keep) => tf.sqrt(tf.sum(tf.square(x), axes, keep)), 18),
};
