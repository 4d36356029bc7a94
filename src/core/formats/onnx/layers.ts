import type { ConvOperator, LayerInfo, LayerKind, WeightInfo } from '../../nets/model';
import type { GraphNode } from './graph';
import { convWindow } from './ops/conv';
import { isStatic, shapeOf, type StaticTensor, type Value } from './values';

/** Activations with their Lipschitz constants (the maximum slope). */
const ACTIVATIONS: Record<
  string,
  (node: GraphNode) => { name: string; alpha?: number; lipschitz?: number }
> = {
  Relu: () => ({ name: 'relu', lipschitz: 1 }),
  LeakyRelu: (node) => {
    const alpha = node.attrs.float('alpha', 0.01);
    return { name: 'leakyRelu', alpha, lipschitz: Math.max(1, Math.abs(alpha)) };
  },
  Elu: (node) => {
    const alpha = node.attrs.float('alpha', 1);
    return { name: 'elu', alpha, lipschitz: Math.max(1, alpha) };
  },
  Selu: (node) => ({
    name: 'selu',
    lipschitz: node.attrs.float('gamma', 1.0507) * node.attrs.float('alpha', 1.67326),
  }),
  Tanh: () => ({ name: 'tanh', lipschitz: 1 }),
  Sigmoid: () => ({ name: 'sigmoid', lipschitz: 0.25 }),
  HardSigmoid: (node) => ({
    name: 'hardSigmoid',
    lipschitz: Math.abs(node.attrs.float('alpha', 0.2)),
  }),
  Softplus: () => ({ name: 'softplus', lipschitz: 1 }),
  Softsign: () => ({ name: 'softsign', lipschitz: 1 }),
  Clip: () => ({ name: 'clip', lipschitz: 1 }),
  PRelu: () => ({ name: 'prelu' }),
  Erf: () => ({ name: 'erf', lipschitz: 2 / Math.sqrt(Math.PI) }),
};

const RESHAPES = new Set([
  'Reshape',
  'Flatten',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Dropout',
]);
const NORMS: Record<string, LayerKind> = {
  BatchNormalization: 'batchNorm',
  InstanceNormalization: 'instanceNorm',
  LayerNormalization: 'layerNorm',
};
const POOLS = new Set(['AveragePool', 'MaxPool', 'GlobalAveragePool', 'GlobalMaxPool']);
const WEIGHT_ROLES: Record<string, string[]> = {
  Gemm: ['input', 'kernel', 'bias'],
  MatMul: ['input', 'kernel'],
  Conv: ['input', 'kernel', 'bias'],
  ConvTranspose: ['input', 'kernel', 'bias'],
  BatchNormalization: ['input', 'gamma', 'beta', 'movingMean', 'movingVariance'],
  InstanceNormalization: ['input', 'gamma', 'beta'],
  LayerNormalization: ['input', 'gamma', 'beta'],
  PRelu: ['input', 'alpha'],
};

/** Describes one node on the path from the model input, from the values it saw in a trace run. */
export function describeLayer(node: GraphNode, inputs: readonly (Value | undefined)[]): LayerInfo {
  const layer: LayerInfo = {
    name: node.name,
    kind: kindOf(node.opType),
    op: node.opType,
    weights: weightsOf(node, inputs),
  };
  const activation = ACTIVATIONS[node.opType]?.(node);
  if (activation !== undefined) {
    const { lipschitz, ...rest } = activation;
    layer.activation = rest;
    if (lipschitz !== undefined) layer.lipschitz = lipschitz;
  }
  if (layer.kind === 'reshape') layer.lipschitz = 1;
  const poolLipschitz = layer.kind === 'pool' ? poolBound(node, inputs[0]) : undefined;
  if (poolLipschitz !== undefined) layer.lipschitz = poolLipschitz;
  const linear = linearOperator(node, inputs);
  if (linear !== undefined) layer.linear = linear;
  return layer;
}

/**
 * Returns the Lipschitz constant (L2) of a pooling layer whose windows do not overlap and have no
 * padding: 1 for max pooling, 1/sqrt(window size) for average pooling. Overlapping or padded
 * windows are left without a constant.
 */
function poolBound(node: GraphNode, x: Value | undefined): number | undefined {
  if (node.opType === 'GlobalMaxPool') return 1;
  if (node.opType === 'GlobalAveragePool') {
    const spatial = x === undefined ? [] : shapeOf(x).slice(2);
    return spatial.length > 0 ? 1 / Math.sqrt(spatial.reduce((a, b) => a * b, 1)) : undefined;
  }
  const kernel = node.attrs.ints('kernel_shape') ?? [];
  const strides = node.attrs.ints('strides') ?? kernel.map(() => 1);
  const pads = node.attrs.ints('pads') ?? [];
  const padded =
    pads.some((p) => p !== 0) || node.attrs.string('auto_pad', 'NOTSET').startsWith('SAME');
  const overlapping = kernel.some((k, i) => (strides[i] ?? 1) < k);
  if (kernel.length === 0 || padded || overlapping || node.attrs.int('ceil_mode', 0) !== 0)
    return undefined;
  if (node.opType === 'MaxPool') return 1;
  return 1 / Math.sqrt(kernel.reduce((a, b) => a * b, 1));
}

