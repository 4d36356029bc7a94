import type { GradNormStats, Histogram } from '../../protocol/report';
import { histogram as binValues, summarize } from '../metrics/quantiles';
import { normQuantiles } from '../train/progress';

/** Quantiles, extremes, mean and count of gradient norms (NaN values dropped). */
export function gradNormStats(values: ArrayLike<number>): GradNormStats {
  const summary = summarize(values);
  return { ...normQuantiles(values), min: summary.min, mean: summary.mean, count: values.length };
}

/** Bins for gradient-norm histograms: enough to show a bimodal shape at 2,000 points. */
export const HISTOGRAM_BINS = 40;

/** Equal-width histogram over [min, max] of the finite values, as plain arrays for JSON. */
export function histogram(values: ArrayLike<number>, bins = HISTOGRAM_BINS): Histogram {
  const finite = Float64Array.from(
    Array.prototype.filter.call(values, Number.isFinite) as number[],
  );
  if (finite.length === 0) return { edges: [], counts: [] };
  const result = binValues(finite, bins);
  return { edges: Array.from(result.edges), counts: Array.from(result.counts) };
}

/** Mean, minimum and maximum in float64 (NaN for no values). */
export function meanMinMax(values: ArrayLike<number>): { mean: number; min: number; max: number } {
  const summary = summarize(values);
  return { mean: summary.mean, min: summary.min, max: summary.max };
}
