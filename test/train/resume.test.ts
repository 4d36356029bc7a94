/*
 * Resuming and cancelling runs. A checkpoint stores the weights, both optimizers, the Rng and the
 * sampler position, so a run stopped at any checkpoint and resumed must end bit for bit where an
 * uninterrupted run of the same configuration ends.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { presetConfig } from '../../src/core/train/config';
import type { ProgressEvent } from '../../src/core/train/progress';
import {
  readCheckpoint,
  readRunManifest,
  type CheckpointState,
  type RunManifest,
} from '../../src/core/train/runFolder';
import { train } from '../../src/core/train/trainer';
import { assertBitIdentical, makeTempDir, removeDir } from './support';

const BACKEND = 'cpu';

interface FinishedRun {
  manifest: RunManifest;
  state: CheckpointState;
}

async function readFinished(runDir: string): Promise<FinishedRun> {
  const manifest = await readRunManifest(runDir);
  return { manifest, state: await readCheckpoint(runDir, manifest) };
}

/** Drops the wall-clock field, which no two runs share. */
function withoutTiming(history: ProgressEvent[]): Omit<ProgressEvent, 'msPerIteration'>[] {
  return history.map(({ msPerIteration: _msPerIteration, ...rest }) => rest);
}

/** Also drops the target iteration count, which each event records as it was at the time. */
function trainingValues(
  history: ProgressEvent[],
): Omit<ProgressEvent, 'msPerIteration' | 'iterations'>[] {
  return withoutTiming(history).map(({ iterations: _iterations, ...rest }) => rest);
}

function assertSameEnd(actual: FinishedRun, expected: FinishedRun): void {
  assertBitIdentical(actual.state.critic, expected.state.critic, 'critic');
  assertBitIdentical(actual.state.generator, expected.state.generator, 'generator');
  assertBitIdentical(
    actual.state.criticOptimizer.slots.flat(),
    expected.state.criticOptimizer.slots.flat(),
    'critic Adam slots',
  );
  assertBitIdentical(
    actual.state.generatorOptimizer.slots.flat(),
    expected.state.generatorOptimizer.slots.flat(),
    'generator Adam slots',
  );
  assert.deepEqual(actual.state.rng, expected.state.rng, 'Rng state');
}

describe('resumed and cancelled runs', function () {
  this.timeout(60_000);
  let root: string;
  let straight: FinishedRun;

  before(async function () {
    await initBackend({ request: BACKEND, logger: silentLogger });
    root = await makeTempDir('resume');
    // The tiny preset: 20 iterations, progress every 5, checkpoints every 10.
    const runDir = path.join(root, 'straight');
    const result = await train({
      runDir,
      config: presetConfig('tiny'),
      backend: BACKEND,
      logger: silentLogger,
    });
    assert.equal(result.status, 'completed');
    straight = await readFinished(runDir);
  });

  after(async function () {
    if (root) await removeDir(root);
  });

  describe('10 then 10 more iterations', function () {
    let resumed: FinishedRun;

    before(async function () {
      const runDir = path.join(root, 'split');
      const config = { ...presetConfig('tiny'), iterations: 10 };
      const first = await train({ runDir, config, backend: BACKEND, logger: silentLogger });
      assert.equal(first.status, 'completed');
      assert.equal(first.iteration, 10);
      const second = await train({
        runDir,
        iterations: 20,
        backend: BACKEND,
        logger: silentLogger,
      });
      assert.equal(second.status, 'completed');
      assert.equal(second.iteration, 20);
      resumed = await readFinished(runDir);
    });

    it('ends with the weights of a straight run', function () {
      assertSameEnd(resumed, straight);
    });

    it('records the same history', function () {
      const iterations = resumed.manifest.history.map((event) => event.iteration);
      assert.deepEqual(iterations, [5, 10, 15, 20]);
      assert.deepEqual(
        iterations,
        straight.manifest.history.map((event) => event.iteration),
      );
      assert.deepEqual(
        trainingValues(resumed.manifest.history),
        trainingValues(straight.manifest.history),
      );
      // Events before the resume record the first leg's target of 10.
      assert.deepEqual(
        resumed.manifest.history.map((event) => event.iterations),
        [10, 10, 20, 20],
      );
    });

    it('stores the new target and status', function () {
      assert.equal(resumed.manifest.config.iterations, 20);
      assert.equal(resumed.manifest.iteration, 20);
      assert.equal(resumed.manifest.status, 'completed');
      assert.deepEqual(resumed.manifest.config, straight.manifest.config);
    });
  });

  describe('cancelled after the first progress event', function () {
    const runDir = () => path.join(root, 'cancelled');
    let result: Awaited<ReturnType<typeof train>>;
    const checkpoints: [number, string][] = [];

    before(async function () {
      const signal = { aborted: false };
      result = await train({
        runDir: runDir(),
        config: presetConfig('tiny'),
        signal,
        onProgress: () => (signal.aborted = true),
        onCheckpoint: (iteration, relative) => checkpoints.push([iteration, relative]),
        backend: BACKEND,
        logger: silentLogger,
      });
    });

    it('returns status cancelled at the next boundary', function () {
      assert.equal(result.status, 'cancelled');
      // The first event comes at iteration 5, and the signal is read before iteration 6 starts.
      assert.equal(result.iteration, 5);
      assert.equal(result.checkpoint, path.join('checkpoints', '0000005'));
      assert.deepEqual(checkpoints, [[5, path.join('checkpoints', '0000005')]]);
    });

    it('writes status cancelled to run.json', async function () {
      const manifest = await readRunManifest(runDir());
      assert.equal(manifest.status, 'cancelled');
      assert.equal(manifest.iteration, 5);
      assert.equal(manifest.checkpoint, result.checkpoint);
    });

    it('leaves a checkpoint that loads', async function () {
      const { manifest, state } = await readFinished(runDir());
      assert.equal(state.iteration, 5);
      assert.equal(state.critic.length, straight.state.critic.length);
      assert.equal(state.criticOptimizer.step, 5 * manifest.config.nCritic);
      assert.equal(state.generatorOptimizer.step, 5);
    });

    it('resumes to the end of a straight run', async function () {
      const resumed = await train({ runDir: runDir(), backend: BACKEND, logger: silentLogger });
      assert.equal(resumed.status, 'completed');
      assert.equal(resumed.iteration, 20);
      const finished = await readFinished(runDir());
      assert.equal(finished.manifest.status, 'completed');
      assertSameEnd(finished, straight);
      assert.deepEqual(
        withoutTiming(finished.manifest.history),
        withoutTiming(straight.manifest.history),
      );
    });
  });
});
