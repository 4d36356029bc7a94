import type { Tensor } from '@tensorflow/tfjs-core';

/** Layer kinds that the inspection view and the Lipschitz bound understand. */
export type LayerKind =
  | 'dense'
  | 'conv2d'
  | 'convTranspose2d'
  | 'activation'
  | 'batchNorm'
  | 'instanceNorm'
  | 'layerNorm'
  | 'pool'
  | 'reshape'
  | 'other';

/** One layer of a model as the diagnostics see it. */
export interface LayerInfo {
  name: string;
  kind: LayerKind;
  /** The op or class name in the source format (for example `Gemm`, `Linear`, `Dense`). */
  op: string;
  /** Activation name and parameters, for `activation` layers (`relu`, `leakyRelu`, `tanh`, ...). */
  activation?: { name: string; alpha?: number };
  /** Lipschitz constant of the layer when it is known in closed form (activations, pooling). */
  lipschitz?: number;
  /** Weight tensors by role (`kernel`, `bias`, `gamma`, ...), as stored in the source file. */
  weights: WeightInfo[];
  /**
   * For dense layers: the kernel as [in, out]. For convolutions: the filter as
   * [height, width, inChannels, outChannels] (tfjs layout) with the geometry needed to compute
   * the operator norm on the real input shape.
   */
  linear?: DenseOperator | ConvOperator;
}

export interface WeightInfo {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface DenseOperator {
  type: 'dense';
  /** [in, out], row-major. */
  kernel: WeightInfo;
}

export interface ConvOperator {
  type: 'conv2d' | 'convTranspose2d';
  /** [height, width, inChannels, outChannels], row-major (tfjs filter layout). */
  filter: WeightInfo;
  strides: [number, number];
  /** Explicit padding [top, bottom, left, right]. */
  padding: [number, number, number, number];
  dilations: [number, number];
  /** Input shape of one sample, NHWC without the batch axis. */
  inputShape: [number, number, number];
}

/**
 * A model whose forward pass is built from tfjs ops, so tf.grad gives input gradients (and, for
 * models we train, second-order gradients). Probing uses inference mode: no batch statistics.
 */
export interface DifferentiableModel {
  /** Shape of one input sample, without the batch axis, in the model's own layout. */
  readonly inputShape: readonly number[];
  /** Number of outputs per sample: 1 for a critic. */
  readonly outputSize: number;
  /** Maps [batch, ...inputShape] to [batch, outputSize] (or [batch] for a flattened critic). */
  apply(x: Tensor): Tensor;
  /** The layers in forward order, for inspection and Lipschitz bounds. */
  readonly layers: readonly LayerInfo[];
  dispose(): void;
}
