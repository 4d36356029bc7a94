import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { conv2dFilterGradient } from './convFilterGradient';
import { dilateFilter } from './dilateFilter';
// tfjs-core's Node bundle registers no gradients; this module registers the stock set.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/*
 * Gradient registrations that make second-order gradients (the gradient penalty) correct in
 * tfjs 4.22. The registry is global to every tfjs-core copy in the process, so installing once
 * fixes all backends. Three causes are addressed:
 *  1. Comparison and logical kernels have no gradient, yet LeakyReLU, ELU and friends use them in
 *     their own gradients. Their true derivative is zero almost everywhere.
 *  2. Tanh, Sigmoid, Exp, Elu and Pow compute their gradient from the saved output. That copy sits
 *     on the tape before the op, so a second pass treats it as a constant and drops the
 *     second-derivative term. The versions below recompute from the saved input.
 *  3. AvgPoolGrad has no gradient, and wasm has no Conv2DBackpropFilter kernel.
 *  4. AvgPool's stock gradient is wrong (even first-order) where padding cuts a window.
 *  5. The stock Conv2D gradient rejects dilation rates above 1; the one below supports them.
 * The matMul gradient is also rewritten with explicit transposes: wasm runs a transposed matMul
 * about ten times slower than a plain one.
 */

const ZERO_GRADIENT_BINARY = [
  'Greater',
  'GreaterEqual',
  'Less',
  'LessEqual',
  'Equal',
  'NotEqual',
  'LogicalAnd',
  'LogicalOr',
];
const ZERO_GRADIENT_UNARY = [
  'LogicalNot',
  'IsNan',
  'IsInf',
  'IsFinite',
  'Sign',
  'Step',
  'Floor',
  'Ceil',
  'Round',
];

let installed = false;

export function installGradientFixes(): void {
  if (installed) return;
  installed = true;
  for (const kernelName of ZERO_GRADIENT_BINARY) registerZeroGradient(kernelName, ['a', 'b']);
  for (const kernelName of ZERO_GRADIENT_UNARY) registerZeroGradient(kernelName, ['x']);
  for (const config of [...PIECEWISE_LINEAR_GRADIENTS, ...INPUT_BASED_GRADIENTS])
    tf.registerGradient(config);
  registerMatMulGradient();
  tf.registerGradient(avgPoolGradient);
  tf.registerGradient(avgPoolGradGradient);
  tf.registerGradient(conv2dGradient);
  tf.registerGradient(conv2dBackpropInputGradient);
}

function registerZeroGradient(kernelName: string, inputs: string[]): void {
  if (tf.getGradient(kernelName) !== undefined) return;
  tf.registerGradient({
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy: Tensor | Tensor[], saved: Tensor[]) =>
      Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(saved[i])])),
  });
}

const unary = (
  kernelName: string,
  derivative: (x: Tensor, attrs: NamedAttrMap) => Tensor,
): GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => ({
    x: () => tf.mul(dy as Tensor, derivative(saved[0], attrs)),
  }),
});

/**
 * Runs `fn` without recording its ops on any gradient tape, so autodiff treats the result as a
 * constant. tfjs records an op only while no kernel is executing (engine state `kernelDepth` 0);
 * raising the depth for the duration of `fn` uses that rule. Checked against tfjs-core 4.22.
 */
export function untaped<T>(fn: () => T): T {
  const state = (tf.engine() as unknown as { state: { kernelDepth: number } }).state;
  state.kernelDepth++;
  try {
    return fn();
  } finally {
    state.kernelDepth--;
  }
}

/**
 * Piecewise-linear activations: the derivative mask is constant almost everywhere, so it is built
 * off the tape. The stock gradients put the mask on the tape, and a second-order pass then
 * back-propagates its zero gradient through the whole forward network: a full set of matMuls of
 * zeros per penalty step.
 */
