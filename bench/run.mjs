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

function pytorch() {
  const out = execFileSync(
    python,
    [
      path.join(root, 'bench', 'pytorch_reference.py'),
      '--threads',
      '2',
      '--iterations',
      String(iterations),
    ],
    {
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
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

const samples = { torch: [] };
for (let round = 1; round <= rounds; round++) {
  process.stderr.write(`round ${round}/${rounds}\n`);
  samples.torch.push(pytorch());
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

const torch = {
  train: median(samples.torch.map((s) => s.trainMsPerIteration)),
  probe2d: median(samples.torch.map((s) => s.probe2dMs)),
  probe784: median(samples.torch.map((s) => s.probe784Ms)),
};
const line = (name, ms, reference) =>
  `| ${name} | ${ms.toFixed(0)} | ${(ms / reference).toFixed(2)}× |`;
const out = [
  `Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; ${rounds} rounds, medians.`,
  '',
  '| training: ms per generator iteration (2→512×3, batch 256, n_critic 5) | ms | ÷ PyTorch |',
  '|---|---|---|',
  line(
    `PyTorch ${samples.torch[0].torch}, 2 threads, OMP_WAIT_POLICY=PASSIVE`,
    torch.train,
    torch.train,
  ),
];
for (const backend of backends) {
  for (const workers of [1, 2]) {
    const key = `${backend}×${workers}`;
    out.push(
      line(
        `tfjs ${backend}, ${workers} worker${workers > 1 ? 's' : ''}`,
        median(samples[key].map((s) => s.trainMsPerIteration)),
        torch.train,
      ),
    );
  }
}
out.push('', '| probe: critic input-gradient norms | ms | ÷ PyTorch |', '|---|---|---|');
for (const [label, field, reference] of [
  ['10,000 points, 2→512×3→1', 'probe2dMs', torch.probe2d],
  ['2,000 points, 784→512×3→1', 'probe784Ms', torch.probe784],
]) {
  out.push(line(`PyTorch, ${label}`, reference, reference));
  for (const backend of backends) {
    for (const workers of [1, 2]) {
      out.push(
        line(
          `tfjs ${backend}, ${workers} worker${workers > 1 ? 's' : ''}, ${label}`,
          median(samples[`${backend}×${workers}`].map((s) => s[field])),
          reference,
        ),
      );
    }
  }
}
process.stdout.write(out.join('\n') + '\n');
