import type { Matrix } from '../data/matrix';
import { buildNeighbourIndex, radiusNeighbours } from '../metrics/knn';
import { localPca } from '../metrics/localPca';
import { median, summarize } from '../metrics/quantiles';
import {
  chooseTangentScale,
  TANGENT_SCALE_DEFAULTS,
  type ScaleSummary,
  type TangentScaleOptions,
} from '../metrics/tangentScale';

/** The split of one probe point's critic gradient g. */
export interface TangentPoint {
  /** Real points within the chosen radius. */
  neighbourCount: number;
  /** Orthonormal tangent basis U as d rows of length dim; null when the ball held too few points. */
  basis: Float64Array | null;
  /** g_T = U Uᵀ g (NaN entries without a basis). */
  tangentPart: Float64Array;
  /** g_N = g - g_T. */
  normalPart: Float64Array;
  /** ‖g_T‖ / ‖g‖; NaN when ‖g‖ = 0, g has NaN, or there is no basis. */
  tangentFraction: number;
}

export type TangentSplit =
  | {
      meaningful: true;
      radius: number;
      dimension: number;
      scaleStability: number;
      pointAgreement: number;
      ladder: ScaleSummary[];
      points: TangentPoint[];
      /** Statistics of tangentFraction over the points where it is defined; `excluded` counts NaN. */
      tangentFraction: { median: number; mean: number; count: number; excluded: number };
    }
  | { meaningful: false; reason: string; ladder: ScaleSummary[] };

/**
 * Splits critic gradients at probe points into tangent and normal parts of the real data's
 * manifold. The radius and intrinsic dimension d come from `chooseTangentScale`. Each probe's
 * tangent space is then spanned by the top-d principal axes of the real points within that
 * radius, centred at their mean. Returns meaningful: false, with the reason, when the real data show
 * no stable eigen-gap, as for clusters of isotropic noise. `gradients` has one row per probe.
 */
export function tangentNormalSplit(
  real: Matrix,
  probes: Matrix,
  gradients: Matrix,
  options: TangentScaleOptions = {},
): TangentSplit {
  if (
    probes.rows !== gradients.rows ||
    probes.cols !== gradients.cols ||
    probes.cols !== real.cols
  ) {
    throw new RangeError(
      `Shapes disagree: real ${real.rows}×${real.cols}, probes ${probes.rows}×${probes.cols}, gradients ${gradients.rows}×${gradients.cols}.`,
    );
  }
  const scale = chooseTangentScale(real, options);
  if (!scale.meaningful) return scale;

  const minNeighbours = options.minNeighbours ?? TANGENT_SCALE_DEFAULTS.minNeighbours;
  const neighbourhoods = radiusNeighbours(buildNeighbourIndex(real), probes, scale.radius);
  const points = neighbourhoods.map((rows, p) => {
    const basis = rows.length >= minNeighbours ? topAxes(real, rows, scale.dimension) : null;
    const gradient = gradients.data.subarray(p * gradients.cols, (p + 1) * gradients.cols);
    return {
      neighbourCount: rows.length,
      basis,
      ...splitGradient(basis, scale.dimension, gradient),
    };
  });

  const fractions = points.map((p) => p.tangentFraction);
  const stats = summarize(fractions);
  return {
    ...scale,
    points,
    tangentFraction: {
      median: median(fractions),
      mean: stats.mean,
      count: stats.count,
      excluded: stats.nanCount,
    },
  };
}

function topAxes(real: Matrix, rows: Int32Array, dimension: number): Float64Array {
  return localPca(real, rows).vectors.slice(0, dimension * real.cols);
}

/**
 * g_T = U Uᵀ g, g_N = g - g_T and ‖g_T‖/‖g‖ for a basis of `dimension` orthonormal rows
 * (null: all NaN). Accumulates in float64.
 */
export function splitGradient(
  basis: Float64Array | null,
  dimension: number,
  gradient: ArrayLike<number>,
): Pick<TangentPoint, 'tangentPart' | 'normalPart' | 'tangentFraction'> {
  const dim = gradient.length;
  const tangentPart = new Float64Array(dim);
  if (!basis) {
    tangentPart.fill(NaN);
    return { tangentPart, normalPart: tangentPart.slice(), tangentFraction: NaN };
  }
  for (let j = 0; j < dimension; j++) {
    let coefficient = 0;
    for (let c = 0; c < dim; c++) coefficient += basis[j * dim + c] * gradient[c];
    for (let c = 0; c < dim; c++) tangentPart[c] += coefficient * basis[j * dim + c];
  }
  const normalPart = Float64Array.from(tangentPart, (t, c) => gradient[c] - t);
  let gradientSquared = 0;
  let tangentSquared = 0;
  for (let c = 0; c < dim; c++) {
    gradientSquared += gradient[c] * gradient[c];
    tangentSquared += tangentPart[c] * tangentPart[c];
  }
  const tangentFraction = gradientSquared > 0 ? Math.sqrt(tangentSquared / gradientSquared) : NaN;
  return { tangentPart, normalPart, tangentFraction };
}
