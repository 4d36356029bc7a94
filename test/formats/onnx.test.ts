import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { inspectOnnx } from '../../src/core/formats/onnx/inspect';
import { readOnnxModel, type OnnxModel } from '../../src/core/formats/onnx/load';
import { silentLogger } from '../../src/core/log';
import type { ConvOperator, DenseOperator } from '../../src/core/nets/model';
import { readNpyFile, relativeError, TOY_DIR } from './onnxTestUtils';

const RUNS = [
  'cg_8g_gp',
  'cg_25g_gp',
  'cg_8g_gp_lambda10',
  'cg_8g_lambda0',
  'cg_8g_early',
  'cg_8g_wclip',
];
const TOLERANCE = 1e-4;

interface Probe {
  x: [number, number];
  critic: number;
  grad: [number, number];
}

function loadModel(file: string): OnnxModel {
  return readOnnxModel(readFileSync(file), path.basename(file));
}

function loadProbes(run: string): Probe[] {
  return JSON.parse(readFileSync(path.join(TOY_DIR, run, 'metadata.json'), 'utf8'))
    .probes as Probe[];
}

/** Critic values [batch] and input gradients of their sum, [batch, ...]. */
function valuesAndGradients(
  model: OnnxModel,
  x: tf.Tensor,
): { values: Float32Array; gradients: Float32Array } {
  return tf.tidy(() => {
    const values = model.apply(x).dataSync() as Float32Array;
    const gradients = tf
      .grad((input: tf.Tensor) => tf.sum(model.apply(input)))(x)
      .dataSync() as Float32Array;
    return { values, gradients };
  });
}

