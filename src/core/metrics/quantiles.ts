/** Bins of an automatic histogram: numpy.histogram's default. */
export const DEFAULT_HISTOGRAM_BINS = 10;

/** Finite and infinite values in ascending order, NaN dropped; the input is not changed. */
function sortedWithoutNaN(values: ArrayLike<number>): Float64Array {
  const present = Float64Array.from(
    Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[],
  );
  return present.sort();
}

/**
 * Quantiles by linear interpolation between order statistics, numpy's default ("linear", type 7
 * of Hyndman and Fan): h = (n - 1)·p, x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]). NaN values are
 * dropped first (like numpy.nanquantile); with no values left every quantile is NaN. Throws for
 * p outside [0, 1].
 */
export function quantiles(values: ArrayLike<number>, probabilities: readonly number[]): number[] {
  for (const p of probabilities) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Quantile probability ${p} is outside [0, 1].`);
  }
  const sorted = sortedWithoutNaN(values);
  const n = sorted.length;
  return probabilities.map((p) => {
    if (n === 0) return NaN;
    const h = (n - 1) * p;
    const low = Math.floor(h);
    const high = Math.min(low + 1, n - 1);
    const fraction = h - low;
    return fraction === 0 ? sorted[low] : sorted[low] + fraction * (sorted[high] - sorted[low]);
  });
}

export function quantile(values: ArrayLike<number>, p: number): number {
  return quantiles(values, [p])[0];
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

export interface Summary {
  /** Values that were not NaN. */
  count: number;
  nanCount: number;
  mean: number;
  /** Standard deviation with divisor count - ddof (numpy.std's ddof, default 0). */
  std: number;
  min: number;
  max: number;
}

/**
 * Mean and standard deviation in float64 by two passes (mean first, then squared deviations,
 * which avoids the cancellation of Σx² - n·mean²). NaN values are dropped and counted; with no
 * values left, or count ≤ ddof for the std, the statistic is NaN.
 */
export function summarize(values: ArrayLike<number>, ddof = 0): Summary {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : NaN;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) squares += (values[i] - mean) ** 2;
  }
  const std = count > ddof ? Math.sqrt(squares / (count - ddof)) : NaN;
  return {
    count,
    nanCount: values.length - count,
    mean,
    std,
    min: count > 0 ? min : NaN,
    max: count > 0 ? max : NaN,
  };
}

export interface Histogram {
  /** bins + 1 ascending edges. */
  edges: Float64Array;
  /** counts[i] counts values in [edges[i], edges[i+1]); the last bin also contains its right edge. */
  counts: Int32Array;
  /** Non-NaN values outside [edges[0], edges[bins]]. */
  outside: number;
  nanCount: number;
}

/**
 * Histogram with numpy.histogram's bin rule. `edges` may be given (ascending), or a bin count
 * (default 10) spread evenly over the data's [min, max], widened to [v - 0.5, v + 0.5] when all
 * values equal v (as numpy does). NaN values are counted apart; infinite values fall outside
 * automatic edges. No values and no edges give edges [0, 1] and zero counts.
 */
export function histogram(
  values: ArrayLike<number>,
  edges?: ArrayLike<number> | number,
): Histogram {
  const resolved =
    typeof edges === 'number' || edges === undefined
      ? automaticEdges(values, edges ?? DEFAULT_HISTOGRAM_BINS)
      : Float64Array.from(edges as ArrayLike<number>);
  for (let i = 1; i < resolved.length; i++) {
    if (!(resolved[i] > resolved[i - 1]))
      throw new RangeError(`Histogram edges must increase; edge ${i} is ${resolved[i]}.`);
  }
  const bins = resolved.length - 1;
  if (bins < 1) throw new RangeError('A histogram needs at least two edges.');

  const counts = new Int32Array(bins);
  let outside = 0;
  let nanCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) nanCount++;
    else if (v < resolved[0] || v > resolved[bins]) outside++;
    else counts[binOf(resolved, v)]++;
  }
  return { edges: resolved, counts, outside, nanCount };
}

/** Index of the bin containing v (edges[0] ≤ v ≤ edges[bins]) by binary search. */
function binOf(edges: Float64Array, v: number): number {
  let low = 0;
  let high = edges.length - 2;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (edges[mid] <= v) low = mid;
    else high = mid - 1;
  }
  return low;
}

function automaticEdges(values: ArrayLike<number>, bins: number): Float64Array {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`Bin count must be a positive integer, got ${bins}.`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
  }
  if (min > max) [min, max] = [0, 1];
  if (min === max) [min, max] = [min - 0.5, max + 0.5];
  return Float64Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? max : min + ((max - min) * i) / bins,
  );
}
