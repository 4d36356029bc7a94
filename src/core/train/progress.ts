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

/** Quantile q in [0, 1] of sorted values, with linear interpolation between order statistics. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
}

export function normQuantiles(values: ArrayLike<number>): NormQuantiles {
  const sorted = Float64Array.from(values).sort();
  return {
    p05: sortedQuantile(sorted, 0.05),
    p25: sortedQuantile(sorted, 0.25),
    median: sortedQuantile(sorted, 0.5),
    p75: sortedQuantile(sorted, 0.75),
    p95: sortedQuantile(sorted, 0.95),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
  };
}
