import type { ModesReport } from '../../protocol/report';
import { createMatrix, type Matrix } from '../data/matrix';
import type { Dataset, ModeLayout } from '../data/toy';
import { modeMetrics } from '../metrics/modes';

/** Number of modes that are the nearest mode of at least one high-quality sample. */
export function countCapturedModes(samples: Float32Array, dataset: Dataset): number {
  if (!dataset.modes) return 0;
  const matrix = createMatrix(samples.length / dataset.dim, dataset.dim, samples);
  return modeMetrics(matrix, dataset.modes.centers, dataset.modes.std).modesCaptured;
}

/** Mode coverage of generated samples, with the floors that a perfect generator would score. */
export function modesReport(samples: Matrix, modes: ModeLayout): ModesReport {
  const m = modeMetrics(samples, modes.centers, modes.std);
  return {
    modeCount: m.modeCount,
    sampleCount: m.sampleCount,
    modesCaptured: m.modesCaptured,
    modesCapturedWithMass: m.modesCapturedByMass,
    massThreshold: m.massThreshold,
    highQualityFraction: m.highQualityFraction,
    highQualityFloor: m.highQualityFloor,
    reverseKl: m.reverseKl,
    reverseKlHighQuality: m.reverseKlHighQuality,
    reverseKlFloor: m.reverseKlFloor,
    medianDistanceToNearestMode: m.medianDistanceToNearestMode,
    perMode: Array.from(m.highQualityCounts, (highQuality, k) => ({
      highQuality,
      nearest: m.nearestModeCounts[k],
    })),
  };
}
