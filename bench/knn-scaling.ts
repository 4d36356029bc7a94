// Times k-nearest-neighbour queries (k = 5, self excluded) on Gaussian point sets and prints a
// Markdown table. Run: npx tsx bench/knn-scaling.ts (about 3 CPU minutes, most of it the
// 10,000 × 784 case with the plain-JS kernel). Wall time exceeds CPU time when other work shares
// the machine. High-dimensional cases run twice: with the plain-JS block product and with the
// product on the tfjs wasm backend, which the probe uses.
import { cpus } from 'node:os';
import { createMatrix, type Matrix } from '../src/core/data/matrix';
import { initBackend } from '../src/core/backend/init';
import { silentLogger } from '../src/core/log';
import { buildNeighbourIndex, kNearestSelf, KD_TREE_MAX_DIM, type IndexOptions } from '../src/core/metrics/knn';
import { tfjsBlockProduct } from '../src/core/probe/tfjsBlockProduct';

const K = 5;
const CASES: [number, number][] = [
  [1_000, 2],
  [10_000, 2],
  [100_000, 2],
  [2_000, 784],
  [10_000, 784],
];

/** Seeded standard normal points (mulberry32 and Box-Muller), so every run times the same data. */
function gaussianPoints(rows: number, cols: number, seed: number): Matrix {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  }
  return createMatrix(rows, cols, data);
}

async function main(): Promise<void> {
  await initBackend({ request: 'wasm', logger: silentLogger });
  console.log(
    `k = ${K}, self excluded; Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread.\n`,
  );
  console.log('| N | dim | index | build (s) | query all (s) | query CPU (s) | per query (µs) |');
  console.log('|---:|---:|---|---:|---:|---:|---:|');
  const runs: [number, number, string, IndexOptions][] = CASES.flatMap(([rows, cols]) =>
    cols > KD_TREE_MAX_DIM
      ? [
          [rows, cols, 'blocked, JS product', {}],
          [rows, cols, 'blocked, wasm product', { product: tfjsBlockProduct(cols) }],
        ]
      : [[rows, cols, 'kd-tree', {}]],
  );
  for (const [rows, cols, label, options] of runs) {
    const points = gaussianPoints(rows, cols, rows + cols);
    const start = performance.now();
    const index = buildNeighbourIndex(points, options);
    const built = performance.now();
    const cpuBefore = process.cpuUsage();
    kNearestSelf(index, K);
    const cpu = process.cpuUsage(cpuBefore);
    const done = performance.now();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const perQuery = ((done - built) * 1000) / rows;
    console.log(
      `| ${rows} | ${cols} | ${label} | ${((built - start) / 1000).toFixed(3)} | ` +
        `${((done - built) / 1000).toFixed(2)} | ${cpuSeconds.toFixed(2)} | ${perQuery.toFixed(1)} |`,
    );
  }
}

void main();
