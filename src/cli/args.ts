import { parseArgs } from 'node:util';

/** A command-line mistake: exit code 2 and a pointer to --help. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export type Command = 'train' | 'probe' | 'inspect' | 'demo' | 'compare';

export type Parsed =
  | { command: 'help'; topic: string }
  | { command: 'version' }
  | {
      command: Command;
      positionals: string[];
      flags: Record<string, string | boolean | undefined>;
    };

const COMMON = {
  backend: { type: 'string' },
  workers: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  train: {
    ...COMMON,
    out: { type: 'string', short: 'o' },
    resume: { type: 'string' },
    dataset: { type: 'string' },
    preset: { type: 'string' },
    iterations: { type: 'string' },
    'batch-size': { type: 'string' },
    'n-critic': { type: 'string' },
    penalty: { type: 'string' },
    lambda: { type: 'string' },
    target: { type: 'string' },
    'clip-value': { type: 'string' },
    lr: { type: 'string' },
    beta1: { type: 'string' },
    beta2: { type: 'string' },
    width: { type: 'string' },
    depth: { type: 'string' },
    activation: { type: 'string' },
    'leaky-slope': { type: 'string' },
    seed: { type: 'string' },
    'progress-every': { type: 'string' },
    'checkpoint-every': { type: 'string' },
    'keep-checkpoints': { type: 'string' },
  },
  probe: {
    ...COMMON,
    json: { type: 'string' },
    markdown: { type: 'boolean' },
    critic: { type: 'string' },
    generator: { type: 'string' },
    fake: { type: 'string' },
    real: { type: 'string' },
    dataset: { type: 'string' },
    arch: { type: 'string' },
    'state-dict': { type: 'string' },
    checkpoint: { type: 'string' },
    'batch-size': { type: 'string' },
    target: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'all-checkpoints': { type: 'boolean' },
  },
  inspect: { ...COMMON },
  compare: { ...COMMON },
  demo: { ...COMMON, out: { type: 'string', short: 'o' }, iterations: { type: 'string' } },
} as const;

/** Parses argv (without node and the script) into a command, its positionals and flags. */
export function parseCommandLine(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return { command: 'help', topic: rest[0] ?? 'main' };
  }
  if (command === '--version' || command === '-v') return { command: 'version' };
  if (!(command in OPTIONS))
    throw new CliUsageError(
      `Unknown command '${command}' (expected ${Object.keys(OPTIONS).join(', ')}).`,
    );
  const name = command as Command;
  // `--json` alone prints JSON to stdout; `--json FILE` (probe) also writes the report there.
  const args = name === 'probe' ? normaliseJsonFlag(rest) : rest;
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS[name], allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (parsed.values.help) return { command: 'help', topic: name };
  return {
    command: name,
    positionals: parsed.positionals,
    flags: parsed.values as Record<string, string | boolean | undefined>,
  };
}

function normaliseJsonFlag(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-') && next.toLowerCase().endsWith('.json')) {
        out.push(`--json=${next}`);
        i++;
      } else {
        out.push('--json=-');
      }
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** Parses a numeric flag, or returns undefined when it is absent. */
export function numberFlag(
  flags: Record<string, string | boolean | undefined>,
  name: string,
  integer = false,
): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new CliUsageError(
      `Invalid --${name} '${String(raw)}' (expected ${integer ? 'an integer' : 'a number'}).`,
    );
  }
  return value;
}

const BACKEND_HELP = `  --backend NAME          compute backend: auto (default), node-gpu, node, wasm or cpu
  --workers N             worker threads for training and probing on wasm/cpu (default: up to 2)
  --verbose               log debug messages to stderr
`;

