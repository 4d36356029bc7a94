import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Mlp } from '../nets/mlp';
import { NORM_EPSILON, type PenaltyConfig } from './penalty';

/*
 * Closed-form training gradients for MLPs with ReLU or LeakyReLU activations.
 *
 * For an MLP z_l = h_l W_l + b_l, h_{l+1} = σ(z_l), the derivative σ'(z_l) is a 0/1 (or α/1) mask
 * that is constant almost everywhere, so the penalty's second-order terms through the masks
 * vanish and the double backpropagation of WGAN-GP reduces to three plain passes:
 *
 *   backward   a_{L-1} = 1,  a_l = (a_{l+1} W_{l+1}ᵀ) ⊙ m_l,  ∇ₓD = a_0 W_0ᵀ
 *   penalty    r = ∂P/∂(∇ₓD),  t_0 = r,  t_{l+1} = (t_l W_l) ⊙ m_l
 *   weights    ∂P/∂W_l = t_lᵀ a_l,  ∂P/∂b_l = 0
 *
 * The critic loss's own gradient is h_lᵀ c_l, with c_l from the same backward recursion over the
 * real and fake rows seeded by ∓1/B. The generic tape (`tf.variableGrads` over a nested `tf.grad`)
 * computes the same values with more matMuls, a transpose of every weight per use and the
 * bookkeeping of a second-order tape. The tests check both paths against float64 finite
 * differences.
 */

/** Returns true when every activation of the networks has a piecewise-constant derivative. */
export function supportsClosedForm(...networks: Mlp[]): boolean {
  return networks.every((mlp) => {
    const name = mlp.spec.activation.name;
    return name === 'relu' || name === 'leakyRelu';
  });
}

interface ForwardPass {
  /** The input of every dense layer: inputs[0] is the flattened x, inputs[l + 1] = σ(z_l). */
  inputs: Tensor2D[];
  /** σ'(z_l) of every hidden layer. */
  masks: Tensor2D[];
  /** The last layer's output, [rows, outputSize]. */
  output: Tensor2D;
}

/** Runs the forward pass of `Mlp.apply` (the same ops, so the same values) and keeps what backward needs. */
function forwardPass(mlp: Mlp, x: Tensor2D): ForwardPass {
  const layers = mlp.variables.length / 2;
  const activation = mlp.spec.activation;
  const slope = activation.name === 'leakyRelu' ? activation.alpha : 0;
  const inputs: Tensor2D[] = [x];
  const masks: Tensor2D[] = [];
  let h = x;
  for (let l = 0; l + 1 < layers; l++) {
    const z = tf.add(tf.matMul(h, mlp.variables[2 * l]), mlp.variables[2 * l + 1]) as Tensor2D;
    h = (activation.name === 'leakyRelu' ? tf.leakyRelu(z, slope) : tf.relu(z)) as Tensor2D;
    masks.push(tf.step(z, slope) as Tensor2D);
    inputs.push(h);
  }
  const last = layers - 1;
  const output = tf.add(
    tf.matMul(h, mlp.variables[2 * last]),
    mlp.variables[2 * last + 1],
  ) as Tensor2D;
  return { inputs, masks, output };
}

/**
 * Returns the pre-activation gradients a_l of Σ(seed ⊙ output) for every layer, from the
 * transposed kernels kernelsT[l] = W_lᵀ. Entry 0 is not used here.
 */
function backwardDeltas(kernelsT: Tensor2D[], masks: Tensor2D[], seed: Tensor2D): Tensor2D[] {
  const deltas: Tensor2D[] = new Array<Tensor2D>(kernelsT.length);
  deltas[kernelsT.length - 1] = seed;
  for (let l = kernelsT.length - 1; l > 0; l--) {
    deltas[l - 1] = tf.mul(tf.matMul(deltas[l], kernelsT[l]), masks[l - 1]);
  }
  return deltas;
}

/** Transposes every kernel once per step, because wasm runs matMul with transposeB far slower. */
function transposedKernels(mlp: Mlp): Tensor2D[] {
  const kernels = mlp.variables.filter((_, i) => i % 2 === 0);
  return kernels.map((k) => tf.transpose(k) as Tensor2D);
}

/** Returns aᵀb, with an explicit transpose (see {@link transposedKernels}). */
function transposeTimes(a: Tensor2D, b: Tensor2D): Tensor2D {
  return tf.matMul(tf.transpose(a) as Tensor2D, b);
}

/** The critic step's terms on one rank, from either gradient path. */
export interface CriticStepTerms {
  /** The rank's share of the critic loss: -W + P. */
  value: Scalar;
  /** The rank's share of the Wasserstein estimate, (Σ D(real) - Σ D(fake)) / B. */
  wasserstein: Scalar;
  /** The rank's share of the penalty term, λ Σ penalty(‖∇D(x̂)‖) / B. */
  penalty: Scalar;
  /** ‖∇D(x̂)‖ at this rank's interpolates. */
  norms: Tensor1D;
  /** Gradients in variable order. */
  gradients: Tensor[];
}

/**
 * Computes the critic step's loss terms and weight gradients on this rank's rows in closed form
 * (see the file comment). `epsilon` contains one interpolation weight per row, and the sums are
 * divided by the full batch size B, as in the tape path.
 */
