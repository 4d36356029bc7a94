import type { GradNormStats, Histogram } from '../../protocol/report';
import { normQuantiles } from '../train/progress';

export function gradNormStats(values: ArrayLike<number>): GradNormStats {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
  }
  return {
    ...normQuantiles(values),
    min: values.length > 0 ? min : Number.NaN,
    mean: values.length > 0 ? sum / values.length : Number.NaN,
    count: values.length,
  };
}

/** Bins for gradient-norm histograms: enough to show a bimodal shape at 2,000 points. */
export const HISTOGRAM_BINS = 40;

/** Equal-width histogram over [min, max] of the values (a single bin around a constant). */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  if (!Number.isFinite(low)) return { edges: [], counts: [] };
  if (high === low) return { edges: [low, high], counts: [values.length] };
  const width = (high - low) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    counts[Math.min(bins - 1, Math.floor((values[i] - low) / width))]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => low + i * width), counts };
}

export function meanMinMax(values: ArrayLike<number>): { mean: number; min: number; max: number } {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  return { mean: sum / values.length, min, max };
}
