/*
 * Lipschitz bounds of a critic in the L2 norm. The upper bound is the product of the layers'
 * constants: spectral norms of dense kernels, operator norms of convolutions on their real input
 * shape, and closed-form constants of activations, pooling and inference-mode batch norm. The
 * lower bounds come from probe points: the largest ‖∇D‖ and the largest secant slope
 * |D(x) - D(y)| / ‖x - y‖ over a seeded list of point pairs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Matrix } from '../data/matrix';
import type { ConvOperator, LayerInfo, LayerKind } from '../nets/model';
import { Rng } from '../rng';
import { spectralNorm } from './spectral';

// ---------------------------------------------------------------------------------------------
// Upper bound

/** Method that produced a layer's constant. */
export type LayerMethod =
  'spectral-norm' | 'conv-lanczos' | 'closed-form' | 'batch-norm-scale' | 'identity' | 'unknown';

/** The operator norm of a convolution next to the two bounds from its reshaped filter matrix. */
export interface ConvNormDetail {
  /** Lanczos estimate of ‖conv‖ on the real input shape, which approaches the norm from below. */
  operatorNorm: number;
  /** σ(W_mat), the spectral norm of the filter reshaped to [kh·kw·in, out]. */
  matrixNorm: number;
  /**
   * √m·σ(W_mat), where m is the maximum number of (output, tap) pairs that read one input element
   * (at most kh·kw, and 1 for non-overlapping windows). This bound always holds.
   */
  overlapBound: number;
  /** Lanczos steps, each one application of the convolution and its transpose. */
  iterations: number;
  /** Whether the estimate grew by less than the tolerance in the last step, or became exact. */
  converged: boolean;
}

/** One layer's Lipschitz constant. */
export interface LayerConstant {
  name: string;
  kind: LayerKind;
  /** The constant, absent when it is unknown. */
  constant?: number;
  method: LayerMethod;
  /** Reason the constant is unknown. */
  reason?: string;
  /** For convolutions and transposed convolutions. */
  conv?: ConvNormDetail;
}

export interface UpperBound {
  /** Product of the layers' constants; absent when any layer's constant is unknown. */
  upper?: number;
  /** The first layer whose constant is unknown, and why. */
  upperReason?: string;
  layers: LayerConstant[];
}

export interface IterationOptions {
  /** Maximum Lanczos steps for a convolution (default 100). */
  maxIterations?: number;
  /**
   * Maximum float64 values kept for reorthogonalisation (default 2²³, 64 MiB). Each step keeps
   * one vector of the input size; past the budget only the last two are kept.
   */
  maxBasisValues?: number;
  /** Stop once the estimate grows by less than this fraction in one step (default 1e-6). */
  tolerance?: number;
  /** Seed of the random start vector (default 7). */
  seed?: number;
}

export interface UpperBoundOptions extends IterationOptions {
  /** Power-iteration steps for dense kernels (default 200). */
  denseIterations?: number;
  /**
   * ε of the batch-norm layers. The layer list does not record it, and 0 gives a bound that
   * holds for every ε ≥ 0 (default 0).
   */
  batchNormEpsilon?: number;
}

const DEFAULT_CONV_ITERATIONS = 100;
const DEFAULT_TOLERANCE = 1e-6;
const DEFAULT_SEED = 7;
const DEFAULT_MAX_BASIS_VALUES = 2 ** 23;
const DEFAULT_DENSE_ITERATIONS = 200;

/**
 * Computes each layer's Lipschitz constant and their product. The product bounds the critic's
 * constant only for a sequential model whose `layers` list every op on the path from input to
 * output. Any layer kind without a known constant makes the bound undefined.
 */
export function upperBound(
  model: { readonly layers: readonly LayerInfo[] },
  options: UpperBoundOptions = {},
): UpperBound {
  const layers = model.layers.map((layer) => layerConstant(layer, options));
  const unknown = layers.find((layer) => layer.constant === undefined);
  if (unknown !== undefined) {
    return { upperReason: `${unknown.name} (${unknown.kind}): ${unknown.reason}`, layers };
  }
  const upper = layers.reduce((product, layer) => product * (layer.constant as number), 1);
  return { upper, layers };
}

