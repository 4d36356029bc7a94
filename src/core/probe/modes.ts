import type { ModesReport } from '../../protocol/report';
import type { Dataset, ModeLayout } from '../data/toy';
import type { Matrix } from '../data/matrix';
import { chiSquareCdf, chiSquareQuantile } from '../metrics/chiSquare';

/**
 * A sample is high quality when it lies within 3σ of its nearest centre in 2-D (VEEGAN's rule).
 * In d dimensions the threshold on ‖x - c‖²/σ² is the χ²_d quantile with the same coverage as
 * 3σ in 2-D, P(χ²_2 ≤ 9) = 1 - e^{-4.5}, since "3σ" would reject almost every true sample in high d.
 */
export const HIGH_QUALITY_SIGMAS_2D = 3;
export const HIGH_QUALITY_COVERAGE = 1 - Math.exp(-(HIGH_QUALITY_SIGMAS_2D ** 2) / 2);

/** A mode counts as captured "with mass" when it holds at least this share of a uniform allocation. */
export const MODE_MASS_THRESHOLD = 0.1;

interface Assignment {
  nearest: Int32Array;
  highQuality: Uint8Array;
}

function assignModes(samples: Float32Array, dim: number, modes: ModeLayout): Assignment {
  const n = samples.length / dim;
  const threshold = chiSquareQuantile(HIGH_QUALITY_COVERAGE, dim) * modes.std * modes.std;
  const nearest = new Int32Array(n);
  const highQuality = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < modes.centers.rows; k++) {
      let squared = 0;
      for (let c = 0; c < dim; c++)
        squared += (samples[i * dim + c] - modes.centers.data[k * dim + c]) ** 2;
      if (squared < best) {
        best = squared;
        nearest[i] = k;
      }
    }
    highQuality[i] = best < threshold ? 1 : 0;
  }
  return { nearest, highQuality };
}

/** Number of modes that are the nearest mode of at least one high-quality sample. */
export function countCapturedModes(samples: Float32Array, dataset: Dataset): number {
  if (!dataset.modes) return 0;
  const { nearest, highQuality } = assignModes(samples, dataset.dim, dataset.modes);
  const captured = new Set<number>();
  for (let i = 0; i < nearest.length; i++) if (highQuality[i]) captured.add(nearest[i]);
  return captured.size;
}

/** Mode coverage of generated samples, with the floors that a perfect generator would score. */
export function modesReport(samples: Matrix, modes: ModeLayout): ModesReport {
  const K = modes.centers.rows;
  const { nearest, highQuality } = assignModes(samples.data, samples.cols, modes);
  const perMode = Array.from({ length: K }, () => ({ highQuality: 0, nearest: 0 }));
  let good = 0;
  for (let i = 0; i < samples.rows; i++) {
    perMode[nearest[i]].nearest++;
    if (highQuality[i]) {
      perMode[nearest[i]].highQuality++;
      good++;
    }
  }
  const captured = perMode.filter((m) => m.highQuality > 0).length;
  const withMass = perMode.filter(
    (m) => good > 0 && m.highQuality >= (MODE_MASS_THRESHOLD * good) / K,
  ).length;
  // Reverse KL of the high-quality mode histogram q against uniform: log K - H(q).
  let entropy = 0;
  for (const m of perMode) {
    if (m.highQuality > 0 && good > 0)
      entropy -= (m.highQuality / good) * Math.log(m.highQuality / good);
  }
  const threshold = chiSquareQuantile(HIGH_QUALITY_COVERAGE, samples.cols);
  return {
    modeCount: K,
    sampleCount: samples.rows,
    modesCaptured: captured,
    modesCapturedWithMass: withMass,
    massThreshold: MODE_MASS_THRESHOLD,
    highQualityFraction: good / samples.rows,
    highQualityFloor: chiSquareCdf(threshold, samples.cols),
    reverseKl: good > 0 ? Math.log(K) - entropy : Number.NaN,
    reverseKlFloor: (K - 1) / (2 * Math.max(good, 1)),
    perMode,
  };
}
