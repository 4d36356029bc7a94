import assert from 'node:assert/strict';
import type { ProgressEvent } from '../../src/core/train/progress';
import {
  checkpointColumns,
  histogramColumns,
  modeColumns,
  sharedRange,
  thinHistory,
  trainingColumns,
} from '../../webview/src/charts/chartData';
import { chartLink } from '../../webview/src/links';

const event = (iteration: number, wasserstein: number, modesCaptured?: number): ProgressEvent => ({
  iteration,
  iterations: 100,
  criticLoss: -wasserstein,
  generatorLoss: 0,
  wasserstein,
  penalty: 0.1,
  gradNorm: { p05: 0.5, p25: 0.7, median: 1, p75: 1.2, p95: 1.5, max: 2 },
  msPerIteration: 1,
  ...(modesCaptured === undefined ? {} : { modesCaptured }),
});

describe('histogramColumns', () => {
  it('repeats the last count at the last edge', () => {
    assert.deepEqual(histogramColumns({ edges: [0, 1, 2], counts: [3, 4] }), [
      [0, 1, 2],
      [3, 4, 4],
    ]);
  });

  it('gives empty columns for an empty or malformed histogram', () => {
    assert.deepEqual(histogramColumns({ edges: [0], counts: [] }), [[], []]);
    assert.deepEqual(histogramColumns({ edges: [0, 1], counts: [1, 2] }), [[], []]);
  });

  it('does not mutate its input', () => {
    const histogram = { edges: [0, 1], counts: [5] };
    histogramColumns(histogram)[1].push(9);
    assert.deepEqual(histogram.counts, [5]);
  });
});

describe('sharedRange', () => {
  it('covers every histogram and the target, padded by 5 %', () => {
    const [min, max] = sharedRange(
      [
        { edges: [0.1, 0.2], counts: [1] },
        { edges: [2, 3], counts: [1] },
      ],
      1,
    );
    assert.ok(Math.abs(min - (0.1 - 0.145)) < 1e-12, `min ${min}`);
    assert.ok(Math.abs(max - (3 + 0.145)) < 1e-12, `max ${max}`);
  });

  it('widens a single value', () => {
    assert.deepEqual(sharedRange([], 1), [0.95, 1.05]);
  });
});

describe('trainingColumns', () => {
  it('sorts by iteration and keeps the later of repeats', () => {
    const columns = trainingColumns(
      [event(20, 2), event(10, 1), event(20, 3)],
      ['wasserstein', 'gradNormMedian'],
    );
    assert.deepEqual(columns, [
      [10, 20],
      [1, 3],
      [1, 1],
    ]);
  });

  it('uses null for missing and non-finite values', () => {
    const columns = trainingColumns(
      [event(1, Number.NaN, 4), event(2, 1)],
      ['wasserstein', 'modesCaptured'],
    );
    assert.deepEqual(columns, [
      [1, 2],
      [null, 1],
      [4, null],
    ]);
  });
});

describe('thinHistory', () => {
  it('keeps the first and last and spaces the rest evenly', () => {
    const history = Array.from({ length: 101 }, (_, i) => i);
    assert.deepEqual(thinHistory(history, 5), [0, 25, 50, 75, 100]);
  });

  it('returns a copy when short enough', () => {
    const history = [1, 2, 3];
    const thinned = thinHistory(history, 10);
    assert.deepEqual(thinned, history);
    assert.notEqual(thinned, history);
  });
});

describe('checkpointColumns', () => {
  const point = (label: string, wasserstein: number, iteration?: number) => ({
    label,
    wasserstein,
    errorCount: 0,
    warningCount: 0,
    ...(iteration === undefined ? {} : { iteration }),
  });

  it('orders by iteration', () => {
    const columns = checkpointColumns(
      [point('b', 2, 2000), point('a', 1, 1000)],
      ['wasserstein', 'realMedian'],
    );
    assert.deepEqual(columns, [
      [1000, 2000],
      [1, 2],
      [null, null],
    ]);
  });

  it('falls back to positions without iterations', () => {
    const columns = checkpointColumns([point('x', 5), point('y', 6, 10)], ['wasserstein']);
    assert.deepEqual(columns, [
      [1, 2],
      [5, 6],
    ]);
  });
});

describe('modeColumns', () => {
  it('gives each mode its share of high-quality samples', () => {
    assert.deepEqual(modeColumns([{ highQuality: 3 }, { highQuality: 1 }, { highQuality: 0 }]), [
      [1, 2, 3],
      [0.75, 0.25, 0],
    ]);
  });

  it('gives zeros when no sample is high quality', () => {
    assert.deepEqual(modeColumns([{ highQuality: 0 }, { highQuality: 0 }]), [
      [1, 2],
      [0, 0],
    ]);
  });
});

describe('chartLink', () => {
  it('splits a view and an anchor', () => {
    assert.deepEqual(chartLink('gradients:interpolates'), {
      view: 'gradients',
      anchor: 'interpolates',
    });
    assert.deepEqual(chartLink('points:critic:1'), { view: 'points', anchor: 'critic:1' });
    assert.deepEqual(chartLink('modes'), { view: 'modes' });
  });

  it('maps the names the probe uses', () => {
    assert.deepEqual(chartLink('histogram:generated'), { view: 'gradients', anchor: 'generated' });
    assert.deepEqual(chartLink('series'), { view: 'checkpoints' });
  });

  it('ignores unknown views and empty links', () => {
    assert.equal(chartLink('heatmap'), undefined);
    assert.equal(chartLink(undefined), undefined);
    assert.equal(chartLink(''), undefined);
  });
});
