import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMatrix } from '../../src/core/data/matrix';
import {
  HIGH_QUALITY_PROBABILITY,
  modeMetrics,
  reverseKlFromUniform,
  type ModeCentres,
} from '../../src/core/metrics/modes';
import { assertClose, FIXTURES } from './support/fixtures';
import { readNpyMatrix } from './support/npy';
import { replay, TestRandom } from './support/random';

const TOY = join(FIXTURES, 'wgan-gp-toy');

/**
 * Returns the toy code's centres in its order: (1,0), (-1,0), (0,1), (0,-1), then the diagonals
 * (1,1), (1,-1), (-1,1), (-1,-1) over √2, times 2, divided by 1.414. In multiples of 45° that
 * is k = 0, 4, 2, 6, 1, 7, 3, 5.
 */
function eightGaussianCentres(): ModeCentres {
  const data = [0, 4, 2, 6, 1, 7, 3, 5].flatMap((k) => [
    (2 * Math.cos((k * Math.PI) / 4)) / 1.414,
    (2 * Math.sin((k * Math.PI) / 4)) / 1.414,
  ]);
  return { rows: 8, cols: 2, data: Float64Array.from(data) };
}

/** (2x, 2y)/2.828 for x in -2..2 (outer loop) and y in -2..2, as the toy code lists them. */
function twentyFiveGaussianCentres(): ModeCentres {
  const data: number[] = [];
  for (let x = -2; x <= 2; x++)
    for (let y = -2; y <= 2; y++) data.push((2 * x) / 2.828, (2 * y) / 2.828);
  return { rows: 25, cols: 2, data: Float64Array.from(data) };
}

interface ExpectedModes {
  n_modes: number;
  modes_covered: number;
  pct_samples_within_3std: number;
  within_3std_per_mode: number[];
  nearest_mode_counts: number[];
  median_dist_to_nearest_mode: number;
}

const runs = readdirSync(TOY).filter((name) => name.startsWith('cg_'));

describe('modeMetrics on the WGAN-GP toy runs', () => {
  it('finds every cg_* run', () => assert.ok(runs.length >= 6, `runs: ${runs.join(', ')}`));

  for (const run of runs) {
    const metadata = JSON.parse(readFileSync(join(TOY, run, 'metadata.json'), 'utf8'));
    const grid = metadata.dataset.name === '25gaussians';
    const centres = grid ? twentyFiveGaussianCentres() : eightGaussianCentres();
    const std = grid ? 0.05 / 2.828 : 0.02 / 1.414;
    const sets: [string, ExpectedModes][] = [
      ['gen_2000.npy', metadata.expected.modes_generated],
      ['real_2000.npy', metadata.expected.modes_real_reference],
    ];
    for (const [file, expected] of sets) {
      it(`reproduces ${run}/${file}`, () => {
        const result = modeMetrics(readNpyMatrix(join(TOY, run, file)), centres, std);
        assert.equal(result.modeCount, expected.n_modes);
        assert.equal(result.sampleCount, 2000);
        assert.deepEqual(
          Array.from(result.nearestModeCounts),
          expected.nearest_mode_counts,
          'nearest-mode counts',
        );
        assert.deepEqual(
          Array.from(result.highQualityCounts),
          expected.within_3std_per_mode,
          'within 3 std',
        );
        assert.equal(result.modesCaptured, expected.modes_covered, 'modes covered');
        assertClose(
          100 * result.highQualityFraction,
          expected.pct_samples_within_3std,
          1e-9,
          '% within 3 std',
        );
        assertClose(
          result.medianDistanceToNearestMode,
          expected.median_dist_to_nearest_mode,
          1e-12,
          'median distance',
        );
      });
    }
  }
});

