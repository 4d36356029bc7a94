import type { Matrix } from '../data/matrix';
import { chiSquareQuantile } from './chiSquare';
import { median } from './quantiles';

/**
 * Probability mass inside the high-quality region of one mode: P(χ²₂ ≤ 9) = 1 - e^-4.5 ≈ 0.98889,
 * so that in 2-D the region is the disc of radius 3σ used by VEEGAN (Srivastava et al. 2017)
 * and PacGAN (Lin et al. 2018). In d dimensions the same mass gives ‖x - c‖²/σ² ≤ χ²_d quantile,
 * which grows with d: a true sample sits about σ√d from its centre, far outside 3σ in high d.
 */
export const HIGH_QUALITY_PROBABILITY = -Math.expm1(-4.5);

/**
 * Default share of the uniform expectation N/K that a mode's high-quality samples must reach to
 * count in `modesCapturedByMass`. Our convention, not the papers': at 0.1, a perfect generator
 * with N/K ≥ 30 misses a mode with probability below 1e-7 (binomial lower tail), while a mode hit
 * by a few stray samples does not count.
 */
export const MODE_MASS_THRESHOLD = 0.1;

/** Rows of mode centres; a Matrix fits, and so do float64 centres for exact comparisons. */
export interface ModeCentres {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

export interface ModeMetricsOptions {
  /** Mass of the high-quality region per mode (default HIGH_QUALITY_PROBABILITY). */
  probability?: number;
  /** See MODE_MASS_THRESHOLD. */
  massThreshold?: number;
}

export interface ModeMetrics {
  /** N: every row, including rows with NaN. Always print it beside the counts. */
  sampleCount: number;
  /** Rows with a NaN coordinate: no nearest mode, never high quality. */
  invalidCount: number;
  modeCount: number;
  dim: number;
  /** High quality when ‖x - c‖²/σ² ≤ thresholdSquared (9 in 2-D: within 3σ). */
  thresholdSquared: number;
  probability: number;
  /** Samples per nearest mode. */
  nearestModeCounts: Int32Array;
  /** High-quality samples per nearest mode. */
  highQualityCounts: Int32Array;
  /** High-quality samples over N. */
  highQualityFraction: number;
  /** Mean high-quality fraction of a perfect generator: `probability` (98.89 % at the default). */
  highQualityFloor: number;
  /** Modes that are the nearest mode of at least one high-quality sample (depends on N). */
  modesCaptured: number;
  /** Modes with at least massThreshold · N/K high-quality samples. */
  modesCapturedByMass: number;
  massThreshold: number;
  /** log K - H(q), q the nearest-mode histogram of all valid samples. */
  reverseKl: number;
  /** The same for the histogram of high-quality samples only (NaN when there are none). */
  reverseKlHighQuality: number;
  /** About (K - 1)/(2N): the mean reverse KL of N samples from an exactly uniform generator. */
  reverseKlFloor: number;
  /** Median Euclidean distance to the nearest centre (NaN rows dropped). */
  medianDistanceToNearestMode: number;
}

/**
 * Mode metrics for a mixture with known centres (K × d) and one per-coordinate std σ for every
 * mode. Each sample goes to its nearest centre (Euclidean, first centre on a tie) and is high
 * quality when within the χ²_d region of that centre. Distances are in float64; O(N·K·d).
 * An empty sample set gives NaN fractions and KL.
 */
export function modeMetrics(
  samples: Matrix,
  centres: ModeCentres,
  std: number,
  options: ModeMetricsOptions = {},
): ModeMetrics {
  checkInputs(samples, centres, std);
  const probability = options.probability ?? HIGH_QUALITY_PROBABILITY;
  const massThreshold = options.massThreshold ?? MODE_MASS_THRESHOLD;
  const thresholdSquared = chiSquareQuantile(probability, samples.cols);
  const { nearest, distancesSquared } = assignNearest(samples, centres);

  const K = centres.rows;
  const nearestModeCounts = new Int32Array(K);
  const highQualityCounts = new Int32Array(K);
  let invalidCount = 0;
  for (let i = 0; i < samples.rows; i++) {
    if (nearest[i] < 0) {
      invalidCount++;
      continue;
    }
    nearestModeCounts[nearest[i]]++;
    if (distancesSquared[i] / (std * std) <= thresholdSquared) highQualityCounts[nearest[i]]++;
  }

  const N = samples.rows;
  const highQualityTotal = highQualityCounts.reduce((a, b) => a + b, 0);
  const massNeeded = (massThreshold * N) / K;
  return {
    sampleCount: N,
    invalidCount,
    modeCount: K,
    dim: samples.cols,
    thresholdSquared,
    probability,
    nearestModeCounts,
    highQualityCounts,
    highQualityFraction: highQualityTotal / N,
    highQualityFloor: probability,
    modesCaptured: highQualityCounts.filter((c) => c >= 1).length,
    modesCapturedByMass: highQualityCounts.filter((c) => c >= 1 && c >= massNeeded).length,
    massThreshold,
    reverseKl: reverseKlFromUniform(nearestModeCounts),
    reverseKlHighQuality: reverseKlFromUniform(highQualityCounts),
    reverseKlFloor: (K - 1) / (2 * N),
    medianDistanceToNearestMode: median(distancesSquared.map(Math.sqrt)),
  };
}

/**
 * KL(q ‖ uniform) = log K - H(q) in nats for the histogram q of `counts`, with 0·log 0 = 0.
 * NaN when the counts sum to 0.
 */
export function reverseKlFromUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k];
  if (total === 0) return NaN;
  let entropy = 0;
  for (let k = 0; k < counts.length; k++) {
    const q = counts[k] / total;
    if (q > 0) entropy -= q * Math.log(q);
  }
  return Math.log(counts.length) - entropy;
}

/** Nearest centre per row (-1 for a row with NaN) and its squared distance (NaN then). */
function assignNearest(samples: Matrix, centres: ModeCentres) {
  const dim = samples.cols;
  const nearest = new Int32Array(samples.rows).fill(-1);
  const distancesSquared = new Float64Array(samples.rows).fill(NaN);
  for (let i = 0; i < samples.rows; i++) {
    let best = Infinity;
    for (let k = 0; k < centres.rows; k++) {
      let sum = 0;
      for (let c = 0; c < dim; c++)
        sum += (samples.data[i * dim + c] - centres.data[k * dim + c]) ** 2;
      if (sum < best) {
        best = sum;
        nearest[i] = k;
        distancesSquared[i] = sum;
      }
    }
  }
  return { nearest, distancesSquared };
}

function checkInputs(samples: Matrix, centres: ModeCentres, std: number): void {
  if (centres.cols !== samples.cols) {
    throw new RangeError(`Centres have ${centres.cols} features but samples have ${samples.cols}.`);
  }
  if (centres.rows < 1) throw new RangeError('Mode metrics need at least one centre.');
  if (!(std > 0) || !Number.isFinite(std))
    throw new RangeError(`Mode std must be a positive finite number, got ${std}.`);
}
