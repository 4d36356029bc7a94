import { TOY_DATASET_NAMES, type DatasetSpec } from '../data/toy';
import {
  ACTIVATION_NAMES,
  DEFAULT_LEAKY_SLOPE,
  PAPER_TOY_HIDDEN,
  type ActivationSpec,
} from '../nets/spec';
import type { OptimizerConfig } from './optimizers';
import type { PenaltyConfig } from './penalty';

export interface NetworkConfig {
  hidden: number[];
  activation: ActivationSpec;
}

/** Everything that defines a training run; stored whole in run.json. */
export interface TrainConfig {
  dataset: DatasetSpec;
  critic: NetworkConfig;
  generator: NetworkConfig & { latentDim: number };
  penalty: PenaltyConfig;
  /** Weight-clipping bound c for `penalty.kind = 'clip'`. */
  clipValue: number;
  nCritic: number;
  batchSize: number;
  /** Generator iterations to reach; a resumed run continues up to this count. */
  iterations: number;
  criticOptimizer: OptimizerConfig;
  generatorOptimizer: OptimizerConfig;
  seed: number;
  /** Emit a progress event every this many generator iterations. */
  progressEvery: number;
  /** Write a checkpoint every this many generator iterations (and always at the end). */
  checkpointEvery: number;
  /** Checkpoint folders to keep; older ones are deleted. */
  keepCheckpoints: number;
}

const adam = (lr: number, beta1: number, beta2: number): OptimizerConfig => ({
  kind: 'adam',
  lr,
  beta1,
  beta2,
  epsilon: 1e-8,
});

/**
 * The settings of the WGAN-GP authors' toy code (gan_toy.py): λ 0.1, 5 critic steps, batch 256,
 * Adam(1e-4, β1 0.5, β2 0.9), 2→512×3 ReLU networks, 100k generator iterations.
 */
export function paperToyConfig(dataset: DatasetSpec = { name: '8gaussians' }): TrainConfig {
  return {
    dataset,
    critic: { hidden: [...PAPER_TOY_HIDDEN], activation: { name: 'relu' } },
    generator: { hidden: [...PAPER_TOY_HIDDEN], activation: { name: 'relu' }, latentDim: 2 },
    penalty: { kind: 'gp', lambda: 0.1, target: 1 },
    clipValue: 0.01,
    nCritic: 5,
    batchSize: 256,
    iterations: 100_000,
    criticOptimizer: adam(1e-4, 0.5, 0.9),
    generatorOptimizer: adam(1e-4, 0.5, 0.9),
    seed: 1,
    progressEvery: 10,
    checkpointEvery: 1000,
    keepCheckpoints: 5,
  };
}

export const PRESET_NAMES = ['paper-toy', 'paper', 'small', 'tiny', 'wgan-clip'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Named starting points. `paper` uses Algorithm 1's defaults (λ 10, Adam(1e-4, 0, 0.9));
 * `small` is the demo's network (3×128, learning rate 5e-4, so all 8 modes appear within a few
 * minutes on two cores); `tiny` is for tests; `wgan-clip` is the original WGAN's weight-clipping baseline.
 */
export function presetConfig(name: PresetName, dataset?: DatasetSpec): TrainConfig {
  const base = paperToyConfig(dataset);
  switch (name) {
    case 'paper-toy':
      return base;
    case 'paper':
      return {
        ...base,
        penalty: { kind: 'gp', lambda: 10, target: 1 },
        criticOptimizer: adam(1e-4, 0, 0.9),
        generatorOptimizer: adam(1e-4, 0, 0.9),
      };
    case 'small':
      return {
        ...base,
        critic: { hidden: [128, 128, 128], activation: { name: 'relu' } },
        generator: { hidden: [128, 128, 128], activation: { name: 'relu' }, latentDim: 2 },
        iterations: 3000,
        criticOptimizer: adam(5e-4, 0.5, 0.9),
        generatorOptimizer: adam(5e-4, 0.5, 0.9),
        checkpointEvery: 500,
      };
    case 'tiny':
      return {
        ...base,
        critic: { hidden: [16, 16], activation: { name: 'leakyRelu', alpha: DEFAULT_LEAKY_SLOPE } },
        generator: { hidden: [16, 16], activation: { name: 'relu' }, latentDim: 2 },
        batchSize: 32,
        iterations: 20,
        progressEvery: 5,
        checkpointEvery: 10,
      };
    case 'wgan-clip':
      return {
        ...base,
        penalty: { kind: 'clip', lambda: 0, target: 1 },
        criticOptimizer: { kind: 'rmsprop', lr: 5e-5, alpha: 0.99, epsilon: 1e-8 },
        generatorOptimizer: { kind: 'rmsprop', lr: 5e-5, alpha: 0.99, epsilon: 1e-8 },
      };
  }
}

/** Checks a configuration and throws an error naming the first invalid value. */
export function validateTrainConfig(config: TrainConfig): void {
  const positiveInteger = (value: number, name: string, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`Invalid ${name}: ${value} (expected an integer in 1..${max}).`);
    }
  };
  if (!TOY_DATASET_NAMES.includes(config.dataset.name)) {
    throw new Error(
      `Unknown dataset '${config.dataset.name}' (expected one of ${TOY_DATASET_NAMES.join(', ')}).`,
    );
  }
  positiveInteger(config.batchSize, 'batch size', 1 << 16);
  positiveInteger(config.nCritic, 'n_critic', 1000);
  positiveInteger(config.iterations, 'iterations');
  positiveInteger(config.progressEvery, 'progress interval');
  positiveInteger(config.checkpointEvery, 'checkpoint interval');
  positiveInteger(config.keepCheckpoints, 'checkpoints to keep', 10_000);
  positiveInteger(config.generator.latentDim, 'latent dimension', 4096);
  for (const [role, net] of [
    ['critic', config.critic],
    ['generator', config.generator],
  ] as const) {
    if (!ACTIVATION_NAMES.includes(net.activation.name)) {
      throw new Error(
        `Unknown ${role} activation '${net.activation.name}' (expected one of ${ACTIVATION_NAMES.join(', ')}).`,
      );
    }
    for (const width of net.hidden) positiveInteger(width, `${role} width`, 65536);
  }
  const { kind, lambda, target } = config.penalty;
  if (!['gp', 'lp', 'none', 'clip'].includes(kind))
    throw new Error(`Unknown penalty '${kind}' (expected gp, lp, none or clip).`);
  if (!(lambda >= 0) || !Number.isFinite(lambda))
    throw new Error(`Invalid penalty weight λ: ${lambda} (expected a finite number ≥ 0).`);
  if (!(target > 0) || !Number.isFinite(target))
    throw new Error(`Invalid penalty target γ: ${target} (expected a finite number > 0).`);
  if (kind === 'clip' && !(config.clipValue > 0))
    throw new Error(`Invalid clip value: ${config.clipValue} (expected > 0).`);
  for (const [role, opt] of [
    ['critic', config.criticOptimizer],
    ['generator', config.generatorOptimizer],
  ] as const) {
    if (!(opt.lr > 0) || !Number.isFinite(opt.lr))
      throw new Error(`Invalid ${role} learning rate: ${opt.lr}.`);
    if (
      opt.kind === 'adam' &&
      !(opt.beta1 >= 0 && opt.beta1 < 1 && opt.beta2 >= 0 && opt.beta2 < 1)
    ) {
      throw new Error(
        `Invalid ${role} Adam betas (${opt.beta1}, ${opt.beta2}): each must be in [0, 1).`,
      );
    }
  }
}
