import * as tf from '@tensorflow/tfjs-core';
import type { Variable } from '@tensorflow/tfjs-core';

export type OptimizerConfig =
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; epsilon: number }
  | { kind: 'rmsprop'; lr: number; alpha: number; epsilon: number };

/** Optimizer state as plain arrays, one slot list per variable, for checkpoints. */
export interface OptimizerState {
  step: number;
  /** For Adam: [m, v] per variable; for RMSProp: [v] per variable. */
  slots: Float32Array[][];
}

/**
 * Adam and RMSProp with the update rules of PyTorch's torch.optim (Adam with bias correction and
 * ε outside the square root, RMSProp without momentum or centring). The state is plain float32
 * arrays, so it is saved and restored exactly. The update runs in one JavaScript loop per
 * variable with every intermediate rounded to float32 (Math.fround). That makes fewer passes over
 * memory than a dozen backend ops per variable, and it takes the gradients as the flat arrays
 * that the cross-rank sum produces.
 */
export class Optimizer {
  private step = 0;
  private readonly slots: Float32Array[][];

  constructor(
    readonly config: OptimizerConfig,
    private readonly variables: Variable[],
  ) {
    const count = config.kind === 'adam' ? 2 : 1;
    this.slots = variables.map((v) =>
      Array.from({ length: count }, () => new Float32Array(v.size)),
    );
  }

  /** Applies one update; `gradients` are in the order of the variables. */
  apply(gradients: readonly Float32Array[]): void {
    if (gradients.length !== this.variables.length) {
      throw new Error(
        `Optimizer expected ${this.variables.length} gradients, got ${gradients.length}.`,
      );
    }
    this.step += 1;
    this.variables.forEach((variable, i) => {
      const g = gradients[i];
      if (g.length !== variable.size) {
        throw new Error(
          `Gradient ${i} has ${g.length} values but ${variable.name} has ${variable.size}; pass the gradients in variable order.`,
        );
      }
      const w = Float32Array.from(variable.dataSync() as Float32Array);
      if (this.config.kind === 'adam') adamUpdate(this.config, this.step, w, g, this.slots[i]);
      else rmsPropUpdate(this.config, w, g, this.slots[i][0]);
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape)));
    });
  }

  state(): OptimizerState {
    return {
      step: this.step,
      slots: this.slots.map((list) => list.map((s) => Float32Array.from(s))),
    };
  }

  restore(state: OptimizerState): void {
    if (state.slots.length !== this.slots.length) {
      throw new Error(
        `Optimizer state has ${state.slots.length} variables, the model has ${this.slots.length}.`,
      );
    }
    state.slots.forEach((list, i) => {
      if (
        list.length !== this.slots[i].length ||
        list.some((slot, j) => slot.length !== this.slots[i][j].length)
      ) {
        throw new Error(
          `Optimizer state of variable ${i} does not match its shape, so the checkpoint is from another model.`,
        );
      }
    });
    this.step = state.step;
    state.slots.forEach((list, i) => list.forEach((slot, j) => this.slots[i][j].set(slot)));
  }
}

/** Clips every variable to [-c, c] in place: the weight-clipping baseline of the original WGAN. */
export function clipWeights(variables: Variable[], c: number): void {
  tf.tidy(() => variables.forEach((v) => v.assign(tf.clipByValue(v, -c, c))));
}

const f = Math.fround;

/** Applies one Adam step to w in place: m, v ← moments, then w ← w - lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + ε). */
function adamUpdate(
  config: Extract<OptimizerConfig, { kind: 'adam' }>,
  t: number,
  w: Float32Array,
  g: Float32Array,
  [m, v]: Float32Array[],
): void {
  const { lr, beta1, beta2, epsilon } = config;
  const b1 = f(beta1);
  const b2 = f(beta2);
  const c1 = f(1 - beta1);
  const c2 = f(1 - beta2);
  const stepSize = f(lr / (1 - beta1 ** t));
  const correction = f(Math.sqrt(1 - beta2 ** t));
  const eps = f(epsilon);
  for (let k = 0; k < w.length; k++) {
    const gk = g[k];
    const mk = f(f(b1 * m[k]) + f(c1 * gk));
    const vk = f(f(b2 * v[k]) + f(c2 * f(gk * gk)));
    m[k] = mk;
    v[k] = vk;
    const denominator = f(f(f(Math.sqrt(vk)) / correction) + eps);
    w[k] = f(w[k] - f(stepSize * f(mk / denominator)));
  }
}

/** Applies one RMSProp step to w in place: v ← αv + (1-α)g², then w ← w - lr · g / (√v + ε). */
function rmsPropUpdate(
  config: Extract<OptimizerConfig, { kind: 'rmsprop' }>,
  w: Float32Array,
  g: Float32Array,
  v: Float32Array,
): void {
  const a = f(config.alpha);
  const c = f(1 - config.alpha);
  const lr = f(config.lr);
  const eps = f(config.epsilon);
  for (let k = 0; k < w.length; k++) {
    const gk = g[k];
    const vk = f(f(a * v[k]) + f(c * f(gk * gk)));
    v[k] = vk;
    w[k] = f(w[k] - f(lr * f(gk / f(f(Math.sqrt(vk)) + eps))));
  }
}
