/*
 * Turns the worker's inspect result into what the checkpoint editor shows. The result's shape
 * depends on the file format, so this reads the fields it recognises and lists the remaining scalar
 * fields as metadata. No vscode imports.
 */
import path from 'node:path';
import type { MlpSpec } from '../core/nets/mlp';
import type { RunManifest } from '../core/train/runFolder';
import type { CheckpointSummary, LayerSummary } from '../protocol/webview';

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Fields shown elsewhere in the summary, so not repeated as metadata. */
const STRUCTURED = new Set([
  'file',
  'format',
  'description',
  'message',
  'architecture',
  'parameters',
  'parameterCount',
  'layers',
  'tensors',
  'initializers',
  'metadata',
]);

/**
 * Summarises an inspect result. Its layers are `{ name, op, parameters, weights: [{ name, shape,
 * mean, std, min, max, nonFinite }], spectralNorm }`; each weight tensor becomes one row, and a
 * layer without weights (an activation) one row of its own. Flat tensor lists (`tensors`,
 * `initializers`) are read too.
 */
export function summarizeInspectResult(
  file: string,
  sizeBytes: number,
  result: Loose,
): CheckpointSummary {
  const format = typeof result.format === 'string' ? result.format : 'unknown';
  const rawLayers = Array.isArray(result.layers) ? result.layers.filter(isObject) : [];
  const layers =
    rawLayers.length > 0
      ? layerRows(rawLayers)
      : readTensors(result.tensors ?? result.initializers);
  const counted = layers.reduce((n, layer) => n + layer.parameters, 0);
  const parameterCount =
    finite(result.parameters) ??
    finite(result.parameterCount) ??
    (layers.length > 0 ? counted : undefined);

  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(result)) {
    if (STRUCTURED.has(key)) continue;
    const text = scalarText(value) ?? shortJson(value);
    if (text !== undefined) metadata[key] = text;
  }
  if (isObject(result.metadata)) {
    for (const [key, value] of Object.entries(result.metadata))
      metadata[key] = scalarText(value) ?? JSON.stringify(value);
  }
  const upper = spectralProduct(rawLayers);
  if (upper !== undefined)
    metadata['Lipschitz upper bound (product of spectral norms)'] = String(
      Number(upper.toPrecision(4)),
    );

  const summary: CheckpointSummary = {
    file,
    sizeBytes,
    format,
    description:
      typeof result.description === 'string'
        ? result.description
        : typeof result.message === 'string'
          ? result.message
          : `A ${format} file.`,
    layers,
    metadata,
    probeable: true,
  };
  const architecture = architectureText(result.architecture) ?? layerChain(rawLayers, result);
  if (architecture) summary.architecture = architecture;
  if (parameterCount !== undefined) summary.parameterCount = parameterCount;
  return summary;
}

function layerRows(layers: Loose[]): LayerSummary[] {
  const rows: LayerSummary[] = [];
  for (const layer of layers) {
    const op = typeof layer.op === 'string' ? layer.op : undefined;
    const weights = Array.isArray(layer.weights) ? layer.weights.filter(isObject) : [];
    const spectralNorm = finite(layer.spectralNorm);
    if (weights.length === 0 && Array.isArray(layer.shape)) {
      // A flat list of tensors rather than layers.
      rows.push(...readTensors([layer]));
      continue;
    }
    if (weights.length === 0) {
      rows.push({
        name: String(layer.name ?? ''),
        ...(op ? { op } : {}),
        shape: '–',
        parameters: finite(layer.parameters) ?? 0,
      });
      continue;
    }
    readTensors(weights).forEach((row, index) => {
      if (op) row.op = op;
      if (index === 0 && spectralNorm !== undefined) row.spectralNorm = spectralNorm;
      rows.push(row);
    });
  }
  return rows;
}

/** Product of the spectral norms of layers that have one; undefined when none has. */
function spectralProduct(layers: Loose[]): number | undefined {
  const norms = layers
    .map((layer) => finite(layer.spectralNorm))
    .filter((n): n is number => n !== undefined);
  return norms.length > 0 ? norms.reduce((a, b) => a * b, 1) : undefined;
}

