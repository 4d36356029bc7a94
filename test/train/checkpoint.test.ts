/*
 * Checkpoint round trip: writeCheckpoint then readCheckpoint must return every array bit for
 * bit, and the critic and generator files must be TF.js Layers models that tfjs-layers itself
 * loads and evaluates like our Mlp.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { createDataset } from '../../src/core/data/toy';
import { silentLogger } from '../../src/core/log';
import { heUniformWeights, inputSize, Mlp, type MlpSpec } from '../../src/core/nets/mlp';
import { Rng } from '../../src/core/rng';
import { presetConfig } from '../../src/core/train/config';
import type { OptimizerState } from '../../src/core/train/optimizers';
import {
  datasetSummary,
  readCheckpoint,
  readRunManifest,
  writeCheckpoint,
  type CheckpointState,
  type RunManifest,
} from '../../src/core/train/runFolder';
import { networkSpecs } from '../../src/core/train/trainer';
import { assertBitIdentical, makeTempDir, removeDir } from './support';

/** Float32 values that a lossy copy would change: -0, a subnormal, the extremes, a NaN. */
const SPECIAL_VALUES = [-0, 1e-40, 3.4028234e38, -3.4028234e38, Number.NaN];

/** Builds Adam-shaped state ([m, v] per weight array) with random and special values. */
function optimizerStateFor(weights: Float32Array[], rng: Rng, step: number): OptimizerState {
  return {
    step,
    slots: weights.map((w) => {
      const m = rng.normals(w.length);
      const v = rng.uniforms(w.length);
      m.set(SPECIAL_VALUES.slice(0, Math.min(w.length, SPECIAL_VALUES.length)));
      return [m, v];
    }),
  };
}

/** Builds He-uniform weights with random biases, a subnormal first kernel entry and a -0 bias. */
function weightsFor(spec: MlpSpec, rng: Rng): Float32Array[] {
  const weights = heUniformWeights(spec, rng);
  for (let i = 1; i < weights.length; i += 2)
    weights[i] = rng.uniforms(weights[i].length, -0.5, 0.5);
  weights[0][0] = 1e-40;
  weights[1][0] = -0;
  return weights;
}

function manifestFor(): RunManifest {
  const config = presetConfig('tiny');
  const dataset = createDataset(config.dataset);
  const now = new Date().toISOString();
  return {
    format: 'gan-diagnostics-run',
    formatVersion: 1,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    config,
    dataset: datasetSummary(dataset),
    networks: networkSpecs(config, dataset),
    iteration: 0,
    checkpoint: '',
    checkpoints: [],
    backend: 'cpu',
    workers: 1,
    history: [],
  };
}

/** Loads `dir`/model.json and weights.bin with tfjs-layers, from bytes read here. */
async function loadWithLayers(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin'], 'weight file name');
  const bin = await fs.readFile(path.join(dir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData,
    }),
  );
}

describe('checkpoint round trip', function () {
  this.timeout(60_000);
  let root: string;
  let manifest: RunManifest;
  let written: CheckpointState;
  let returned: RunManifest;
  let read: CheckpointState;

  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
    root = await makeTempDir('checkpoint');
    manifest = manifestFor();
    const rng = new Rng(21);
    const critic = weightsFor(manifest.networks.critic, rng);
    const generator = weightsFor(manifest.networks.generator, rng);
    written = {
      iteration: 1234,
      rng: { s: [1, 2, 0xffffffff, 0x80000000], spare: -0.123456789 },
      sampler: { cursor: 99 },
      critic,
      generator,
      criticOptimizer: optimizerStateFor(critic, rng, 6170),
      generatorOptimizer: optimizerStateFor(generator, rng, 1234),
    };
    returned = await writeCheckpoint(root, manifest, written);
    read = await readCheckpoint(root, await readRunManifest(root));
  });

  after(async function () {
    if (root) await removeDir(root);
  });

  it('points run.json at the new checkpoint', async function () {
    const onDisk = await readRunManifest(root);
    assert.equal(onDisk.checkpoint, path.join('checkpoints', '0001234'));
    assert.equal(onDisk.iteration, 1234);
    assert.deepEqual(onDisk, returned);
  });

  it('returns bit-identical weights', function () {
    assertBitIdentical(read.critic, written.critic, 'critic');
    assertBitIdentical(read.generator, written.generator, 'generator');
  });

  it('returns bit-identical optimizer state', function () {
    assert.equal(read.criticOptimizer.step, written.criticOptimizer.step);
    assert.equal(read.generatorOptimizer.step, written.generatorOptimizer.step);
    assertBitIdentical(
      read.criticOptimizer.slots.flat(),
      written.criticOptimizer.slots.flat(),
      'critic slots',
    );
    assertBitIdentical(
      read.generatorOptimizer.slots.flat(),
      written.generatorOptimizer.slots.flat(),
      'generator slots',
    );
  });

  it('returns the iteration, Rng and sampler state', function () {
    assert.equal(read.iteration, written.iteration);
    assert.deepEqual(read.rng, written.rng);
    assert.deepEqual(read.sampler, written.sampler);
  });

  for (const role of ['critic', 'generator'] as const) {
    it(`loads the ${role} with tfjs-layers`, async function () {
      const spec = manifest.networks[role];
      const dir = path.join(root, returned.checkpoint, role);
      const model = await loadWithLayers(dir);
      const ours = new Mlp(spec, `round_trip_${role}`, written[role]);
      try {
        const rows = 64;
        const x = new Rng(22).normals(rows * inputSize(spec));
        const [expected, actual] = tf.tidy(() => {
          const input = tf.tensor2d(x, [rows, inputSize(spec)]);
          const layersOutput = model.predict(input) as tf.Tensor;
          return [
            Float32Array.from(ours.apply(input).dataSync() as Float32Array),
            Float32Array.from(layersOutput.dataSync() as Float32Array),
          ];
        });
        assert.equal(actual.length, rows * spec.outputSize, 'output size');
        let worst = 0;
        for (let i = 0; i < actual.length; i++) {
          worst = Math.max(
            worst,
            Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])),
          );
        }
        assert.ok(worst <= 1e-6, `tfjs-layers output differs from Mlp by ${worst}`);
      } finally {
        ours.dispose();
        model.dispose();
      }
    });
  }
});