function kindOf(opType: string): LayerKind {
  if (opType === 'Gemm' || opType === 'MatMul') return 'dense';
  if (opType === 'Conv') return 'conv2d';
  if (opType === 'ConvTranspose') return 'convTranspose2d';
  if (ACTIVATIONS[opType] !== undefined) return 'activation';
  if (NORMS[opType] !== undefined) return NORMS[opType];
  if (POOLS.has(opType)) return 'pool';
  if (RESHAPES.has(opType)) return 'reshape';
  return 'other';
}

/** Static inputs (weights) of the node, named by their role where the operator fixes one. */
function weightsOf(node: GraphNode, inputs: readonly (Value | undefined)[]): WeightInfo[] {
  const roles = WEIGHT_ROLES[node.opType] ?? [];
  const weights: WeightInfo[] = [];
  inputs.forEach((value, i) => {
    if (!isStatic(value) || value.dtype !== 'float' || value.shape.length === 0) return;
    const role = roles[i] ?? node.inputs[i];
    weights.push({
      name: role === node.inputs[i] ? role : `${node.inputs[i]} (${role})`,
      shape: [...value.shape],
      values: value.data as Float32Array,
    });
  });
  return weights;
}

function linearOperator(
  node: GraphNode,
  inputs: readonly (Value | undefined)[],
): LayerInfo['linear'] {
  const [x, w] = inputs;
  if (!isStatic(w) || w.dtype !== 'float' || x === undefined || isStatic(x)) return undefined;
  if (node.opType === 'Gemm') {
    if (node.attrs.int('transA', 0) !== 0) return undefined;
    const alpha = node.attrs.float('alpha', 1);
    const kernel = node.attrs.int('transB', 0) !== 0 ? transpose2d(w) : w;
    return {
      type: 'dense',
      kernel: weight(node.inputs[1], kernel.shape, scaled(kernel.data, alpha)),
    };
  }
  if (node.opType === 'MatMul' && w.shape.length === 2) {
    return { type: 'dense', kernel: weight(node.inputs[1], w.shape, w.data as Float32Array) };
  }
  if (
    (node.opType === 'Conv' || node.opType === 'ConvTranspose') &&
    (w.shape.length === 4 || w.shape.length === 3)
  ) {
    return convOperator(node, shapeOf(x), w);
  }
  return undefined;
}

function convOperator(
  node: GraphNode,
  xShape: number[],
  w: StaticTensor,
): ConvOperator | undefined {
  const spatial = w.shape.length - 2;
  const nchw = spatial === 1 ? [xShape[0], xShape[1], 1, xShape[2]] : xShape;
  const [a, b, kh, kw] = spatial === 1 ? [w.shape[0], w.shape[1], 1, w.shape[2]] : w.shape;
  const window = convWindow(node, nchw, [kh, kw], spatial);
  // Conv weights are [out, in, kh, kw] and ConvTranspose weights [in, out, kh, kw].
  const [inChannels, outChannels] = node.opType === 'Conv' ? [b, a] : [a, b];
  const hwio = new Float32Array(w.data.length);
  for (let o = 0; o < a; o++) {
    for (let i = 0; i < b; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const from = ((o * b + i) * kh + y) * kw + x;
          const [inIndex, outIndex] = node.opType === 'Conv' ? [i, o] : [o, i];
          hwio[((y * kw + x) * inChannels + inIndex) * outChannels + outIndex] = w.data[from];
        }
      }
    }
  }
  return {
    type: node.opType === 'Conv' ? 'conv2d' : 'convTranspose2d',
    filter: weight(node.inputs[1], [kh, kw, inChannels, outChannels], hwio),
    strides: window.strides,
    padding: window.pads,
    dilations: window.dilations,
    inputShape: [nchw[2], nchw[3], nchw[1]],
  };
}

function transpose2d(value: StaticTensor): StaticTensor {
  const [rows, cols] = value.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = value.data[r * cols + c];
  return { ...value, shape: [cols, rows], data: out };
}

function scaled(values: Float32Array | Float64Array, factor: number): Float32Array {
  const out = Float32Array.from(values);
  if (factor !== 1) for (let i = 0; i < out.length; i++) out[i] *= factor;
  return out;
}

function weight(
  name: string,
  shape: readonly number[],
  values: Float32Array | Float64Array,
): WeightInfo {
  return {
    name,
    shape: [...shape],
    values: values instanceof Float32Array ? values : Float32Array.from(values),
  };
}
