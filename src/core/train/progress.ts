import { quantiles } from '../metrics/quantiles';

export type { NormQuantiles, ProgressEvent } from '../../protocol/progress';
import type { NormQuantiles } from '../../protocol/progress';

/** Computes the norm quantiles of the values (numpy's linear rule, NaN dropped). */
export function normQuantiles(values: ArrayLike<number>): NormQuantiles {
  const [p05, p25, median, p75, p95, max] = quantiles(values, [0.05, 0.25, 0.5, 0.75, 0.95, 1]);
  return { p05, p25, median, p75, p95, max };
}
