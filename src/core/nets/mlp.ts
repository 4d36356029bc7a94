import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { Rng } from '../rng';
import type { DifferentiableModel, LayerInfo } from './model';
import { activationLipschitz, layerSizes, type ActivationSpec, type MlpSpec } from './spec';

export {
  ACTIVATION_NAMES,
  activationLipschitz,
  DEFAULT_LEAKY_SLOPE,
  inputSize,
  layerSizes,
  PAPER_TOY_HIDDEN,
  parameterCount,
  type ActivationSpec,
  type MlpSpec,
} from './spec';

export function activationFunction(spec: ActivationSpec): (x: Tensor) => Tensor {
  switch (spec.name) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'leakyRelu':
      return (x) => tf.leakyRelu(x, spec.alpha);
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'elu':
      return (x) => tf.elu(x);
  }
}

/**
 * A multilayer perceptron whose weights are tf.Variables and whose forward pass is plain tfjs
 * ops (matMul, add, activation), so first- and second-order gradients follow the registered
 * gradient fixes. Variables are ordered kernel_0, bias_0, kernel_1, bias_1, ...
 */
export class Mlp implements DifferentiableModel {
  readonly inputShape: readonly number[];
  readonly outputSize: number;
  readonly variables: Variable[];
  private readonly act: (x: Tensor) => Tensor;

  constructor(
    readonly spec: MlpSpec,
    readonly name: string,
    weights: Float32Array[],
  ) {
    this.inputShape = spec.inputShape;
    this.outputSize = spec.outputSize;
    this.act = activationFunction(spec.activation);
    const sizes = layerSizes(spec);
    const expected = (sizes.length - 1) * 2;
    if (weights.length !== expected) {
      throw new Error(
        `${name}: expected ${expected} weight arrays for ${sizes.join('→')}, got ${weights.length}.`,
      );
    }
    this.variables = weights.map((values, i) => {
      const l = Math.floor(i / 2);
      const shape = i % 2 === 0 ? [sizes[l], sizes[l + 1]] : [sizes[l + 1]];
      const label = `${name}/${i % 2 === 0 ? 'kernel' : 'bias'}_${l}`;
      // tidy releases the initial tensor; the variable keeps its own reference to the data.
      return tf.tidy(() => tf.variable(tf.tensor(values, shape), true, label));
    });
  }

  /** Maps [batch, ...inputShape] to [batch, outputSize], or [batch] when outputSize is 1. */
  apply(x: Tensor): Tensor {
    return tf.tidy(() => {
      let h = x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1]);
      const layers = this.variables.length / 2;
      for (let l = 0; l < layers; l++) {
        h = tf.add(tf.matMul(h, this.variables[2 * l]), this.variables[2 * l + 1]);
        if (l + 1 < layers) h = this.act(h);
      }
      return this.outputSize === 1 ? tf.reshape(h, [-1]) : h;
    });
  }

  get layers(): LayerInfo[] {
    const out: LayerInfo[] = [];
    const count = this.variables.length / 2;
    for (let l = 0; l < count; l++) {
      const kernel = this.variables[2 * l];
      const bias = this.variables[2 * l + 1];
      const kernelInfo = {
        name: kernel.name,
        shape: kernel.shape,
        values: kernel.dataSync() as Float32Array,
      };
      out.push({
        name: `dense_${l}`,
        kind: 'dense',
        op: 'Dense',
        weights: [
          kernelInfo,
          { name: bias.name, shape: bias.shape, values: bias.dataSync() as Float32Array },
        ],
        linear: { type: 'dense', kernel: kernelInfo },
      });
      if (l + 1 < count) {
        out.push({
          name: `activation_${l}`,
          kind: 'activation',
          op: this.spec.activation.name,
          activation: { ...this.spec.activation },
          lipschitz: activationLipschitz(this.spec.activation),
          weights: [],
        });
      }
    }
    return out;
  }

  /** Copies the weights out, in variable order. */
  weights(): Float32Array[] {
    return this.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  }

  setWeights(weights: Float32Array[]): void {
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(tf.tensor(weights[i], v.shape))));
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** He-uniform weights (limit √(6/fan_in)) and zero biases, drawn from the seeded generator. */
export function heUniformWeights(spec: MlpSpec, rng: Rng): Float32Array[] {
  const sizes = layerSizes(spec);
  const weights: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const limit = Math.sqrt(6 / sizes[l]);
    weights.push(rng.uniforms(sizes[l] * sizes[l + 1], -limit, limit));
    weights.push(new Float32Array(sizes[l + 1]));
  }
  return weights;
}

export function validateMlpSpec(spec: MlpSpec, role: string): void {
  const sizes = layerSizes(spec);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 65536)) {
    throw new Error(`${role}: layer sizes must be integers in 1..65536, got ${sizes.join('→')}.`);
  }
  if (
    spec.activation.name === 'leakyRelu' &&
    !(spec.activation.alpha >= 0 && spec.activation.alpha < 1)
  ) {
    throw new Error(
      `${role}: the LeakyReLU slope must be in [0, 1), got ${spec.activation.alpha}.`,
    );
  }
}