function layerConstant(layer: LayerInfo, options: UpperBoundOptions): LayerConstant {
  const base = { name: layer.name, kind: layer.kind };
  const unknown = (reason: string): LayerConstant => ({ ...base, method: 'unknown', reason });
  switch (layer.kind) {
    case 'dense': {
      if (layer.linear?.type !== 'dense') return unknown('the layer has no [in, out] kernel');
      const [rows, cols] = layer.linear.kernel.shape;
      if (
        layer.linear.kernel.shape.length !== 2 ||
        rows * cols !== layer.linear.kernel.values.length
      )
        return unknown(`the kernel shape [${layer.linear.kernel.shape}] does not match its data`);
      const iterations = options.denseIterations ?? DEFAULT_DENSE_ITERATIONS;
      const constant = spectralNorm(layer.linear.kernel.values, rows, cols, iterations);
      return { ...base, constant, method: 'spectral-norm' };
    }
    case 'conv2d':
    case 'convTranspose2d': {
      if (layer.linear === undefined || layer.linear.type === 'dense')
        return unknown('the layer has no convolution filter and geometry');
      let conv: ConvNormDetail;
      try {
        conv = convOperatorNorm(layer.linear, options);
      } catch (error) {
        return unknown(error instanceof Error ? error.message : String(error));
      }
      return { ...base, constant: conv.operatorNorm, method: 'conv-lanczos', conv };
    }
    case 'reshape':
      // Flatten, reshape, transpose and inference-mode dropout only move or copy elements.
      return { ...base, constant: 1, method: 'identity' };
    case 'activation': {
      const constant = layer.lipschitz ?? activationConstant(layer);
      if (constant === undefined)
        return unknown(`no Lipschitz constant is known for activation ${layer.op}`);
      return { ...base, constant, method: 'closed-form' };
    }
    case 'batchNorm': {
      if (layer.lipschitz !== undefined)
        return { ...base, constant: layer.lipschitz, method: 'closed-form' };
      const scale = batchNormScale(layer, options.batchNormEpsilon ?? 0);
      if (typeof scale === 'string') return unknown(scale);
      return { ...base, constant: scale, method: 'batch-norm-scale' };
    }
    case 'pool':
      if (layer.lipschitz !== undefined)
        return { ...base, constant: layer.lipschitz, method: 'closed-form' };
      return unknown('the pooling windows overlap or are padded, so no constant is known');
    default:
      if (layer.lipschitz !== undefined)
        return { ...base, constant: layer.lipschitz, method: 'closed-form' };
      return unknown(`no Lipschitz constant is known for op ${layer.op}`);
  }
}

/** Falls back on the activation's name when the layer carries no constant. */
function activationConstant(layer: LayerInfo): number | undefined {
  const activation = layer.activation;
  if (activation === undefined) return undefined;
  switch (activation.name) {
    case 'relu':
    case 'tanh':
      return 1;
    case 'sigmoid':
      return 0.25;
    case 'leakyRelu':
    case 'elu':
      return activation.alpha === undefined ? undefined : Math.max(1, Math.abs(activation.alpha));
    case 'prelu': {
      // PReLU's slopes are weights: the constant is max(1, max |α|).
      const slopes = layer.weights.find((w) => /alpha\)?$/i.test(w.name));
      if (slopes === undefined) return undefined;
      return Math.max(1, maxAbs(slopes.values));
    }
    default:
      return undefined;
  }
}

/**
 * Returns max |γ_c| / √(var_c + ε) for batch norm in inference mode, a per-channel scaling, or the
 * reason it cannot. Weights are found by the names that ONNX, Keras and PyTorch files use.
 */
