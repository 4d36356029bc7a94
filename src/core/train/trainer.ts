import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { createDataset, type Dataset, type SamplerState } from '../data/toy';
import { findNonFinite } from '../data/matrix';
import type { Logger } from '../log';
import { heUniformWeights, Mlp, validateMlpSpec } from '../nets/mlp';
import { Rng } from '../rng';
import { SINGLE_PROCESS, type Collective } from './collective';
import { validateTrainConfig, type TrainConfig } from './config';
import { clipWeights, Optimizer } from './optimizers';
import { normQuantiles, type ProgressEvent } from './progress';
import {
  datasetSummary,
  readCheckpoint,
  readRunManifest,
  writeCheckpoint,
  writeRunManifest,
  type RunManifest,
  type RunStatus,
} from './runFolder';
import { networkSpecs } from './networks';
import { criticGradients, gatherRows, generatorGradients, shardRange } from './step';

export { networkSpecs } from './networks';

export interface TrainOptions {
  runDir: string;
  /** A new run's configuration; omitted to resume the run in `runDir`. */
  config?: TrainConfig;
  /** When resuming, a new target iteration count (defaults to the stored one). */
  iterations?: number;
  signal?: { readonly aborted: boolean };
  onProgress?: (event: ProgressEvent) => void;
  /** Called on rank 0 after each checkpoint is written. */
  onCheckpoint?: (iteration: number, relativePath: string) => void;
  /** Counts modes captured by generated samples, for datasets with known modes. */
  countModes?: (samples: Float32Array, dataset: Dataset) => number;
  collective?: Collective;
  backend: string;
  logger: Logger;
}

export interface TrainResult {
  status: Extract<RunStatus, 'completed' | 'cancelled'>;
  iteration: number;
  runDir: string;
  checkpoint: string;
}

/** Mutable state of a run between iterations. */
interface RunState {
  manifest: RunManifest;
  dataset: Dataset;
  critic: Mlp;
  generator: Mlp;
  criticOptimizer: Optimizer;
  generatorOptimizer: Optimizer;
  rng: Rng;
  sampler: SamplerState;
  iteration: number;
}

/**
 * Trains a WGAN (critic steps, then one generator step, per iteration: Algorithm 1 of
 * Gulrajani et al. 2017) and writes checkpoints into `runDir`. With a collective of several
 * ranks, each rank runs this same function on its share of every batch; rank 0 writes files and
 * reports progress. Cancellation stops at the next iteration boundary and writes a checkpoint.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const collective = options.collective ?? SINGLE_PROCESS;
  const runState = options.config
    ? await startRun(options, options.config, collective)
    : await resumeRun(options);
  const { manifest } = runState;
  const target = options.iterations ?? manifest.config.iterations;
  if (target < runState.iteration) {
    disposeRunState(runState);
    throw new Error(
      `The run in '${options.runDir}' is already at iteration ${runState.iteration}; ask for ${runState.iteration} or more iterations.`,
    );
  }
  runState.manifest = {
    ...manifest,
    config: { ...manifest.config, iterations: target },
    status: 'running',
  };
  const log = collective.rank === 0 ? options.logger : undefined;
  log?.info(
    `training ${options.runDir}: iteration ${runState.iteration} of ${target} on ${options.backend} × ${collective.size}`,
  );
  try {
    const status = await runLoop(runState, options, collective, target);
    if (collective.rank === 0) {
      runState.manifest = { ...runState.manifest, status };
      runState.manifest = await saveCheckpoint(runState, options.runDir);
      options.onCheckpoint?.(runState.iteration, runState.manifest.checkpoint);
    }
    log?.info(`training ${status} at iteration ${runState.iteration}`);
    return {
      status,
      iteration: runState.iteration,
      runDir: options.runDir,
      checkpoint: runState.manifest.checkpoint,
    };
  } catch (error) {
    if (collective.rank === 0) await markFailed(runState, options.runDir, options.logger);
    throw error;
  } finally {
    disposeRunState(runState);
  }
}

async function runLoop(
  runState: RunState,
  options: TrainOptions,
  collective: Collective,
  target: number,
): Promise<'completed' | 'cancelled'> {
  const config = runState.manifest.config;
  let intervalStart = Date.now();
  let intervalIterations = 0;
  while (runState.iteration < target) {
    // Let the worker's event loop deliver a cancel message before the next synchronous step.
    await new Promise((resolve) => setImmediate(resolve));
    if (agreeToStop(options.signal?.aborted === true, collective)) return 'cancelled';

    const metrics = runIteration(runState, collective);
    runState.iteration += 1;
    intervalIterations += 1;

    const last = runState.iteration === target;
    if (runState.iteration % config.progressEvery === 0 || last) {
      const event = progressEvent(
        runState,
        metrics,
        target,
        (Date.now() - intervalStart) / intervalIterations,
        options,
        collective.rank === 0,
      );
      intervalStart = Date.now();
      intervalIterations = 0;
      if (collective.rank === 0) {
        runState.manifest.history.push(event);
        options.onProgress?.(event);
      }
      if (!Number.isFinite(event.criticLoss)) {
        throw new Error(
          `The critic loss became ${event.criticLoss} at iteration ${runState.iteration}; lower the learning rate.`,
        );
      }
    }
    if (runState.iteration % config.checkpointEvery === 0 && !last && collective.rank === 0) {
      runState.manifest = await saveCheckpoint(runState, options.runDir);
      options.onCheckpoint?.(runState.iteration, runState.manifest.checkpoint);
    }
  }
  return 'completed';
}

/** Decides whether to stop, alike on every rank: a stop request on any rank stops all of them at the same iteration. */
function agreeToStop(localStop: boolean, collective: Collective): boolean {
  if (collective.size === 1) return localStop;
  const flag = new Float32Array([localStop ? 1 : 0]);
  collective.allReduceSum(flag);
  return flag[0] > 0;
}

