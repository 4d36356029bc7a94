// Benchmark: GAN Diagnostics against a PyTorch script of the same protocols, side by side.
// Each round runs every implementation once, in turn, so machine noise hits them alike; the
// table reports medians over rounds and the ratio to well-configured PyTorch.
//
//   npm run bench                 (BENCH_ROUNDS=3 BENCH_ITERATIONS=8 by default)
//   BENCH_BACKENDS=wasm,cpu npm run bench
//
// Needs Debian's python3-torch and libopenblas0-pthread for the reference (run with
// /usr/bin/python3): without OpenBLAS, torch falls back to the reference BLAS, 30 times slower.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 8);
const backends = (process.env.BENCH_BACKENDS ?? 'wasm').split(',');
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

function pytorch(threads) {
  const out = execFileSync(
    python,
    [
      path.join(root, 'bench', 'pytorch_reference.py'),
      '--threads',
      String(threads),
      '--iterations',
      String(iterations),
    ],
    {
      // torch.set_num_threads does not bound OpenBLAS's own thread pool, so set its size here.
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(threads) },
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/** ms per generator iteration of the toy protocol through the CLI, warm-up iterations excluded. */
function oursTrain(backend, workers) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gan-bench-'));
  try {
    const args = [
      path.join(root, 'dist', 'cli.js'),
      'train',
      '--preset',
      'paper-toy',
      '--iterations',
      String(iterations + 2),
      '--progress-every',
      '1',
      '--checkpoint-every',
      '1000000',
      '--backend',
      backend,
      '--workers',
      String(workers),
      '--out',
      path.join(dir, 'run'),
    ];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`training on ${backend} failed: ${run.stderr}`);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'run', 'run.json'), 'utf8'));
    return median(manifest.history.slice(2).map((event) => event.msPerIteration));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function oursProbe(backend, workers) {
  const run = spawnSync(
    process.execPath,
    ['--require', 'tsx/cjs', path.join(root, 'bench', 'probe.ts'), backend, '5', String(workers)],
    { encoding: 'utf8', cwd: root },
  );
  if (run.status !== 0) throw new Error(`probe benchmark on ${backend} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const samples = { torch: [], torch1: [] };
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}\n`);
  samples.torch.push(pytorch(2));
  samples.torch1.push(pytorch(1));
  for (const backend of backends) {
    for (const workers of [1, 2]) {
      const key = `${backend}×${workers}`;
      samples[key] ??= [];
      samples[key].push({
        trainMsPerIteration: oursTrain(backend, workers),
        ...oursProbe(backend, workers),
      });
    }
  }
}

const FIELDS = { train: 'trainMsPerIteration', probe2d: 'probe2dMs', probe784: 'probe784Ms' };
/** Returns the median over rounds of the time and of each round's ratio to its PyTorch (2 threads) time. */
function summary(key, field) {
  const ms = median(samples[key].map((s) => s[field]));
  const ratio = median(samples[key].map((s, i) => s[field] / samples.torch[i][field]));
  return `| ${ms.toFixed(0)} | ${ratio.toFixed(2)}× |`;
}
const configurations = [
  ['torch', `PyTorch ${samples.torch[0].torch}, 2 threads, OMP_WAIT_POLICY=PASSIVE`],
  ['torch1', `PyTorch ${samples.torch[0].torch}, 1 thread`],
  ...backends.flatMap((backend) =>
    [1, 2].map((workers) => [
      `${backend}×${workers}`,
      `tfjs ${backend}, ${workers} worker${workers > 1 ? 's' : ''}`,
    ]),
  ),
];
const out = [
  `Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; ${rounds} rounds, medians; the ratio is the median of each round's ratio to PyTorch with 2 threads.`,
];
for (const [title, field] of [
  ['training: ms per generator iteration (2→512×3, batch 256, n_critic 5)', FIELDS.train],
  ['probe: input-gradient norms of 10,000 points, 2→512×3→1', FIELDS.probe2d],
  ['probe: input-gradient norms of 2,000 points, 784→512×3→1', FIELDS.probe784],
]) {
  out.push('', `| ${title} | ms | ÷ PyTorch |`, '|---|---|---|');
  for (const [key, name] of configurations) out.push(`| ${name} ${summary(key, field)}`);
}
process.stdout.write(out.join('\n') + '\n');
