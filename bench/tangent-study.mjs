// Study: does a low tangent fraction of the critic gradient at real points go with poor coverage?
// Trains a WGAN-GP on the Swiss roll (which has a 1-D manifold, so the split is meaningful),
// probes every checkpoint, and prints the real points' median tangent fraction beside coverage,
// recall and the exact W1 per checkpoint, with their rank correlation.
//
//   npm run build && node bench/tangent-study.mjs [ITERATIONS] [EVERY]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const iterations = Number(process.argv[2] ?? 2000);
const every = Number(process.argv[3] ?? 200);
const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gan-tangent-study-')), 'run');
const cli = (args) =>
  execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });

cli([
  'train',
  '--dataset',
  'swissroll',
  '--preset',
  'small',
  '--lr',
  '5e-4',
  '--iterations',
  String(iterations),
  '--checkpoint-every',
  String(every),
  '--keep-checkpoints',
  '1000',
  '--progress-every',
  String(every),
  '--out',
  dir,
]);
cli(['probe', dir, '--all-checkpoints', '--count', '1000', '--json']);

const rows = [];
const series = JSON.parse(readFileSync(path.join(dir, 'series.json'), 'utf8'));
for (const point of series.points) {
  const report = JSON.parse(readFileSync(path.join(dir, point.checkpoint, 'report.json'), 'utf8'));
  rows.push({
    iteration: point.iteration,
    tangent: report.probeSets.real?.tangentFraction?.median ?? NaN,
    coverage: report.distribution.coverage,
    recall: report.distribution.recall,
    w1: report.distribution.exactW1,
    starvation: report.findings.some((f) => f.id === 'tangent-starvation'),
  });
}

const ranks = (values) => {
  const order = values.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  const out = new Array(values.length);
  order.forEach(([, i], r) => (out[i] = r));
  return out;
};
const spearman = (a, b) => {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const d2 = ra.reduce((s, r, i) => s + (r - rb[i]) ** 2, 0);
  return 1 - (6 * d2) / (n * (n * n - 1));
};

const lines = [
  '| iteration | real tangent fraction (median) | coverage | recall | exact W1 | tangent-starvation |',
  '|---|---|---|---|---|---|',
];
for (const r of rows)
  lines.push(
    `| ${r.iteration} | ${r.tangent.toFixed(3)} | ${r.coverage.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.w1.toFixed(3)} | ${r.starvation ? 'raised' : ''} |`,
  );
const valid = rows.filter((r) => Number.isFinite(r.tangent));
lines.push(
  '',
  `Spearman rank correlation over ${valid.length} checkpoints: tangent fraction vs coverage ${spearman(
    valid.map((r) => r.tangent),
    valid.map((r) => r.coverage),
  ).toFixed(2)}, vs recall ${spearman(
    valid.map((r) => r.tangent),
    valid.map((r) => r.recall),
  ).toFixed(2)}.`,
);
process.stdout.write(lines.join('\n') + '\n');