function batchNormScale(layer: LayerInfo, epsilon: number): number | string {
  const variance = layer.weights.find((w) =>
    /(moving_?variance|running_var|movingVariance)\)?$/i.test(w.name),
  );
  if (variance === undefined) return 'the moving variance of the batch norm was not found';
  const gamma = layer.weights.find((w) => /(gamma\)?|(^|[./_])weight)$/i.test(w.name));
  if (gamma !== undefined && gamma.values.length !== variance.values.length)
    return `γ has ${gamma.values.length} values but the variance has ${variance.values.length}`;
  let max = 0;
  for (let c = 0; c < variance.values.length; c++) {
    const scale = Math.abs(gamma?.values[c] ?? 1);
    const denominator = Math.sqrt(variance.values[c] + epsilon);
    if (scale === 0) continue;
    if (!(denominator > 0))
      return `channel ${c} has variance ${variance.values[c]} and ε = ${epsilon}, so its scale is unbounded`;
    max = Math.max(max, scale / denominator);
  }
  return max;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

// ---------------------------------------------------------------------------------------------
// Convolution operator norm

/** A stride-`strides` convolution with explicit padding and no dilation, as tf.conv2d runs it. */
interface ConvGeometry {
  /** [kh, kw, in, out] with the dilation already spread into the taps. */
  filter: Float32Array;
  filterShape: [number, number, number, number];
  strides: [number, number];
  padding: [number, number, number, number];
  inputShape: [number, number, number];
}

/**
 * Estimates the L2 operator norm of a convolution or transposed convolution on its real input
 * shape by Lanczos iteration on AᵀA, with A = tf.conv2d and Aᵀ = tf.conv2dTranspose of the same
 * geometry. A transposed convolution has the norm of the convolution it is the adjoint of.
 */
export function convOperatorNorm(op: ConvOperator, options: IterationOptions = {}): ConvNormDetail {
  const geometry = forwardGeometry(op);
  const [kh, kw, inChannels, outChannels] = geometry.filterShape;
  const matrixNorm = spectralNorm(geometry.filter, kh * kw * inChannels, outChannels);
  const overlap =
    tapOverlap(op.filter.shape[0], geometry.strides[0], op.dilations[0]) *
    tapOverlap(op.filter.shape[1], geometry.strides[1], op.dilations[1]);
  const estimate = convNormByLanczos(geometry, options);
  return { ...estimate, matrixNorm, overlapBound: Math.sqrt(overlap) * matrixNorm };
}

/**
 * Describes the convolution whose norm is computed. For conv2d that is the layer itself. For
 * convTranspose2d it is the convolution from the layer's output back to its input. That
 * convolution has the same strides, padding and dilations and filter axes [kh, kw, out, in], and
 * it runs on the output size s·(n - 1) + d·(k - 1) + 1 - pad_begin - pad_end.
 */
function forwardGeometry(op: ConvOperator): ConvGeometry {
  const [kh, kw, a, b] = op.filter.shape;
  if (op.filter.shape.length !== 4 || a * b * kh * kw !== op.filter.values.length)
    throw new Error(
      `${op.filter.name}: filter shape [${op.filter.shape}] does not match its data.`,
    );
  if (op.inputShape[2] !== a) {
    throw new Error(
      `${op.filter.name}: the filter takes ${a} channels but the input shape is [${op.inputShape}].`,
    );
  }

  const [top, bottom, left, right] = op.padding;
  const [sh, sw] = op.strides;
  const [dh, dw] = op.dilations;
  const effective: [number, number] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  if ([sh, sw, dh, dw].some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`${op.filter.name}: strides and dilations must be positive integers.`);
  const spread = dilateFilter(op.filter.values, op.filter.shape as number[], op.dilations);
  if (op.type === 'conv2d') {
    const [height, width] = op.inputShape;
    if (height + top + bottom < effective[0] || width + left + right < effective[1]) {
      throw new Error(
        `${op.filter.name}: the ${effective[0]}x${effective[1]} window does not fit the ` +
          `padded input [${op.inputShape}] with padding [${op.padding}].`,
      );
    }
    return {
      filter: spread,
      filterShape: [effective[0], effective[1], a, b],
      strides: [sh, sw],
      padding: [top, bottom, left, right],
      inputShape: [...op.inputShape],
    };
  }

  // NOTE: ONNX output_padding (extra rows at the end of the output) is not part of ConvOperator,
  // so for a layer that sets it the rows are left out and the norm may come out too low.
  const [height, width] = op.inputShape;
  const outHeight = sh * (height - 1) + effective[0] - top - bottom;
  const outWidth = sw * (width - 1) + effective[1] - left - right;
  if (outHeight < 1 || outWidth < 1) {
    throw new Error(
      `${op.filter.name}: the padding [${op.padding}] leaves an empty output for input [${op.inputShape}].`,
    );
  }
  return {
    filter: swapChannelAxes(spread, [effective[0], effective[1], a, b]),
    filterShape: [effective[0], effective[1], b, a],
    strides: [sh, sw],
    padding: [top, bottom, left, right],
    inputShape: [outHeight, outWidth, b],
  };
}

