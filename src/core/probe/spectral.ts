import { Rng } from '../rng';

/** Power-iteration steps: enough for 1e-4 relative accuracy on the toy critics' layers. */
export const POWER_ITERATIONS = 100;

/**
 * Largest singular value of a row-major [rows, cols] matrix by power iteration on WᵀW, with a
 * seeded start vector. Accumulates in float64.
 */
export function spectralNorm(
  values: Float32Array,
  rows: number,
  cols: number,
  iterations = POWER_ITERATIONS,
): number {
  const rng = new Rng(7);
  let v = Float64Array.from({ length: cols }, () => rng.normal());
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let step = 0; step < iterations; step++) {
    normalise(v);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += values[i * cols + j] * v[j];
      u[i] = sum;
    }
    sigma = Math.hypot(...u);
    if (sigma === 0) return 0;
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const ui = u[i] / sigma;
      for (let j = 0; j < cols; j++) next[j] += values[i * cols + j] * ui;
    }
    v = next;
  }
  return sigma;
}

function normalise(v: Float64Array): void {
  let squared = 0;
  for (const x of v) squared += x * x;
  const length = Math.sqrt(squared) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= length;
}

/** Mean, standard deviation, extremes and the count of non-finite values of a weight tensor. */
export function weightStats(values: Float32Array): {
  mean: number;
  std: number;
  min: number;
  max: number;
  nonFinite: number;
} {
  let sum = 0;
  let sumSq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonFinite = 0;
  for (const x of values) {
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    sum += x;
    sumSq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const n = values.length - nonFinite;
  const mean = n > 0 ? sum / n : Number.NaN;
  return {
    mean,
    std: n > 0 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : Number.NaN,
    min,
    max,
    nonFinite,
  };
}
