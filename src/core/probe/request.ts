import { TOY_DATASET_NAMES, type ToyDatasetName } from '../data/toy';
import { DEFAULT_PROBE_COUNTS, type ProbeCounts } from './sets';

/** A probe job: its sources and settings. The CLI or the extension builds it and the worker validates it. */
export interface ProbeRequest {
  /** A run folder written by the trainer. */
  run?: string;
  /** A checkpoint folder relative to the run (defaults to the latest). */
  checkpoint?: string;
  /** A critic file (.onnx, .pt/.pth, .safetensors, model.json). */
  critic?: string;
  generator?: string;
  /** Generated samples (.npy or .csv), instead of a generator. */
  fake?: string;
  /** Real data (.npy or .csv), or a toy dataset by name. */
  real?: string;
  dataset?: ToyDatasetName;
  /** Architecture description for state_dict files. */
  arch?: string;
  /** Key path of the critic's state_dict in a training checkpoint with several. */
  stateDict?: string;
  counts: ProbeCounts;
  seed: number;
  /** The training batch size, for the whole-batch-norm finding. */
  batchSize?: number;
  /** Penalty target γ. */
  target?: number;
  /** Path of the report.json to write. */
  output?: string;
}

/** Real and generated points drawn when they come from a dataset or a generator. */
export const DEFAULT_SAMPLE_COUNT = 2000;

const positiveInteger = (value: unknown, name: string, max = 10_000_000): number => {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new Error(`Invalid ${name}: ${String(value)} (expected an integer in 1..${max}).`);
  }
  return value as number;
};

const nonNegativeInteger = (value: unknown, name: string): number => {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2 ** 32 - 1) {
    throw new Error(`Invalid ${name}: ${String(value)} (expected an integer in 0..4294967295).`);
  }
  return value as number;
};

const optionalString = (raw: Record<string, unknown>, key: string): string | undefined => {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`Invalid ${key}: expected a non-empty path.`);
  return value;
};

/** Checks a request from outside and fills in defaults; throws an error naming the bad value. */
export function validateProbeRequest(raw: Record<string, unknown>): ProbeRequest {
  const counts = { ...DEFAULT_PROBE_COUNTS };
  const rawCounts = (raw.counts ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(rawCounts)) {
    if (!(key in counts))
      throw new Error(`Unknown probe set '${key}' (expected ${Object.keys(counts).join(', ')}).`);
    counts[key as keyof ProbeCounts] = positiveInteger(rawCounts[key], `${key} count`);
  }
  const request: ProbeRequest = {
    run: optionalString(raw, 'run'),
    checkpoint: optionalString(raw, 'checkpoint'),
    critic: optionalString(raw, 'critic'),
    generator: optionalString(raw, 'generator'),
    fake: optionalString(raw, 'fake'),
    real: optionalString(raw, 'real'),
    arch: optionalString(raw, 'arch'),
    stateDict: optionalString(raw, 'stateDict'),
    output: optionalString(raw, 'output'),
    counts,
    seed: raw.seed === undefined ? 0 : nonNegativeInteger(raw.seed, 'seed'),
  };
  if (raw.dataset !== undefined) {
    if (!TOY_DATASET_NAMES.includes(raw.dataset as ToyDatasetName)) {
      throw new Error(
        `Unknown dataset '${String(raw.dataset)}' (expected one of ${TOY_DATASET_NAMES.join(', ')}).`,
      );
    }
    request.dataset = raw.dataset as ToyDatasetName;
  }
  if (raw.batchSize !== undefined)
    request.batchSize = positiveInteger(raw.batchSize, 'batch size', 1 << 20);
  if (raw.target !== undefined) {
    if (typeof raw.target !== 'number' || !(raw.target > 0) || !Number.isFinite(raw.target)) {
      throw new Error(`Invalid target: ${String(raw.target)} (expected a positive number).`);
    }
    request.target = raw.target;
  }
  if (request.run === undefined && request.critic === undefined) {
    throw new Error('Nothing to probe: give a run folder, or a critic file with --critic.');
  }
  if (request.run !== undefined && request.critic !== undefined) {
    throw new Error('Give either a run folder or --critic, not both.');
  }
  if (
    request.critic !== undefined &&
    request.generator === undefined &&
    request.fake === undefined
  ) {
    throw new Error(
      'Probing a critic file needs generated samples: give --generator FILE or --fake FILE.npy.',
    );
  }
  if (request.critic !== undefined && request.real === undefined && request.dataset === undefined) {
    throw new Error(
      'Probing a critic file needs real data: give --real FILE.npy or --dataset NAME.',
    );
  }
  return request;
}