/**
 * Returns the maximum number of taps of one filter axis that read the same input element. The
 * taps t with t·d ≡ c (mod s) form a residue class modulo s / gcd(s, d), so at most
 * ⌈k·gcd(s, d) / s⌉ of the k taps qualify.
 */
function tapOverlap(taps: number, stride: number, dilation: number): number {
  return Math.min(taps, Math.ceil((taps * gcd(stride, dilation)) / stride));
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Inserts d - 1 zero taps between neighbouring taps of a [kh, kw, a, b] filter. */
function dilateFilter(
  values: Float32Array,
  [kh, kw, a, b]: number[],
  [dh, dw]: [number, number],
): Float32Array {
  if (dh === 1 && dw === 1) return values;
  const height = (kh - 1) * dh + 1;
  const width = (kw - 1) * dw + 1;
  const out = new Float32Array(height * width * a * b);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      const from = (y * kw + x) * a * b;
      const to = (y * dh * width + x * dw) * a * b;
      out.set(values.subarray(from, from + a * b), to);
    }
  }
  return out;
}

/** Reorders a [kh, kw, a, b] filter to [kh, kw, b, a]. */
function swapChannelAxes(
  values: Float32Array,
  [kh, kw, a, b]: [number, number, number, number],
): Float32Array {
  const out = new Float32Array(values.length);
  for (let tap = 0; tap < kh * kw; tap++) {
    for (let i = 0; i < a; i++)
      for (let j = 0; j < b; j++) out[(tap * b + j) * a + i] = values[(tap * a + i) * b + j];
  }
  return out;
}

/**
 * Wraps v ↦ AᵀAv for the convolution on float64 vectors of the input size, with A = tf.conv2d and
 * Aᵀ = tf.conv2dTranspose of the same geometry. The caller disposes the filter tensor.
 */
function gramOperator(geometry: ConvGeometry): {
  apply: (v: Float64Array) => Float64Array;
  dispose: () => void;
} {
  const [top, bottom, left, right] = geometry.padding;
  const padding: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const shape: [number, number, number, number] = [1, ...geometry.inputShape];
  const filter = tf.tensor4d(geometry.filter, geometry.filterShape);
  const apply = (v: Float64Array): Float64Array => {
    const result = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(v), shape);
      const y = tf.conv2d(x, filter, geometry.strides, padding);
      return tf.conv2dTranspose(y, filter, shape, geometry.strides, padding);
    });
    const values = Float64Array.from(result.dataSync() as Float32Array);
    result.dispose();
    return values;
  };
  return { apply, dispose: () => filter.dispose() };
}

/**
 * Estimates ‖A‖ as the square root of the top eigenvalue of AᵀA, by Lanczos iteration from a
 * seeded random start. Lanczos works on the same Krylov vectors as the power iteration but needs
 * far fewer steps when the top singular values cluster, as they do for convolutions.
 */
function convNormByLanczos(
  geometry: ConvGeometry,
  options: IterationOptions,
): Pick<ConvNormDetail, 'operatorNorm' | 'iterations' | 'converged'> {
  const gram = gramOperator(geometry);
  try {
    const size = geometry.inputShape.reduce((p, d) => p * d, 1);
    const top = lanczosTopEigenvalue(gram.apply, size, options);
    return {
      operatorNorm: Math.sqrt(Math.max(0, top.value)),
      iterations: top.iterations,
      converged: top.converged,
    };
  } finally {
    gram.dispose();
  }
}

