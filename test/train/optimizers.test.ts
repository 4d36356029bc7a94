/*
 * Adam and RMSProp against PyTorch's torch.optim on the same gradients (recorded by
 * test/fixtures/reference/make_optimizer_reference.py), and their saved state.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Optimizer, type OptimizerConfig } from '../../src/core/train/optimizers';

interface ReferenceCase {
  name: string;
  config: OptimizerConfig;
  initial: number[];
  gradients: number[][];
  params: number[][];
}

const REFERENCE = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'fixtures', 'reference', 'optimizers.json'), 'utf8'),
) as { cases: ReferenceCase[] };

/**
 * Float32 results of the same formula may differ by rounding order: a few ulps of the parameter,
 * or of the learning rate for a parameter near zero (each step moves it by about lr).
 */
const RELATIVE_TOLERANCE = 1e-6;

function maxError(actual: Float32Array, expected: number[], lr: number): number {
  let worst = 0;
  expected.forEach((e, k) => {
    worst = Math.max(worst, Math.abs(actual[k] - e) / Math.max(Math.abs(e), lr));
  });
  return worst;
}

describe('optimizers against torch.optim', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const reference of REFERENCE.cases) {
    it(`matches PyTorch: ${reference.name}`, () => {
      const variable = tf.variable(tf.tensor1d(reference.initial));
      const optimizer = new Optimizer(reference.config, [variable]);
      const errors = reference.gradients.map((g, step) => {
        optimizer.apply([Float32Array.from(g)]);
        return maxError(
          variable.dataSync() as Float32Array,
          reference.params[step],
          reference.config.lr,
        );
      });
      variable.dispose();
      assert.ok(Math.max(...errors) < RELATIVE_TOLERANCE, `errors per step: ${errors.join(', ')}`);
    });

    it(`resumes exactly from saved state: ${reference.name}`, () => {
      const uninterrupted = tf.variable(tf.tensor1d(reference.initial));
      const whole = new Optimizer(reference.config, [uninterrupted]);
      for (const g of reference.gradients) whole.apply([Float32Array.from(g)]);

      const resumed = tf.variable(tf.tensor1d(reference.initial));
      const first = new Optimizer(reference.config, [resumed]);
      const half = reference.gradients.length / 2;
      for (const g of reference.gradients.slice(0, half)) first.apply([Float32Array.from(g)]);
      const second = new Optimizer(reference.config, [resumed]);
      second.restore(first.state());
      for (const g of reference.gradients.slice(half)) second.apply([Float32Array.from(g)]);

      assert.deepEqual(resumed.dataSync(), uninterrupted.dataSync());
      assert.deepEqual(second.state(), whole.state());
      tf.dispose([uninterrupted, resumed]);
    });
  }

  it('rejects a gradient of the wrong size', () => {
    const variable = tf.variable(tf.zeros([4]));
    const optimizer = new Optimizer(REFERENCE.cases[0].config, [variable]);
    assert.throws(() => optimizer.apply([new Float32Array(3)]), /Gradient 0 has 3 values/);
    assert.throws(() => optimizer.apply([]), /expected 1 gradients, got 0/);
    variable.dispose();
  });

  it('rejects saved state of another shape', () => {
    const variable = tf.variable(tf.zeros([4]));
    const optimizer = new Optimizer(REFERENCE.cases[0].config, [variable]);
    const state = { step: 1, slots: [[new Float32Array(4), new Float32Array(5)]] };
    assert.throws(() => optimizer.restore(state), /does not match its shape/);
    variable.dispose();
  });
});
