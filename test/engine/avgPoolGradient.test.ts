/*
 * First-order gradient of tf.avgPool against the float64 reference. tfjs 4.22 divides each
 * pooling window by its cells inside the input, but its stock gradient divides by the whole window
 * size. So without the registered fix the gradient is wrong wherever 'same' padding cuts a window.
 * For a 3×3 input pooled 2×2 with stride 2, stock tfjs returned 0.25 for every cell of
 * ∇Σ avgPool(x), where the border cells should get 0.5 and the corner 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';
import { avgPoolLayer, type PaddingMode } from '../helpers/float64Reference';

interface PoolCase {
  size: number;
  window: number;
  stride: number;
  pad: PaddingMode;
}

const CASES: PoolCase[] = [
  { size: 3, window: 2, stride: 2, pad: 'same' },
  { size: 5, window: 2, stride: 2, pad: 'same' },
  { size: 6, window: 3, stride: 2, pad: 'same' },
  { size: 5, window: 3, stride: 1, pad: 'same' },
  { size: 5, window: 2, stride: 2, pad: 'valid' },
];

describe('avgPool gradient', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const c of CASES) {
    it(`matches the reference: ${c.size}×${c.size}, ${c.window}×${c.window}, stride ${c.stride}, '${c.pad}'`, function () {
      const rng = new Rng(41);
      const shape: [number, number, number, number] = [2, c.size, c.size, 3];
      const x = Float64Array.from(rng.uniforms(2 * c.size * c.size * 3, -1, 1));
      const pass = avgPoolLayer(c.window, c.stride, c.pad).forward(x, shape);
      // A random weighting of the outputs, so every window's share of the gradient is visible.
      const weighting = Float64Array.from(rng.uniforms(pass.output.length, -1, 1));
      const expected = pass.backward(weighting);
      const actual = tf.tidy(() => {
        const pooled = (t: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.avgPool(t as Tensor4D, c.window, c.stride, c.pad),
              tf.tensor(Float32Array.from(weighting), pass.shape),
            ),
          );
        return tf
          .grad(pooled)(tf.tensor4d(Float32Array.from(x), shape))
          .dataSync();
      });
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) {
        assert.ok(
          Math.abs(actual[i] - expected[i]) <= 1e-6,
          `entry ${i}: tfjs ${actual[i]}, reference ${expected[i]}`,
        );
      }
    });
  }
});
