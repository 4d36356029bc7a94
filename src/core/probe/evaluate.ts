import * as tf from '@tensorflow/tfjs-core';
import { createMatrix, type Matrix } from '../data/matrix';
import { Mlp } from '../nets/mlp';
import type { DifferentiableModel } from '../nets/model';
import { closedFormInputGradient, supportsClosedForm } from '../train/closedForm';
import { SINGLE_PROCESS, type Collective } from '../train/collective';

export { GATHER_CHUNK } from '../train/collective';
import { perSampleNorm } from '../train/penalty';
import { shardRange, shardRanges } from '../train/step';

/** Critic values, input gradients and gradient norms at a set of points. */
export interface CriticField {
  values: Float32Array;
  /** [n, dim] input gradients, in the same layout as the points. */
  gradients: Matrix;
  norms: Float32Array;
}

/** Points per forward/backward pass; bounds peak memory without costing throughput. */
export const PROBE_BATCH = 2048;

/**
 * Evaluates the critic and its input gradient at every point, in batches. Each point's gradient
 * is that of its own critic value: the model runs in inference mode, so batch composition does
 * not change any point's result.
 */
export function evaluateCritic(
  model: DifferentiableModel,
  points: Matrix,
  collective: Collective = SINGLE_PROCESS,
  batch = PROBE_BATCH,
): CriticField {
  const values = new Float32Array(points.rows);
  const gradients = createMatrix(points.rows, points.cols);
  const norms = new Float32Array(points.rows);
  const sampleShape = [...model.inputShape];
  // With several ranks each evaluates its share of the rows; the shares are then exchanged.
  const [first, last] = shardRange(points.rows, collective);
  for (let start = first; start < last; start += batch) {
    const end = Math.min(last, start + batch);
    tf.tidy(() => {
      const x = tf.tensor(points.data.subarray(start * points.cols, end * points.cols), [
        end - start,
        ...sampleShape,
      ]);
      const { values: pointValues, gradient: g } = valuesAndGradient(model, x);
      values.set(pointValues.dataSync() as Float32Array, start);
      pointValues.dispose();
      gradients.data.set(g.dataSync() as Float32Array, start * points.cols);
      norms.set(perSampleNorm(g).dataSync() as Float32Array, start);
    });
  }
  if (collective.size > 1) {
    const rowRanges = shardRanges(points.rows, collective.size);
    collective.allGather(values, rowRanges);
    collective.allGather(norms, rowRanges);
    const scaled = rowRanges.map(([a, b]) => [a * points.cols, b * points.cols] as const);
    collective.allGather(gradients.data, scaled);
  }
  return { values, gradients, norms };
}

/**
 * Returns the critic's values [n] and input gradient at x: in closed form for ReLU and LeakyReLU
 * MLPs, and with tf.grad otherwise. Call it inside tf.tidy and dispose the values.
 */
function valuesAndGradient(
  model: DifferentiableModel,
  x: tf.Tensor,
): { values: tf.Tensor; gradient: tf.Tensor } {
  if (model instanceof Mlp && model.outputSize === 1 && supportsClosedForm(model)) {
    return closedFormInputGradient(model, x);
  }
  // One forward pass serves both the values and the gradient. The per-point values are kept out
  // of the gradient's scope, so tidy does not release them and the caller disposes them.
  let perPoint: tf.Tensor | undefined;
  const gradient = tf.grad((input: tf.Tensor) => {
    const out = tf.reshape(model.apply(input), [-1]);
    perPoint = tf.keep(out);
    return tf.sum(out);
  })(x);
  return { values: perPoint as unknown as tf.Tensor, gradient };
}

/** Runs the model forward only (a generator), returning [n, outputSize] samples. */
export function runForward(
  model: DifferentiableModel,
  inputs: Matrix,
  batch = PROBE_BATCH,
): Matrix {
  const out = createMatrix(inputs.rows, model.outputSize);
  for (let start = 0; start < inputs.rows; start += batch) {
    const end = Math.min(inputs.rows, start + batch);
    tf.tidy(() => {
      const x = tf.tensor(inputs.data.subarray(start * inputs.cols, end * inputs.cols), [
        end - start,
        ...model.inputShape,
      ]);
      out.data.set(model.apply(x).dataSync() as Float32Array, start * model.outputSize);
    });
  }
  return out;
}
