import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

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
 * ε outside the square root; RMSProp without momentum or centring), written with tfjs ops so
 * that the whole state is explicit and can be saved and restored exactly.
 */
export class Optimizer {
  private step = 0;
  private readonly slots: Variable[][];

  constructor(
    readonly config: OptimizerConfig,
    private readonly variables: Variable[],
  ) {
    const count = config.kind === 'adam' ? 2 : 1;
    this.slots = variables.map((v) =>
      Array.from({ length: count }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false))),
    );
  }

  /** Applies one update; `gradients` are in the order of the variables. */
  apply(gradients: Tensor[]): void {
    this.step += 1;
    const t = this.step;
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = gradients[i];
        if (this.config.kind === 'adam') {
          const { lr, beta1, beta2, epsilon } = this.config;
          const [m, v] = this.slots[i];
          m.assign(tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g)));
          v.assign(tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(g))));
          const stepSize = lr / (1 - beta1 ** t);
          const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), epsilon);
          variable.assign(tf.sub(variable, tf.mul(stepSize, tf.div(m, denominator))));
        } else {
          const { lr, alpha, epsilon } = this.config;
          const [v] = this.slots[i];
          v.assign(tf.add(tf.mul(alpha, v), tf.mul(1 - alpha, tf.square(g))));
          variable.assign(tf.sub(variable, tf.mul(lr, tf.div(g, tf.add(tf.sqrt(v), epsilon)))));
        }
      });
    });
  }

  state(): OptimizerState {
    return {
      step: this.step,
      slots: this.slots.map((list) =>
        list.map((s) => Float32Array.from(s.dataSync() as Float32Array)),
      ),
    };
  }

  restore(state: OptimizerState): void {
    if (state.slots.length !== this.slots.length) {
      throw new Error(
        `Optimizer state has ${state.slots.length} variables, the model has ${this.slots.length}.`,
      );
    }
    this.step = state.step;
    tf.tidy(() =>
      this.slots.forEach((list, i) =>
        list.forEach((slot, j) => slot.assign(tf.tensor(state.slots[i][j], slot.shape))),
      ),
    );
  }

  dispose(): void {
    for (const list of this.slots) for (const slot of list) slot.dispose();
  }
}

/** Clips every variable to [-c, c] in place: the weight-clipping baseline of the original WGAN. */
export function clipWeights(variables: Variable[], c: number): void {
  tf.tidy(() => variables.forEach((v) => v.assign(tf.clipByValue(v, -c, c))));
}