const PIECEWISE_LINEAR_GRADIENTS: GradConfig[] = [
  {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({
      x: () =>
        tf.mul(
          dy as Tensor,
          untaped(() => tf.step(saved[0])),
        ),
    }),
  },
  {
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const { alpha } = attrs as unknown as { alpha: number };
      const upstream = dy as Tensor;
      return {
        x: () =>
          tf.where(
            untaped(() => tf.greater(saved[0], 0)),
            upstream,
            tf.mul(upstream, alpha),
          ),
      };
    },
  },
  {
    kernelName: 'Relu6',
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => ({
      x: () =>
        tf.mul(
          dy as Tensor,
          untaped(() =>
            tf.cast(tf.logicalAnd(tf.greater(saved[0], 0), tf.less(saved[0], 6)), 'float32'),
          ),
        ),
    }),
  },
];

const INPUT_BASED_GRADIENTS: GradConfig[] = [
  unary('Tanh', (x) => tf.sub(1, tf.square(tf.tanh(x)))),
  unary('Sigmoid', (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.sub(1, s));
  }),
  unary('Exp', (x) => tf.exp(x)),
  // tfjs's elu is x for x > 0 and exp(x) - 1 otherwise.
  unary('Elu', (x) => tf.where(tf.greater(x, 0), tf.onesLike(x), tf.exp(x))),
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [base, exponent] = saved;
      const upstream = dy as Tensor;
      return {
        a: () =>
          reduceToShape(
            tf.mul(upstream, tf.mul(exponent, tf.pow(base, tf.sub(exponent, 1)))),
            base.shape,
          ),
        b: () => {
          const logBase = tf.where(tf.greater(base, 0), tf.log(base), tf.zerosLike(base));
          return reduceToShape(
            tf.mul(upstream, tf.mul(tf.pow(base, exponent), logBase)),
            exponent.shape,
          );
        },
      };
    },
  },
];

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
function reduceToShape(gradient: Tensor, shape: number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, gradient.shape);
  const reduced = axes.length > 0 ? tf.sum(gradient, axes) : gradient;
  return tf.reshape(reduced, shape);
}

function registerMatMulGradient(): void {
  const stock = tf.getGradient('BatchMatMul');
  if (stock === undefined) throw new Error('tfjs-core registered no BatchMatMul gradient');
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [a, b] = saved;
      const upstream = dy as Tensor;
      // Broadcast batch dimensions are left to the stock gradient, which reduces them.
      if (a.rank !== 2 || b.rank !== 2) return stock.gradFunc(dy, saved, attrs);
      const { transposeA, transposeB } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      const at = () => tf.transpose(a);
      const bt = () => tf.transpose(b);
      const dyt = () => tf.transpose(upstream);
      if (!transposeA && !transposeB) {
        return { a: () => tf.matMul(upstream, bt()), b: () => tf.matMul(at(), upstream) };
      }
      if (!transposeA && transposeB) {
        return { a: () => tf.matMul(upstream, b), b: () => tf.matMul(dyt(), a) };
      }
      if (transposeA && !transposeB) {
        return { a: () => tf.matMul(b, dyt()), b: () => tf.matMul(a, upstream) };
      }
      return { a: () => tf.matMul(bt(), dyt()), b: () => tf.matMul(dyt(), at()) };
    },
  });
}

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Returns, for each output cell of an average pool, the fraction of its window that lies inside
 * the input, as a [1, outHeight, outWidth, 1] tensor, or undefined when every window is whole.
 * The fraction is needed because tfjs 4.22's AvgPool divides each window by its cells inside the
 * input while AvgPoolGrad divides by the whole window size.
 */
function windowCoverage(inputShape: number[], attrs: PoolAttrs): Tensor | undefined {
  const info = tf.backend_util.computePool2DInfo(
    inputShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    inHeight,
    inWidth,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
  } = info;
  const inside = (start: number, filter: number, size: number) =>
    Math.min(size, start + filter) - Math.max(0, start);
  const coverage = new Float32Array(outHeight * outWidth);
  let cut = false;
  for (let r = 0; r < outHeight; r++) {
    const rows = inside(r * strideHeight - info.padInfo.top, filterHeight, inHeight);
    for (let c = 0; c < outWidth; c++) {
      const cols = inside(c * strideWidth - info.padInfo.left, filterWidth, inWidth);
      coverage[r * outWidth + c] = (rows * cols) / (filterHeight * filterWidth);
      if (rows * cols < filterHeight * filterWidth) cut = true;
    }
  }
  return cut ? tf.tensor4d(coverage, [1, outHeight, outWidth, 1]) : undefined;
}

