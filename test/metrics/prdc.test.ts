import { strict as assert } from 'node:assert';
import { createMatrix, selectRows, type Matrix } from '../../src/core/data/matrix';
import type { IndexKind } from '../../src/core/metrics/knn';
import { densityCoverage, precisionRecall } from '../../src/core/metrics/prdc';
import { assertClose, matrixOf, REFERENCE } from './support/fixtures';
import { replay, TestRandom } from './support/random';

const KINDS: IndexKind[] = ['kd-tree', 'blocked'];
const MODE_STD = 0.02 / 1.414;

/** Draws 8 Gaussians as the WGAN-GP toy code makes them; `modeOf[i]` is row i's component. */
function eightGaussians(random: TestRandom, n: number, onlyMode?: number) {
  const data = new Float32Array(2 * n);
  const modeOf: number[] = [];
  for (let i = 0; i < n; i++) {
    const mode = onlyMode ?? Math.floor(random.uniform() * 8);
    modeOf.push(mode);
    const angle = (mode * Math.PI) / 4;
    data[2 * i] = (2 * Math.cos(angle)) / 1.414 + MODE_STD * random.normal();
    data[2 * i + 1] = (2 * Math.sin(angle)) / 1.414 + MODE_STD * random.normal();
  }
  return { points: createMatrix(n, 2, data), modeOf };
}

/** Repeats each row `times` times. */
function repeatRows(points: Matrix, times: number): Matrix {
  const indices = Array.from({ length: points.rows * times }, (_, i) => Math.floor(i / times));
  return selectRows(points, indices);
}

describe('precisionRecall and densityCoverage', () => {
  for (const kind of KINDS) {
    it(`match the plain-Python reference with ties (${kind})`, () => {
      REFERENCE.prdc.forEach((c, caseIndex) => {
        const real = matrixOf(c.real);
        const fake = matrixOf(c.fake);
        const pr = precisionRecall(real, fake, c.k_pr, { kind });
        const dc = densityCoverage(real, fake, c.k_dc, { kind });
        const label = `case ${caseIndex}`;
        assertClose(pr.precision, c.precision, 1e-12, `${label} precision`);
        assertClose(pr.recall, c.recall, 1e-12, `${label} recall`);
        assertClose(dc.density, c.density, 1e-12, `${label} density`);
        assertClose(dc.coverage, c.coverage, 1e-12, `${label} coverage`);
      });
    });

    it(`score identical sets 1, density (k+1)/k (${kind})`, () => {
      const seed = 5;
      const { points } = eightGaussians(new TestRandom(seed), 800);
      const pr = precisionRecall(points, points, 3, { kind });
      const dc = densityCoverage(points, points, 5, { kind });
      assert.equal(pr.precision, 1, `precision${replay(seed)}`);
      assert.equal(pr.recall, 1, `recall${replay(seed)}`);
      assert.equal(dc.coverage, 1, `coverage${replay(seed)}`);
      // Each row is in its own ball and in exactly k others (continuous data, no ties): (N + kN)/(kN).
      assertClose(dc.density, 6 / 5, 1e-12, `density${replay(seed)}`);
    });

    it(`score identical sets with duplicate rows 1 (${kind})`, () => {
      const { points } = eightGaussians(new TestRandom(6), 200);
      const doubled = repeatRows(points, 6);
      const pr = precisionRecall(doubled, doubled, 3, { kind });
      const dc = densityCoverage(doubled, doubled, 5, { kind });
      assert.equal(pr.precision, 1);
      assert.equal(pr.recall, 1);
      assert.equal(dc.coverage, 1);
    });
  }

  for (const [dim, kind] of [
    [2, 'kd-tree'],
    [16, 'blocked'],
  ] as const) {
    it(`match expectations for one law (${dim}-D)`, () => {
      const seed = 10 + dim;
      const random = new TestRandom(seed);
      const real = random.normalMatrix(2000, dim);
      const fake = random.normalMatrix(2000, dim);
      const dc = densityCoverage(real, fake, 5, { kind });
      // E[coverage] = 1 - Π_{i=1..k} (N - i)/(M + N - i) (a real ball misses all M fakes when
      // its k nearest of the pooled points are all real) ≈ 0.9690; binomial sd 0.0039, bound 5 sd.
      let miss = 1;
      for (let i = 1; i <= 5; i++) miss *= (2000 - i) / (4000 - i);
      assertClose(dc.coverage, 1 - miss, 5 * 0.0039, `coverage${replay(seed)}`);
      // E[density] = 1: a fake is among a real row's k nearest of N pooled points with chance k/N.
      // Counts per fake are overdispersed (sd about 2√k), so the mean of 2000 has sd about 0.02.
      assertClose(dc.density, 1, 4 * 0.02, `density${replay(seed)}`);
    });
  }

  it('see a collapse onto copies of one mode in coverage, not precision', () => {
    const seed = 7;
    const { points: real, modeOf } = eightGaussians(new TestRandom(seed), 2000);
    const modeRows = modeOf.flatMap((mode, i) => (mode === 0 ? [i] : []));
    // 8 exact copies of every real row of mode 0: fake radii are 0 and each copy hits its row.
    const fake = repeatRows(selectRows(real, modeRows), 8);
    const share = modeRows.length / real.rows;
    const pr = precisionRecall(real, fake);
    const dc = densityCoverage(real, fake);
    assert.equal(pr.precision, 1, replay(seed));
    assertClose(pr.recall, share, 1e-12, `recall${replay(seed)}`);
    assertClose(dc.coverage, share, 1e-12, `coverage${replay(seed)}`);
    // Each copy is in its own row's ball and in k others: 8n₀(1 + k) / (k · 8n₀).
    assertClose(dc.density, 6 / 5, 1e-12, `density${replay(seed)}`);
  });

  it('see a collapse onto a fresh sample of one mode in coverage', () => {
    const seed = 8;
    const random = new TestRandom(seed);
    const { points: real } = eightGaussians(random, 2000);
    const { points: fake } = eightGaussians(random, 2000, 0);
    const pr = precisionRecall(real, fake);
    const dc = densityCoverage(real, fake);
    // Fakes follow mode 0's own law: only its outer tail escapes every real ball.
    assert.ok(pr.precision > 0.9, `precision ${pr.precision}${replay(seed)}`);
    // Coverage ≈ share of reals in mode 0 (1/8; fakes are 8× denser there, so nearly every ball
    // in mode 0 contains one); binomial sd √(0.125·0.875/2000) = 0.0074, bound 4 sd.
    assertClose(dc.coverage, 0.125, 4 * 0.0074, `coverage${replay(seed)}`);
    assertClose(pr.recall, 0.125, 4 * 0.0074, `recall${replay(seed)}`);
  });

  it('score a collapse onto one point: precision 1, recall 0', () => {
    const seed = 9;
    const { points: real } = eightGaussians(new TestRandom(seed), 2000);
    const centre = [2 / 1.414, 0];
    const fake = matrixOf(Array.from({ length: 500 }, () => centre));
    const pr = precisionRecall(real, fake);
    assert.equal(pr.precision, 1, replay(seed));
    assert.equal(pr.recall, 0, replay(seed));
    assert.ok(densityCoverage(real, fake).coverage < 0.125, replay(seed));
  });

  it('rejects sets with at most k rows', () => {
    const small = matrixOf([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    assert.throws(() => precisionRecall(small, small), /more than k = 3/);
  });
});