/** "[2] → Linear → ReLU → … → 1" from the layers' operators. */
function layerChain(layers: Loose[], result: Loose): string | undefined {
  const ops = layers
    .map((layer) => (typeof layer.op === 'string' ? layer.op : undefined))
    .filter((op): op is string => !!op);
  if (ops.length === 0) return undefined;
  const input = Array.isArray(result.inputShape) ? `[${result.inputShape.join(', ')}]` : 'input';
  const output = finite(result.outputSize);
  return [input, ...ops, ...(output !== undefined ? [String(output)] : [])].join(' → ');
}

function readTensors(value: unknown): LayerSummary[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((item, index) => {
    const shape = Array.isArray(item.shape)
      ? item.shape
      : Array.isArray(item.dims)
        ? item.dims
        : [];
    const layer: LayerSummary = {
      name: typeof item.name === 'string' ? item.name : `#${index}`,
      shape: shape.length > 0 ? shape.join(' × ') : 'scalar',
      parameters:
        finite(item.parameters) ??
        finite(item.size) ??
        shape.reduce((n: number, d: unknown) => n * (finite(d) ?? 0), 1),
    };
    const stats = isObject(item.stats) ? item.stats : item;
    for (const key of ['mean', 'std', 'min', 'max', 'nonFinite'] as const) {
      const number = finite(stats[key]);
      if (number !== undefined) layer[key] = number;
    }
    return layer;
  });
}

/** Short arrays and objects as JSON; longer ones are left out of the metadata. */
function shortJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  const text = JSON.stringify(value);
  return text.length <= 200 ? text : undefined;
}

function architectureText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Summarises a run.json from its manifest alone, without the worker. */
export function summarizeRunManifest(
  file: string,
  sizeBytes: number,
  manifest: RunManifest,
): CheckpointSummary {
  const critic = manifest.networks.critic;
  const generator = manifest.networks.generator;
  const layers = [...mlpLayers('critic', critic), ...mlpLayers('generator', generator)];
  const config = manifest.config;
  return {
    file,
    sizeBytes,
    format: 'run',
    description: `A GAN Diagnostics run folder (${path.basename(path.dirname(file))}), ${manifest.status} at iteration ${manifest.iteration} of ${config.iterations}.`,
    architecture: `critic ${mlpText(critic)}; generator ${mlpText(generator)}`,
    parameterCount: layers.reduce((n, layer) => n + layer.parameters, 0),
    layers,
    metadata: {
      dataset: config.dataset.name,
      penalty: `${config.penalty.kind}, λ ${config.penalty.lambda}, target ${config.penalty.target}`,
      batchSize: String(config.batchSize),
      nCritic: String(config.nCritic),
      backend: manifest.backend,
      checkpoints: manifest.checkpoints.map((c) => c.iteration).join(', '),
      createdAt: manifest.createdAt,
      updatedAt: manifest.updatedAt,
    },
    probeable: manifest.checkpoints.length > 0,
  };
}

function mlpText(spec: MlpSpec): string {
  const sizes = [spec.inputShape.reduce((a, b) => a * b, 1), ...spec.hidden, spec.outputSize];
  return `${sizes.join('→')} (${spec.activation.name})`;
}

function mlpLayers(role: string, spec: MlpSpec): LayerSummary[] {
  const sizes = [spec.inputShape.reduce((a, b) => a * b, 1), ...spec.hidden, spec.outputSize];
  const layers: LayerSummary[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push({
      name: `${role}.dense${l}.kernel`,
      shape: `${sizes[l]} × ${sizes[l + 1]}`,
      parameters: sizes[l] * sizes[l + 1],
    });
    layers.push({
      name: `${role}.dense${l}.bias`,
      shape: `${sizes[l + 1]}`,
      parameters: sizes[l + 1],
    });
  }
  return layers;
}

/** Builds the message for a file above the size limit, naming the setting that raises it. */
export function tooLargeMessage(file: string, sizeBytes: number, limitBytes: number): string {
  const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  return `${path.basename(file)} is ${mb(sizeBytes)}, above the limit of ${mb(limitBytes)} set by ganDiagnostics.maxCheckpointSizeMB. Raise the setting to open it here.`;
}
