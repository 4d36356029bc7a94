/**
 * Compares matMul throughput of one wasm instance with PyTorch on one and two threads, for the
 * operand shapes of the training and probe benchmarks:
 *
 *   npx tsx bench/matmul.ts
 *
 * Prints a Markdown table of GFLOP/s (medians of 100 products after 20 warm-up products).
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { initBackend } from '../src/core/backend/init';
import { silentLogger } from '../src/core/log';

const SHAPES: [number, number, number][] = [
  [128, 512, 512],
  [256, 512, 512],
  [512, 512, 512],
  [1000, 784, 512],
];
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

function wasmGflops([m, k, n]: [number, number, number]): number {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const times: number[] = [];
  for (let i = 0; i < 120; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    if (i >= 20) times.push(performance.now() - start);
    c.dispose();
  }
  tf.dispose([a, b]);
  times.sort((x, y) => x - y);
  return (2 * m * k * n) / times[times.length >> 1] / 1e6;
}

function torchGflops(threads: number): number[] {
  const script = path.join(__dirname, 'pytorch_matmul.py');
  const out = execFileSync(python, [script, String(threads), JSON.stringify(SHAPES)], {
    // torch.set_num_threads does not bound OpenBLAS's own thread pool, so set its size here.
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(threads) },
    encoding: 'utf8',
  });
  return JSON.parse(out) as number[];
}

async function main(): Promise<void> {
  await initBackend({ request: 'wasm', logger: silentLogger });
  const wasm = SHAPES.map(wasmGflops);
  const oneThread = torchGflops(1);
  const twoThreads = torchGflops(2);
  const rows = SHAPES.map(
    (shape, i) =>
      `| [${shape[0]}, ${shape[1]}] × [${shape[1]}, ${shape[2]}] | ${wasm[i].toFixed(1)} | ${oneThread[i].toFixed(1)} | ${twoThreads[i].toFixed(1)} |`,
  );
  process.stdout.write(
    [
      '| matMul | tfjs wasm, 1 instance | PyTorch, 1 thread | PyTorch, 2 threads |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n',
  );
}

void main();
