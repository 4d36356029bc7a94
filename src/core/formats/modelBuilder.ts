import * as tf from '@tensorflow/tfjs-core';
import type { DifferentiableModel, LayerInfo, WeightInfo } from '../nets/model';
import type { ArchitectureSpec, LayerSpec } from './archSpec';
import { CheckpointError } from './errors';
import type { LoadedTensor, StateDict } from './tensor';

/** A model built from a state_dict, with the keys that no layer used. */
export interface StateDictModel extends DifferentiableModel {
  readonly unusedKeys: readonly string[];
}

type Forward = (x: tf.Tensor) => tf.Tensor;

interface BuildState {
  /** Shape of one sample in PyTorch layout after the layers so far. */
  shape: number[];
  forwards: Forward[];
  layers: LayerInfo[];
  owned: tf.Tensor[];
  used: Set<string>;
}

/**
 * Builds a differentiable model that runs `spec` on the tensors of `stateDict` with plain tfjs
 * ops. Tensors stay in PyTorch layout between layers (NCHW for images), so `flatten` matches
 * PyTorch's `view(batch, -1)`, and each convolution transposes to NHWC and back.
 */
export function buildModelFromStateDict(
  stateDict: StateDict,
  spec: ArchitectureSpec,
  options: { file?: string } = {},
): StateDictModel {
  const state: BuildState = {
    shape: [...spec.inputShape],
    forwards: [],
    layers: [],
    owned: [],
    used: new Set(),
  };
  try {
    spec.layers.forEach((layer, index) => addLayer(state, stateDict, layer, index, options.file));
  } catch (error) {
    tf.dispose(state.owned);
    throw error;
  }
  const outputSize = state.shape.reduce((a, b) => a * b, 1);
  if (state.shape.length !== 1) {
    tf.dispose(state.owned);
    throw new CheckpointError(
      'architecture-needed',
      `the layers end with shape [${state.shape}], not a vector of outputs.`,
      options.file,
    );
  }
  if (spec.output === 'flatten' && outputSize !== 1) {
    tf.dispose(state.owned);
    throw new CheckpointError(
      'architecture-needed',
      `"output": "flatten" needs 1 output per sample, the layers give ${outputSize}.`,
      options.file,
    );
  }
  const inputShape = [...spec.inputShape];
  const inputSize = inputShape.reduce((a, b) => a * b, 1);
  const forwards = state.forwards;
  return {
    inputShape,
    outputSize,
    layers: state.layers,
    unusedKeys: [...stateDict.keys()].filter((key) => !state.used.has(key)),
    apply(x: tf.Tensor): tf.Tensor {
      // A flat [batch, C*H*W] input is viewed as [batch, C, H, W], as PyTorch critics do with view().
      let out =
        x.rank === 2 && inputShape.length > 1 && x.shape[1] === inputSize
          ? tf.reshape(x, [-1, ...inputShape])
          : x;
      for (const forward of forwards) out = forward(out);
      return spec.output === 'flatten' ? tf.reshape(out, [-1]) : out;
    },
    dispose() {
      tf.dispose(state.owned);
    },
  };
}

function weightKey(prefix: string, role: string): string {
  return prefix === '' ? role : `${prefix}.${role}`;
}

function take(state: BuildState, stateDict: StateDict, key: string, file?: string): LoadedTensor {
  const tensor = stateDict.get(key);
  if (tensor === undefined)
    throw new CheckpointError(
      'architecture-needed',
      `the state_dict has no '${key}', which the architecture names.`,
      file,
    );
  state.used.add(key);
  return tensor;
}

function info(name: string, tensor: LoadedTensor): WeightInfo {
  return { name, shape: [...tensor.shape], values: tensor.values };
}

function addLayer(
  state: BuildState,
  stateDict: StateDict,
  layer: LayerSpec,
  index: number,
  file?: string,
): void {
  const name = `layers[${index}]`;
  const fail = (message: string) =>
    new CheckpointError('architecture-needed', `${name} (${layer.type}): ${message}`, file);
  switch (layer.type) {
    case 'linear':
      return addLinear(state, stateDict, layer.weights, fail, file);
    case 'conv2d':
      return addConv(state, stateDict, layer, fail, file);
    case 'layerNorm':
      return addLayerNorm(state, stateDict, layer, name, fail, file);
    case 'flatten':
    case 'reshape': {
      const size = state.shape.reduce((a, b) => a * b, 1);
      const target = layer.type === 'flatten' ? [size] : layer.shape;
      if (target.reduce((a, b) => a * b, 1) !== size)
        throw fail(`cannot reshape [${state.shape}] to [${target}].`);
      state.shape = [...target];
      state.forwards.push((x) => tf.reshape(x, [-1, ...target]));
      state.layers.push({
        name,
        kind: 'reshape',
        op: layer.type === 'flatten' ? 'Flatten' : 'Reshape',
        weights: [],
      });
      return;
    }
    default:
      return addActivation(state, layer, name);
  }
}