describe('readOnnxModel on the toy WGAN-GP critics', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const run of RUNS) {
    it(`reproduces the ${run} probes`, () => {
      const model = loadModel(path.join(TOY_DIR, run, 'critic.onnx'));
      const probes = loadProbes(run);
      assert.equal(probes.length, 16);
      const x = tf.tensor2d(probes.map((p) => p.x));
      const { values, gradients } = valuesAndGradients(model, x);
      const valueError = relativeError(
        values,
        probes.map((p) => p.critic),
      );
      const gradientError = relativeError(
        gradients,
        probes.flatMap((p) => p.grad),
      );
      x.dispose();
      model.dispose();
      assert.ok(valueError < TOLERANCE, `critic values differ by ${valueError} relative`);
      assert.ok(gradientError < TOLERANCE, `input gradients differ by ${gradientError} relative`);
    });
  }

  it('maps the generator noise to the stored samples', () => {
    const model = loadModel(path.join(TOY_DIR, 'cg_8g_gp', 'generator.onnx'));
    const noise = readNpyFile(path.join(TOY_DIR, 'cg_8g_gp', 'noise_2000.npy'));
    const expected = readNpyFile(path.join(TOY_DIR, 'cg_8g_gp', 'gen_2000.npy'));
    const samples = tf.tidy(() =>
      model.apply(tf.tensor(Float32Array.from(noise.data), noise.shape)).dataSync(),
    );
    model.dispose();
    assert.deepEqual([model.inputName, model.outputName, model.outputSize], ['z', 'sample', 2]);
    assert.ok(relativeError(samples, expected.data) < TOLERANCE);
  });

  it('reports shapes and dense layers of a critic', () => {
    const model = loadModel(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx'));
    model.dispose();
    assert.deepEqual(model.inputShape, [2]);
    assert.equal(model.outputSize, 1);
    assert.equal(model.opset, 13);
    const dense = model.layers.filter((layer) => layer.kind === 'dense');
    const shapes = dense.map((layer) => (layer.linear as DenseOperator).kernel.shape);
    assert.deepEqual(shapes, [
      [2, 256],
      [256, 256],
      [256, 256],
      [256, 1],
    ]);
    assert.deepEqual(
      model.layers
        .filter((layer) => layer.kind === 'activation')
        .map((layer) => [layer.activation?.name, layer.lipschitz]),
      [
        ['relu', 1],
        ['relu', 1],
        ['relu', 1],
      ],
    );
  });

  it('dense kernels recompute the probes in float64', () => {
    // An MLP forward pass in JavaScript from the reported [in, out] kernels and the biases.
    const model = loadModel(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx'));
    model.dispose();
    const dense = model.layers.filter((layer) => layer.kind === 'dense');
    const probes = loadProbes('cg_8g_gp');
    const values = probes.map((probe) => {
      let h: number[] = probe.x;
      dense.forEach((layer, index) => {
        const kernel = (layer.linear as DenseOperator).kernel;
        const bias = layer.weights.find((w) => w.name.includes('bias'))!.values;
        const [inputs, outputs] = kernel.shape;
        const next = Array.from({ length: outputs }, (_, o) => {
          let sum = bias[o];
          for (let i = 0; i < inputs; i++) sum += h[i] * kernel.values[i * outputs + o];
          return sum;
        });
        h = index < dense.length - 1 ? next.map((v) => Math.max(0, v)) : next;
      });
      return h[0];
    });
    assert.ok(
      relativeError(
        values,
        probes.map((p) => p.critic),
      ) < TOLERANCE,
    );
  });

  it('gives the same per-sample values for batches of 1, 3 and 64', () => {
    const model = loadModel(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx'));
    const points = readNpyFile(path.join(TOY_DIR, 'cg_8g_gp', 'uniform_2000.npy'));
    const all = tf.tensor2d(Float32Array.from(points.data.subarray(0, 128)), [64, 2]);
    const reference = valuesAndGradients(model, all);
    for (const batch of [1, 3]) {
      const part = tf.slice(all, [0, 0], [batch, 2]);
      const { values, gradients } = valuesAndGradients(model, part);
      part.dispose();
      assert.ok(
        relativeError(values, reference.values.subarray(0, batch)) < 1e-6,
        `batch ${batch} values`,
      );
      assert.ok(
        relativeError(gradients, reference.gradients.subarray(0, 2 * batch)) < 1e-6,
        `batch ${batch} gradients`,
      );
    }
    all.dispose();
    model.dispose();
  });

  it('leaves no tensors behind after apply and grad', () => {
    const model = loadModel(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx'));
    const x = tf.randomNormal([8, 2]);
    valuesAndGradients(model, x);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) valuesAndGradients(model, x);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    const loaded = tf.memory().numTensors;
    model.dispose();
    assert.ok(tf.memory().numTensors < loaded, 'dispose releases the cached weights');
  });
});

describe('readOnnxModel on the DCGAN image critics', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const dataset of ['mnist', 'cifar10']) {
    it(`reproduces the ${dataset} probe outputs and gradients`, () => {
      const base = path.join(TOY_DIR, 'dcgan', `dcgan_${dataset}_critic_untrained`);
      const model = loadModel(`${base}.onnx`);
      const x = readNpyFile(`${base}_probe_x.npy`);
      const input = tf.tensor(Float32Array.from(x.data), x.shape);
      const { values, gradients } = valuesAndGradients(model, input);
      input.dispose();
      model.dispose();
      assert.ok(relativeError(values, readNpyFile(`${base}_probe_critic.npy`).data) < TOLERANCE);
      assert.ok(relativeError(gradients, readNpyFile(`${base}_probe_grad.npy`).data) < TOLERANCE);
    });
  }

  it('reports conv geometry on the traced input shapes', () => {
    const model = loadModel(path.join(TOY_DIR, 'dcgan', 'dcgan_mnist_critic_untrained.onnx'));
    model.dispose();
    assert.deepEqual(model.inputShape, [784]);
    const convs = model.layers
      .filter((layer) => layer.kind === 'conv2d')
      .map((layer) => layer.linear as ConvOperator);
    assert.deepEqual(
      convs.map((c) => [c.filter.shape, c.strides, c.padding, c.dilations, c.inputShape]),
      [
        [
          [5, 5, 1, 16],
          [2, 2],
          [2, 2, 2, 2],
          [1, 1],
          [28, 28, 1],
        ],
        [
          [5, 5, 16, 32],
          [2, 2],
          [2, 2, 2, 2],
          [1, 1],
          [14, 14, 16],
        ],
        [
          [5, 5, 32, 64],
          [2, 2],
          [2, 2, 2, 2],
          [1, 1],
          [7, 7, 32],
        ],
      ],
    );
  });

  it('layer filters recompute the cifar10 critic', () => {
    // Rebuilds the critic from the reported tfjs-layout filters, padding and kernels alone.
    const base = path.join(TOY_DIR, 'dcgan', 'dcgan_cifar10_critic_untrained');
    const model = loadModel(`${base}.onnx`);
    model.dispose();
    const x = readNpyFile(`${base}_probe_x.npy`);
    const values = tf.tidy(() => {
      let h: tf.Tensor = tf.transpose(tf.tensor(Float32Array.from(x.data), x.shape), [0, 2, 3, 1]);
      for (const layer of model.layers) {
        const bias = layer.weights.find((w) => w.name.includes('bias'));
        if (layer.kind === 'conv2d') {
          const conv = layer.linear as ConvOperator;
          const [top, bottom, left, right] = conv.padding;
          const filter = tf.tensor4d(
            conv.filter.values,
            conv.filter.shape as [number, number, number, number],
          );
          h = tf.conv2d(h as tf.Tensor4D, filter, conv.strides, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ]);
          h = tf.add(h, tf.tensor1d(bias!.values));
        } else if (layer.kind === 'activation') {
          assert.equal(layer.activation?.name, 'leakyRelu');
          h = tf.leakyRelu(h, layer.activation!.alpha);
        } else if (layer.kind === 'dense') {
          const kernel = (layer.linear as DenseOperator).kernel;
          // ONNX flattens NCHW, so return to that order first.
          const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [h.shape[0], -1]);
          h = tf.add(
            tf.matMul(
              flat as tf.Tensor2D,
              tf.tensor2d(kernel.values, kernel.shape as [number, number]),
            ),
            tf.tensor1d(bias!.values),
          );
        }
      }
      return h.dataSync();
    });
    assert.ok(relativeError(values, readNpyFile(`${base}_probe_critic.npy`).data) < TOLERANCE);
  });

  it('gives the same per-sample values for batches of 1 and 3', () => {
    const base = path.join(TOY_DIR, 'dcgan', 'dcgan_mnist_critic_untrained');
    const model = loadModel(`${base}.onnx`);
    const x = readNpyFile(`${base}_probe_x.npy`);
    const all = tf.tensor(Float32Array.from(x.data), x.shape);
    const reference = valuesAndGradients(model, all);
    for (const batch of [1, 3]) {
      const part = tf.slice(all, [0, 0], [batch, 784]);
      const { values } = valuesAndGradients(model, part);
      part.dispose();
      assert.ok(
        relativeError(values, reference.values.subarray(0, batch)) < 1e-5,
        `batch ${batch}`,
      );
    }
    all.dispose();
    model.dispose();
  });
});

