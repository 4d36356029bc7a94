import path from 'node:path';
import type { ProbeReport } from '../protocol/report';
import { TOY_DATASET_NAMES, type ToyDatasetName } from '../core/data/toy';
import type { Logger } from '../core/log';
import { ACTIVATION_NAMES, type ActivationSpec, DEFAULT_LEAKY_SLOPE } from '../core/nets/mlp';
import { renderMarkdown } from '../core/report/markdown';
import {
  PRESET_NAMES,
  presetConfig,
  type PresetName,
  type TrainConfig,
} from '../core/train/config';
import type { PenaltyKind } from '../core/train/penalty';
import type { JobRunner } from '../worker/runner';
import { CliUsageError, numberFlag, type Parsed } from './args';
import { writeFileAtomic } from '../core/io/atomic';
import { buildSeries } from '../core/report/series';
import { readRunManifest } from '../core/train/runFolder';
import { ProgressPrinter } from './progress';
import { renderSummary } from './summary';

type CommandArgs = Extract<Parsed, { positionals: string[] }>;

const timestamp = () =>
  new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');

/** Builds a training configuration from a preset and the command's flags. */
export function configFromFlags(flags: CommandArgs['flags']): TrainConfig {
  const datasetName = (flags.dataset as string | undefined) ?? '8gaussians';
  if (!TOY_DATASET_NAMES.includes(datasetName as ToyDatasetName)) {
    throw new CliUsageError(
      `Unknown --dataset '${datasetName}' (expected ${TOY_DATASET_NAMES.join(', ')}).`,
    );
  }
  const presetName = (flags.preset as string | undefined) ?? 'paper-toy';
  if (!PRESET_NAMES.includes(presetName as PresetName)) {
    throw new CliUsageError(
      `Unknown --preset '${presetName}' (expected ${PRESET_NAMES.join(', ')}).`,
    );
  }
  const config = presetConfig(presetName as PresetName, { name: datasetName as ToyDatasetName });
  const int = (name: string) => numberFlag(flags, name, true);
  const num = (name: string) => numberFlag(flags, name);
  config.iterations = int('iterations') ?? config.iterations;
  config.batchSize = int('batch-size') ?? config.batchSize;
  config.nCritic = int('n-critic') ?? config.nCritic;
  config.seed = int('seed') ?? config.seed;
  config.progressEvery = int('progress-every') ?? config.progressEvery;
  config.checkpointEvery = int('checkpoint-every') ?? config.checkpointEvery;
  config.keepCheckpoints = int('keep-checkpoints') ?? config.keepCheckpoints;
  config.clipValue = num('clip-value') ?? config.clipValue;
  if (flags.penalty !== undefined) {
    if (!['gp', 'lp', 'none', 'clip'].includes(flags.penalty as string)) {
      throw new CliUsageError(
        `Invalid --penalty '${String(flags.penalty)}' (expected gp, lp, none or clip).`,
      );
    }
    config.penalty = { ...config.penalty, kind: flags.penalty as PenaltyKind };
  }
  config.penalty = {
    ...config.penalty,
    lambda: num('lambda') ?? config.penalty.lambda,
    target: num('target') ?? config.penalty.target,
  };
  for (const key of ['criticOptimizer', 'generatorOptimizer'] as const) {
    const opt = { ...config[key] };
    opt.lr = num('lr') ?? opt.lr;
    if (opt.kind === 'adam') {
      opt.beta1 = num('beta1') ?? opt.beta1;
      opt.beta2 = num('beta2') ?? opt.beta2;
    }
    config[key] = opt;
  }
  const width = int('width');
  const depth = int('depth');
  if (width !== undefined || depth !== undefined) {
    const hidden = Array.from(
      { length: depth ?? config.critic.hidden.length },
      () => width ?? config.critic.hidden[0],
    );
    config.critic = { ...config.critic, hidden };
    config.generator = { ...config.generator, hidden: [...hidden] };
  }
  if (flags.activation !== undefined)
    config.critic = { ...config.critic, activation: activationFromFlags(flags) };
  return config;
}

