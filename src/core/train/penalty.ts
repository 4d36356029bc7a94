import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor1D } from '@tensorflow/tfjs-core';

/** `gp`: two-sided WGAN-GP; `lp`: one-sided (WGAN-LP); `none`; `clip`: weight clipping, no penalty term. */
export type PenaltyKind = 'gp' | 'lp' | 'none' | 'clip';

export interface PenaltyConfig {
  kind: PenaltyKind;
  /** Penalty weight λ. */
  lambda: number;
  /** Target gradient norm γ: 1 unless the data were rescaled. */
  target: number;
}

/** Added under the square root so that the norm's derivative stays finite at a zero gradient. */
export const NORM_EPSILON = 1e-12;

/**
 * Returns the per-sample L2 norm over every non-batch axis: ‖x_i‖ for x of shape [batch, ...].
 * The epsilon keeps the derivative finite where a sample's entries are all zero.
 */
export function perSampleNorm(x: Tensor): Tensor1D {
  const axes = x.shape.slice(1).map((_, i) => i + 1);
  const squares = axes.length > 0 ? tf.sum(tf.square(x), axes) : tf.square(x);
  return tf.sqrt(tf.add(squares, NORM_EPSILON)) as Tensor1D;
}

/**
 * Builds interpolates x̂ = ε·real + (1-ε)·fake with one ε per sample, broadcast over every other axis.
 * `epsilon` has shape [batch].
 */
export function interpolate(real: Tensor, fake: Tensor, epsilon: Tensor1D): Tensor {
  const shape = [real.shape[0], ...real.shape.slice(1).map(() => 1)];
  const e = tf.reshape(epsilon, shape);
  return tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake));
}

/** Sums a critic's outputs over the batch so tf.grad gives each sample's own input gradient. */
export function criticInputGradient(critic: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return tf.grad((input: Tensor) => tf.sum(critic(input)))(x);
}

export interface PenaltyTerms {
  /** λ·E[(‖∇D(x̂)‖/γ - 1)²] (or its one-sided form); 0 for `none` and `clip`. */
  penalty: Scalar;
  /** ‖∇D(x̂)‖ per interpolate, shape [batch]. */
  norms: Tensor1D;
}

/**
 * Computes the gradient penalty at interpolates. Called inside `tf.variableGrads`, the inner
 * tf.grad is recorded on the outer tape, so the penalty is differentiated with respect to the
 * critic's weights (double backpropagation).
 */
export function gradientPenalty(
  critic: (x: Tensor) => Tensor,
  interpolates: Tensor,
  config: PenaltyConfig,
): PenaltyTerms {
  const gradient = criticInputGradient(critic, interpolates);
  const norms = perSampleNorm(gradient);
  if (config.kind === 'none' || config.kind === 'clip') {
    return { penalty: tf.scalar(0), norms };
  }
  const excess = tf.sub(tf.div(norms, config.target), 1);
  const clipped = config.kind === 'lp' ? tf.relu(excess) : excess;
  const penalty = tf.mul(config.lambda, tf.mean(tf.square(clipped))) as Scalar;
  return { penalty, norms };
}