interface IterationMetrics {
  criticLoss: number;
  wasserstein: number;
  penalty: number;
  norms: Float32Array;
  generatorLoss: number;
}

function runIteration(runState: RunState, collective: Collective): IterationMetrics {
  const config = runState.manifest.config;
  const batch = config.batchSize;
  const [start, end] = shardRange(batch, collective);
  const rows = end - start;
  const dim = runState.dataset.dim;
  const latentDim = config.generator.latentDim;
  let last: IterationMetrics | undefined;

  for (let step = 0; step < config.nCritic; step++) {
    // Every rank draws the whole batch, so all generators stay in step; each keeps its rows.
    const real = runState.dataset.sample(batch, runState.rng, runState.sampler);
    const latent = runState.rng.normals(batch * latentDim);
    const epsilon = runState.rng.uniforms(batch);
    const input = {
      real: tf.tensor2d(real.data.subarray(start * dim, end * dim), [rows, dim]),
      fake: tf.tidy(() =>
        runState.generator.apply(
          tf.tensor2d(latent.subarray(start * latentDim, end * latentDim), [rows, latentDim]),
        ),
      ),
      epsilon: tf.tensor1d(epsilon.subarray(start, end)) as Tensor1D,
      batchSize: batch,
    };
    const { gradients, metrics } = criticGradients(
      runState.critic,
      input,
      config.penalty,
      collective,
    );
    runState.criticOptimizer.apply(gradients);
    tf.dispose([input.real, input.fake, input.epsilon]);
    if (config.penalty.kind === 'clip') clipWeights(runState.critic.variables, config.clipValue);
    last = {
      ...metrics,
      norms:
        step === config.nCritic - 1 ? gatherRows(metrics.norms, batch, collective) : metrics.norms,
      generatorLoss: 0,
    };
  }

  const latent = runState.rng.normals(batch * latentDim);
  const latentRows: Tensor = tf.tensor2d(latent.subarray(start * latentDim, end * latentDim), [
    rows,
    latentDim,
  ]);
  const { gradients, loss } = generatorGradients(
    runState.critic,
    runState.generator,
    latentRows,
    batch,
    collective,
  );
  runState.generatorOptimizer.apply(gradients);
  latentRows.dispose();
  return { ...(last as IterationMetrics), generatorLoss: loss };
}

/** Number of generated samples used to count captured modes in a progress event. */
const MODE_COUNT_SAMPLES = 1000;

function progressEvent(
  runState: RunState,
  metrics: IterationMetrics,
  target: number,
  msPerIteration: number,
  options: TrainOptions,
  reporting: boolean,
): ProgressEvent {
  const event: ProgressEvent = {
    iteration: runState.iteration,
    iterations: target,
    criticLoss: metrics.criticLoss,
    generatorLoss: metrics.generatorLoss,
    wasserstein: metrics.wasserstein,
    penalty: metrics.penalty,
    gradNorm: normQuantiles(metrics.norms),
    msPerIteration,
  };
  // Only the reporting rank publishes the event, so only it spends time counting modes.
  if (reporting && options.countModes && runState.dataset.modes) {
    // A separate seeded stream, so that counting modes never changes the training draws.
    const rng = new Rng(runState.iteration);
    const z = rng.normals(MODE_COUNT_SAMPLES * runState.manifest.config.generator.latentDim);
    const generated = tf.tidy(() =>
      runState.generator.apply(
        tf.tensor2d(z, [MODE_COUNT_SAMPLES, runState.manifest.config.generator.latentDim]),
      ),
    );
    const samples = generated.dataSync() as Float32Array;
    generated.dispose();
    event.modesCaptured = options.countModes(samples, runState.dataset);
  }
  return event;
}

