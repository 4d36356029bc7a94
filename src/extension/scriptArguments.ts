import { TOY_DATASET_NAMES, type ToyDatasetName } from '../core/data/toy';
import type { ProbeTarget } from './probeService';

/** Arguments that run Train WGAN-GP… without prompts, for scripts and tests. */
export interface TrainArguments {
  dataset: ToyDatasetName;
  preset: string;
  runDir: string;
  iterations?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Reads `{ dataset, preset, runDir, iterations? }`. Returns undefined for anything else (a Uri
 * from a menu, or nothing), and throws on an object that looks like train arguments but is
 * invalid, naming the field.
 */
export function trainArguments(
  argument: unknown,
  presets: readonly string[],
): TrainArguments | undefined {
  if (!isRecord(argument) || !('runDir' in argument) || !('preset' in argument)) return undefined;
  const { dataset = '8gaussians', preset, runDir, iterations } = argument;
  if (!TOY_DATASET_NAMES.includes(dataset as ToyDatasetName)) {
    throw new Error(
      `Invalid dataset '${String(dataset)}' (expected ${TOY_DATASET_NAMES.join(', ')}).`,
    );
  }
  if (!nonEmpty(preset) || !presets.includes(preset)) {
    throw new Error(`Invalid preset '${String(preset)}' (expected ${presets.join(', ')}).`);
  }
  if (!nonEmpty(runDir)) throw new Error('Invalid runDir: expected a folder path.');
  if (iterations !== undefined && !(Number.isInteger(iterations) && (iterations as number) >= 1)) {
    throw new Error(`Invalid iterations '${String(iterations)}' (expected a positive integer).`);
  }
  return {
    dataset: dataset as ToyDatasetName,
    preset,
    runDir,
    ...(iterations !== undefined ? { iterations: iterations as number } : {}),
  };
}

/**
 * Reads a probe target object (`{ kind: 'run', runDir }` or `{ kind: 'files', critic, generator |
 * fake, real | dataset }`). Returns undefined for anything else and throws on an invalid one.
 */
export function probeArguments(argument: unknown): ProbeTarget | undefined {
  if (!isRecord(argument) || (argument.kind !== 'run' && argument.kind !== 'files'))
    return undefined;
  if (argument.kind === 'run') {
    if (!nonEmpty(argument.runDir))
      throw new Error('Invalid probe target: runDir must be a folder path.');
    return {
      kind: 'run',
      runDir: argument.runDir,
      ...(nonEmpty(argument.checkpoint) ? { checkpoint: argument.checkpoint } : {}),
    };
  }
  const { critic, generator, fake, real, dataset } = argument;
  if (!nonEmpty(critic)) throw new Error('Invalid probe target: critic must be a file path.');
  if (!nonEmpty(generator) && !nonEmpty(fake))
    throw new Error('Invalid probe target: give generator or fake.');
  if (!nonEmpty(real) && !nonEmpty(dataset))
    throw new Error('Invalid probe target: give real or dataset.');
  if (nonEmpty(dataset) && !TOY_DATASET_NAMES.includes(dataset as ToyDatasetName)) {
    throw new Error(`Invalid dataset '${dataset}' (expected ${TOY_DATASET_NAMES.join(', ')}).`);
  }
  return {
    kind: 'files',
    critic,
    ...(nonEmpty(generator) ? { generator } : {}),
    ...(nonEmpty(fake) ? { fake } : {}),
    ...(nonEmpty(real) ? { real } : {}),
    ...(nonEmpty(dataset) ? { dataset } : {}),
  };
}
