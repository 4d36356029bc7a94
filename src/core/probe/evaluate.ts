import * as tf from '@tensorflow/tfjs-core';
import { createMatrix, type Matrix } from '../data/matrix';
import type { DifferentiableModel } from '../nets/model';
import { GATHER_CHUNK, gatherByRows, SINGLE_PROCESS, type Collective } from '../train/collective';

export { GATHER_CHUNK } from '../train/collective';
import { perSampleNorm } from '../train/penalty';
import { shardRange } from '../train/step';

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
      // One forward pass serves both the values and the gradient. The per-point values are
      // kept out of the gradient's scope and read before the tidy ends.
      let perPoint: tf.Tensor | undefined;
      const g = tf.grad((input: tf.Tensor) => {
        const out = tf.reshape(model.apply(input), [-1]);
        perPoint = tf.keep(out);
        return tf.sum(out);
      })(x);
      const pointValues = perPoint as unknown as tf.Tensor;
      values.set(pointValues.dataSync() as Float32Array, start);
      pointValues.dispose();
      gradients.data.set(g.dataSync() as Float32Array, start * points.cols);
      norms.set(perSampleNorm(g).dataSync() as Float32Array, start);
    });
  }
  if (collective.size > 1) {
    for (const array of [values, gradients.data, norms])
      gatherByRows(array, collective, GATHER_CHUNK);
  }
  return { values, gradients, norms };
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