async function startRun(
  options: TrainOptions,
  config: TrainConfig,
  collective: Collective,
): Promise<RunState> {
  validateTrainConfig(config);
  const dataset = createDataset(config.dataset);
  const networks = networkSpecs(config, dataset);
  validateMlpSpec(networks.critic, 'critic');
  validateMlpSpec(networks.generator, 'generator');
  if (collective.rank === 0) await ensureEmptyRunDir(options.runDir);
  const rng = new Rng(config.seed);
  const criticWeights = heUniformWeights(networks.critic, rng);
  const generatorWeights = heUniformWeights(networks.generator, rng);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    format: 'gan-diagnostics-run',
    formatVersion: 1,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    config,
    dataset: datasetSummary(dataset),
    networks,
    iteration: 0,
    checkpoint: '',
    checkpoints: [],
    backend: options.backend,
    workers: collective.size,
    history: [],
  };
  return buildSession(manifest, dataset, rng, { cursor: 0 }, 0, criticWeights, generatorWeights);
}

async function ensureEmptyRunDir(runDir: string): Promise<void> {
  const entries = await fs.readdir(runDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    if (error.code === 'ENOTDIR') {
      throw new Error(
        `Output folder '${runDir}' is a file or lies under one; choose a folder path with --out.`,
        { cause: error },
      );
    }
    throw error;
  });
  if (entries.length > 0) {
    throw new Error(
      `Output folder '${runDir}' is not empty; choose a new folder, or resume the run in it with --resume.`,
    );
  }
  await fs.mkdir(runDir, { recursive: true });
}

async function resumeRun(options: TrainOptions): Promise<RunState> {
  const manifest = await readRunManifest(options.runDir);
  const state = await readCheckpoint(options.runDir, manifest);
  const dataset = createDataset(manifest.config.dataset);
  const runState = buildSession(
    manifest,
    dataset,
    Rng.fromState(state.rng),
    state.sampler,
    state.iteration,
    state.critic,
    state.generator,
  );
  runState.criticOptimizer.restore(state.criticOptimizer);
  runState.generatorOptimizer.restore(state.generatorOptimizer);
  return runState;
}

function buildSession(
  manifest: RunManifest,
  dataset: Dataset,
  rng: Rng,
  sampler: SamplerState,
  iteration: number,
  criticWeights: Float32Array[],
  generatorWeights: Float32Array[],
): RunState {
  const critic = new Mlp(manifest.networks.critic, 'critic', criticWeights);
  const generator = new Mlp(manifest.networks.generator, 'generator', generatorWeights);
  return {
    manifest,
    dataset,
    critic,
    generator,
    criticOptimizer: new Optimizer(manifest.config.criticOptimizer, critic.variables),
    generatorOptimizer: new Optimizer(manifest.config.generatorOptimizer, generator.variables),
    rng,
    sampler: { ...sampler },
    iteration,
  };
}

async function saveCheckpoint(runState: RunState, runDir: string): Promise<RunManifest> {
  const critic = runState.critic.weights();
  for (const [i, w] of critic.entries()) {
    if (findNonFinite({ rows: 1, cols: w.length, data: w })) {
      throw new Error(
        `Critic weight tensor ${i} is not finite at iteration ${runState.iteration}; the run diverged.`,
      );
    }
  }
  return writeCheckpoint(runDir, runState.manifest, {
    iteration: runState.iteration,
    rng: runState.rng.state(),
    sampler: { ...runState.sampler },
    critic,
    generator: runState.generator.weights(),
    criticOptimizer: runState.criticOptimizer.state(),
    generatorOptimizer: runState.generatorOptimizer.state(),
  });
}

/** Records a failed run in run.json, keeping the last good checkpoint it points to. */
async function markFailed(runState: RunState, runDir: string, logger: Logger): Promise<void> {
  try {
    await writeRunManifest(runDir, {
      ...runState.manifest,
      status: 'failed',
      updatedAt: new Date().toISOString(),
    });
  } catch (error) {
    logger.error(`could not record the failure in ${runDir}`, error);
  }
}

function disposeRunState(runState: RunState): void {
  runState.critic.dispose();
  runState.generator.dispose();
}
