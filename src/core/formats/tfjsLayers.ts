import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  ConvOperator,
  DifferentiableModel,
  LayerInfo,
  LayerKind,
  WeightInfo,
} from '../nets/model';
import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from './errors';

/** One weight of a TF.js weights manifest. */
export interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

/** A validated `model.json` of the TF.js Layers format. */
export interface LayersManifest {
  modelTopology: object;
  weightsManifest: ManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

/** A TF.js Layers model wrapped for probing, with the tfjs model for callers that need it. */
export interface TfjsLayersModel extends DifferentiableModel {
  readonly model: LayersModel;
}

const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;
const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;

/**
 * Reads a TF.js Layers model from its `model.json` and the weight shards next to it. The
 * manifest is validated first: shard paths must stay inside the model folder, and the shard
 * sizes on disk must equal what the weight shapes and dtypes declare, before any shard is read.
 */
export async function readTfjsLayersModel(
  modelJsonPath: string,
  options: { limits?: Partial<ReadLimits> } = {},
): Promise<TfjsLayersModel> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const file = modelJsonPath;
  const text = await readLimited(modelJsonPath, limits.maxFileBytes, file);
  const manifest = parseLayersManifest(text, file);
  const folder = path.dirname(path.resolve(modelJsonPath));
  const shards = await resolveShards(manifest, folder, limits, file);
  const weightData = await readShards(shards, file);
  const model = await loadModel(manifest, weightData, file);
  try {
    return wrapLayersModel(model, file);
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function readLimited(target: string, maxBytes: number, file: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(target)).size;
  } catch {
    throw new CheckpointError('not-found', 'the file was not found', file);
  }
  if (size > maxBytes) {
    throw new CheckpointError(
      'too-large',
      `model.json has ${size} bytes, over the limit of ${maxBytes}`,
      file,
    );
  }
  return readFile(target, 'utf8');
}

/** Parses and validates a `model.json`; throws a CheckpointError naming the first problem. */
export function parseLayersManifest(text: string, file?: string): LayersManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      'not-a-checkpoint',
      `model.json is not valid JSON (${(error as Error).message})`,
      file,
    );
  }
  const bad = (message: string): never => {
    throw new CheckpointError('corrupt', `model.json: ${message}`, file);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return bad('expected a JSON object');
  const record = json as Record<string, unknown>;
  if (record.format === 'graph-model') {
    throw new CheckpointError(
      'unsupported',
      'this is a TF.js graph model; only Layers models (format "layers-model") can be probed',
      file,
    );
  }
  if (record.format !== undefined && record.format !== 'layers-model')
    bad(`unknown format ${JSON.stringify(record.format)}`);
  if (typeof record.modelTopology !== 'object' || record.modelTopology === null)
    bad('modelTopology is missing');
  if (!Array.isArray(record.weightsManifest)) bad('weightsManifest is missing or not a list');
  const groups = (record.weightsManifest as unknown[]).map((group, index) =>
    parseGroup(group, index, bad),
  );
  return {
    modelTopology: record.modelTopology as object,
    weightsManifest: groups,
    format: record.format as string | undefined,
    generatedBy: typeof record.generatedBy === 'string' ? record.generatedBy : undefined,
    convertedBy: typeof record.convertedBy === 'string' ? record.convertedBy : null,
  };
}

function parseGroup(group: unknown, index: number, bad: (message: string) => never): ManifestGroup {
  const where = `weightsManifest[${index}]`;
  if (typeof group !== 'object' || group === null) bad(`${where} is not an object`);
  const { paths, weights } = group as Record<string, unknown>;
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))
    bad(`${where}.paths is not a list of strings`);
  if (!Array.isArray(weights)) bad(`${where}.weights is not a list`);
  return {
    paths: paths as string[],
    weights: (weights as unknown[]).map((w, i) => parseWeight(w, `${where}.weights[${i}]`, bad)),
  };
}