/**
 * Estimates the largest eigenvalue of a symmetric positive semi-definite map by Lanczos iteration,
 * reorthogonalising against every stored basis vector. In exact arithmetic the top Ritz value
 * never exceeds the eigenvalue and never decreases from one step to the next.
 */
export function lanczosTopEigenvalue(
  apply: (v: Float64Array) => Float64Array,
  size: number,
  options: IterationOptions = {},
): { value: number; iterations: number; converged: boolean } {
  const maxSteps = Math.min(options.maxIterations ?? DEFAULT_CONV_ITERATIONS, size);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  let q: Float64Array = Float64Array.from({ length: size }, () => rng.normal());
  scale(q, 1 / Math.sqrt(dot(q, q)));

  const maxStored = Math.max(
    2,
    Math.floor((options.maxBasisValues ?? DEFAULT_MAX_BASIS_VALUES) / size),
  );
  const basis: Float64Array[] = [];
  const alphas: number[] = [];
  const betas: number[] = [];
  let previousQ: Float64Array | undefined;
  let value = 0;
  for (let step = 0; step < maxSteps; step++) {
    // NOTE: past the basis budget, orthogonality is lost over many steps. Converged Ritz values
    // then reappear as copies, which wastes steps, but they stay within rounding of the spectrum.
    if (basis.length < maxStored) basis.push(q);
    const w = apply(q);
    const alpha = dot(q, w);
    alphas.push(alpha);
    axpy(w, -alpha, q);
    if (previousQ !== undefined) axpy(w, -betas[step - 1], previousQ);
    // Two passes of Gram-Schmidt keep w orthogonal to the stored basis to rounding level.
    for (let pass = 0; pass < 2; pass++) for (const b of basis) axpy(w, -dot(b, w), b);

    const previous = value;
    value = topTridiagonalEigenvalue(alphas, betas);
    const beta = Math.sqrt(dot(w, w));
    // A vanishing β means the Krylov space is invariant, so the Ritz values are exact.
    const exhausted = beta <= 1e-12 * Math.max(value, Number.MIN_VALUE) || step + 1 === size;
    if (exhausted || (step > 0 && value - previous <= tolerance * value))
      return { value, iterations: step + 1, converged: true };
    betas.push(beta);
    previousQ = q;
    q = w;
    scale(q, 1 / beta);
  }
  return { value, iterations: maxSteps, converged: false };
}

/**
 * Returns the largest eigenvalue of the symmetric tridiagonal matrix with diagonal `alphas` and
 * off-diagonal `betas`, by bisection on the Sturm sequence count.
 */
function topTridiagonalEigenvalue(alphas: readonly number[], betas: readonly number[]): number {
  const n = alphas.length;
  let low = Math.max(...alphas);
  let high = low;
  for (let i = 0; i < n; i++) {
    const radius = Math.abs(betas[i - 1] ?? 0) + Math.abs(i < n - 1 ? betas[i] : 0);
    high = Math.max(high, alphas[i] + radius);
  }
  for (let step = 0; step < 200 && high - low > 1e-15 * Math.abs(high); step++) {
    const middle = (low + high) / 2;
    if (eigenvaluesBelow(alphas, betas, middle) === n) high = middle;
    else low = middle;
  }
  return high;
}

