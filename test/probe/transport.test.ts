import assert from 'node:assert/strict';
import { createMatrix } from '../../src/core/data/matrix';
import { alignment, otInterpolatesSet } from '../../src/core/probe/transport';
import { Rng } from '../../src/core/rng';

describe('optimal-transport interpolates', () => {
  it('pair each generated point with its shifted real copy', () => {
    // fake = real - δ: the optimal coupling is the identity, so every direction is δ/|δ|.
    const rng = new Rng(3);
    const n = 64;
    const real = createMatrix(n, 2, rng.uniforms(2 * n));
    const delta = [0.3, -0.4];
    const fake = createMatrix(
      n,
      2,
      Float32Array.from(real.data, (v, i) => v - delta[i % 2]),
    );
    const set = otInterpolatesSet(real, fake, n, new Rng(5));
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(set.directions.data[2 * i] - 0.6) < 1e-5);
      assert.ok(Math.abs(set.directions.data[2 * i + 1] + 0.8) < 1e-5);
    }
  });

  it('measures the cosine between gradients and pair directions', () => {
    const directions = createMatrix(2, 2, new Float32Array([1, 0, 0, 1]));
    const gradients = createMatrix(2, 2, new Float32Array([2, 0, 1, 1]));
    const result = alignment(gradients, directions);
    assert.ok(Math.abs(result.meanCosine - (1 + Math.SQRT1_2) / 2) < 1e-7);
  });
});
