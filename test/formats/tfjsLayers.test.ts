import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { CheckpointError } from '../../src/core/formats/errors';
import { readTfjsLayersModel, resolveShardPath } from '../../src/core/formats/tfjsLayers';
import { silentLogger } from '../../src/core/log';
import type { ConvOperator, DenseOperator } from '../../src/core/nets/model';

interface SavedModel {
  topology: object;
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

/** Saves a model through tf.io.withSaveHandler and returns its topology, specs and weights. */
async function save(model: tfl.LayersModel): Promise<SavedModel> {
  let saved: SavedModel | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data!;
      saved = {
        topology: artifacts.modelTopology as object,
        specs: artifacts.weightSpecs!,
        data: new Uint8Array(buffer),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** Writes model.json and the weights, split into `shards` files, into `folder`. */
function writeModel(
  folder: string,
  saved: SavedModel,
  shards = 2,
  edit?: (json: Record<string, unknown>) => void,
): string {
  const size = Math.ceil(saved.data.length / shards);
  const paths: string[] = [];
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    writeFileSync(path.join(folder, name), saved.data.subarray(i * size, (i + 1) * size));
    paths.push(name);
  }
  const json: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: 'test',
    modelTopology: saved.topology,
    weightsManifest: [{ paths, weights: saved.specs }],
  };
  edit?.(json);
  const file = path.join(folder, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a CheckpointError');
}

function outputsAndGradients(
  apply: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
): { y: Float32Array; g: Float32Array } {
  return tf.tidy(() => ({
    y: apply(x).dataSync() as Float32Array,
    g: tf
      .grad((input: tf.Tensor) => tf.sum(apply(input)))(x)
      .dataSync() as Float32Array,
  }));
}

describe('readTfjsLayersModel', () => {
  let folder: string;

  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'tfjs-layers-'));
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('round-trips a dense critic to identical outputs', async () => {
    const original = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }),
        tfl.layers.dense({ units: 8, activation: 'tanh' }),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const file = writeModel(folder, await save(original), 3);
    const model = await readTfjsLayersModel(file);
    const x = tf.randomNormal([5, 2], 0, 1, 'float32', 4);
    const expected = outputsAndGradients((v) => original.apply(v) as tf.Tensor, x);
    const actual = outputsAndGradients((v) => model.apply(v), x);
    assert.deepEqual(Array.from(actual.y), Array.from(expected.y));
    assert.deepEqual(Array.from(actual.g), Array.from(expected.g));
    assert.deepEqual(model.inputShape, [2]);
    assert.equal(model.outputSize, 1);

    const dense = model.layers.filter((layer) => layer.kind === 'dense');
    assert.deepEqual(
      dense.map((layer) => (layer.linear as DenseOperator).kernel.shape),
      [
        [2, 8],
        [8, 8],
        [8, 1],
      ],
    );
    const firstKernel = original.layers[0].getWeights()[0].dataSync();
    assert.deepEqual(
      Array.from((dense[0].linear as DenseOperator).kernel.values),
      Array.from(firstKernel),
    );
    assert.deepEqual(
      model.layers
        .filter((layer) => layer.kind === 'activation')
        .map((layer) => [layer.activation?.name, layer.lipschitz]),
      [
        ['relu', 1],
        ['tanh', 1],
      ],
    );
    x.dispose();
    model.dispose();
    original.dispose();
  });

  it('round-trips a conv critic and reports SAME padding', async () => {
    const original = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [6, 6, 2],
          filters: 3,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
        }),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.conv2d({ filters: 4, kernelSize: [2, 3], padding: 'valid' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1 }),
      ],
    });
    const file = writeModel(folder, await save(original), 1);
    const model = await readTfjsLayersModel(file);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 9);
    const expected = outputsAndGradients((v) => original.apply(v) as tf.Tensor, x);
    const actual = outputsAndGradients((v) => model.apply(v), x);
    assert.deepEqual(Array.from(actual.y), Array.from(expected.y));
    assert.deepEqual(Array.from(actual.g), Array.from(expected.g));

    const convs = model.layers
      .filter((layer) => layer.kind === 'conv2d')
      .map((layer) => layer.linear as ConvOperator);
    // SAME on 6 with kernel 3 and stride 2: 3 outputs need (3 - 1)·2 + 3 - 6 = 1 padding unit, at the end.
    assert.deepEqual(
      convs.map((c) => [c.filter.shape, c.strides, c.padding, c.inputShape]),
      [
        [
          [3, 3, 2, 3],
          [2, 2],
          [0, 1, 0, 1],
          [6, 6, 2],
        ],
        [
          [2, 3, 3, 4],
          [1, 1],
          [0, 0, 0, 0],
          [3, 3, 3],
        ],
      ],
    );
    assert.deepEqual(model.layers.find((layer) => layer.op === 'LeakyReLU')?.activation, {
      name: 'leakyRelu',
      alpha: 0.2,
    });
    x.dispose();
    model.dispose();
    original.dispose();
  });

  it('applies BatchNormalization with its moving statistics', async () => {
    const original = tfl.sequential({
      layers: [tfl.layers.batchNormalization({ inputShape: [3], epsilon: 0.001 })],
    });
    const gamma = [1.5, 0.5, 2];
    const beta = [0.1, -0.2, 0.3];
    const mean = [1, -1, 0.5];
    const variance = [4, 0.25, 1];
    original.layers[0].setWeights([gamma, beta, mean, variance].map((v) => tf.tensor1d(v)));
    const model = await readTfjsLayersModel(writeModel(folder, await save(original), 1));
    const input = [
      [0, 1, 2],
      [3, -1, 0.5],
    ];
    const y = tf.tidy(() => model.apply(tf.tensor2d(input)).arraySync() as number[][]);
    const expected = input.map((row) =>
      row.map((v, i) => ((v - mean[i]) / Math.sqrt(variance[i] + 0.001)) * gamma[i] + beta[i]),
    );
    y.flat().forEach((v, i) =>
      assert.ok(
        Math.abs(v - expected.flat()[i]) < 1e-5,
        `element ${i}: ${v} vs ${expected.flat()[i]}`,
      ),
    );
    assert.equal(model.layers[0].kind, 'batchNorm');
    model.dispose();
    original.dispose();
  });

  it('rejects shard paths that leave the folder', async () => {
    const original = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    const saved = await save(original);
    original.dispose();
    for (const shard of [
      '../outside.bin',
      'sub/../../outside.bin',
      '/etc/passwd',
      'C:\\weights.bin',
      'file:///tmp/w.bin',
      '..\\w.bin',
    ]) {
      const file = writeModel(folder, saved, 1, (json) => {
        (json.weightsManifest as { paths: string[] }[])[0].paths = [shard];
      });
      const error = await rejection(readTfjsLayersModel(file));
      assert.equal(error.code, 'unsafe', shard);
    }
    assert.throws(() => resolveShardPath(folder, 'a/../../b'), CheckpointError);
    assert.equal(resolveShardPath(folder, 'sub/w.bin'), path.join(folder, 'sub', 'w.bin'));
  });

  it('rejects shard sizes that differ from the manifest', async () => {
    const original = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 3 })] });
    const saved = await save(original);
    original.dispose();
    // A 2 x 3 kernel and 3 biases are 36 bytes of float32; one value is cut off.
    const truncated = { ...saved, data: saved.data.subarray(0, saved.data.length - 4) };
    const error = await rejection(readTfjsLayersModel(writeModel(folder, truncated, 1)));
    assert.equal(error.code, 'corrupt');
    assert.match(error.message, /32 bytes on disk, but its weights declare 36/);
  });

  it('rejects absurd declared sizes before reading shards', async () => {
    const original = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    const saved = await save(original);
    original.dispose();
    const file = writeModel(folder, saved, 1, (json) => {
      const group = (json.weightsManifest as { weights: { shape: number[] }[] }[])[0];
      group.weights[0].shape = [1_000_000, 1_000_000];
    });
    assert.equal((await rejection(readTfjsLayersModel(file))).code, 'too-large');
  });

  it('rejects missing shards, graph models and invalid JSON', async () => {
    const original = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    const saved = await save(original);
    original.dispose();
    const missing = writeModel(folder, saved, 1, (json) => {
      (json.weightsManifest as { paths: string[] }[])[0].paths = ['absent.bin'];
    });
    assert.equal((await rejection(readTfjsLayersModel(missing))).code, 'not-found');
    const graph = writeModel(folder, saved, 1, (json) => {
      json.format = 'graph-model';
    });
    assert.equal((await rejection(readTfjsLayersModel(graph))).code, 'unsupported');
    writeFileSync(path.join(folder, 'model.json'), '{"modelTopology": ');
    assert.equal(
      (await rejection(readTfjsLayersModel(path.join(folder, 'model.json')))).code,
      'not-a-checkpoint',
    );
    assert.equal(
      (await rejection(readTfjsLayersModel(path.join(folder, 'none.json')))).code,
      'not-found',
    );
    const badDtype = writeModel(folder, saved, 1, (json) => {
      (json.weightsManifest as { weights: { dtype: string }[] }[])[0].weights[0].dtype =
        'complex64';
    });
    assert.equal((await rejection(readTfjsLayersModel(badDtype))).code, 'corrupt');
  });
});
