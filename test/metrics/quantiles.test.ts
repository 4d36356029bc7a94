import { strict as assert } from 'node:assert';
import {
  histogram,
  median,
  quantile,
  quantiles,
  summarize,
} from '../../src/core/metrics/quantiles';
import { assertClose } from './support/fixtures';

describe('quantiles', () => {
  it('interpolates linearly between order statistics, h = (n - 1)p', () => {
    // [1, 2, 3, 4]: p = 0.25 → h = 0.75 → 1 + 0.75 · (2 - 1).
    assertClose(quantile([4, 1, 3, 2], 0.25), 1.75, 1e-15, 'p = 0.25');
    // 1..10: p = 0.1 → h = 0.9 → 1.9; p = 0.9 → h = 8.1 → 9.1.
    const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);
    const [p10, p90] = quantiles(oneToTen, [0.1, 0.9]);
    assertClose(p10, 1.9, 1e-15, 'p = 0.1');
    assertClose(p90, 9.1, 1e-15, 'p = 0.9');
    assert.equal(quantile(oneToTen, 0), 1);
    assert.equal(quantile(oneToTen, 1), 10);
  });

  it('takes the middle value, or the mean of the middle two, as median', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('drops NaN, returns NaN when nothing is left, and leaves the input unchanged', () => {
    const values = [NaN, 3, 1, NaN, 2];
    assert.equal(median(values), 2);
    assert.deepEqual(values.slice(1), [3, 1, NaN, 2]);
    assert.ok(Number.isNaN(median([])));
    assert.ok(Number.isNaN(median([NaN])));
  });

  it('rejects probabilities outside [0, 1]', () => {
    assert.throws(() => quantile([1], 1.5), /outside \[0, 1\]/);
    assert.throws(() => quantile([1], NaN), /outside \[0, 1\]/);
  });
});

describe('summarize', () => {
  it('gives mean 5 and std 2 for the textbook set', () => {
    const s = summarize(Float32Array.from([2, 4, 4, 4, 5, 5, 7, 9]));
    assert.equal(s.mean, 5);
    assert.equal(s.std, 2);
    assertClose(summarize([2, 4, 4, 4, 5, 5, 7, 9], 1).std, Math.sqrt(32 / 7), 1e-15, 'ddof 1');
    assert.equal(s.min, 2);
    assert.equal(s.max, 9);
  });

  it('keeps precision for a large offset', () => {
    const s = summarize([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    assertClose(s.std, Math.sqrt(2 / 3), 1e-9, 'std');
  });

  it('counts NaN apart and returns NaN statistics for no values', () => {
    const s = summarize([NaN, 1, 3]);
    assert.equal(s.count, 2);
    assert.equal(s.nanCount, 1);
    assert.equal(s.mean, 2);
    assert.ok(Number.isNaN(summarize([]).mean));
    assert.ok(Number.isNaN(summarize([1], 1).std));
  });
});

describe('histogram', () => {
  it('follows numpy edges: half-open bins, last bin closed', () => {
    const h = histogram([1, 2, 2, 3, 4], 3);
    assert.deepEqual(Array.from(h.edges), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(h.counts), [1, 2, 2]);
  });

  it('uses given edges and counts values outside them and NaN', () => {
    const h = histogram([-1, 0, 0.5, 1, 2, NaN], [0, 0.5, 1]);
    assert.deepEqual(Array.from(h.counts), [1, 2]);
    assert.equal(h.outside, 2);
    assert.equal(h.nanCount, 1);
  });

  it('widens a constant sample to v ± 0.5 and defaults to 10 bins', () => {
    const h = histogram([3, 3, 3]);
    assert.equal(h.edges.length, 11);
    assert.equal(h.edges[0], 2.5);
    assert.equal(h.edges[10], 3.5);
    assert.equal(h.counts[5], 3);
  });

  it('rejects edges that do not increase', () => {
    assert.throws(() => histogram([1], [0, 0, 1]), /must increase/);
  });
});
