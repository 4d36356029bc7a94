/*
 * Seeded determinism of whole training runs: every random draw comes from the seeded Rng, so two
 * runs of the same configuration on the same backend must write bit-identical checkpoints.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend, type BackendName } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { presetConfig } from '../../src/core/train/config';
import {
  readCheckpoint,
  readRunManifest,
  type CheckpointState,
} from '../../src/core/train/runFolder';
import { train } from '../../src/core/train/trainer';
import { assertBitIdentical, differsSomewhere, makeTempDir, removeDir } from './support';

async function trainTiny(
  runDir: string,
  seed: number,
  backend: BackendName,
): Promise<CheckpointState> {
  const config = { ...presetConfig('tiny'), seed };
  const result = await train({ runDir, config, backend, logger: silentLogger });
  assert.equal(result.status, 'completed');
  return readCheckpoint(runDir, await readRunManifest(runDir));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`seeded training on ${backend}`, function () {
    this.timeout(60_000);
    let root: string;
    let first: CheckpointState;
    let second: CheckpointState;
    let otherSeed: CheckpointState;

    before(async function () {
      await initBackend({ request: backend, logger: silentLogger });
      root = await makeTempDir(`determinism-${backend}`);
      first = await trainTiny(path.join(root, 'first'), 1, backend);
      second = await trainTiny(path.join(root, 'second'), 1, backend);
      otherSeed = await trainTiny(path.join(root, 'other-seed'), 2, backend);
    });

    after(async function () {
      if (root) await removeDir(root);
    });

    it('repeats critic weights for one seed', function () {
      assertBitIdentical(first.critic, second.critic, 'critic');
    });

    it('repeats generator weights for one seed', function () {
      assertBitIdentical(first.generator, second.generator, 'generator');
    });

    it('repeats optimizer and Rng state for one seed', function () {
      assertBitIdentical(
        first.criticOptimizer.slots.flat(),
        second.criticOptimizer.slots.flat(),
        'critic Adam slots',
      );
      assertBitIdentical(
        first.generatorOptimizer.slots.flat(),
        second.generatorOptimizer.slots.flat(),
        'generator Adam slots',
      );
      assert.deepEqual(second.rng, first.rng, 'Rng state');
    });

    it('changes the weights with the seed', function () {
      assert.ok(
        differsSomewhere(otherSeed.critic, first.critic),
        'seed 2 gave the critic weights of seed 1',
      );
      assert.ok(
        differsSomewhere(otherSeed.generator, first.generator),
        'seed 2 gave the generator weights of seed 1',
      );
    });
  });
}
