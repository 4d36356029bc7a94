import path from 'node:path';
import type { ProbeReport } from '../../protocol/report';
import type { Matrix } from '../data/matrix';
import { createDataset, type ModeLayout } from '../data/toy';
import type { Logger } from '../log';
import type { DifferentiableModel } from '../nets/model';
import { Mlp } from '../nets/mlp';
import type { ProgressEvent } from '../train/progress';
import { readCheckpoint, readRunManifest } from '../train/runFolder';
import { resolveFileSources } from './fileSources';
import { sampleDataset, sampleGenerator } from './sampling';
import { DEFAULT_SAMPLE_COUNT, type ProbeRequest } from './request';

/** Everything a probe needs, resolved from a run folder or from files. */
export interface ProbeSources {
  critic: DifferentiableModel;
  real: Matrix;
  generated: Matrix;
  generatedDescription: string;
  modes?: ModeLayout;
  scaleDivisor?: number;
  training: {
    batchSize?: number;
    lambda?: number;
    penalty?: string;
    target?: number;
    optimizer?: { type: string; lr?: number; beta1?: number; beta2?: number };
    sources: Record<string, string>;
  };
  nonFiniteWeights?: { name: string; count: number }[];
  source: ProbeReport['source'];
  history?: ProgressEvent[];
  dispose?: () => void;
}

export async function resolveProbeSources(
  request: ProbeRequest,
  logger: Logger,
): Promise<ProbeSources> {
  if (request.run !== undefined) return resolveRun(request, request.run, logger);
  return resolveFileSources(request, logger);
}

async function resolveRun(
  request: ProbeRequest,
  runDir: string,
  logger: Logger,
): Promise<ProbeSources> {
  const manifest = await readRunManifest(runDir);
  const relative = request.checkpoint ?? manifest.checkpoint;
  if (!relative)
    throw new Error(
      `${path.join(runDir, 'run.json')} lists no checkpoint yet; wait for the first checkpoint.`,
    );
  const state = await readCheckpoint(runDir, manifest, relative);
  const critic = new Mlp(manifest.networks.critic, 'critic', state.critic);
  const generator = new Mlp(manifest.networks.generator, 'generator', state.generator);
  try {
    const dataset = createDataset(manifest.config.dataset);
    const count = Math.max(request.counts.real, DEFAULT_SAMPLE_COUNT);
    const real = sampleDataset(dataset, count, request.seed);
    const generated = sampleGenerator(
      generator,
      Math.max(request.counts.generated, DEFAULT_SAMPLE_COUNT),
      request.seed,
    );
    logger.info(`probing ${runDir} at iteration ${state.iteration} (${relative})`);
    const config = manifest.config;
    return {
      critic,
      real,
      generated,
      generatedDescription: 'generator(z), z ~ N(0, I)',
      modes: dataset.modes,
      scaleDivisor: dataset.scaleDivisor,
      training: {
        batchSize: config.batchSize,
        lambda: config.penalty.lambda,
        penalty: config.penalty.kind,
        target: config.penalty.target,
        optimizer: {
          type: config.criticOptimizer.kind,
          lr: config.criticOptimizer.lr,
          ...(config.criticOptimizer.kind === 'adam'
            ? { beta1: config.criticOptimizer.beta1, beta2: config.criticOptimizer.beta2 }
            : {}),
        },
        sources: {
          batchSize: 'run.json',
          lambda: 'run.json',
          target: 'run.json',
          optimizer: 'run.json',
        },
      },
      source: {
        kind: 'run',
        run: runDir,
        checkpoint: relative,
        iteration: state.iteration,
        dataset: config.dataset.name,
      },
      history: manifest.history,
    };
  } finally {
    generator.dispose();
  }
}
