import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { readArchitectureFile, type ArchitectureSpec } from '../../src/core/formats/archSpec';
import { buildModelFromStateDict } from '../../src/core/formats/modelBuilder';
import { readNpy } from '../../src/core/formats/npy';
import { inferArchitecture } from '../../src/core/formats/stateDict';
import { readTorchFile } from '../../src/core/formats/torch';
import { selectStateDict } from '../../src/core/formats/torchTree';
import { silentLogger } from '../../src/core/log';
import { SYNTHETIC, expectCheckpointError, toyFile } from './helpers';

const OPS = JSON.parse(toyFile('dcgan', 'dcgan_ops.json').toString('utf8')) as Record<
  string,
  { ops: string[] }
>;
const ONNX_TO_TORCH: Record<string, string> = {
  Conv: 'Conv2d',
  Relu: 'ReLU',
  LeakyRelu: 'LeakyReLU',
  Gemm: 'Linear',
};

function stateDictOf(name: string) {
  return selectStateDict(
    readTorchFile(toyFile('dcgan', `dcgan_${name}_critic_untrained.pt`)).contents,
  ).stateDict;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** Runs the critic on the probe inputs and compares values and input gradients to 1e-4 of the largest. */
function checkDcgan(name: string, spec: ArchitectureSpec): void {
  const model = buildModelFromStateDict(stateDictOf(name), spec);
  const prefix = `dcgan_${name}_critic_untrained_probe_`;
  const x = readNpy(toyFile('dcgan', `${prefix}x.npy`));
  const expectedValues = readNpy(toyFile('dcgan', `${prefix}critic.npy`));
  const expectedGrads = readNpy(toyFile('dcgan', `${prefix}grad.npy`));
  tf.tidy(() => {
    const input = tf.tensor(x.matrix.data, x.shape);
    const values = model.apply(input);
    assert.deepEqual(values.shape, expectedValues.shape);
    const grads = tf.grad((t: tf.Tensor) => tf.sum(model.apply(t)))(input);
    assert.deepEqual(grads.shape, expectedGrads.shape);
    const valueTolerance = 1e-4 * maxAbs(expectedValues.matrix.data);
    const gradTolerance = 1e-4 * maxAbs(expectedGrads.matrix.data);
    const got = values.dataSync();
    got.forEach((value, i) =>
      assert.ok(
        Math.abs(value - expectedValues.matrix.data[i]) <= valueTolerance,
        `${name} value ${i}`,
      ),
    );
    const gotGrads = grads.dataSync();
    let worst = 0;
    gotGrads.forEach(
      (g, i) => (worst = Math.max(worst, Math.abs(g - expectedGrads.matrix.data[i]))),
    );
    assert.ok(worst <= gradTolerance, `${name}: gradient error ${worst} above ${gradTolerance}`);
  });
  // The torch ops of the exported graph, less the reshapes, are our layer ops in order.
  const torchOps = OPS[`${name}_critic`].ops
    .filter((op) => op in ONNX_TO_TORCH)
    .map((op) => ONNX_TO_TORCH[op]);
  assert.deepEqual(
    model.layers.filter((layer) => layer.kind !== 'reshape').map((layer) => layer.op),
    torchOps,
  );
  model.dispose();
}

describe('DCGAN critics from state_dicts', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('runs the MNIST critic from an architecture file', async () => {
    const spec = await readArchitectureFile(path.join(SYNTHETIC, 'dcgan_mnist_architecture.json'));
    checkDcgan('mnist', spec);
  });

  it('infers the MNIST critic given its input shape', () => {
    const { spec, assumptions } = inferArchitecture(stateDictOf('mnist'), {
      inputShape: [1, 28, 28],
      output: 'flatten',
    });
    assert.ok(assumptions.some((line) => /stride 2/.test(line)));
    checkDcgan('mnist', spec);
  });

  it('infers the CIFAR-10 critic with LeakyReLU', () => {
    const { spec } = inferArchitecture(stateDictOf('cifar10'), {
      inputShape: [3, 32, 32],
      activation: { type: 'leakyRelu' },
    });
    const leaky = spec.layers.find((layer) => layer.type === 'leakyRelu');
    // nn.LeakyReLU() defaults to a negative slope of 0.01.
    assert.deepEqual(leaky, { type: 'leakyRelu', alpha: 0.01 });
    checkDcgan('cifar10', spec);
  });

  it('describes convolutions in tfjs filter layout', () => {
    const { spec } = inferArchitecture(stateDictOf('mnist'), { inputShape: [1, 28, 28] });
    const model = buildModelFromStateDict(stateDictOf('mnist'), spec);
    const conv = model.layers[0].linear;
    assert.ok(conv?.type === 'conv2d');
    assert.deepEqual(conv.filter.shape, [5, 5, 1, 16]);
    assert.deepEqual(conv.strides, [2, 2]);
    assert.deepEqual(conv.padding, [2, 2, 2, 2]);
    assert.deepEqual(conv.inputShape, [28, 28, 1]);
    const second = model.layers[2].linear;
    assert.ok(second?.type === 'conv2d');
    // 28 -> 14 with kernel 5, stride 2, padding 2.
    assert.deepEqual(second.inputShape, [14, 14, 16]);
    model.dispose();
  });

  it('asks for the input shape with the sizes that fit', () => {
    // Three stride-2 convolutions with padding 2 map H to ceil(H / 8), so 4 x 4 x 64 = 1024
    // features need H in 25..32.
    expectCheckpointError(
      () => inferArchitecture(stateDictOf('mnist')),
      'architecture-needed',
      /from 25 to 32/,
    );
    expectCheckpointError(
      () => inferArchitecture(stateDictOf('mnist'), { inputShape: [1, 20, 20] }),
      'architecture-needed',
      /1024/,
    );
  });
});
