/*
 * Failures of train and validateTrainConfig: every error names the file or value at fault, and
 * a rejected call writes, creates and changes nothing on disk.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import type { ActivationSpec } from '../../src/core/nets/mlp';
import {
  PRESET_NAMES,
  presetConfig,
  validateTrainConfig,
  type TrainConfig,
} from '../../src/core/train/config';
import { readRunManifest } from '../../src/core/train/runFolder';
import { train, type TrainOptions } from '../../src/core/train/trainer';
import { assertSameSnapshot, makeTempDir, removeDir, snapshotFolder } from './support';

const BACKEND = 'cpu';

/** Asserts that `run` rejects with a message containing `fragment`. */
async function assertRejectsNaming(run: () => Promise<unknown>, fragment: string): Promise<void> {
  await assert.rejects(run, (error: Error) => {
    assert.ok(
      error.message.includes(fragment),
      `message '${error.message}' does not name ${fragment}`,
    );
    return true;
  });
}

function options(runDir: string, config?: TrainConfig): TrainOptions {
  return { runDir, config, backend: BACKEND, logger: silentLogger };
}

describe('train errors', function () {
  this.timeout(60_000);
  let root: string;
  let template: string;

  before(async function () {
    await initBackend({ request: BACKEND, logger: silentLogger });
    root = await makeTempDir('errors');
    template = path.join(root, 'template');
    const config = { ...presetConfig('tiny'), iterations: 5 };
    const result = await train(options(template, config));
    assert.equal(result.status, 'completed');
  });

  after(async function () {
    if (root) await removeDir(root);
  });

  /** Copies the trained run into a new folder of `root` and returns its path. */
  async function copyOfTemplate(name: string): Promise<string> {
    const runDir = path.join(root, name);
    await fs.cp(template, runDir, { recursive: true });
    return runDir;
  }

  /** Runs `call`, expects a rejection naming `fragment`, and checks that `root` is unchanged. */
  async function assertRejectedWithoutWrites(call: () => Promise<unknown>, fragment: string) {
    const before = await snapshotFolder(root);
    await assertRejectsNaming(call, fragment);
    assertSameSnapshot(await snapshotFolder(root), before, 'after the rejected call');
  }

  it('rejects resuming a missing folder', async function () {
    const runDir = path.join(root, 'missing');
    await assertRejectedWithoutWrites(() => train(options(runDir)), path.join(runDir, 'run.json'));
    await assert.rejects(fs.access(runDir), 'the missing folder was created');
  });

  it('rejects a run.json that is not JSON', async function () {
    const runDir = await copyOfTemplate('corrupt-json');
    const file = path.join(runDir, 'run.json');
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, text.length / 2));
    await assertRejectedWithoutWrites(() => train(options(runDir)), file);
  });

  it('rejects a run.json of a foreign format', async function () {
    const runDir = await copyOfTemplate('foreign-format');
    const file = path.join(runDir, 'run.json');
    const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(file, JSON.stringify({ ...manifest, format: 'keras-training-run' }));
    await assertRejectedWithoutWrites(() => train(options(runDir)), file);
  });

  it('rejects a run.json with an invalid setting', async function () {
    const runDir = await copyOfTemplate('invalid-setting');
    const file = path.join(runDir, 'run.json');
    const manifest = await readRunManifest(runDir);
    await fs.writeFile(
      file,
      JSON.stringify({ ...manifest, config: { ...manifest.config, batchSize: -5 } }),
    );
    await assertRejectedWithoutWrites(() => train(options(runDir)), `${file}: Invalid batch size`);
  });

  it('rejects a run.json with an invalid iteration', async function () {
    const runDir = await copyOfTemplate('invalid-iteration');
    const file = path.join(runDir, 'run.json');
    const manifest = await readRunManifest(runDir);
    await fs.writeFile(file, JSON.stringify({ ...manifest, iteration: 'abc' }));
    await assertRejectedWithoutWrites(
      () => train(options(runDir)),
      `${file}: invalid iteration "abc"`,
    );
  });

  it('rejects a truncated weights.bin', async function () {
    const runDir = await copyOfTemplate('truncated-weights');
    const manifest = await readRunManifest(runDir);
    const file = path.join(runDir, manifest.checkpoint, 'critic', 'weights.bin');
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 6));
    await assertRejectedWithoutWrites(() => train(options(runDir)), file);
  });

  it('rejects a missing weights.bin', async function () {
    const runDir = await copyOfTemplate('missing-weights');
    const manifest = await readRunManifest(runDir);
    const file = path.join(runDir, manifest.checkpoint, 'critic', 'weights.bin');
    await fs.rm(file);
    await assertRejectedWithoutWrites(() => train(options(runDir)), `${file} is missing`);
  });

  it('rejects an output path that is a file', async function () {
    const file = path.join(root, 'plain-file');
    await fs.writeFile(file, 'keep me');
    await assertRejectsNaming(
      () => train(options(file, presetConfig('tiny'))),
      `Output folder '${file}' is a file`,
    );
    assert.equal(await fs.readFile(file, 'utf8'), 'keep me');
  });

  it('rejects an optimizer.bin cut inside a value', async function () {
    const runDir = await copyOfTemplate('truncated-optimizer');
    const manifest = await readRunManifest(runDir);
    const file = path.join(runDir, manifest.checkpoint, 'optimizer.bin');
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 2));
    await assertRejectedWithoutWrites(() => train(options(runDir)), file);
  });

  it('rejects an optimizer.bin with extra bytes', async function () {
    const runDir = await copyOfTemplate('long-optimizer');
    const manifest = await readRunManifest(runDir);
    const file = path.join(runDir, manifest.checkpoint, 'optimizer.bin');
    await fs.appendFile(file, Buffer.alloc(64));
    await assertRejectedWithoutWrites(() => train(options(runDir)), file);
  });

  it('rejects a new run into a non-empty folder', async function () {
    const withRun = await copyOfTemplate('existing-run');
    await assertRejectedWithoutWrites(() => train(options(withRun, presetConfig('tiny'))), withRun);

    const withFile = path.join(root, 'existing-file');
    await fs.mkdir(withFile);
    await fs.writeFile(path.join(withFile, 'notes.txt'), 'keep me');
    await assertRejectedWithoutWrites(
      () => train(options(withFile, presetConfig('tiny'))),
      withFile,
    );
  });

  it('rejects an invalid config before creating the folder', async function () {
    const runDir = path.join(root, 'invalid-config');
    const config = { ...presetConfig('tiny'), batchSize: 0 };
    await assertRejectedWithoutWrites(() => train(options(runDir, config)), 'batch size');
    await assert.rejects(fs.access(runDir), 'the folder of an invalid run was created');
  });
});

