/**
 * An independent float64 reference for critics and their gradient penalty, written in plain
 * JavaScript (Float64Array, no tfjs), so the product's float32 tfjs gradients can be checked
 * against something that shares none of their code.
 *
 * A critic is a list of layers. Each layer's forward pass returns its output and a closure that
 * maps an upstream gradient to the gradient with respect to the layer's input (the analytic
 * backward chain). Layer parameters are plain Float64Arrays that finite differences may perturb
 * in place. Tensors are row-major; images are NHWC and filters [height, width, in, out], as in
 * tfjs.
 */

/** The activations of the product's MLPs, with tfjs's definitions. */
export type ReferenceActivation =
  | { name: 'relu' }
  | { name: 'leakyRelu'; alpha: number }
  | { name: 'tanh' }
  | { name: 'sigmoid' }
  | { name: 'elu' };

/** A named parameter array of a reference layer. */
export interface ReferenceParameter {
  name: string;
  shape: number[];
  values: Float64Array;
}

/** The result of one layer's forward pass. */
export interface LayerPass {
  output: Float64Array;
  shape: number[];
  /** Maps ∂L/∂output to ∂L/∂input. */
  backward(dy: Float64Array): Float64Array;
  /**
   * Distance of the nearest input entry from a point where the layer's derivative is
   * discontinuous (0 for ReLU, LeakyReLU and ELU); Infinity for smooth layers.
   */
  kinkDistance: number;
}

export interface ReferenceLayer {
  readonly kind: string;
  readonly parameters: ReferenceParameter[];
  forward(x: Float64Array, shape: number[]): LayerPass;
}

export type PaddingMode = 'same' | 'valid';

export interface ReferencePenaltyConfig {
  /** `gp`: two-sided (WGAN-GP); `lp`: one-sided (WGAN-LP). */
  kind: 'gp' | 'lp';
  lambda: number;
  target: number;
}

/** Added under the square root of the per-sample norm, as in the product's penalty. */
export const REFERENCE_NORM_EPSILON = 1e-12;

const SMOOTH = Number.POSITIVE_INFINITY;

function product(values: number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

function checkLength(x: Float64Array, shape: number[], label: string): void {
  if (x.length !== product(shape)) {
    throw new Error(`${label}: ${x.length} values do not fill shape [${shape.join(', ')}].`);
  }
}

// ---------------------------------------------------------------------------------------------
// Activations

/** Returns f(z) for one pre-activation. tfjs's ELU is z for z > 0 and exp(z) - 1 otherwise. */
export function activate(spec: ReferenceActivation, z: number): number {
  switch (spec.name) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leakyRelu':
      return z > 0 ? z : spec.alpha * z;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'elu':
      return z > 0 ? z : Math.expm1(z);
  }
}

/** Returns f'(z), with the one-sided value at the kink that tfjs uses (the z ≤ 0 branch). */
export function activationDerivative(spec: ReferenceActivation, z: number): number {
  switch (spec.name) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leakyRelu':
      return z > 0 ? 1 : spec.alpha;
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case 'elu':
      return z > 0 ? 1 : Math.exp(z);
  }
}

function hasKinkAtZero(spec: ReferenceActivation): boolean {
  return spec.name === 'relu' || spec.name === 'leakyRelu' || spec.name === 'elu';
}