export const HELP: Record<string, string> = {
  main: `gan-diagnostics: train WGAN-GP models and probe their critics

Usage:
  gan-diagnostics train [options]            train a WGAN on a toy dataset into a run folder
  gan-diagnostics probe RUN_FOLDER [options]  probe a run's critic and write report.json
  gan-diagnostics probe --critic FILE (--generator FILE | --fake FILE.npy) (--real FILE.npy | --dataset NAME)
  gan-diagnostics inspect FILE               describe a checkpoint file or run folder
  gan-diagnostics compare A B                what changed between two reports (or run folders)
  gan-diagnostics demo                       train on 8 Gaussians, probe, print the summary

Run 'gan-diagnostics COMMAND --help' for a command's options. Exit code 0 on success, 1 when the
command failed, 2 for a usage error.
`,
  train: `gan-diagnostics train [options]

  -o, --out DIR           run folder to create (default: runs/<dataset>-<time>)
  --resume DIR            continue the run in DIR (up to --iterations if given)
  --dataset NAME          8gaussians (default), 25gaussians, swissroll, circle
  --preset NAME           paper-toy (default: the WGAN-GP toy code's settings), paper (λ 10,
                          Adam β1 0), small (3×128, lr 5e-4), tiny, wgan-clip (weight clipping)
  --iterations N          generator iterations
  --batch-size N          samples per batch (toy code: 256)
  --n-critic N            critic steps per generator step (5)
  --penalty KIND          gp (two-sided), lp (one-sided), none, clip
  --lambda X              penalty weight λ
  --target X              penalty target γ (1 unless the data were rescaled)
  --clip-value C          weight-clipping bound for --penalty clip (0.01)
  --lr X, --beta1 X, --beta2 X   Adam settings for both networks
  --width N, --depth N    hidden layer width and count for both networks
  --activation NAME       relu, leakyRelu, tanh, sigmoid, elu (critic)
  --leaky-slope X         LeakyReLU negative slope (0.2)
  --seed N                random seed (same seed, backend and --workers: identical weights)
  --progress-every N      progress event interval, in iterations
  --checkpoint-every N    checkpoint interval, in iterations
  --keep-checkpoints N    checkpoint folders to keep (older ones are deleted; default 5)
  --json                  print the result as JSON on stdout
${BACKEND_HELP}`,
  probe: `gan-diagnostics probe RUN_FOLDER [options]
gan-diagnostics probe --critic FILE (--generator FILE | --fake FILE) (--real FILE | --dataset NAME) [options]

  --critic FILE           critic checkpoint: .onnx, .pt/.pth, .safetensors
  --generator FILE        generator checkpoint (sampled with z ~ N(0, I))
  --fake FILE             generated samples, .npy or .csv [N, D]
  --real FILE             real samples, .npy or .csv [N, D]
  --dataset NAME          real data from a toy dataset (also enables mode metrics)
  --arch FILE             architecture description for state_dict files
  --state-dict PATH       key path of the critic's state_dict in a checkpoint that holds several
  --checkpoint PATH       checkpoint of the run to probe (default: latest)
  --batch-size N          the training batch size B (for the whole-batch-norm finding)
  --target X              penalty target γ (default: the run's, else 1)
  --count N               points per probe set (default 2000)
  --seed N                seed of the probe sets (default 0)
  -o, --out FILE          where to write report.json (default: RUN_FOLDER/report.json)
  --json [FILE]           print the report as JSON (and write it to FILE if given)
  --markdown              print the report as Markdown instead of the summary
  --all-checkpoints       probe every checkpoint of the run: a report in each checkpoint folder
                          and RUN_FOLDER/series.json with the time series (and mode hopping)
${BACKEND_HELP}`,
  compare: `gan-diagnostics compare A B

A and B are report.json files or run folders (their report.json). Prints the key numbers side by
side with their ratio, and the findings added, removed and kept.
  --json                  print the comparison as JSON
`,
  inspect: `gan-diagnostics inspect FILE

Prints what FILE is (run folder, .onnx, .pt/.pth, .safetensors), its layers, shapes, parameter
counts, per-layer weight statistics and spectral norms. Nothing in the file is executed.
  --json                  print as JSON
${BACKEND_HELP}`,
  demo: `gan-diagnostics demo [options]

Trains the 'small' preset on 8 Gaussians, then probes the result and prints the summary.
  -o, --out DIR           run folder (default: runs/demo-<time>)
  --iterations N          generator iterations (default: the preset's)
${BACKEND_HELP}`,
};
