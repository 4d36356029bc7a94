import { strict as assert } from 'node:assert';
import { chiSquareCdf, chiSquareQuantile, logGamma } from '../../src/core/metrics/chiSquare';
import { assertClose, REFERENCE } from './support/fixtures';

describe('logGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    let factorial = 1;
    for (let n = 1; n <= 30; n++) {
      assertClose(
        logGamma(n + 1),
        Math.log((factorial *= n)),
        1e-13 * (1 + Math.log(factorial)),
        `ln ${n}!`,
      );
    }
    assertClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'ln Γ(1/2)');
    assert.ok(Number.isNaN(logGamma(0)));
  });
});

describe('chiSquareCdf', () => {
  it('is 1 - e^(-x/2) for 2 degrees of freedom', () => {
    for (const x of [0.01, 0.5, 2, 9, 30, 80]) {
      assertClose(chiSquareCdf(x, 2), -Math.expm1(-x / 2), 1e-14, `x = ${x}`);
    }
  });

  it('is erf(√(x/2)) for 1 degree of freedom: 3σ gives 0.9973002039367398', () => {
    // erf(3/√2), the two-sided 3σ probability of a normal, to 16 digits.
    assertClose(chiSquareCdf(9, 1), 0.9973002039367398, 1e-14, 'P(χ²₁ ≤ 9)');
    // erf(1/√2) = 0.6826894921370859, the 1σ probability.
    assertClose(chiSquareCdf(1, 1), 0.6826894921370859, 1e-14, 'P(χ²₁ ≤ 1)');
  });

  it('matches the closed-form reference for integer degrees of freedom', () => {
    for (const c of REFERENCE.chi2_cdf) {
      assertClose(chiSquareCdf(c.x, c.d), c.p, 1e-12, `P(χ²_${c.d} ≤ ${c.x})`);
    }
  });

  it('returns NaN for NaN input and 0 at or below 0', () => {
    assert.ok(Number.isNaN(chiSquareCdf(NaN, 3)));
    assert.ok(Number.isNaN(chiSquareCdf(1, 0)));
    assert.equal(chiSquareCdf(-1, 3), 0);
  });
});

describe('chiSquareQuantile', () => {
  it('matches 95 % table values', () => {
    // Standard χ² table, upper 5 % points.
    const table: [number, number][] = [
      [1, 3.841458820694124],
      [2, 5.991464547107979],
      [3, 7.814727903251178],
      [4, 9.487729036781154],
      [5, 11.070497693516351],
      [10, 18.307038053275146],
      [100, 124.34211340400407],
    ];
    for (const [dof, value] of table)
      assertClose(chiSquareQuantile(0.95, dof), value, 1e-9 * value, `dof ${dof}`);
  });

  it('matches the bisection reference at the 3σ-in-2-D probability', () => {
    for (const c of REFERENCE.chi2_hq_quantile) {
      assertClose(chiSquareQuantile(c.p, c.d), c.q, 1e-10 * c.q, `dof ${c.d}`);
    }
    assertClose(chiSquareQuantile(1 - Math.exp(-4.5), 2), 9, 1e-13, 'dof 2 is 3σ');
  });

  it('handles the ends of [0, 1]', () => {
    assert.equal(chiSquareQuantile(0, 4), 0);
    assert.equal(chiSquareQuantile(1, 4), Infinity);
    assert.ok(Number.isNaN(chiSquareQuantile(1.5, 4)));
  });
});
