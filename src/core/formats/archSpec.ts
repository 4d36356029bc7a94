import { promises as fs } from 'node:fs';
import { CheckpointError } from './errors';

/**
 * An architecture description: the forward pass that a state_dict does not record. Layers run
 * in order on tensors in PyTorch layout (NCHW for images). `docs/architecture-file.md` documents
 * the JSON form.
 */
export interface ArchitectureSpec {
  /** Shape of one input sample without the batch axis, in PyTorch layout ([2], [1, 28, 28], ...). */
  inputShape: number[];
  layers: LayerSpec[];
  /** `flatten` maps [batch, 1] to [batch], as a critic's `view(-1)` does, and `keep` leaves it. */
  output: 'flatten' | 'keep';
}

export type LayerSpec =
  | { type: 'linear'; weights: string }
  | {
      type: 'conv2d';
      weights: string;
      stride: [number, number];
      padding: [number, number];
      dilation: [number, number];
    }
  | { type: 'relu' }
  | { type: 'leakyRelu'; alpha: number }
  | { type: 'elu'; alpha: number }
  | { type: 'tanh' }
  | { type: 'sigmoid' }
  | { type: 'flatten' }
  | { type: 'reshape'; shape: number[] }
  | { type: 'layerNorm'; weights?: string; eps: number };

/** PyTorch's `nn.LeakyReLU()` default negative slope. */
export const TORCH_LEAKY_RELU_SLOPE = 0.01;
const LAYER_NORM_EPS = 1e-5;

type Json = Record<string, unknown>;

/** Reads and validates an architecture description file. */
export async function readArchitectureFile(file: string): Promise<ArchitectureSpec> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(
      'not-found',
      `cannot read the architecture file: ${(error as Error).message}`,
      file,
    );
  }
  return parseArchitecture(text, file);
}

/** Parses the JSON text of an architecture description, naming the first invalid field. */
export function parseArchitecture(text: string, file?: string): ArchitectureSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      'corrupt',
      `the architecture file is not valid JSON: ${(error as Error).message}`,
      file,
    );
  }
  return validateArchitecture(json, file);
}

export function validateArchitecture(json: unknown, file?: string): ArchitectureSpec {
  const fail = (message: string) =>
    new CheckpointError('corrupt', `invalid architecture description: ${message}`, file);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw fail('the top level must be a JSON object.');
  const root = json as Json;
  const inputShape = root.inputShape;
  if (!isDims(inputShape) || inputShape.length === 0)
    throw fail('"inputShape" must be a non-empty array of positive integers.');
  if (!Array.isArray(root.layers) || root.layers.length === 0)
    throw fail('"layers" must be a non-empty array.');
  const output = root.output ?? 'keep';
  if (output !== 'flatten' && output !== 'keep')
    throw fail('"output" must be "flatten" or "keep".');
  const layers = root.layers.map((layer, index) => validateLayer(layer, index, fail));
  return { inputShape, layers, output };
}

function validateLayer(
  value: unknown,
  index: number,
  fail: (message: string) => CheckpointError,
): LayerSpec {
  const where = `layers[${index}]`;
  if (typeof value !== 'object' || value === null) throw fail(`${where} must be an object.`);
  const layer = value as Json;
  const weights = () => {
    if (typeof layer.weights !== 'string' || layer.weights === '')
      throw fail(`${where}.weights must name the weight key prefix, such as "main.0".`);
    return layer.weights;
  };
  const number = (key: string, fallback: number) => {
    const item = layer[key] ?? fallback;
    if (typeof item !== 'number' || !Number.isFinite(item))
      throw fail(`${where}.${key} must be a number.`);
    return item;
  };
  const pair = (key: string, fallback: number, minimum: number): [number, number] => {
    const item = layer[key] ?? fallback;
    const values = typeof item === 'number' ? [item, item] : item;
    if (
      !Array.isArray(values) ||
      values.length !== 2 ||
      !values.every((v) => Number.isInteger(v) && v >= minimum)
    ) {
      throw fail(`${where}.${key} must be an integer >= ${minimum} or a pair of them.`);
    }
    return [values[0], values[1]];
  };

  switch (layer.type) {
    case 'linear':
      return { type: 'linear', weights: weights() };
    case 'conv2d':
      return {
        type: 'conv2d',
        weights: weights(),
        stride: pair('stride', 1, 1),
        padding: pair('padding', 0, 0),
        dilation: pair('dilation', 1, 1),
      };
    case 'relu':
    case 'tanh':
    case 'sigmoid':
    case 'flatten':
      return { type: layer.type };
    case 'leakyRelu':
      return { type: 'leakyRelu', alpha: number('alpha', TORCH_LEAKY_RELU_SLOPE) };
    case 'elu':
      return { type: 'elu', alpha: number('alpha', 1) };
    case 'reshape':
      if (!isDims(layer.shape))
        throw fail(
          `${where}.shape must be an array of positive integers (without the batch axis).`,
        );
      return { type: 'reshape', shape: layer.shape };
    case 'layerNorm': {
      const eps = number('eps', LAYER_NORM_EPS);
      return layer.weights === undefined
        ? { type: 'layerNorm', eps }
        : { type: 'layerNorm', weights: weights(), eps };
    }
    default:
      throw fail(
        `${where}.type ${JSON.stringify(layer.type)} is unknown; use linear, conv2d, relu, leakyRelu, elu, tanh, sigmoid, flatten, reshape or layerNorm.`,
      );
  }
}

function isDims(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((dim) => Number.isSafeInteger(dim) && dim > 0);
}