export function activationLayer(spec: ReferenceActivation): ReferenceLayer {
  return {
    kind: `activation:${spec.name}`,
    parameters: [],
    forward(x, shape) {
      const output = new Float64Array(x.length);
      let kinkDistance = SMOOTH;
      for (let i = 0; i < x.length; i++) {
        output[i] = activate(spec, x[i]);
        if (hasKinkAtZero(spec)) kinkDistance = Math.min(kinkDistance, Math.abs(x[i]));
      }
      return {
        output,
        shape,
        kinkDistance,
        backward(dy) {
          const dx = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) dx[i] = dy[i] * activationDerivative(spec, x[i]);
          return dx;
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Dense and flatten

/** y = x·kernel + bias for x of shape [batch, in], kernel [in, out], bias [out]. */
export function denseLayer(
  kernel: Float64Array,
  bias: Float64Array,
  inSize: number,
  outSize: number,
  name = 'dense',
): ReferenceLayer {
  checkLength(kernel, [inSize, outSize], `${name} kernel`);
  checkLength(bias, [outSize], `${name} bias`);
  return {
    kind: 'dense',
    parameters: [
      { name: `${name}/kernel`, shape: [inSize, outSize], values: kernel },
      { name: `${name}/bias`, shape: [outSize], values: bias },
    ],
    forward(x, shape) {
      if (shape.length !== 2 || shape[1] !== inSize) {
        throw new Error(`${name}: expected input [batch, ${inSize}], got [${shape.join(', ')}].`);
      }
      const batch = shape[0];
      const output = new Float64Array(batch * outSize);
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outSize; o++) {
          let sum = bias[o];
          for (let i = 0; i < inSize; i++) sum += x[b * inSize + i] * kernel[i * outSize + o];
          output[b * outSize + o] = sum;
        }
      }
      return {
        output,
        shape: [batch, outSize],
        kinkDistance: SMOOTH,
        backward(dy) {
          const dx = new Float64Array(batch * inSize);
          for (let b = 0; b < batch; b++) {
            for (let i = 0; i < inSize; i++) {
              let sum = 0;
              for (let o = 0; o < outSize; o++)
                sum += dy[b * outSize + o] * kernel[i * outSize + o];
              dx[b * inSize + i] = sum;
            }
          }
          return dx;
        },
      };
    },
  };
}

/** Reshapes [batch, ...] to [batch, rest] without moving data (row-major, as tf.reshape). */
export function flattenLayer(): ReferenceLayer {
  return {
    kind: 'flatten',
    parameters: [],
    forward(x, shape) {
      return {
        output: x,
        shape: [shape[0], product(shape.slice(1))],
        kinkDistance: SMOOTH,
        backward: (dy) => dy,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Convolution and pooling

export interface WindowGeometry {
  outSize: number;
  /** Zero rows (or columns) added before the input; tfjs puts the odd one after. */
  padBefore: number;
}

/**
 * Computes the output size and leading padding of one spatial axis, with tfjs's rules. 'valid'
 * gives ceil((in - k + 1) / stride) outputs and no padding. 'same' gives ceil(in / stride) outputs
 * and a total padding of max(0, (out - 1)·stride + k - in), of which floor(total / 2) goes before.
 */
export function windowGeometry(
  inSize: number,
  kernel: number,
  stride: number,
  pad: PaddingMode,
): WindowGeometry {
  if (pad === 'valid') return { outSize: Math.ceil((inSize - kernel + 1) / stride), padBefore: 0 };
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max(0, (outSize - 1) * stride + kernel - inSize);
  return { outSize, padBefore: Math.floor(total / 2) };
}

/**
 * 2-D convolution (cross-correlation, as tf.conv2d) of NHWC input with a filter of shape
 * [kh, kw, in, out], one stride and one dilation rate for both axes, plus a per-channel bias.
 * Padding follows the dilated filter's extent (k - 1)·dilation + 1, as in tfjs.
 */
export function conv2dLayer(
  filter: Float64Array,
  bias: Float64Array,
  filterShape: [number, number, number, number],
  stride: number,
  pad: PaddingMode,
  name = 'conv2d',
  dilation = 1,
): ReferenceLayer {
  const [kh, kw, inChannels, outChannels] = filterShape;
  checkLength(filter, filterShape, `${name} filter`);
  checkLength(bias, [outChannels], `${name} bias`);
  return {
    kind: 'conv2d',
    parameters: [
      { name: `${name}/filter`, shape: [...filterShape], values: filter },
      { name: `${name}/bias`, shape: [outChannels], values: bias },
    ],
    forward(x, shape) {
      const [batch, height, width, channels] = shape;
      if (shape.length !== 4 || channels !== inChannels) {
        throw new Error(
          `${name}: expected NHWC input with ${inChannels} channels, got [${shape.join(', ')}].`,
        );
      }
      const rows = windowGeometry(height, (kh - 1) * dilation + 1, stride, pad);
      const cols = windowGeometry(width, (kw - 1) * dilation + 1, stride, pad);
      const outShape = [batch, rows.outSize, cols.outSize, outChannels];
      const output = new Float64Array(product(outShape));
      const inIndex = (b: number, h: number, w: number) =>
        ((b * height + h) * width + w) * inChannels;
      const outIndex = (b: number, h: number, w: number) =>
        ((b * rows.outSize + h) * cols.outSize + w) * outChannels;
      // Visits every (output pixel, filter tap) pair whose input pixel lies inside the image.
      const forEachTap = (visit: (inBase: number, outBase: number, tapBase: number) => void) => {
        for (let b = 0; b < batch; b++) {
          for (let oh = 0; oh < rows.outSize; oh++) {
            for (let ow = 0; ow < cols.outSize; ow++) {
              for (let i = 0; i < kh; i++) {
                const h = oh * stride + i * dilation - rows.padBefore;
                if (h < 0 || h >= height) continue;
                for (let j = 0; j < kw; j++) {
                  const w = ow * stride + j * dilation - cols.padBefore;
                  if (w < 0 || w >= width) continue;
                  visit(
                    inIndex(b, h, w),
                    outIndex(b, oh, ow),
                    (i * kw + j) * inChannels * outChannels,
                  );
                }
              }
            }
          }
        }
      };
      for (let p = 0; p < output.length; p++) output[p] = bias[p % outChannels];
      forEachTap((inBase, outBase, tapBase) => {
        for (let ci = 0; ci < inChannels; ci++) {
          const value = x[inBase + ci];
          for (let co = 0; co < outChannels; co++) {
            output[outBase + co] += value * filter[tapBase + ci * outChannels + co];
          }
        }
      });
      return {
        output,
        shape: outShape,
        kinkDistance: SMOOTH,
        backward(dy) {
          const dx = new Float64Array(x.length);
          forEachTap((inBase, outBase, tapBase) => {
            for (let ci = 0; ci < inChannels; ci++) {
              let sum = 0;
              for (let co = 0; co < outChannels; co++)
                sum += dy[outBase + co] * filter[tapBase + ci * outChannels + co];
              dx[inBase + ci] += sum;
            }
          });
          return dx;
        },
      };
    },
  };
}

/**
 * Average pooling of NHWC input over size×size windows (as tf.avgPool). With 'same' padding a
 * window that reaches past the border is divided by the number of its cells inside the image,
 * which is what the tfjs forward pass computes.
 */
export function avgPoolLayer(
  size: number,
  stride: number,
  pad: PaddingMode = 'valid',
): ReferenceLayer {
  return {
    kind: 'avgPool',
    parameters: [],
    forward(x, shape) {
      const [batch, height, width, channels] = shape;
      const rows = windowGeometry(height, size, stride, pad);
      const cols = windowGeometry(width, size, stride, pad);
      const outShape = [batch, rows.outSize, cols.outSize, channels];
      const output = new Float64Array(product(outShape));
      // Visits every (output cell, input cell inside the image) pair with 1 / (cells inside).
      const forEachCell = (
        visit: (inOffset: number, outOffset: number, weight: number) => void,
      ) => {
        for (let oh = 0; oh < rows.outSize; oh++) {
          const rowStart = Math.max(0, oh * stride - rows.padBefore);
          const rowEnd = Math.min(height, oh * stride - rows.padBefore + size);
          for (let ow = 0; ow < cols.outSize; ow++) {
            const colStart = Math.max(0, ow * stride - cols.padBefore);
            const colEnd = Math.min(width, ow * stride - cols.padBefore + size);
            const weight = 1 / ((rowEnd - rowStart) * (colEnd - colStart));
            for (let b = 0; b < batch; b++) {
              const outBase = ((b * rows.outSize + oh) * cols.outSize + ow) * channels;
              for (let h = rowStart; h < rowEnd; h++) {
                for (let w = colStart; w < colEnd; w++) {
                  const inBase = ((b * height + h) * width + w) * channels;
                  for (let c = 0; c < channels; c++) visit(inBase + c, outBase + c, weight);
                }
              }
            }
          }
        }
      };
      forEachCell((inOffset, outOffset, weight) => {
        output[outOffset] += x[inOffset] * weight;
      });
      return {
        output,
        shape: outShape,
        kinkDistance: SMOOTH,
        backward(dy) {
          const dx = new Float64Array(x.length);
          forEachCell((inOffset, outOffset, weight) => {
            dx[inOffset] += dy[outOffset] * weight;
          });
          return dx;
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Layer normalisation

/**
 * Layer normalisation over the last axis of [batch, features]:
 * y = (x - μ)/√(σ² + epsilon)·gamma + beta, with the biased variance σ² = mean((x - μ)²).
 */
export function layerNormLayer(
  gamma: Float64Array,
  beta: Float64Array,
  epsilon: number,
  name = 'layerNorm',
): ReferenceLayer {
  const features = gamma.length;
  checkLength(beta, [features], `${name} beta`);
  return {
    kind: 'layerNorm',
    parameters: [
      { name: `${name}/gamma`, shape: [features], values: gamma },
      { name: `${name}/beta`, shape: [features], values: beta },
    ],
    forward(x, shape) {
      if (shape.length !== 2 || shape[1] !== features) {
        throw new Error(`${name}: expected input [batch, ${features}], got [${shape.join(', ')}].`);
      }
      const batch = shape[0];
      const normalised = new Float64Array(x.length);
      const inverseStd = new Float64Array(batch);
      const output = new Float64Array(x.length);
      for (let b = 0; b < batch; b++) {
        const row = x.subarray(b * features, (b + 1) * features);
        const mean = row.reduce((a, v) => a + v, 0) / features;
        const variance = row.reduce((a, v) => a + (v - mean) * (v - mean), 0) / features;
        inverseStd[b] = 1 / Math.sqrt(variance + epsilon);
        for (let f = 0; f < features; f++) {
          const k = b * features + f;
          normalised[k] = (x[k] - mean) * inverseStd[b];
          output[k] = normalised[k] * gamma[f] + beta[f];
        }
      }
      return {
        output,
        shape,
        kinkDistance: SMOOTH,
        backward(dy) {
          // dx = r·(d - mean(d) - x̂·mean(d·x̂)) with d = dy·gamma and r = 1/√(σ² + epsilon).
          const dx = new Float64Array(x.length);
          for (let b = 0; b < batch; b++) {
            let meanD = 0;
            let meanDX = 0;
            for (let f = 0; f < features; f++) {
              const k = b * features + f;
              const d = dy[k] * gamma[f];
              meanD += d;
              meanDX += d * normalised[k];
            }
            meanD /= features;
            meanDX /= features;
            for (let f = 0; f < features; f++) {
              const k = b * features + f;
              dx[k] = inverseStd[b] * (dy[k] * gamma[f] - meanD - normalised[k] * meanDX);
            }
          }
          return dx;
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Critics

/** Builds an MLP in the product's variable order: kernel_0, bias_0, kernel_1, bias_1, ... */
export function mlpLayers(
  sizes: number[],
  weights: Float64Array[],
  activation: ReferenceActivation,
): ReferenceLayer[] {
  const count = sizes.length - 1;
  if (weights.length !== 2 * count) {
    throw new Error(
      `Expected ${2 * count} weight arrays for ${sizes.join('→')}, got ${weights.length}.`,
    );
  }
  const layers: ReferenceLayer[] = [];
  for (let l = 0; l < count; l++) {
    layers.push(
      denseLayer(weights[2 * l], weights[2 * l + 1], sizes[l], sizes[l + 1], `dense_${l}`),
    );
    if (l + 1 < count) layers.push(activationLayer(activation));
  }
  return layers;
}

export function criticParameters(layers: ReferenceLayer[]): ReferenceParameter[] {
  return layers.flatMap((layer) => layer.parameters);
}

export interface CriticPass {
  output: Float64Array;
  outputShape: number[];
  passes: LayerPass[];
}

export function criticForward(
  layers: ReferenceLayer[],
  x: Float64Array,
  shape: number[],
): CriticPass {
  checkLength(x, shape, 'critic input');
  let h = x;
  let hShape = shape;
  const passes: LayerPass[] = [];
  for (const layer of layers) {
    const pass = layer.forward(h, hShape);
    passes.push(pass);
    h = pass.output;
    hShape = pass.shape;
  }
  return { output: h, outputShape: hShape, passes };
}

/**
 * Returns ∇ₓ Σ_b D(x)_b, which for a critic without cross-sample coupling is each sample's own
 * input gradient, with the same shape as x.
 */
export function criticInputGradient(
  layers: ReferenceLayer[],
  x: Float64Array,
  shape: number[],
): Float64Array {
  const { output, passes } = criticForward(layers, x, shape);
  let dy: Float64Array = new Float64Array(output.length).fill(1);
  for (let l = passes.length - 1; l >= 0; l--) dy = passes[l].backward(dy);
  return dy;
}

/** Returns the smallest distance of any pre-activation from its activation's kink, at input x. */
export function minKinkDistance(
  layers: ReferenceLayer[],
  x: Float64Array,
  shape: number[],
): number {
  return Math.min(...criticForward(layers, x, shape).passes.map((pass) => pass.kinkDistance));
}

/** Returns √(Σg² + 1e-12) over all non-batch axes of each sample of g with shape [batch, ...]. */
export function perSampleNorm64(g: ArrayLike<number>, shape: number[]): Float64Array {
  const batch = shape[0];
  const size = product(shape.slice(1));
  const norms = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += g[b * size + i] * g[b * size + i];
    norms[b] = Math.sqrt(sum + REFERENCE_NORM_EPSILON);
  }
  return norms;
}

export interface ReferencePenalty {
  penalty: number;
  norms: Float64Array;
}

/** λ·mean((‖∇ₓD(x̂)‖/γ - 1)²), or λ·mean(max(0, ‖∇ₓD(x̂)‖/γ - 1)²) for the one-sided form. */
export function penaltyFromNorms(norms: Float64Array, config: ReferencePenaltyConfig): number {
  let sum = 0;
  for (const norm of norms) {
    const excess = norm / config.target - 1;
    const clipped = config.kind === 'lp' ? Math.max(0, excess) : excess;
    sum += clipped * clipped;
  }
  return (config.lambda * sum) / norms.length;
}

export function referencePenalty(
  layers: ReferenceLayer[],
  x: Float64Array,
  shape: number[],
  config: ReferencePenaltyConfig,
): ReferencePenalty {
  const norms = perSampleNorm64(criticInputGradient(layers, x, shape), shape);
  return { penalty: penaltyFromNorms(norms, config), norms };
}
