/*
 * Shapes report and progress data into the column arrays that uPlot draws: one x array and one
 * array per series, all the same length, with null for a missing value. Pure functions; they
 * never mutate their inputs.
 */
import type { Histogram } from '../../../src/protocol/report';
import type { CheckpointSeriesPoint } from '../../../src/protocol/webview';
import type { ProgressEvent } from '../../../src/core/train/progress';

export type Column = (number | null)[];

/** uPlot's data layout: [x, ...series]. */
export type Columns = [number[], ...Column[]];

/**
 * A histogram as a step line: x contains every bin edge, y each bin's count, repeated at the last
 * edge so that the final bin has a width. Empty histograms give empty columns.
 */
export function histogramColumns(histogram: Histogram): Columns {
  const { edges, counts } = histogram;
  if (counts.length === 0 || edges.length !== counts.length + 1) return [[], []];
  const x = Array.from(edges);
  const y: Column = [...Array.from(counts), counts[counts.length - 1]];
  return [x, y];
}

/** Returns the x range that shows every histogram and the target, with 5 % padding. */
export function sharedRange(histograms: readonly Histogram[], target: number): [number, number] {
  let min = target;
  let max = target;
  for (const { edges } of histograms) {
    if (edges.length === 0) continue;
    min = Math.min(min, edges[0]);
    max = Math.max(max, edges[edges.length - 1]);
  }
  const pad = (max - min) * 0.05 || Math.abs(max) * 0.05 || 1;
  return [min - pad, max + pad];
}

export const TRAINING_SERIES = [
  'criticLoss',
  'generatorLoss',
  'wasserstein',
  'penalty',
  'gradNormP05',
  'gradNormMedian',
  'gradNormP95',
  'modesCaptured',
] as const;
export type TrainingSeries = (typeof TRAINING_SERIES)[number];

function trainingValue(event: ProgressEvent, series: TrainingSeries): number | null {
  const value = (() => {
    switch (series) {
      case 'gradNormP05':
        return event.gradNorm.p05;
      case 'gradNormMedian':
        return event.gradNorm.median;
      case 'gradNormP95':
        return event.gradNorm.p95;
      case 'modesCaptured':
        return event.modesCaptured;
      default:
        return event[series];
    }
  })();
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Training history as columns: x is the iteration, sorted and without repeats (a resumed run can
 * send an iteration twice; the later event wins).
 */
export function trainingColumns(
  history: readonly ProgressEvent[],
  series: readonly TrainingSeries[],
): Columns {
  const byIteration = new Map<number, ProgressEvent>();
  for (const event of history) byIteration.set(event.iteration, event);
  const events = [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
  return [
    events.map((event) => event.iteration),
    ...series.map((name) => events.map((event) => trainingValue(event, name))),
  ];
}

/** Keeps at most `max` events, evenly spaced and always including the last, for long runs. */
export function thinHistory<T>(history: readonly T[], max: number): T[] {
  if (history.length <= max || max < 2) return history.slice();
  const step = (history.length - 1) / (max - 1);
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(history[Math.round(i * step)]);
  return out;
}

export const CHECKPOINT_SERIES = [
  'wasserstein',
  'interpolatesMedian',
  'realMedian',
  'generatedMedian',
  'lipschitzLower',
  'modesCaptured',
] as const;
export type CheckpointSeries = (typeof CHECKPOINT_SERIES)[number];

/** Builds the series over checkpoints. x is the iteration, or the position when iterations are unknown. */
export function checkpointColumns(
  points: readonly CheckpointSeriesPoint[],
  series: readonly CheckpointSeries[],
): Columns {
  const hasIterations = points.every((point) => point.iteration !== undefined);
  const ordered = hasIterations
    ? [...points].sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0))
    : [...points];
  const x = ordered.map((point, index) =>
    hasIterations ? (point.iteration as number) : index + 1,
  );
  const column = (name: CheckpointSeries): Column =>
    ordered.map((point) => {
      const value = point[name];
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    });
  return [x, ...series.map(column)];
}

/** Per-mode bars: x is the mode index (from 1), y the share of high-quality samples. */
export function modeColumns(perMode: readonly { highQuality: number }[]): Columns {
  const total = perMode.reduce((sum, mode) => sum + mode.highQuality, 0);
  const x = perMode.map((_, index) => index + 1);
  const share = perMode.map((mode) => (total > 0 ? mode.highQuality / total : 0));
  return [x, share];
}