describe('inspectOnnx', () => {
  it('summarises the toy critic as its metadata records', () => {
    const summary = inspectOnnx(readFileSync(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx')));
    const expected = JSON.parse(
      readFileSync(path.join(TOY_DIR, 'cg_8g_gp', 'metadata.json'), 'utf8'),
    ).onnx.critic;
    assert.equal(summary.irVersion, expected.ir_version);
    assert.equal(`${summary.producerName} ${summary.producerVersion}`, expected.producer);
    assert.deepEqual(summary.opsets, [{ domain: 'ai.onnx', version: 13 }]);
    assert.deepEqual(summary.inputs, [{ name: 'x', dtype: 'float', dims: ['batch', 2] }]);
    assert.deepEqual(summary.outputs, [{ name: 'critic', dtype: 'float', dims: ['batch'] }]);
    const histogram: Record<string, number> = {};
    for (const op of expected.ops as string[]) histogram[op] = (histogram[op] ?? 0) + 1;
    assert.deepEqual(summary.opHistogram, histogram);
    assert.deepEqual(
      summary.initializers.map((t) => [t.name, t.shape]),
      expected.initializers,
    );
    // Linear(2,256), two Linear(256,256) and Linear(256,1), weights plus biases.
    assert.equal(summary.parameterCount, 2 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1);
  });
});
