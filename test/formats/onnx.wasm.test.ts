import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { readOnnxModel } from '../../src/core/formats/onnx/load';
import { silentLogger } from '../../src/core/log';
import { readNpyFile, relativeError, SYNTHETIC_DIR, TOY_DIR } from './onnxTestUtils';

const TOLERANCE = 1e-4;

/** Runs a model file on its stored input and compares outputs and input gradients. */
function check(file: string, inputFile: string, outputFile: string, gradientFile: string): void {
  const model = readOnnxModel(readFileSync(file), path.basename(file));
  const x = readNpyFile(inputFile);
  const { values, gradients } = tf.tidy(() => {
    const input = tf.tensor(Float32Array.from(x.data), x.shape);
    return {
      values: model.apply(input).dataSync(),
      gradients: tf
        .grad((v: tf.Tensor) => tf.sum(model.apply(v)))(input)
        .dataSync(),
    };
  });
  model.dispose();
  assert.ok(relativeError(values, readNpyFile(outputFile).data) < TOLERANCE, 'outputs');
  assert.ok(
    relativeError(gradients, readNpyFile(gradientFile).data) < TOLERANCE,
    'input gradients',
  );
}

describe('readOnnxModel on the wasm backend', () => {
  before(async () => {
    const info = await initBackend({ request: 'wasm', logger: silentLogger });
    assert.equal(tf.getBackend(), 'wasm', `the wasm backend did not start (${info.name})`);
  });

  after(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const dataset of ['mnist', 'cifar10']) {
    it(`reproduces the ${dataset} DCGAN critic probes`, () => {
      const base = path.join(TOY_DIR, 'dcgan', `dcgan_${dataset}_critic_untrained`);
      check(
        `${base}.onnx`,
        `${base}_probe_x.npy`,
        `${base}_probe_critic.npy`,
        `${base}_probe_grad.npy`,
      );
    });
  }

  // Transposed, dilated and 1-D convolutions, pooling, slicing and resizing on wasm kernels.
  for (const name of [
    'transposed_generator',
    'dilated_critic',
    'pooling_critic',
    'indexing_critic',
    'upsampling_generator',
  ]) {
    it(`matches float64 PyTorch on ${name}`, () => {
      const base = path.join(SYNTHETIC_DIR, name);
      check(`${base}.onnx`, `${base}_x.npy`, `${base}_y.npy`, `${base}_grad.npy`);
    });
  }
});