function addLinear(
  state: BuildState,
  stateDict: StateDict,
  prefix: string,
  fail: (message: string) => CheckpointError,
  file?: string,
): void {
  const weight = take(state, stateDict, weightKey(prefix, 'weight'), file);
  const biasKey = weightKey(prefix, 'bias');
  const bias = stateDict.has(biasKey) ? take(state, stateDict, biasKey, file) : undefined;
  const [outputs, inputs] = weight.shape;
  if (weight.shape.length !== 2)
    throw fail(`'${prefix}.weight' has shape [${weight.shape}], not [out, in].`);
  if (state.shape.length !== 1 || state.shape[0] !== inputs)
    throw fail(
      `it takes ${inputs} inputs but receives [${state.shape}]; add a flatten layer or fix the order.`,
    );
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== outputs))
    throw fail(`'${biasKey}' does not have ${outputs} values.`);

  // PyTorch computes y = x Wᵀ + b with W as [out, in], so the kernel is Wᵀ as [in, out].
  const kernelValues = transpose2d(weight.values, outputs, inputs);
  const kernel = tf.tensor2d(kernelValues, [inputs, outputs]);
  const biasTensor = bias === undefined ? undefined : tf.tensor1d(bias.values);
  state.owned.push(kernel, ...(biasTensor === undefined ? [] : [biasTensor]));
  state.forwards.push((x) =>
    biasTensor === undefined ? tf.matMul(x, kernel) : tf.add(tf.matMul(x, kernel), biasTensor),
  );
  const weights = [
    info(weightKey(prefix, 'weight'), weight),
    ...(bias === undefined ? [] : [info(biasKey, bias)]),
  ];
  state.layers.push({
    name: prefix,
    kind: 'dense',
    op: 'Linear',
    weights,
    linear: {
      type: 'dense',
      kernel: {
        name: `${weightKey(prefix, 'weight')} (transposed)`,
        shape: [inputs, outputs],
        values: kernelValues,
      },
    },
  });
  state.shape = [outputs];
}