function activationFromFlags(flags: CommandArgs['flags']): ActivationSpec {
  const name = flags.activation as string;
  if (!ACTIVATION_NAMES.includes(name as ActivationSpec['name'])) {
    throw new CliUsageError(
      `Invalid --activation '${name}' (expected ${ACTIVATION_NAMES.join(', ')}).`,
    );
  }
  if (name === 'leakyRelu')
    return { name, alpha: numberFlag(flags, 'leaky-slope') ?? DEFAULT_LEAKY_SLOPE };
  return { name } as ActivationSpec;
}

function describeConfig(config: TrainConfig): string {
  const net = (hidden: number[]) => hidden.join('×') || 'linear';
  return `${config.dataset.name}: critic ${net(config.critic.hidden)} ${config.critic.activation.name}, generator ${net(config.generator.hidden)}, ${config.penalty.kind} λ=${config.penalty.lambda}, batch ${config.batchSize}, n_critic ${config.nCritic}, ${config.iterations} iterations, seed ${config.seed}`;
}

export async function runTrain(
  args: CommandArgs,
  runner: JobRunner,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const { flags } = args;
  const resume = flags.resume as string | undefined;
  if (resume !== undefined) rejectSettingsOnResume(flags);
  const config = resume === undefined ? configFromFlags(flags) : undefined;
  const runDir = path.resolve(
    resume ??
      (flags.out as string | undefined) ??
      path.join('runs', `${config?.dataset.name}-${timestamp()}`),
  );
  if (config) logger.info(`training ${describeConfig(config)} into ${runDir}`);
  const result = await trainWithProgress(
    runner,
    runDir,
    config,
    resume ? numberFlag(flags, 'iterations', true) : undefined,
    signal,
  );
  if (flags.json) process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  else
    process.stdout.write(
      `${result.status === 'completed' ? 'Trained' : 'Stopped'} at iteration ${String(result.iteration)}: ${runDir}\n`,
    );
  return 0;
}

/** Flags that `train --resume` honours; run.json fixes every other setting of the run. */
const RESUME_FLAGS = new Set(['resume', 'iterations', 'json', 'backend', 'workers', 'verbose']);

function rejectSettingsOnResume(flags: CommandArgs['flags']): void {
  const ignored = Object.keys(flags).filter(
    (name) => flags[name] !== undefined && !RESUME_FLAGS.has(name),
  );
  if (ignored.length > 0) {
    throw new CliUsageError(
      `--resume keeps the settings in run.json, so ${ignored.map((name) => `--${name}`).join(', ')} cannot be applied; drop them, or train a new run without --resume.`,
    );
  }
}

async function trainWithProgress(
  runner: JobRunner,
  runDir: string,
  config: TrainConfig | undefined,
  iterations: number | undefined,
  signal: AbortSignal,
) {
  const printer = new ProgressPrinter(process.stderr);
  try {
    return await runner.run(
      { kind: 'train', runDir, config, iterations },
      { signal, onProgress: (event) => printer.update(event) },
    );
  } finally {
    printer.finish();
  }
}

export async function runProbe(
  args: CommandArgs,
  runner: JobRunner,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const { flags, positionals } = args;
  if (positionals.length > 1)
    throw new CliUsageError(`Expected one run folder, got ${positionals.length} arguments.`);
  const run = positionals[0];
  const count = numberFlag(flags, 'count', true);
  const jsonFile =
    flags.json !== undefined && flags.json !== '-' ? (flags.json as string) : undefined;
  const output =
    (flags.out as string | undefined) ??
    jsonFile ??
    (run !== undefined ? path.join(run, 'report.json') : undefined);
  const request: Record<string, unknown> = {
    ...(run !== undefined ? { run: path.resolve(run) } : {}),
    ...pick(flags, ['critic', 'generator', 'fake', 'real', 'dataset', 'arch', 'checkpoint']),
    ...(typeof flags['state-dict'] === 'string' ? { stateDict: flags['state-dict'] } : {}),
    ...(count !== undefined
      ? {
          counts: {
            interpolates: count,
            real: count,
            generated: count,
            offManifold: count,
            uniform: count,
          },
        }
      : {}),
    ...(numberFlag(flags, 'seed', true) !== undefined
      ? { seed: numberFlag(flags, 'seed', true) }
      : {}),
    ...(numberFlag(flags, 'batch-size', true) !== undefined
      ? { batchSize: numberFlag(flags, 'batch-size', true) }
      : {}),
    ...(numberFlag(flags, 'target') !== undefined ? { target: numberFlag(flags, 'target') } : {}),
    ...(output !== undefined ? { output: path.resolve(output) } : {}),
  };
  if (flags['all-checkpoints']) {
    if (run === undefined) throw new CliUsageError('--all-checkpoints needs a run folder.');
    return probeSeries(path.resolve(run), request, runner, signal, flags.json !== undefined);
  }
  const result = await runner.run({ kind: 'probe', request }, { signal });
  const report = result.report as unknown as ProbeReport;
  if (flags.json !== undefined) process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  else if (flags.markdown) process.stdout.write(renderMarkdown(report));
  else process.stdout.write(renderSummary(report));
  if (result.reportPath) logger.info(`report: ${String(result.reportPath)}`);
  return 0;
}

