import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMemoryLogger } from '../../src/core/log';
import { presetConfig } from '../../src/core/train/config';
import type { ProbeReport } from '../../src/protocol/report';
import { checkHostMessage, checkWorkerMessage } from '../../src/protocol/worker';
import { JobError, JobRunner } from '../../src/worker/runner';

const WORKER = path.join(__dirname, '..', '..', 'dist', 'worker.js');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'wgan-gp-toy', 'cg_8g_gp');

const probeRequest = {
  critic: path.join(FIXTURE, 'critic.onnx'),
  fake: path.join(FIXTURE, 'gen_2000.npy'),
  real: path.join(FIXTURE, 'real_2000.npy'),
  dataset: '8gaussians',
};

describe('JobRunner', function () {
  this.timeout(180_000);
  const runners: JobRunner[] = [];
  const makeRunner = (workers: number) => {
    const runner = new JobRunner({
      workerScript: WORKER,
      backend: 'wasm',
      workers,
      logger: createMemoryLogger(),
    });
    runners.push(runner);
    return runner;
  };
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-diagnostics-runner-'));
  });
  after(async () => {
    await Promise.all(runners.map((r) => r.dispose()));
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('gives the same probe on one and on two workers', async () => {
    const one = (await makeRunner(1).run({ kind: 'probe', request: probeRequest }))
      .report as unknown as ProbeReport;
    const two = (await makeRunner(2).run({ kind: 'probe', request: probeRequest }))
      .report as unknown as ProbeReport;
    for (const set of Object.keys(one.probeSets) as (keyof ProbeReport['probeSets'])[]) {
      assert.deepEqual(two.probeSets[set]?.gradNorm, one.probeSets[set]?.gradNorm, set);
      assert.deepEqual(two.probeSets[set]?.criticValue, one.probeSets[set]?.criticValue, set);
    }
    assert.deepEqual(
      two.findings.map((f) => f.id),
      one.findings.map((f) => f.id),
    );
  });

  it('keeps the caller responsive while training runs', async () => {
    const runner = makeRunner(2);
    await runner.start();
    const config = { ...presetConfig('small'), iterations: 15, progressEvery: 5 };
    let ticks = 0;
    let longestGap = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = Date.now();
    try {
      await runner.run({ kind: 'train', runDir: path.join(tmp, 'responsive'), config });
    } finally {
      clearInterval(timer);
    }
    const elapsed = Date.now() - started;
    // Training on this thread would block the timer for the whole job; in workers it keeps firing.
    assert.ok(ticks >= elapsed / 50, `${ticks} ticks in ${elapsed} ms`);
    assert.ok(longestGap < elapsed / 2, `longest gap ${longestGap} ms of ${elapsed} ms`);
  });

  it('trains bit-identically twice on two workers', async () => {
    const runner = makeRunner(2);
    const config = { ...presetConfig('tiny'), iterations: 6 };
    const weights: Buffer[] = [];
    for (const name of ['first', 'second']) {
      const runDir = path.join(tmp, `twice-${name}`);
      await runner.run({ kind: 'train', runDir, config });
      weights.push(
        await fs.readFile(path.join(runDir, 'checkpoints', '0000006', 'critic', 'weights.bin')),
      );
    }
    assert.ok(weights[0].equals(weights[1]));
  });

  it('reports a failed job and stays usable', async () => {
    const runner = makeRunner(1);
    await assert.rejects(
      runner.run({ kind: 'probe', request: { run: path.join(tmp, 'missing') } }),
      (error: unknown) => error instanceof JobError && error.message.includes('missing'),
    );
    const summary = await runner.run({ kind: 'inspect', file: path.join(FIXTURE, 'critic.onnx') });
    assert.equal(summary.format, 'onnx');
  });

  it('cancels training at an iteration boundary', async () => {
    const runner = makeRunner(2);
    const controller = new AbortController();
    const config = { ...presetConfig('tiny'), iterations: 10_000, progressEvery: 2 };
    const result = await runner.run(
      { kind: 'train', runDir: path.join(tmp, 'cancelled'), config },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    assert.equal(result.status, 'cancelled');
    assert.ok((result.iteration as number) < 10_000);
    const manifest = JSON.parse(
      await fs.readFile(path.join(tmp, 'cancelled', 'run.json'), 'utf8'),
    ) as { status: string; iteration: number };
    assert.equal(manifest.status, 'cancelled');
    assert.equal(manifest.iteration, result.iteration);
  });
});

describe('worker protocol guards', () => {
  it('accepts well-formed messages', () => {
    assert.equal(checkWorkerMessage({ type: 'result', jobId: 3, result: {} }), undefined);
    assert.equal(
      checkHostMessage({ type: 'run', jobId: 1, rank: 0, job: { kind: 'inspect', file: 'x' } }),
      undefined,
    );
  });

  it('rejects malformed messages with a reason', () => {
    assert.match(checkWorkerMessage(null) ?? '', /not an object/);
    assert.match(checkWorkerMessage({ type: 'progress', jobId: 1 }) ?? '', /progress/);
    assert.match(checkWorkerMessage({ type: 'shout' }) ?? '', /unknown message type/);
    assert.match(
      checkHostMessage({ type: 'run', jobId: -1, rank: 0, job: { kind: 'inspect', file: 'x' } }) ??
        '',
      /job id/,
    );
    assert.match(
      checkHostMessage({ type: 'run', jobId: 1, rank: 0, job: { kind: 'format-disk' } }) ?? '',
      /unknown job kind/,
    );
  });
});