function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function addConv(
  state: BuildState,
  stateDict: StateDict,
  layer: Extract<LayerSpec, { type: 'conv2d' }>,
  fail: (message: string) => CheckpointError,
  file?: string,
): void {
  const weight = take(state, stateDict, weightKey(layer.weights, 'weight'), file);
  const biasKey = weightKey(layer.weights, 'bias');
  const bias = stateDict.has(biasKey) ? take(state, stateDict, biasKey, file) : undefined;
  if (weight.shape.length !== 4)
    throw fail(`'${layer.weights}.weight' has shape [${weight.shape}], not [out, in, kh, kw].`);
  const [outChannels, inChannels, kh, kw] = weight.shape;
  if (state.shape.length !== 3 || state.shape[0] !== inChannels)
    throw fail(`it takes [${inChannels}, H, W] but receives [${state.shape}].`);
  if (bias !== undefined && bias.shape[0] !== outChannels)
    throw fail(`'${biasKey}' does not have ${outChannels} values.`);

  const [, height, width] = state.shape;
  const [sh, sw] = layer.stride;
  const [ph, pw] = layer.padding;
  const [dh, dw] = layer.dilation;
  const outHeight = Math.floor((height + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const outWidth = Math.floor((width + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (outHeight <= 0 || outWidth <= 0)
    throw fail(`the kernel does not fit the input [${state.shape}].`);

  // PyTorch filters are [out, in, kh, kw], and tfjs expects [kh, kw, in, out].
  const filterValues = permuteFilter(weight.values, outChannels, inChannels, kh, kw);
  const filter = tf.tensor4d(filterValues, [kh, kw, inChannels, outChannels]);
  const biasTensor = bias === undefined ? undefined : tf.tensor1d(bias.values);
  state.owned.push(filter, ...(biasTensor === undefined ? [] : [biasTensor]));
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0],
  ];
  state.forwards.push((x) => {
    const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const conv = tf.conv2d(nhwc, filter, [sh, sw], pad, 'NHWC', [dh, dw]);
    const biased = biasTensor === undefined ? conv : tf.add(conv, biasTensor);
    return tf.transpose(biased, [0, 3, 1, 2]);
  });
  const weights = [
    info(weightKey(layer.weights, 'weight'), weight),
    ...(bias === undefined ? [] : [info(biasKey, bias)]),
  ];
  state.layers.push({
    name: layer.weights,
    kind: 'conv2d',
    op: 'Conv2d',
    weights,
    linear: {
      type: 'conv2d',
      filter: {
        name: `${weightKey(layer.weights, 'weight')} (as [kh, kw, in, out])`,
        shape: [kh, kw, inChannels, outChannels],
        values: filterValues,
      },
      strides: [sh, sw],
      padding: [ph, ph, pw, pw],
      dilations: [dh, dw],
      inputShape: [height, width, inChannels],
    },
  });
  state.shape = [outChannels, outHeight, outWidth];
}

function permuteFilter(
  values: Float32Array,
  outs: number,
  ins: number,
  kh: number,
  kw: number,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let o = 0; o < outs; o++)
    for (let i = 0; i < ins; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          out[((y * kw + x) * ins + i) * outs + o] = values[((o * ins + i) * kh + y) * kw + x];
  return out;
}

function addLayerNorm(
  state: BuildState,
  stateDict: StateDict,
  layer: Extract<LayerSpec, { type: 'layerNorm' }>,
  name: string,
  fail: (message: string) => CheckpointError,
  file?: string,
): void {
  const gamma =
    layer.weights === undefined
      ? undefined
      : take(state, stateDict, weightKey(layer.weights, 'weight'), file);
  const betaKey = layer.weights === undefined ? undefined : weightKey(layer.weights, 'bias');
  const beta =
    betaKey !== undefined && stateDict.has(betaKey)
      ? take(state, stateDict, betaKey, file)
      : undefined;

  // The normalised axes are the trailing axes that the weight covers, or every sample axis.
  const normalized = gamma?.shape ?? state.shape;
  const trailing = state.shape.slice(state.shape.length - normalized.length);
  if (normalized.length > state.shape.length || trailing.some((dim, i) => dim !== normalized[i])) {
    throw fail(`its weight [${normalized}] does not match the trailing axes of [${state.shape}].`);
  }

  const axes = normalized.map((_, i) => state.shape.length - normalized.length + 1 + i);
  const gammaTensor = gamma === undefined ? undefined : tf.tensor(gamma.values, gamma.shape);
  const betaTensor = beta === undefined ? undefined : tf.tensor(beta.values, beta.shape);
  state.owned.push(...[gammaTensor, betaTensor].filter((t): t is tf.Tensor => t !== undefined));

  state.forwards.push((x) => {
    const mean = tf.mean(x, axes, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), axes, true);
    let out = tf.div(centered, tf.sqrt(tf.add(variance, layer.eps)));
    if (gammaTensor !== undefined) out = tf.mul(out, gammaTensor);
    if (betaTensor !== undefined) out = tf.add(out, betaTensor);
    return out;
  });

  const weights = [
    gamma && info(weightKey(layer.weights!, 'weight'), gamma),
    beta && info(betaKey!, beta),
  ].filter((w): w is WeightInfo => !!w);
  state.layers.push({ name: layer.weights ?? name, kind: 'layerNorm', op: 'LayerNorm', weights });
}

function addActivation(state: BuildState, layer: LayerSpec, name: string): void {
  const op = activationForward(layer);
  state.forwards.push(op.forward);
  state.layers.push({
    name,
    kind: 'activation',
    op: op.op,
    activation:
      op.alpha === undefined ? { name: layer.type } : { name: layer.type, alpha: op.alpha },
    lipschitz: op.lipschitz,
    weights: [],
  });
}

function activationForward(layer: LayerSpec): {
  forward: Forward;
  op: string;
  lipschitz: number;
  alpha?: number;
} {
  switch (layer.type) {
    case 'relu':
      return { forward: (x) => tf.relu(x), op: 'ReLU', lipschitz: 1 };
    case 'leakyRelu': {
      const alpha = layer.alpha;
      return {
        forward: (x) => tf.leakyRelu(x, alpha),
        op: 'LeakyReLU',
        lipschitz: Math.max(1, Math.abs(alpha)),
        alpha,
      };
    }
    case 'elu': {
      const alpha = layer.alpha;
      const forward: Forward =
        alpha === 1
          ? (x) => tf.elu(x)
          : (x) => tf.where(tf.greater(x, 0), x, tf.mul(alpha, tf.sub(tf.exp(x), 1)));
      return { forward, op: 'ELU', lipschitz: Math.max(1, alpha), alpha };
    }
    case 'tanh':
      return { forward: (x) => tf.tanh(x), op: 'Tanh', lipschitz: 1 };
    case 'sigmoid':
      return { forward: (x) => tf.sigmoid(x), op: 'Sigmoid', lipschitz: 0.25 };
    default:
      throw new Error(`layer type ${layer.type} is not an activation`);
  }
}
