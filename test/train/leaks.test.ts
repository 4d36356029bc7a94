/*
 * Tensor leaks: a training step must dispose everything it creates, so the count of live tensors
 * (tf.memory().numTensors) and of registered variables does not grow with the number of steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { createDataset } from '../../src/core/data/toy';
import { silentLogger } from '../../src/core/log';
import { heUniformWeights, Mlp } from '../../src/core/nets/mlp';
import { Rng } from '../../src/core/rng';
import { SINGLE_PROCESS } from '../../src/core/train/collective';
import { presetConfig, type TrainConfig } from '../../src/core/train/config';
import { Optimizer } from '../../src/core/train/optimizers';
import { criticGradients, generatorGradients } from '../../src/core/train/step';
import { networkSpecs, train } from '../../src/core/train/trainer';
import { makeTempDir, removeDir } from './support';

function registeredVariableCount(): number {
  return Object.keys(tf.engine().registeredVariables).length;
}

describe('tensor leaks in training', function () {
  this.timeout(60_000);
  let root: string;

  before(async function () {
    await initBackend({ request: 'wasm', logger: silentLogger });
    root = await makeTempDir('leaks');
  });

  after(async function () {
    if (root) await removeDir(root);
  });

  it('keeps the tensor count over 200 steps', function () {
    const config = presetConfig('tiny');
    const dataset = createDataset(config.dataset);
    const specs = networkSpecs(config, dataset);
    const rng = new Rng(5);
    const critic = new Mlp(specs.critic, 'leak_critic', heUniformWeights(specs.critic, rng));
    const generator = new Mlp(
      specs.generator,
      'leak_generator',
      heUniformWeights(specs.generator, rng),
    );
    const criticOptimizer = new Optimizer(config.criticOptimizer, critic.variables);
    const generatorOptimizer = new Optimizer(config.generatorOptimizer, generator.variables);
    const batch = config.batchSize;
    const latentDim = config.generator.latentDim;

    // One critic step and one generator step, disposing what the trainer's loop disposes.
    const step = () => {
      const real = dataset.sample(batch, rng);
      const input = {
        real: tf.tensor2d(real.data, [batch, dataset.dim]),
        fake: tf.tidy(() =>
          generator.apply(tf.tensor2d(rng.normals(batch * latentDim), [batch, latentDim])),
        ),
        epsilon: tf.tensor1d(rng.uniforms(batch)) as Tensor1D,
        batchSize: batch,
      };
      const criticStep = criticGradients(critic, input, config.penalty, SINGLE_PROCESS);
      criticOptimizer.apply(criticStep.gradients);
      tf.dispose([input.real, input.fake, input.epsilon]);

      const latent = tf.tensor2d(rng.normals(batch * latentDim), [batch, latentDim]);
      const generatorStep = generatorGradients(critic, generator, latent, batch, SINGLE_PROCESS);
      generatorOptimizer.apply(generatorStep.gradients);
      latent.dispose();
    };

    try {
      // A warm-up step first, so that tensors a backend creates once and keeps are not leaks.
      step();
      const tensorsBefore = tf.memory().numTensors;
      const variablesBefore = registeredVariableCount();
      for (let i = 0; i < 200; i++) step();
      assert.equal(tf.memory().numTensors, tensorsBefore, 'live tensors after 200 steps');
      assert.equal(
        registeredVariableCount(),
        variablesBefore,
        'registered variables after 200 steps',
      );
    } finally {
      critic.dispose();
      generator.dispose();
    }
  });

  // The clip run takes the weight-clipping branch, and the lp run the one-sided penalty.
  const cases: [string, TrainConfig][] = [
    ['gp', presetConfig('tiny')],
    ['lp', { ...presetConfig('tiny'), penalty: { kind: 'lp', lambda: 10, target: 1 } }],
    ['clip', { ...presetConfig('tiny'), penalty: { kind: 'clip', lambda: 0, target: 1 } }],
  ];
  for (const [kind, config] of cases) {
    it(`keeps the tensor count over train (${kind})`, async function () {
      const tensorsBefore = tf.memory().numTensors;
      const variablesBefore = registeredVariableCount();
      const result = await train({
        runDir: path.join(root, kind),
        config,
        backend: 'wasm',
        logger: silentLogger,
      });
      assert.equal(result.status, 'completed');
      assert.equal(tf.memory().numTensors, tensorsBefore, 'live tensors after train');
      assert.equal(registeredVariableCount(), variablesBefore, 'registered variables after train');
    });
  }
});
