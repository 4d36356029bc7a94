import { strict as assert } from 'node:assert';
import { covariance, multiplySquare, symmetricEigen } from '../../src/core/metrics/linalg';
import { assertClose, matrixOf } from './support/fixtures';
import { replay, TestRandom } from './support/random';

describe('symmetricEigen', () => {
  it('finds the closed-form spectrum of the [-1, 2, -1] tridiagonal matrix', () => {
    const n = 12;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
    }
    const { values } = symmetricEigen(a, n);
    // Eigenvalues 2 - 2cos(jπ/(n+1)), j = 1..n; descending order is j = n..1.
    for (let m = 0; m < n; m++) {
      const j = n - m;
      assertClose(values[m], 2 - 2 * Math.cos((j * Math.PI) / (n + 1)), 1e-12, `eigenvalue ${m}`);
    }
  });

  it('returns orthonormal vectors with A v = λ v', () => {
    const seed = 21;
    const random = new TestRandom(seed);
    const n = 30;
    const b = Float64Array.from({ length: n * n }, () => random.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j] + b[j * n + i];
    const { values, vectors } = symmetricEigen(a, n);
    const av = multiplySquare(a, vectors, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        assertClose(
          av[i * n + j],
          values[j] * vectors[i * n + j],
          1e-10,
          `A v_${j}[${i}]${replay(seed)}`,
        );
      }
      for (let k = 0; k < n; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + j] * vectors[i * n + k];
        assertClose(dot, j === k ? 1 : 0, 1e-12, `v_${j} · v_${k}${replay(seed)}`);
      }
      if (j > 0) assert.ok(values[j] <= values[j - 1], 'descending');
    }
  });

  it('rejects a non-finite entry', () => {
    assert.throws(() => symmetricEigen([1, NaN, NaN, 1], 2), /finite/);
  });
});

describe('covariance', () => {
  it('uses the N - 1 divisor', () => {
    const cov = covariance(
      matrixOf([
        [1, 0],
        [-1, 0],
        [3, 2],
      ]),
    );
    // Mean (1, 2/3); x deviations 0, -2, 2; y deviations -2/3, -2/3, 4/3.
    assertClose(cov[0], 8 / 2, 1e-12, 'var x');
    assertClose(cov[1], (0 + 4 / 3 + 8 / 3) / 2, 1e-12, 'cov xy');
    assertClose(cov[3], (4 / 9 + 4 / 9 + 16 / 9) / 2, 1e-12, 'var y');
  });
});