function parseWeight(
  weight: unknown,
  where: string,
  bad: (message: string) => never,
): ManifestWeight {
  if (typeof weight !== 'object' || weight === null) bad(`${where} is not an object`);
  const { name, shape, dtype, quantization } = weight as Record<string, unknown>;
  if (typeof name !== 'string') bad(`${where}.name is not a string`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    bad(`${where}.shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    bad(`${where}.dtype ${JSON.stringify(dtype)} is not supported (float32, int32 or bool)`);
  }
  const parsed: ManifestWeight = {
    name: name as string,
    shape: shape as number[],
    dtype: dtype as ManifestWeight['dtype'],
  };
  if (quantization !== undefined) {
    const q = quantization as Record<string, unknown>;
    if (typeof q !== 'object' || q === null || !(String(q.dtype) in QUANTIZED_BYTES)) {
      bad(`${where}.quantization has an unknown dtype`);
    }
    parsed.quantization = q as unknown as ManifestWeight['quantization'];
  }
  return parsed;
}

/** Bytes that a weight occupies in the shards. */
export function weightBytes(weight: ManifestWeight): number {
  const count = weight.shape.reduce((product, dim) => product * dim, 1);
  const perElement = weight.quantization
    ? QUANTIZED_BYTES[weight.quantization.dtype]
    : DTYPE_BYTES[weight.dtype];
  return count * perElement;
}

/**
 * Checks that a shard path is a plain relative path inside the model folder: no absolute paths,
 * drive letters, URLs, `..` segments or NUL bytes. Returns the absolute path.
 */
export function resolveShardPath(folder: string, shard: string, file?: string): string {
  const reject = (reason: string): never => {
    throw new CheckpointError(
      'unsafe',
      `weight shard path ${JSON.stringify(shard)} ${reason}; shards must sit in the model folder`,
      file,
    );
  };
  if (shard === '' || shard.includes('\0')) reject('is empty or contains a NUL byte');
  if (path.isAbsolute(shard) || path.win32.isAbsolute(shard) || /^[a-zA-Z]:/.test(shard))
    reject('is absolute');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(shard)) reject('is a URL');
  if (shard.split(/[\\/]/).some((segment) => segment === '..')) reject('leaves the folder');
  const resolved = path.resolve(folder, shard);
  const relative = path.relative(folder, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) reject('leaves the folder');
  return resolved;
}

interface Shard {
  path: string;
  size: number;
}

async function resolveShards(
  manifest: LayersManifest,
  folder: string,
  limits: ReadLimits,
  file: string,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let total = 0;
  for (const [index, group] of manifest.weightsManifest.entries()) {
    const expected = group.weights.reduce((sum, weight) => sum + weightBytes(weight), 0);
    total += expected;
    if (total > limits.maxTensorBytes) {
      throw new CheckpointError(
        'too-large',
        `the weights declare ${total} bytes, over the limit of ${limits.maxTensorBytes}`,
        file,
      );
    }
    let actual = 0;
    for (const shard of group.paths) {
      const resolved = resolveShardPath(folder, shard, file);
      const size = await fileSize(resolved, shard, file);
      actual += size;
      shards.push({ path: resolved, size });
    }
    if (actual !== expected) {
      throw new CheckpointError(
        'corrupt',
        `weight group ${index} (${group.paths.join(', ')}) has ${actual} bytes on disk, but its weights declare ${expected}`,
        file,
      );
    }
  }
  return shards;
}

async function fileSize(resolved: string, shard: string, file: string): Promise<number> {
  try {
    const info = await stat(resolved);
    if (!info.isFile())
      throw new CheckpointError('corrupt', `weight shard ${shard} is not a file`, file);
    return info.size;
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(
      'not-found',
      `weight shard ${shard} was not found next to model.json`,
      file,
    );
  }
}

async function readShards(shards: Shard[], file: string): Promise<ArrayBuffer> {
  const total = shards.reduce((sum, shard) => sum + shard.size, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    const bytes = await readFile(shard.path);
    if (bytes.length !== shard.size) {
      throw new CheckpointError(
        'truncated',
        `weight shard ${shard.path} changed size while it was read`,
        file,
      );
    }
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return out.buffer;
}

async function loadModel(
  manifest: LayersManifest,
  weightData: ArrayBuffer,
  file: string,
): Promise<LayersModel> {
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: manifest.modelTopology,
    weightSpecs: manifest.weightsManifest.flatMap((group) => group.weights),
    weightData,
    format: manifest.format,
    generatedBy: manifest.generatedBy,
    convertedBy: manifest.convertedBy ?? null,
  };
  try {
    return await loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = /Unknown layer|Unknown (activation|initializer|regularizer|constraint)/i.test(
      message,
    )
      ? 'unsupported'
      : 'corrupt';
    throw new CheckpointError(code, `tfjs could not build the model: ${message}`, file);
  }
}

/**
 * Wraps a Layers model as a DifferentiableModel. The forward pass runs in inference mode
 * (`training: false`), so Dropout is off and BatchNormalization uses its moving statistics.
 */
export function wrapLayersModel(model: LayersModel, file?: string): TfjsLayersModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new CheckpointError(
      'unsupported',
      `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each is supported`,
      file,
    );
  }
  const inputShape = model.inputs[0].shape.slice(1).map((dim) => dim ?? -1);
  const outputDims = model.outputs[0].shape.slice(1);
  const outputSize = outputDims.every((dim) => dim !== null)
    ? outputDims.reduce<number>((p, d) => p * (d as number), 1)
    : 1;
  return {
    model,
    inputShape,
    outputSize,
    layers: describeKerasLayers(model),
    apply: (x: Tensor) =>
      tf.tidy(() => {
        const y = model.apply(x, { training: false }) as Tensor;
        return y.rank <= 2 ? y : tf.reshape(y, [y.shape[0], outputSize]);
      }),
    dispose: () => model.dispose(),
  };
}

/** Keras activation names (tfjs spelling) with their Lipschitz constants, where known. */
const ACTIVATION_LIPSCHITZ: Record<string, number> = {
  relu: 1,
  relu6: 1,
  linear: 1,
  tanh: 1,
  sigmoid: 0.25,
  hardSigmoid: 0.2,
  softplus: 1,
  softsign: 1,
  elu: 1,
  swish: 1.1,
};

/** Standalone activation layer classes and the activation each applies. */
const ACTIVATION_LAYERS: Record<
  string,
  (config: Record<string, unknown>) => { name: string; alpha?: number }
> = {
  Activation: (config) => ({ name: String(config.activation) }),
  ReLU: () => ({ name: 'relu' }),
  LeakyReLU: (config) => ({ name: 'leakyRelu', alpha: Number(config.alpha ?? 0.3) }),
  ELU: (config) => ({ name: 'elu', alpha: Number(config.alpha ?? 1) }),
  PReLU: () => ({ name: 'prelu' }),
  ThresholdedReLU: () => ({ name: 'thresholdedRelu' }),
  Softmax: () => ({ name: 'softmax' }),
};

const KINDS: Record<string, LayerKind> = {
  Dense: 'dense',
  Conv2D: 'conv2d',
  Conv2DTranspose: 'convTranspose2d',
  BatchNormalization: 'batchNorm',
  LayerNormalization: 'layerNorm',
  Flatten: 'reshape',
  Reshape: 'reshape',
  Permute: 'reshape',
  MaxPooling2D: 'pool',
  AveragePooling2D: 'pool',
  GlobalAveragePooling2D: 'pool',
  GlobalMaxPooling2D: 'pool',
  MaxPooling1D: 'pool',
  AveragePooling1D: 'pool',
};

interface KerasLayer {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  getWeights(): Tensor[];
  weights: { originalName?: string; name: string }[];
  input: unknown;
}

/**
 * Describes the layers of a Keras-style model from their configs and weights. A Dense or
 * convolution layer with a fused activation is listed as two entries, the linear map and then
 * its activation (named `<layer>/activation`).
 */
export function describeKerasLayers(model: LayersModel): LayerInfo[] {
  const out: LayerInfo[] = [];
  for (const layer of model.layers as unknown as KerasLayer[]) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const config = layer.getConfig();
    const weights = layerWeights(layer);
    const standalone = ACTIVATION_LAYERS[className]?.(config);
    const info: LayerInfo = {
      name: layer.name,
      kind: standalone ? 'activation' : (KINDS[className] ?? 'other'),
      op: className,
      weights,
    };
    if (standalone) {
      info.activation = standalone;
      const lipschitz = activationLipschitz(standalone.name, standalone.alpha);
      if (lipschitz !== undefined) info.lipschitz = lipschitz;
    }
    if (info.kind === 'reshape') info.lipschitz = 1;
    const linear = linearOperator(className, config, weights, inputShapeOf(layer));
    if (linear !== undefined) info.linear = linear;
    out.push(info);
    const fused =
      typeof config.activation === 'string' && !standalone ? config.activation : undefined;
    if (fused !== undefined && fused !== 'linear') {
      const lipschitz = activationLipschitz(fused);
      out.push({
        name: `${layer.name}/activation`,
        kind: 'activation',
        op: fused,
        activation: { name: fused },
        weights: [],
        ...(lipschitz === undefined ? {} : { lipschitz }),
      });
    }
  }
  return out;
}

function activationLipschitz(name: string, alpha?: number): number | undefined {
  if (name === 'leakyRelu' || name === 'elu') return Math.max(1, Math.abs(alpha ?? 1));
  return ACTIVATION_LIPSCHITZ[name];
}

function layerWeights(layer: KerasLayer): WeightInfo[] {
  const tensors = layer.getWeights();
  return tensors.map((tensor, i) => ({
    name: layer.weights[i]?.originalName ?? layer.weights[i]?.name ?? `${layer.name}/${i}`,
    shape: [...tensor.shape],
    values: Float32Array.from(tensor.dataSync()),
  }));
}

function inputShapeOf(layer: KerasLayer): (number | null)[] | undefined {
  try {
    const input = layer.input as { shape?: (number | null)[] } | { shape?: (number | null)[] }[];
    return Array.isArray(input) ? input[0]?.shape : input.shape;
  } catch {
    // A layer shared between several call sites has no single input.
    return undefined;
  }
}

const pairOf = (value: unknown): [number, number] => {
  const list = Array.isArray(value) ? value.map(Number) : [Number(value ?? 1), Number(value ?? 1)];
  return [list[0], list[1] ?? list[0]];
};

function linearOperator(
  className: string,
  config: Record<string, unknown>,
  weights: WeightInfo[],
  inputShape: (number | null)[] | undefined,
): LayerInfo['linear'] {
  const kernel = weights.find((w) => /kernel$/.test(w.name)) ?? weights[0];
  if (kernel === undefined) return undefined;
  if (className === 'Dense' && kernel.shape.length === 2) return { type: 'dense', kernel };
  if (className !== 'Conv2D' && className !== 'Conv2DTranspose') return undefined;
  if (inputShape === undefined || kernel.shape.length !== 4) return undefined;
  const channelsFirst = config.dataFormat === 'channelsFirst';
  const [, a, b, c] = inputShape;
  const hwc = (channelsFirst ? [b, c, a] : [a, b, c]) as (number | null)[];
  if (hwc.some((d) => d === null)) return undefined;
  const strides = pairOf(config.strides);
  const dilations = pairOf(config.dilationRate);
  const [kh, kw] = kernel.shape;
  const padding: ConvOperator['padding'] =
    config.padding === 'same'
      ? [
          ...samePadding(hwc[0] as number, kh, strides[0], dilations[0]),
          ...samePadding(hwc[1] as number, kw, strides[1], dilations[1]),
        ]
      : [0, 0, 0, 0];
  // Conv2DTranspose kernels are [kh, kw, out, in]; the operator is described as [kh, kw, in, out].
  const filter = className === 'Conv2D' ? kernel : swapLastAxes(kernel);
  return {
    type: className === 'Conv2D' ? 'conv2d' : 'convTranspose2d',
    filter,
    strides,
    padding,
    dilations,
    inputShape: hwc as [number, number, number],
  };
}

/** TensorFlow's SAME padding: the odd unit goes at the end. */
function samePadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const total = Math.max(0, (Math.ceil(size / stride) - 1) * stride + effective - size);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function swapLastAxes(weight: WeightInfo): WeightInfo {
  const [kh, kw, p, q] = weight.shape;
  const values = new Float32Array(weight.values.length);
  for (let y = 0; y < kh * kw; y++) {
    for (let i = 0; i < p; i++)
      for (let j = 0; j < q; j++) values[(y * q + j) * p + i] = weight.values[(y * p + i) * q + j];
  }
  return { name: weight.name, shape: [kh, kw, q, p], values };
}
