import type { TangentReport } from '../../protocol/report';
import { createMatrix, row, type Matrix } from '../data/matrix';
import { buildNeighbourIndex, radiusNeighbours } from '../metrics/knn';
import { localPca } from '../metrics/localPca';
import { quantile, summarize } from '../metrics/quantiles';
import {
  chooseTangentScale,
  TANGENT_SCALE_DEFAULTS,
  type TangentScale,
} from '../metrics/tangentScale';
import type { Rng } from '../rng';
import { OFF_MANIFOLD_SCALES, type ProbeSet } from './sets';
import { splitGradient } from './tangent';

/** The data's manifold as seen at the chosen scale: a tangent basis finder, or why there is none. */
export interface Manifold {
  scale: TangentScale;
  /** Orthonormal tangent bases (d rows each) at the given points; null where a ball is too sparse. */
  bases(points: Matrix): (Float64Array | null)[];
}

/** Chooses the local-PCA radius and dimension once for the real data. */
export function estimateManifold(real: Matrix): Manifold {
  const scale = chooseTangentScale(real);
  const index = buildNeighbourIndex(real);
  return {
    scale,
    bases(points) {
      if (!scale.meaningful)
        return points.rows === 0 ? [] : Array.from({ length: points.rows }, () => null);
      const neighbourhoods = radiusNeighbours(index, points, scale.radius);
      return neighbourhoods.map((rows) =>
        rows.length >= TANGENT_SCALE_DEFAULTS.minNeighbours
          ? localPca(real, rows).vectors.slice(0, scale.dimension * real.cols)
          : null,
      );
    },
  };
}

export function tangentReport(manifold: Manifold): TangentReport {
  const scale = manifold.scale;
  if (!scale.meaningful) return { meaningful: false, reason: scale.reason };
  return {
    meaningful: true,
    radius: scale.radius,
    dimension: scale.dimension,
    scaleStability: scale.scaleStability,
    pointAgreement: scale.pointAgreement,
  };
}

/** ‖g_T‖/‖g‖ at each point (NaN where there is no basis or a zero gradient). */
export function tangentFractions(
  manifold: Manifold,
  points: Matrix,
  gradients: Matrix,
): Float64Array {
  const dimension = manifold.scale.meaningful ? manifold.scale.dimension : 0;
  const bases = manifold.bases(points);
  return Float64Array.from(
    bases,
    (basis, i) => splitGradient(basis, dimension, row(gradients, i)).tangentFraction,
  );
}

export function fractionStats(
  fractions: Float64Array,
): NonNullable<import('../../protocol/report').ProbeSetReport['tangentFraction']> {
  const stats = summarize(fractions);
  return {
    median: quantile(fractions, 0.5),
    mean: stats.mean,
    p05: quantile(fractions, 0.05),
    p95: quantile(fractions, 0.95),
    count: stats.count,
    excluded: stats.nanCount,
  };
}

/**
 * Real points moved along estimated normal directions: a Gaussian direction with its tangent
 * components removed, scaled to each distance in OFF_MANIFOLD_SCALES × scale. Points whose ball
 * has no basis are moved isotropically, and the description gives their count.
 */
export function normalOffManifoldSet(
  real: Matrix,
  manifold: Manifold,
  n: number,
  scale: number,
  rng: Rng,
): ProbeSet {
  const dim = real.cols;
  const starts = createMatrix(n, dim);
  for (let k = 0; k < n; k++) starts.data.set(row(real, rng.int(real.rows)), k * dim);
  const bases = manifold.bases(starts);
  const dimension = manifold.scale.meaningful ? manifold.scale.dimension : 0;
  const points = createMatrix(n, dim);
  const distances = new Float32Array(n);
  let isotropic = 0;
  for (let k = 0; k < n; k++) {
    const direction = Float64Array.from({ length: dim }, () => rng.normal());
    const basis = bases[k];
    if (basis) {
      for (let j = 0; j < dimension; j++) {
        let dot = 0;
        for (let c = 0; c < dim; c++) dot += basis[j * dim + c] * direction[c];
        for (let c = 0; c < dim; c++) direction[c] -= dot * basis[j * dim + c];
      }
    } else {
      isotropic++;
    }
    const length = Math.hypot(...direction) || 1;
    const distance = OFF_MANIFOLD_SCALES[k % OFF_MANIFOLD_SCALES.length] * scale;
    for (let c = 0; c < dim; c++)
      points.data[k * dim + c] = starts.data[k * dim + c] + (distance * direction[c]) / length;
    distances[k] = distance;
  }
  const levels = OFF_MANIFOLD_SCALES.map((s) => (s * scale).toPrecision(3)).join(', ');
  const note =
    isotropic > 0
      ? `; ${isotropic} points without a tangent basis moved in a random direction`
      : '';
  return {
    points,
    distances,
    description: `real points moved along estimated normal directions by ${levels}${note}`,
  };
}