export function closedFormCriticGradients(
  critic: Mlp,
  real: Tensor,
  fake: Tensor,
  epsilon: Tensor1D,
  batchSize: number,
  penalty: PenaltyConfig,
): CriticStepTerms {
  return tf.tidy(() => {
    const n = real.shape[0];
    const scale = 1 / batchSize;
    const realFlat = tf.reshape(real, [n, -1]) as Tensor2D;
    const fakeFlat = tf.reshape(fake, [n, -1]) as Tensor2D;
    const e = tf.reshape(epsilon, [n, 1]);
    const xHat = tf.add(tf.mul(e, realFlat), tf.mul(tf.sub(1, e), fakeFlat)) as Tensor2D;
    // Real and fake rows share one pass and the interpolates have their own, so no activation
    // has to be sliced into row blocks afterwards.
    const both = forwardPass(critic, tf.concat([realFlat, fakeFlat], 0));
    const interpolates = forwardPass(critic, xHat);
    const out = tf.reshape(both.output, [2 * n]);
    const realSum = tf.sum(tf.slice(out, [0], [n]));
    const fakeSum = tf.sum(tf.slice(out, [n], [n]));
    const wasserstein = tf.mul(tf.sub(realSum, fakeSum), scale) as Scalar;

    const kernelsT = transposedKernels(critic);
    // ∂loss/∂D is -1/B at real rows and +1/B at fake rows.
    const seed = tf.concat([tf.fill([n, 1], -scale), tf.fill([n, 1], scale)], 0) as Tensor2D;
    const lossDeltas = backwardDeltas(kernelsT, both.masks, seed);
    const deltas = backwardDeltas(kernelsT, interpolates.masks, tf.ones([n, 1]));
    const gradient = tf.matMul(deltas[0], kernelsT[0]);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(gradient), 1), NORM_EPSILON)) as Tensor1D;

    const penalized = penalty.kind === 'gp' || penalty.kind === 'lp';
    let penaltyTerm: Scalar = tf.scalar(0);
    const gradients: Tensor[] = [];
    // t_l of the file comment, advanced layer by layer. It is absent without a penalty term.
    let t: Tensor2D | undefined;
    if (penalized) {
      const excess = tf.sub(tf.div(norms, penalty.target), 1);
      const clipped = penalty.kind === 'lp' ? tf.relu(excess) : excess;
      penaltyTerm = tf.mul(tf.sum(tf.square(clipped)), penalty.lambda * scale) as Scalar;
      // r = ∂P/∂g = (2λ/(Bγ)) · clipped · g/‖g‖, one row per interpolate.
      const factor = tf.mul(tf.div(clipped, norms), (2 * penalty.lambda * scale) / penalty.target);
      t = tf.mul(gradient, tf.reshape(factor, [n, 1])) as Tensor2D;
    }
    lossDeltas.forEach((lossDelta, l) => {
      // Σ over both row blocks as two matMuls: the same flops as one over the stacked rows.
      let kernelGradient = transposeTimes(both.inputs[l], lossDelta);
      if (t !== undefined) {
        kernelGradient = tf.add(kernelGradient, transposeTimes(t, deltas[l]));
        if (l < interpolates.masks.length) {
          const next = tf.matMul(t, critic.variables[2 * l] as Tensor2D);
          t = tf.mul(next, interpolates.masks[l]) as Tensor2D;
        }
      }
      gradients.push(kernelGradient, tf.sum(lossDelta, 0));
    });

    const value = tf.add(tf.neg(wasserstein), penaltyTerm) as Scalar;
    return { value, wasserstein, penalty: penaltyTerm, norms, gradients };
  });
}

/**
 * Computes the generator step's loss -Σ D(G(z)) / B on this rank's latent rows and its
 * gradients with respect to the generator's weights, in variable order.
 */
export function closedFormGeneratorGradients(
  critic: Mlp,
  generator: Mlp,
  latent: Tensor,
  batchSize: number,
): { value: Scalar; gradients: Tensor[] } {
  return tf.tidy(() => {
    const n = latent.shape[0];
    const scale = 1 / batchSize;
    const generated = forwardPass(generator, tf.reshape(latent, [n, -1]) as Tensor2D);
    const judged = forwardPass(critic, generated.output);
    const value = tf.mul(tf.sum(judged.output), -scale) as Scalar;

    const criticT = transposedKernels(critic);
    const criticDeltas = backwardDeltas(criticT, judged.masks, tf.fill([n, 1], -scale));
    const sampleGradient = tf.matMul(criticDeltas[0], criticT[0]) as Tensor2D;
    const deltas = backwardDeltas(transposedKernels(generator), generated.masks, sampleGradient);
    const gradients = deltas.flatMap((delta, l) => [
      transposeTimes(generated.inputs[l], delta),
      tf.sum(delta, 0),
    ]);
    return { value, gradients };
  });
}

/**
 * Returns an MLP critic's values [n] and input gradients [n, inputs] at x in closed form: one
 * forward and one backward pass, with no tape.
 */
export function closedFormInputGradient(
  critic: Mlp,
  x: Tensor,
): { values: Tensor1D; gradient: Tensor2D } {
  return tf.tidy(() => {
    const n = x.shape[0];
    const forward = forwardPass(critic, tf.reshape(x, [n, -1]) as Tensor2D);
    const kernelsT = transposedKernels(critic);
    const deltas = backwardDeltas(kernelsT, forward.masks, tf.ones([n, 1]));
    return {
      values: tf.reshape(forward.output, [n]) as Tensor1D,
      gradient: tf.matMul(deltas[0], kernelsT[0]),
    };
  });
}