describe('modeMetrics', () => {
  it('scores a perfect 10-D generator at the floor', () => {
    const seed = 61;
    const random = new TestRandom(seed);
    const dim = 10;
    const K = 4;
    const N = 8000;
    const std = 0.05;
    const centres = Float64Array.from({ length: K * dim }, (_, i) => (i % (dim + 1) === 0 ? 3 : 0));
    const data = new Float32Array(N * dim);
    for (let i = 0; i < N; i++) {
      const k = i % K;
      for (let c = 0; c < dim; c++)
        data[i * dim + c] = centres[k * dim + c] + std * random.normal();
    }
    const result = modeMetrics(
      createMatrix(N, dim, data),
      { rows: K, cols: dim, data: centres },
      std,
    );
    // Binomial sd √(p(1-p)/N) = 0.0012; bound 4 sd. The 3σ rule alone would pass almost no sample.
    assertClose(
      result.highQualityFraction,
      HIGH_QUALITY_PROBABILITY,
      4 * 0.0012,
      `HQ fraction${replay(seed)}`,
    );
    assert.equal(result.modesCaptured, K);
    assert.equal(result.modesCapturedByMass, K);
    assertClose(result.highQualityFloor, 1 - Math.exp(-4.5), 1e-15, 'floor');
  });

  it('matches the reverse-KL floor on average', () => {
    const seed = 62;
    const random = new TestRandom(seed);
    const K = 8;
    const N = 2000;
    const trials = 400;
    let sum = 0;
    for (let t = 0; t < trials; t++) {
      const counts = new Int32Array(K);
      for (let i = 0; i < N; i++) counts[Math.floor(random.uniform() * K)]++;
      sum += reverseKlFromUniform(counts);
    }
    const floor = (K - 1) / (2 * N);
    // 2N·KL is about χ²_{K-1}: sd of one trial √(2(K-1))/(2N), 20× smaller for the mean of 400.
    // The floor itself is the first-order term of the expectation, hence 10 % more slack.
    const sd = Math.sqrt(2 * (K - 1)) / (2 * N) / Math.sqrt(trials);
    assertClose(sum / trials, floor, 4 * sd + 0.1 * floor, `mean KL${replay(seed)}`);
    const centres = { rows: K, cols: 1, data: Float64Array.from({ length: K }, (_, k) => k) };
    assertClose(
      modeMetrics(createMatrix(1, 1), centres, 1).reverseKlFloor,
      (K - 1) / 2,
      1e-15,
      'floor for N = 1',
    );
  });

  it('gives log K for a total collapse and 0 for an even histogram', () => {
    assertClose(reverseKlFromUniform([0, 0, 12, 0]), Math.log(4), 1e-15, 'collapse');
    assertClose(reverseKlFromUniform([3, 3, 3, 3]), 0, 1e-15, 'even');
    assert.ok(Number.isNaN(reverseKlFromUniform([0, 0])));
  });

  it('counts mass-captured modes against the threshold share of N/K', () => {
    const centres = { rows: 2, cols: 1, data: [0, 10] };
    // 99 samples at mode 0 and 1 at mode 1: N/K = 50, threshold 0.1 → 5 samples needed.
    const data = Float32Array.from({ length: 100 }, (_, i) => (i === 99 ? 10 : 0));
    const result = modeMetrics(createMatrix(100, 1, data), centres, 1);
    assert.equal(result.modesCaptured, 2);
    assert.equal(result.modesCapturedByMass, 1);
  });

  it('counts NaN rows in N but assigns them no mode', () => {
    const centres = { rows: 1, cols: 2, data: [0, 0] };
    const result = modeMetrics(createMatrix(2, 2, new Float32Array([NaN, 0, 0, 0])), centres, 1);
    assert.equal(result.invalidCount, 1);
    assert.equal(result.highQualityFraction, 0.5);
    assert.deepEqual(Array.from(result.nearestModeCounts), [1]);
  });

  it('rejects a non-positive std and mismatched centres', () => {
    const samples = createMatrix(1, 2);
    assert.throws(
      () => modeMetrics(samples, { rows: 1, cols: 2, data: [0, 0] }, 0),
      /positive finite/,
    );
    assert.throws(
      () => modeMetrics(samples, { rows: 1, cols: 3, data: [0, 0, 0] }, 1),
      /3 features/,
    );
  });
});