/** Counts the eigenvalues below x of the tridiagonal matrix (Sturm sequence of the LDLᵀ pivots). */
function eigenvaluesBelow(alphas: readonly number[], betas: readonly number[], x: number): number {
  let count = 0;
  let pivot = 1;
  for (let i = 0; i < alphas.length; i++) {
    const coupling = i === 0 ? 0 : (betas[i - 1] * betas[i - 1]) / pivot;
    pivot = alphas[i] - x - coupling;
    if (pivot === 0) pivot = -1e-300;
    if (pivot < 0) count++;
  }
  return count;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** y ← y + a·x. */
function axpy(y: Float64Array, a: number, x: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function scale(v: Float64Array, factor: number): void {
  for (let i = 0; i < v.length; i++) v[i] *= factor;
}

// ---------------------------------------------------------------------------------------------
// Lower bounds

/** Critic values and gradient norms at the points of one probe set. */
export interface ProbeSetField {
  points: Matrix;
  /** D(x) at each point. */
  values: Float32Array;
  /** ‖∇D(x)‖ at each point. */
  norms: Float32Array;
}

export interface PointRef {
  set: string;
  index: number;
}

/** Two probe points whose secant slope is measured. */
export interface ProbePair {
  /** `real-generated` for cross pairs, or the set's name for consecutive points of one set. */
  group: string;
  a: PointRef;
  b: PointRef;
}

export interface PairOptions {
  /** Seed of the real-generated pairing (default 7). */
  seed?: number;
  /** Maximum number of real-generated pairs (default 4096). */
  maxCrossPairs?: number;
  /** Maximum number of consecutive pairs taken from each set (default 4096). */
  maxConsecutivePairs?: number;
  /** Names of the real and generated sets (defaults `real` and `generated`). */
  realSet?: string;
  generatedSet?: string;
  /**
   * Pairs with |D(x) - D(y)| at most this fraction of max(|D(x)|, |D(y)|) are skipped, because
   * float32 rounding of D could dominate their slope (default 2⁻¹², 2¹¹ to 2¹² float32 ulps).
   */
  minRelativeDifference?: number;
}

export interface LowerBound {
  /** Largest ‖∇D‖ over all probe points. */
  lowerGradient: { value: number; set: string; index: number };
  /** Largest secant slope over the probe pairs; 0 with no `pair` when no pair was usable. */
  lowerSecant: {
    value: number;
    set: string;
    pair?: ProbePair;
    /** Pairs whose slope was measured. */
    pairs: number;
    /** Pairs skipped for coincident points or an unresolved value difference. */
    skipped: number;
  };
}

const DEFAULT_MAX_PAIRS = 4096;
const DEFAULT_MIN_RELATIVE_DIFFERENCE = 2 ** -12;

/**
 * Lists the secant pairs: seeded random real-generated pairs, then consecutive points (k, k + 1)
 * of each set in the order given. The list grows linearly with the caps, never with all pairs.
 */
export function probePairs(
  sets: Readonly<Record<string, { points: Matrix }>>,
  options: PairOptions = {},
): ProbePair[] {
  const pairs: ProbePair[] = [];
  const realName = options.realSet ?? 'real';
  const generatedName = options.generatedSet ?? 'generated';
  const real = sets[realName];
  const generated = sets[generatedName];
  if (real !== undefined && generated !== undefined && real.points.rows > 0) {
    const rng = new Rng(options.seed ?? DEFAULT_SEED);
    const count = Math.min(
      options.maxCrossPairs ?? DEFAULT_MAX_PAIRS,
      Math.max(real.points.rows, generated.points.rows),
    );
    const group = `${realName}-${generatedName}`;
    for (let k = 0; k < count && generated.points.rows > 0; k++) {
      pairs.push({
        group,
        a: { set: realName, index: rng.int(real.points.rows) },
        b: { set: generatedName, index: rng.int(generated.points.rows) },
      });
    }
  }
  const perSet = options.maxConsecutivePairs ?? DEFAULT_MAX_PAIRS;
  for (const [name, set] of Object.entries(sets)) {
    const count = Math.min(perSet, set.points.rows - 1);
    for (let k = 0; k < count; k++)
      pairs.push({ group: name, a: { set: name, index: k }, b: { set: name, index: k + 1 } });
  }
  return pairs;
}

/**
 * Finds the largest gradient norm over all probe points and the largest secant slope over the
 * pairs of {@link probePairs}. Both bound the critic's Lipschitz constant from below.
 */
export function lowerBound(
  sets: Readonly<Record<string, ProbeSetField>>,
  options: PairOptions = {},
): LowerBound {
  checkSets(sets);
  return {
    lowerGradient: largestGradient(sets),
    lowerSecant: largestSecant(sets, probePairs(sets, options), options),
  };
}

function checkSets(sets: Readonly<Record<string, ProbeSetField>>): void {
  let cols: number | undefined;
  for (const [name, set] of Object.entries(sets)) {
    const rows = set.points.rows;
    if (set.values.length !== rows || set.norms.length !== rows) {
      throw new Error(
        `Probe set ${name} has ${rows} points but ${set.values.length} values and ` +
          `${set.norms.length} gradient norms.`,
      );
    }
    if (rows > 0 && cols !== undefined && set.points.cols !== cols)
      throw new Error(`Probe set ${name} has ${set.points.cols} features, the others ${cols}.`);
    if (rows > 0) cols = set.points.cols;
  }
}

function largestGradient(
  sets: Readonly<Record<string, ProbeSetField>>,
): LowerBound['lowerGradient'] {
  let best: LowerBound['lowerGradient'] | undefined;
  for (const [name, set] of Object.entries(sets)) {
    for (let i = 0; i < set.norms.length; i++) {
      const value = set.norms[i];
      if (!Number.isNaN(value) && (best === undefined || value > best.value))
        best = { value, set: name, index: i };
    }
  }
  if (best === undefined)
    throw new Error('No probe point has a gradient norm; pass at least one set with points.');
  return best;
}

function largestSecant(
  sets: Readonly<Record<string, ProbeSetField>>,
  pairs: readonly ProbePair[],
  options: PairOptions,
): LowerBound['lowerSecant'] {
  const minRelative = options.minRelativeDifference ?? DEFAULT_MIN_RELATIVE_DIFFERENCE;
  const result: LowerBound['lowerSecant'] = { value: 0, set: '', pairs: 0, skipped: 0 };
  for (const pair of pairs) {
    const first = sets[pair.a.set];
    const second = sets[pair.b.set];
    const difference = Math.abs(first.values[pair.a.index] - second.values[pair.b.index]);
    const scale = Math.max(
      Math.abs(first.values[pair.a.index]),
      Math.abs(second.values[pair.b.index]),
    );
    const distance = pointDistance(first.points, pair.a.index, second.points, pair.b.index);
    if (distance === 0 || !Number.isFinite(difference) || difference <= minRelative * scale) {
      result.skipped++;
      continue;
    }
    result.pairs++;
    const slope = difference / distance;
    if (slope > result.value) {
      result.value = slope;
      result.set = pair.group;
      result.pair = pair;
    }
  }
  return result;
}

function pointDistance(a: Matrix, i: number, b: Matrix, j: number): number {
  let squared = 0;
  for (let c = 0; c < a.cols; c++) {
    const d = a.data[i * a.cols + c] - b.data[j * b.cols + c];
    squared += d * d;
  }
  return Math.sqrt(squared);
}

// ---------------------------------------------------------------------------------------------
// Report

export interface LipschitzResult extends UpperBound, LowerBound {
  /** upper / max(lower bounds); absent without an upper bound or with both lower bounds 0. */
  gap?: number;
}

export interface LipschitzOptions {
  upper?: UpperBoundOptions;
  pairs?: PairOptions;
}

/** Computes the upper bound from the model's layers and the lower bounds from the probe sets. */
export function lipschitzReport(
  model: { readonly layers: readonly LayerInfo[] },
  sets: Readonly<Record<string, ProbeSetField>>,
  options: LipschitzOptions = {},
): LipschitzResult {
  return combineBounds(upperBound(model, options.upper), lowerBound(sets, options.pairs));
}

/** Joins an upper and a lower bound and adds their ratio. */
export function combineBounds(upper: UpperBound, lower: LowerBound): LipschitzResult {
  const result: LipschitzResult = { ...upper, ...lower };
  const largestLower = Math.max(lower.lowerGradient.value, lower.lowerSecant.value);
  if (upper.upper !== undefined && largestLower > 0) result.gap = upper.upper / largestLower;
  return result;
}
