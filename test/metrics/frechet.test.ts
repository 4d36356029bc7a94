import { strict as assert } from 'node:assert';
import { frechetDistance, frechetDistanceFromMoments } from '../../src/core/metrics/frechet';
import { assertClose, matrixOf } from './support/fixtures';
import { replay, TestRandom } from './support/random';

describe('frechetDistanceFromMoments', () => {
  it('is 2 + ‖Δμ‖² for diag(1, 0) against diag(0, 1)', () => {
    // Σ₁Σ₂ = 0, so Tr(Σ₁ + Σ₂ - 2(Σ₁Σ₂)^½) = 1 + 1 - 0.
    const result = frechetDistanceFromMoments([0, 0], [1, 0, 0, 0], [3, 4], [0, 0, 0, 1]);
    assertClose(result.distance, 2 + 25, 1e-12, 'distance');
    assertClose(result.meanTerm, 25, 1e-12, 'mean term');
  });

  it('matches the 2 × 2 closed form', () => {
    // For 2 × 2 M with positive spectrum, Tr √M = √(Tr M + 2√det M); Σ₁Σ₂ need not be symmetric.
    // Σ₁ = [[2, 1], [1, 2]], Σ₂ = diag(1, 3): Tr Σ₁Σ₂ = 8, det = 3 · 3 = 9, Tr √ = √14.
    const result = frechetDistanceFromMoments([1, 0], [2, 1, 1, 2], [0, 0], [1, 0, 0, 3]);
    assertClose(result.distance, 1 + 4 + 4 - 2 * Math.sqrt(14), 1e-12, 'distance');
  });

  it('is (1 - √c)² Tr Σ at rank 5 in 50-D', () => {
    const seed = 31;
    const random = new TestRandom(seed);
    const dim = 50;
    const rank = 5;
    const factor = Float64Array.from({ length: dim * rank }, () => random.normal());
    const cov = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        for (let r = 0; r < rank; r++)
          cov[i * dim + j] += factor[i * rank + r] * factor[j * rank + r];
      }
    }
    const c = 2.25;
    let trace = 0;
    for (let i = 0; i < dim; i++) trace += cov[i * dim + i];
    const zero = new Float64Array(dim);
    const result = frechetDistanceFromMoments(
      zero,
      cov,
      zero,
      cov.map((v) => c * v),
    );
    assert.ok(Number.isFinite(result.distance), replay(seed));
    assertClose(
      result.distance,
      (1 - Math.sqrt(c)) ** 2 * trace,
      1e-9 * trace,
      `distance${replay(seed)}`,
    );
  });

  it('is 0 for equal moments and NaN for NaN input', () => {
    assertClose(
      frechetDistanceFromMoments([1, 2], [2, 1, 1, 2], [1, 2], [2, 1, 1, 2]).distance,
      0,
      1e-12,
      'equal',
    );
    assert.ok(
      Number.isNaN(
        frechetDistanceFromMoments([NaN, 0], [1, 0, 0, 1], [0, 0], [1, 0, 0, 1]).distance,
      ),
    );
  });
});

describe('frechetDistance', () => {
  it('fits sample moments: 4 + ‖m‖² for two orthogonal segments', () => {
    // Unbiased covariances diag(2, 0) and diag(0, 2); Σ₁Σ₂ = 0.
    const a = matrixOf([
      [1, 0],
      [-1, 0],
    ]);
    const b = matrixOf([
      [1, 3],
      [1, 1],
    ]);
    assertClose(frechetDistance(a, b).distance, 4 + 1 + 4, 1e-12, 'distance');
  });

  it('rejects a set with one row', () => {
    assert.throws(
      () =>
        frechetDistance(
          matrixOf([[0, 0]]),
          matrixOf([
            [0, 0],
            [1, 1],
          ]),
        ),
      /at least 2 rows/,
    );
  });
});
