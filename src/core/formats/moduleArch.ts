import { TORCH_LEAKY_RELU_SLOPE, type LayerSpec } from './archSpec';
import { CheckpointError } from './errors';
import type { InferredArchitecture } from './stateDict';
import type { ModuleRecord } from './torchModule';

/** Modules that do nothing at inference time. */
const IDENTITY_CLASSES = new Set(['Dropout', 'Dropout2d', 'Identity']);
const CONTAINER_CLASSES = new Set(['Sequential', 'ModuleList']);

/**
 * Builds an architecture from the module tree of a whole-module pickle. The pickle records the
 * modules and their settings but not `forward`, so the leaves are taken to run in registration
 * order, which is what `nn.Sequential` does.
 */
export function architectureFromModule(
  tree: ModuleRecord,
  options: { inputShape?: number[]; output?: 'flatten' | 'keep'; file?: string } = {},
): InferredArchitecture {
  const layers: LayerSpec[] = [];
  collectLayers(tree, layers, options.file);
  const first = firstWeighted(tree);
  let inputShape = options.inputShape;
  if (inputShape === undefined) {
    const inFeatures = first?.attributes.in_features;
    if (first?.className.endsWith('.Linear') !== true || typeof inFeatures !== 'number') {
      throw new CheckpointError(
        'architecture-needed',
        `the input shape of ${tree.className} is not recorded; give it as [C, H, W].`,
        options.file,
      );
    }
    inputShape = [inFeatures];
  }
  const assumptions = [
    `${tree.className} runs its submodules in registration order (${layers.map((layer) => layer.type).join(', ')})`,
  ];
  return { spec: { inputShape, layers, output: options.output ?? 'keep' }, assumptions };
}

function shortName(record: ModuleRecord): string {
  return record.className.slice(record.className.lastIndexOf('.') + 1);
}

function firstWeighted(record: ModuleRecord): ModuleRecord | undefined {
  if (record.parameters.length > 0) return record;
  for (const child of record.children) {
    const found = firstWeighted(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function collectLayers(record: ModuleRecord, layers: LayerSpec[], file?: string): void {
  const name = shortName(record);
  const isContainer =
    CONTAINER_CLASSES.has(name) ||
    (record.className.startsWith('__main__.') && record.parameters.length === 0);
  if (isContainer) {
    for (const child of record.children) collectLayers(child, layers, file);
    return;
  }
  if (IDENTITY_CLASSES.has(name)) return;
  const layer = leafLayer(record, name);
  if (layer === undefined) {
    throw new CheckpointError(
      'architecture-needed',
      `module '${record.path}' is a ${record.className}, which cannot be rebuilt from the pickle; describe the critic in an architecture file.`,
      file,
    );
  }
  layers.push(layer);
}

function leafLayer(record: ModuleRecord, name: string): LayerSpec | undefined {
  const attributes = record.attributes;
  const number = (key: string, fallback: number) =>
    typeof attributes[key] === 'number' ? (attributes[key] as number) : fallback;
  switch (name) {
    case 'Linear':
      return { type: 'linear', weights: record.path };
    case 'Conv2d': {
      if (
        typeof attributes.padding === 'string' ||
        (attributes.groups !== undefined && attributes.groups !== 1)
      )
        return undefined;
      return {
        type: 'conv2d',
        weights: record.path,
        stride: pair(attributes.stride, 1),
        padding: pair(attributes.padding, 0),
        dilation: pair(attributes.dilation, 1),
      };
    }
    case 'ReLU':
      return { type: 'relu' };
    case 'LeakyReLU':
      return { type: 'leakyRelu', alpha: number('negative_slope', TORCH_LEAKY_RELU_SLOPE) };
    case 'ELU':
      return { type: 'elu', alpha: number('alpha', 1) };
    case 'Tanh':
      return { type: 'tanh' };
    case 'Sigmoid':
      return { type: 'sigmoid' };
    case 'Flatten':
      return number('start_dim', 1) === 1 && number('end_dim', -1) === -1
        ? { type: 'flatten' }
        : undefined;
    case 'LayerNorm': {
      const affine = attributes.elementwise_affine !== false;
      const eps = number('eps', 1e-5);
      return affine ? { type: 'layerNorm', weights: record.path, eps } : { type: 'layerNorm', eps };
    }
    default:
      return undefined;
  }
}

function pair(value: unknown, fallback: number): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'number'))
    return [value[0], value[1]];
  return [fallback, fallback];
}