function pick(flags: CommandArgs['flags'], names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names)
    if (typeof flags[name] === 'string')
      out[name] =
        path.isAbsolute(flags[name] as string) || name === 'dataset' || name === 'checkpoint'
          ? (flags[name] as string)
          : path.resolve(flags[name] as string);
  return out;
}

export async function runInspect(args: CommandArgs, runner: JobRunner): Promise<number> {
  if (args.positionals.length !== 1)
    throw new CliUsageError('Expected one file or run folder to inspect.');
  const summary = await runner.run({ kind: 'inspect', file: path.resolve(args.positionals[0]) });
  if (args.flags.json) {
    process.stdout.write(JSON.stringify(summary, null, 1) + '\n');
    return 0;
  }
  const { renderInspection } = await import('./summary');
  process.stdout.write(renderInspection(summary));
  return 0;
}

export async function runDemo(
  args: CommandArgs,
  runner: JobRunner,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const config = presetConfig('small', { name: '8gaussians' });
  config.iterations = numberFlag(args.flags, 'iterations', true) ?? config.iterations;
  const runDir = path.resolve(
    (args.flags.out as string | undefined) ?? path.join('runs', `demo-${timestamp()}`),
  );
  const backend = await runner.start();
  process.stdout.write(
    `GAN Diagnostics demo: WGAN-GP on 8 Gaussians on the ${backend.name} backend\n${describeConfig(config)}\n`,
  );
  const started = Date.now();
  const result = await trainWithProgress(runner, runDir, config, undefined, signal);
  process.stdout.write(
    `Trained ${String(result.iteration)} iterations in ${((Date.now() - started) / 1000).toFixed(0)} s: ${runDir}\n\n`,
  );
  const probe = await runner.run(
    { kind: 'probe', request: { run: runDir, output: path.join(runDir, 'report.json') } },
    { signal },
  );
  process.stdout.write(renderSummary(probe.report as unknown as ProbeReport));
  logger.info(`report: ${path.join(runDir, 'report.json')}`);
  return 0;
}

/** Probes every checkpoint of a run, writing a report into each and the series into series.json. */
async function probeSeries(
  runDir: string,
  request: Record<string, unknown>,
  runner: JobRunner,
  signal: AbortSignal,
  json: boolean,
): Promise<number> {
  const manifest = await readRunManifest(runDir);
  const reports: ProbeReport[] = [];
  for (const checkpoint of manifest.checkpoints) {
    const output = path.join(runDir, checkpoint.path, 'report.json');
    const result = await runner.run(
      { kind: 'probe', request: { ...request, checkpoint: checkpoint.path, output } },
      { signal },
    );
    reports.push(result.report as unknown as ProbeReport);
    process.stderr.write(`probed ${checkpoint.path}\n`);
  }
  const series = buildSeries(runDir, reports);
  await writeFileAtomic(path.join(runDir, 'series.json'), JSON.stringify(series, null, 1));
  if (json) {
    process.stdout.write(JSON.stringify(series, null, 1) + '\n');
    return 0;
  }
  process.stdout.write('iteration  ‖∇D(x̂)‖  W estimate  modes  findings\n');
  for (const p of series.points) {
    process.stdout.write(
      `${String(p.iteration).padStart(9)}  ${(p.interpolatesMedian ?? NaN).toPrecision(3).padStart(7)}  ${p.wasserstein.toPrecision(3).padStart(10)}  ${String(p.modesCaptured ?? '-').padStart(5)}  ${p.findings.join(', ')}\n`,
    );
  }
  for (const f of series.findings) process.stdout.write(`[${f.severity}] ${f.id}: ${f.message}\n`);
  return 0;
}
