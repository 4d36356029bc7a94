import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDataset } from '../core/data/toy';
import { parameterCount } from '../core/nets/spec';
import type { TrainConfig } from '../core/train/config';
import { RUN_JSON, type RunManifest } from '../core/train/runManifest';
import { networkSpecs } from '../core/train/networks';
import type { Job } from '../protocol/worker';
import { GATHER_CHUNK } from '../core/train/collective';

/** Scalars reduced with each gradient: critic loss, Wasserstein estimate, penalty. */
const REDUCED_SCALARS = 3;

/** Float32 values one rank may contribute to a reduction during this training job. */
export function collectiveCapacity(job: Job): number {
  if (job.kind === 'probe') return GATHER_CHUNK;
  if (job.kind !== 'train') return 0;
  const config = job.config ?? readStoredConfig(job.runDir);
  const specs = networkSpecs(config, createDataset(config.dataset));
  return (
    Math.max(parameterCount(specs.critic), parameterCount(specs.generator), config.batchSize) +
    REDUCED_SCALARS
  );
}

function readStoredConfig(runDir: string): TrainConfig {
  try {
    return (JSON.parse(readFileSync(path.join(runDir, RUN_JSON), 'utf8')) as RunManifest).config;
  } catch (error) {
    throw new Error(
      `Cannot resume: ${path.join(runDir, RUN_JSON)} is missing or corrupt (${(error as Error).message}).`,
      { cause: error },
    );
  }
}
