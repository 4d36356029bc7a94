import { selectRows, type Matrix } from '../data/matrix';
import { kNearest, type NeighbourIndex } from './knn';
import { median } from './quantiles';
import { subsampleRows } from './wasserstein';

/** The ladder's part of the tangent-scale settings (see TANGENT_SCALE_DEFAULTS). */
export interface LadderSettings {
  scaleCount: number;
  minRadiusFactor: number;
  maxRadiusFraction: number;
  selectionSize: number;
}

/** Geometric radii from minRadiusFactor × median 1-NN distance to maxRadiusFraction × box diagonal. */
export function radiusLadder(
  real: Matrix,
  index: NeighbourIndex,
  settings: LadderSettings,
): number[] {
  if (real.rows < 2) return [];
  const sample = selectRows(
    real,
    subsampleRows(real.rows, Math.min(real.rows, settings.selectionSize)),
  );
  // Slot 0 is the sample point itself (distance 0), slot 1 its nearest other point in the full set.
  const nearest = kNearest(index, sample, 2);
  const spacing = median(
    Array.from({ length: sample.rows }, (_, i) => nearest.distances[2 * i + 1]),
  );
  const low = settings.minRadiusFactor * spacing;
  const high = settings.maxRadiusFraction * boxDiagonal(index.points);
  if (!(low > 0) || !(high > low)) return [];
  const steps = Math.max(settings.scaleCount - 1, 1);
  return Array.from({ length: settings.scaleCount }, (_, s) => low * (high / low) ** (s / steps));
}

function boxDiagonal(points: Matrix): number {
  let sum = 0;
  for (let c = 0; c < points.cols; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < points.rows; i++) {
      const v = points.data[i * points.cols + c];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max >= min) sum += (max - min) ** 2;
  }
  return Math.sqrt(sum);
}
