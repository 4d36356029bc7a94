import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/toy';
import { writeFileAtomic } from '../io/atomic';
import type { MlpSpec } from '../nets/spec';
import { validateTrainConfig, type TrainConfig } from './config';
import type { ProgressEvent } from './progress';

export const RUN_JSON = 'run.json';
export const RUN_FORMAT = 'gan-diagnostics-run';
export const RUN_FORMAT_VERSION = 1;
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** The contents of run.json. */
export interface RunManifest {
  format: typeof RUN_FORMAT;
  formatVersion: number;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  config: TrainConfig;
  dataset: {
    dim: number;
    scale: number;
    scaleDivisor: number;
    modeCount?: number;
    modeStd?: number;
  };
  networks: { critic: MlpSpec; generator: MlpSpec };
  iteration: number;
  /** Folder of the latest checkpoint, relative to the run folder. */
  checkpoint: string;
  checkpoints: { iteration: number; path: string }[];
  backend: string;
  workers: number;
  history: ProgressEvent[];
}

export function datasetSummary(dataset: Dataset): RunManifest['dataset'] {
  return {
    dim: dataset.dim,
    scale: dataset.scale,
    scaleDivisor: dataset.scaleDivisor,
    ...(dataset.modes ? { modeCount: dataset.modes.centers.rows, modeStd: dataset.modes.std } : {}),
  };
}

export async function writeRunManifest(runDir: string, manifest: RunManifest): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_JSON), JSON.stringify(manifest, null, 1));
}

/** Reads and checks run.json; every failure names the file and what to do. */
export async function readRunManifest(runDir: string): Promise<RunManifest> {
  const file = path.join(runDir, RUN_JSON);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(
      `${file} not found: '${runDir}' is not a run folder (train one with 'gan-diagnostics train').`,
    );
  }
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(text) as RunManifest;
  } catch (error) {
    throw new Error(
      `${file} is not valid JSON (${(error as Error).message}); the run folder is corrupt.`,
      { cause: error },
    );
  }
  if (
    manifest?.format !== RUN_FORMAT ||
    typeof manifest.checkpoint !== 'string' ||
    !manifest.config
  ) {
    throw new Error(
      `${file} is not a GAN Diagnostics run manifest (format '${String(manifest?.format)}').`,
    );
  }
  if (manifest.formatVersion > RUN_FORMAT_VERSION) {
    throw new Error(
      `${file} has format version ${manifest.formatVersion}; this version reads up to ${RUN_FORMAT_VERSION}. Update GAN Diagnostics.`,
    );
  }
  if (!Number.isInteger(manifest.iteration) || manifest.iteration < 0) {
    throw new Error(
      `${file}: invalid iteration ${JSON.stringify(manifest.iteration)} (expected an integer ≥ 0); the run folder is corrupt.`,
    );
  }
  try {
    validateTrainConfig(manifest.config);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message} The run folder is corrupt.`, {
      cause: error,
    });
  }
  return manifest;
}