/**
 * The AvgPool gradient with each window's upstream gradient divided by the window's coverage, so
 * that AvgPoolGrad's division by the whole window size becomes a division by the cells inside.
 */
const avgPoolGradient: GradConfig = {
  kernelName: 'AvgPool',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    const pool = attrs as unknown as PoolAttrs;
    return {
      x: () => {
        const coverage = windowCoverage(x.shape, pool);
        const upstream = coverage === undefined ? (dy as Tensor) : tf.div(dy as Tensor, coverage);
        return tf.engine().runKernel('AvgPoolGrad', { dy: upstream, input: x }, {
          filterSize: pool.filterSize,
          strides: pool.strides,
          pad: pool.pad,
        } as unknown as NamedAttrMap) as Tensor;
      },
    };
  },
};

/**
 * AvgPoolGrad is linear in its upstream gradient `dy` (it applies the transpose of a pooling map
 * that divides every window by its whole size), so its own gradient with respect to `dy` is that
 * map: the average pool times each window's coverage. With respect to the pooled input it is zero.
 */
const avgPoolGradGradient: GradConfig = {
  kernelName: 'AvgPoolGrad',
  inputsToSave: ['dy', 'input'],
  gradFunc: (ddx: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const pool = attrs as unknown as PoolAttrs;
    return {
      dy: () => {
        const pooled = tf.avgPool(ddx as Tensor4D, pool.filterSize, pool.strides, pool.pad);
        const coverage = windowCoverage(saved[1].shape, pool);
        return coverage === undefined ? pooled : tf.mul(pooled, coverage);
      },
      input: () => tf.zerosLike(saved[1]),
    };
  },
};

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function dilationRates(attrs: ConvAttrs): [number, number] {
  const d = attrs.dilations ?? 1;
  return typeof d === 'number' ? [d, d] : d;
}

function isDilated(attrs: ConvAttrs): boolean {
  const [dh, dw] = dilationRates(attrs);
  return dh !== 1 || dw !== 1;
}

/**
 * The filter gradient: the stock kernel where the backend has one, otherwise sliced matMuls. The
 * stock kernels of tfjs 4.22 ignore dilation rates, so dilated convolutions take the sliced path.
 */
function filterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: number[],
  attrs: ConvAttrs,
): Tensor {
  const shape = filterShape as [number, number, number, number];
  if (!isDilated(attrs) && tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined) {
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: attrs.strides,
      pad: attrs.pad,
      dataFormat: attrs.dataFormat,
      dimRoundingMode: attrs.dimRoundingMode,
      filterShape: shape,
    } as unknown as NamedAttrMap) as Tensor;
  }
  return conv2dFilterGradient(x, dy, shape, attrs);
}

const conv2dGradient: GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const conv = attrs as unknown as ConvAttrs;
    const upstream = dy as Tensor4D;
    // conv2dTranspose takes no dilation rates, so a dilated filter is spread out first.
    const dense = () => (isDilated(conv) ? dilateFilter(filter, dilationRates(conv)) : filter);
    return {
      x: () =>
        tf.conv2dTranspose(
          upstream,
          dense(),
          x.shape,
          conv.strides,
          conv.pad as 'valid' | 'same',
          conv.dimRoundingMode,
        ),
      filter: () => filterGradient(x, upstream, filter.shape, conv),
    };
  },
};

const conv2dBackpropInputGradient: GradConfig = {
  kernelName: 'Conv2DBackpropInput',
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [dy, filter] = saved as [Tensor4D, Tensor4D];
    const conv = attrs as unknown as ConvAttrs;
    const upstream = ddx as Tensor4D;
    return {
      dy: () =>
        tf.conv2d(
          upstream,
          filter,
          conv.strides,
          conv.pad,
          conv.dataFormat === 'NCHW' ? 'NCHW' : 'NHWC',
          1,
          conv.dimRoundingMode,
        ),
      filter: () => filterGradient(upstream, dy, filter.shape, conv),
    };
  },
};
