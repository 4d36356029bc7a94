import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import type { Mlp } from '../nets/mlp';
import {
  closedFormCriticGradients,
  closedFormGeneratorGradients,
  supportsClosedForm,
  type CriticStepTerms,
} from './closedForm';
import type { Collective } from './collective';
import { gradientPenalty, interpolate, type PenaltyConfig } from './penalty';

/** This rank's share [start, end) of a batch of `batchSize` samples. */
export function shardRange(batchSize: number, collective: Collective): [number, number] {
  return shardRanges(batchSize, collective.size)[collective.rank];
}

/** Returns every rank's share [start, end) of a batch of `batchSize` samples over `size` ranks. */
export function shardRanges(batchSize: number, size: number): [number, number][] {
  const base = Math.floor(batchSize / size);
  const extra = batchSize % size;
  return Array.from({ length: size }, (_, rank) => {
    const start = rank * base + Math.min(rank, extra);
    return [start, start + base + (rank < extra ? 1 : 0)];
  });
}

export interface CriticStepInput {
  /** This rank's rows of the batch: real [n, ...], fake [n, ...] (treated as constants), ε [n]. */
  real: Tensor;
  fake: Tensor;
  epsilon: Tensor1D;
  /** The full batch size B; each rank's terms are sums over its rows divided by B. */
  batchSize: number;
}

export interface CriticStepMetrics {
  criticLoss: number;
  wasserstein: number;
  penalty: number;
  /** ‖∇D(x̂)‖ at this rank's interpolates. */
  norms: Float32Array;
}

/**
 * The method of a step's gradients: `closed-form` (ReLU and LeakyReLU MLPs, see closedForm.ts),
 * `tape` (tf.variableGrads over a nested tf.grad, any activation), or `auto` (closed form where
 * it applies).
 */
export type GradientPath = 'auto' | 'closed-form' | 'tape';

function useClosedForm(path: GradientPath, networks: Mlp[]): boolean {
  const supported = supportsClosedForm(...networks) && networks[0].outputSize === 1;
  if (path === 'closed-form' && !supported) {
    throw new Error(
      'Closed-form gradients need ReLU or LeakyReLU MLPs and a critic with one output; use the tape path.',
    );
  }
  return path !== 'tape' && supported;
}

/**
 * Computes the gradients of the critic loss E[D(fake)] - E[D(real)] + λ·GP on this rank's rows,
 * sums them over ranks, and returns them in variable order with the batch's metrics.
 */
export function criticGradients(
  critic: Mlp,
  input: CriticStepInput,
  penalty: PenaltyConfig,
  collective: Collective,
  path: GradientPath = 'auto',
): { gradients: Float32Array[]; metrics: CriticStepMetrics } {
  const result = useClosedForm(path, [critic])
    ? closedFormCriticGradients(
        critic,
        input.real,
        input.fake,
        input.epsilon,
        input.batchSize,
        penalty,
      )
    : tapeCriticGradients(critic, input, penalty);
  const scalars = [result.value, result.wasserstein, result.penalty];
  const reduced = reduceAcrossRanks(result.gradients, scalars, collective);
  const norms = result.norms.dataSync() as Float32Array;
  tf.dispose([...scalars, result.norms]);
  return {
    gradients: reduced.gradients,
    metrics: {
      criticLoss: reduced.scalars[0],
      wasserstein: reduced.scalars[1],
      penalty: reduced.scalars[2],
      norms,
    },
  };
}

/** Computes the critic step's terms with tf.variableGrads over a nested tf.grad (any activation). */
function tapeCriticGradients(
  critic: Mlp,
  input: CriticStepInput,
  penalty: PenaltyConfig,
): CriticStepTerms {
  const scale = 1 / input.batchSize;
  const fake = input.fake;
  const rows = input.real.shape[0];
  let wasserstein: Scalar | undefined;
  let penaltyValue: Scalar | undefined;
  let norms: Tensor1D | undefined;

  const { value, grads } = tf.variableGrads(() => {
    // One forward pass over [real; fake]: [2n] critic values.
    const both = critic.apply(tf.concat([input.real, fake], 0));
    const sums = tf.sum(tf.reshape(both, [2, rows]), 1);
    const w = tf.reshape(
      tf.mul(tf.sub(tf.slice(sums, [0], [1]), tf.slice(sums, [1], [1])), scale),
      [],
    ) as Scalar;
    const xHat = interpolate(input.real, fake, input.epsilon);
    const terms = gradientPenalty((x) => critic.apply(x), xHat, penalty);
    // The penalty term is a mean over this rank's rows; reweight it to this rank's share of B.
    const p = tf.mul(terms.penalty, rows * scale) as Scalar;
    wasserstein = tf.keep(w);
    penaltyValue = tf.keep(p);
    norms = tf.keep(terms.norms);
    return tf.add(tf.neg(w), p) as Scalar;
  }, critic.variables);

  return {
    value,
    wasserstein: wasserstein as unknown as Scalar,
    penalty: penaltyValue as unknown as Scalar,
    norms: norms as unknown as Tensor1D,
    gradients: critic.variables.map((v) => grads[v.name]),
  };
}

/** Computes the gradients of the generator loss -E[D(G(z))] on this rank's latent rows. */
export function generatorGradients(
  critic: Mlp,
  generator: Mlp,
  latent: Tensor,
  batchSize: number,
  collective: Collective,
  path: GradientPath = 'auto',
): { gradients: Float32Array[]; loss: number } {
  if (useClosedForm(path, [critic, generator])) {
    const result = closedFormGeneratorGradients(critic, generator, latent, batchSize);
    const reduced = reduceAcrossRanks(result.gradients, [result.value], collective);
    result.value.dispose();
    return { gradients: reduced.gradients, loss: reduced.scalars[0] };
  }
  const { value, grads } = tf.variableGrads(
    () => tf.mul(tf.sum(critic.apply(generator.apply(latent))), -1 / batchSize) as Scalar,
    generator.variables,
  );
  const gradients = generator.variables.map((v) => grads[v.name]);
  const reduced = reduceAcrossRanks(gradients, [value], collective);
  value.dispose();
  return { gradients: reduced.gradients, loss: reduced.scalars[0] };
}

/**
 * Copies gradients and scalars out of the backend and sums them over ranks. The gradient tensors
 * are disposed, and the result contains one array per gradient, views into one flat buffer.
 */
function reduceAcrossRanks(
  gradients: Tensor[],
  scalars: Scalar[],
  collective: Collective,
): { gradients: Float32Array[]; scalars: number[] } {
  const total = gradients.reduce((n, g) => n + g.size, 0);
  const buffer = new Float32Array(total + scalars.length);
  const views: Float32Array[] = [];
  let offset = 0;
  for (const g of gradients) {
    buffer.set(g.dataSync() as Float32Array, offset);
    views.push(buffer.subarray(offset, offset + g.size));
    offset += g.size;
  }
  scalars.forEach((s, i) => (buffer[total + i] = s.dataSync()[0]));
  tf.dispose(gradients);
  if (collective.size > 1) collective.allReduceSum(buffer);
  return { gradients: views, scalars: Array.from(buffer.subarray(total)) };
}

/** Gathers each rank's rows of a per-sample metric into the full batch (rank order). */
export function gatherRows(
  values: Float32Array,
  batchSize: number,
  collective: Collective,
): Float32Array {
  if (collective.size === 1) return values;
  const full = new Float32Array(batchSize);
  full.set(values, shardRange(batchSize, collective)[0]);
  collective.allGather(full, shardRanges(batchSize, collective.size));
  return full;
}
