import { quantiles } from '../metrics/quantiles';

/** Gradient-norm quantiles reported during training and probing. */
export interface NormQuantiles {
  p05: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
}

/** One progress record: emitted to listeners and kept in run.json's history. */
export interface ProgressEvent {
  iteration: number;
  iterations: number;
  criticLoss: number;
  generatorLoss: number;
  wasserstein: number;
  penalty: number;
  /** ‖∇D(x̂)‖ at the interpolates of the last critic step. */
  gradNorm: NormQuantiles;
  /** Mean wall time per generator iteration since the previous event, in milliseconds. */
  msPerIteration: number;
  /** Modes with at least one high-quality sample among generated points, where modes are known. */
  modesCaptured?: number;
}

/** The norm quantiles of the values (numpy's linear rule, NaN dropped). */
export function normQuantiles(values: ArrayLike<number>): NormQuantiles {
  const [p05, p25, median, p75, p95, max] = quantiles(values, [0.05, 0.25, 0.5, 0.75, 0.95, 1]);
  return { p05, p25, median, p75, p95, max };
}
