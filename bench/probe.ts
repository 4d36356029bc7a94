/**
 * Times critic input-gradient norms on the product's code path (evaluateCritic) for the two
 * benchmark protocols: `node --require tsx/cjs bench/probe.ts BACKEND [ROUNDS] [WORKERS]`.
 * With WORKERS = 2, two worker threads each hold a tfjs instance and split every point set
 * through the shared-memory collective, as the probe job does. Prints one JSON line.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from '../src/core/backend/init';
import { createMatrix } from '../src/core/data/matrix';
import { silentLogger } from '../src/core/log';
import { heUniformWeights, Mlp } from '../src/core/nets/mlp';
import { evaluateCritic, GATHER_CHUNK } from '../src/core/probe/evaluate';
import { Rng } from '../src/core/rng';
import { createCollectiveBuffers, SharedMemoryCollective, SINGLE_PROCESS, type Collective, type CollectiveBuffers } from '../src/core/train/collective';

interface Job {
  backend: BackendName;
  rounds: number;
  rank: number;
  buffers?: CollectiveBuffers;
}

function timeProbe(points: number, dim: number, rounds: number, collective: Collective): number {
  const rng = new Rng(1);
  const spec = { inputShape: [dim], hidden: [512, 512, 512], outputSize: 1, activation: { name: 'relu' as const } };
  const critic = new Mlp(spec, 'critic', heUniformWeights(spec, rng));
  const x = createMatrix(points, dim, rng.normals(points * dim));
  const times: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    collective.allReduceSum(new Float32Array(1)); // start together
    const start = performance.now();
    evaluateCritic(critic, x, collective);
    if (r > 0) times.push(performance.now() - start);
  }
  critic.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function runJob(job: Job): Promise<{ probe2dMs: number; probe784Ms: number }> {
  await initBackend({ request: job.backend, logger: silentLogger });
  const collective = job.buffers ? new SharedMemoryCollective(job.rank, job.buffers) : SINGLE_PROCESS;
  return { probe2dMs: timeProbe(10_000, 2, job.rounds, collective), probe784Ms: timeProbe(2_000, 784, job.rounds, collective) };
}

async function main(): Promise<void> {
  const backend = (process.argv[2] ?? 'wasm') as BackendName;
  const rounds = Number(process.argv[3] ?? 5);
  const workers = Number(process.argv[4] ?? 1);
  if (workers === 1) {
    process.stdout.write(JSON.stringify({ backend, workers, ...(await runJob({ backend, rounds, rank: 0 })) }) + '\n');
    return;
  }
  const buffers = createCollectiveBuffers(workers, GATHER_CHUNK);
  const results = await Promise.all(
    Array.from({ length: workers }, (_, rank) => {
      const worker = new Worker(__filename, { execArgv: ['--require', 'tsx/cjs'], workerData: { backend, rounds, rank, buffers } });
      return new Promise<{ probe2dMs: number; probe784Ms: number }>((resolve, reject) => {
        worker.once('message', (message) => {
          resolve(message);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  process.stdout.write(JSON.stringify({ backend, workers, ...results[0] }) + '\n');
}

if (isMainThread) void main();
else void runJob(workerData as Job).then((result) => parentPort?.postMessage(result));