describe('validateTrainConfig', function () {
  /** Returns the message that validateTrainConfig throws for `config`. */
  function rejectionOf(config: TrainConfig): string {
    try {
      validateTrainConfig(config);
    } catch (error) {
      return (error as Error).message;
    }
    assert.fail('validateTrainConfig accepted an invalid configuration');
  }

  it('accepts every preset', function () {
    for (const name of PRESET_NAMES) {
      assert.doesNotThrow(() => validateTrainConfig(presetConfig(name)), name);
    }
  });

  it('rejects batch size 0', function () {
    const message = rejectionOf({ ...presetConfig('tiny'), batchSize: 0 });
    assert.match(message, /batch size/);
    assert.match(message, /: 0 \(/);
  });

  it('rejects a negative λ', function () {
    const base = presetConfig('tiny');
    const message = rejectionOf({ ...base, penalty: { ...base.penalty, lambda: -2.5 } });
    assert.match(message, /λ/);
    assert.ok(message.includes('-2.5'), `message '${message}' does not name -2.5`);
  });

  it('rejects an unknown activation', function () {
    const base = presetConfig('tiny');
    const activation = { name: 'swish' } as unknown as ActivationSpec;
    const message = rejectionOf({ ...base, critic: { ...base.critic, activation } });
    assert.ok(message.includes("'swish'"), `message '${message}' does not name 'swish'`);
    assert.match(message, /critic/);
  });
});
