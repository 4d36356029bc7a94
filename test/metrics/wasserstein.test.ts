import { strict as assert } from 'node:assert';
import { createMatrix } from '../../src/core/data/matrix';
import { ASSIGNMENT_MAX_SIZE, solveAssignment } from '../../src/core/metrics/assignment';
import { exactW1, subsampleRows } from '../../src/core/metrics/wasserstein';
import { assertClose, matrixOf, REFERENCE } from './support/fixtures';
import { replay, TestRandom } from './support/random';

/** Minimum over all permutations, for n ≤ 8. */
function bruteForceAssignment(cost: Float64Array, n: number): number {
  let best = Infinity;
  const permute = (row: number, used: number, sum: number): void => {
    if (row === n) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < n; j++) {
      if (!(used & (1 << j))) permute(row + 1, used | (1 << j), sum + cost[row * n + j]);
    }
  };
  permute(0, 0, 0);
  return best;
}

describe('solveAssignment', () => {
  it('matches brute force on random integer and real costs', () => {
    const seed = 41;
    const random = new TestRandom(seed);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + (trial % 7);
      const integer = trial % 2 === 0;
      const cost = Float64Array.from({ length: n * n }, () =>
        integer ? Math.floor(random.uniform() * 5) : random.normal(),
      );
      const { rowToColumn, totalCost } = solveAssignment(cost, n);
      assert.deepEqual(
        [...rowToColumn].sort(),
        Array.from({ length: n }, (_, i) => i),
        'permutation',
      );
      assertClose(totalCost, bruteForceAssignment(cost, n), 1e-9, `trial ${trial}${replay(seed)}`);
    }
  });

  it('rejects sizes above the cap and non-finite costs', () => {
    const n = ASSIGNMENT_MAX_SIZE + 1;
    assert.throws(() => solveAssignment(new Float64Array(0), n), /exceeds the limit of 2000/);
    assert.throws(() => solveAssignment([0, Infinity, 1, 0], 2), /finite/);
  });

  it('returns an empty assignment for n = 0', () => {
    assert.equal(solveAssignment([], 0).totalCost, 0);
  });
});

describe('exactW1', () => {
  it('matches the plain-Python permutation reference', () => {
    REFERENCE.w1.forEach((c, i) => {
      assertClose(exactW1(matrixOf(c.a), matrixOf(c.b)).w1, c.w1, 1e-12, `case ${i}`);
    });
  });

  it('is δ for Uniform[0, 1] against its copy shifted by δ', () => {
    const seed = 42;
    const random = new TestRandom(seed);
    const delta = 0.25;
    const u = Float32Array.from({ length: 300 }, () => random.uniform());
    const shifted = u.map((x) => x + delta);
    const result = exactW1(createMatrix(300, 1, u), createMatrix(300, 1, shifted));
    // float32 rounding of x + δ moves each pair by at most 2⁻²⁴ · 1.25.
    assertClose(result.w1, delta, 1e-7, `W1${replay(seed)}`);
  });

  it('is |a| for two Diracs', () => {
    const a = [3, -4];
    const zeros = createMatrix(5, 2, new Float32Array(10));
    const dirac = matrixOf(Array.from({ length: 5 }, () => a));
    assertClose(exactW1(zeros, dirac).w1, 5, 1e-12, 'W1');
  });

  it('subsamples the larger set with evenly spread rows', () => {
    assert.deepEqual(Array.from(subsampleRows(10, 4)), [0, 2, 5, 7]);
    const a = matrixOf([[0], [1], [2], [3]]);
    const b = matrixOf([[0], [10], [2], [30], [4], [50], [6], [70]]);
    const result = exactW1(a, b);
    assert.equal(result.subsampled, true);
    // Rows 0, 2, 4, 6 of b are kept: {0, 2, 4, 6} against {0, 1, 2, 3}, sorted matching.
    assertClose(result.w1, (0 + 1 + 2 + 3) / 4, 1e-12, 'W1');
  });

  it('rejects empty sets and NaN coordinates', () => {
    assert.throws(() => exactW1(createMatrix(0, 2), matrixOf([[0, 0]])), /at least one row/);
    assert.throws(() => exactW1(matrixOf([[NaN, 0]]), matrixOf([[0, 0]])), /finite/);
  });
});
