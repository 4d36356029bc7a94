import type { Matrix } from '../data/matrix';
import {
  applySpectralFunction,
  columnMeans,
  covariance,
  multiplySquare,
  symmetricEigen,
} from './linalg';

export interface FrechetResult {
  /** ‖μ₁-μ₂‖² + Tr(Σ₁ + Σ₂ - 2(Σ₁Σ₂)^½), clamped at 0 against rounding. */
  distance: number;
  /** ‖μ₁-μ₂‖². */
  meanTerm: number;
  /** Tr(Σ₁ + Σ₂ - 2(Σ₁Σ₂)^½). */
  covarianceTerm: number;
}

/**
 * Fréchet distance between two Gaussians given by mean and covariance (dim × dim, row-major,
 * symmetric positive semi-definite). Tr((Σ₁Σ₂)^½) is the sum of the square roots of the
 * eigenvalues of Σ₁^½ Σ₂ Σ₁^½, a symmetric matrix with the same spectrum as Σ₁Σ₂, with
 * eigenvalues at the rounding level or below 0 set to 0 (see `roundingFloor`). That keeps the result finite and real for
 * rank-deficient covariances, where the usual scipy.linalg.sqrtm route can return complex
 * values. Cost: two symmetric eigen-decompositions, O(d³). Any NaN input gives NaN; an infinite
 * entry throws.
 */
export function frechetDistanceFromMoments(
  mean1: ArrayLike<number>,
  cov1: ArrayLike<number>,
  mean2: ArrayLike<number>,
  cov2: ArrayLike<number>,
): FrechetResult {
  const dim = mean1.length;
  if (mean2.length !== dim || cov1.length !== dim * dim || cov2.length !== dim * dim) {
    throw new RangeError(
      `Shapes disagree: means of length ${dim} and ${mean2.length}, covariances of ${cov1.length} and ${cov2.length} entries.`,
    );
  }
  const inputs = [mean1, cov1, mean2, cov2];
  if (inputs.some((values) => Array.prototype.some.call(values, Number.isNaN))) {
    return { distance: NaN, meanTerm: NaN, covarianceTerm: NaN };
  }

  let meanTerm = 0;
  for (let c = 0; c < dim; c++) meanTerm += (mean1[c] - mean2[c]) ** 2;
  const eigen1 = symmetricEigen(cov1, dim);
  const floor1 = roundingFloor(eigen1.values, dim);
  const sqrtCov1 = applySpectralFunction(eigen1, (v) => (v > floor1 ? Math.sqrt(v) : 0));
  const middle = symmetricEigen(
    multiplySquare(multiplySquare(sqrtCov1, cov2, dim), sqrtCov1, dim),
    dim,
  );
  const floor2 = roundingFloor(middle.values, dim);
  let traceSqrt = 0;
  for (const value of middle.values) traceSqrt += value > floor2 ? Math.sqrt(value) : 0;

  let trace = 0;
  for (let c = 0; c < dim; c++) trace += cov1[c * dim + c] + cov2[c * dim + c];
  const covarianceTerm = trace - 2 * traceSqrt;
  return { distance: Math.max(meanTerm + covarianceTerm, 0), meanTerm, covarianceTerm };
}

/**
 * Eigenvalues at or below dim · 2⁻⁵² · max|λ| are rounding noise of the decomposition: treating
 * them as 0 matters because √ε is far larger than ε (45 zero eigenvalues of a rank-5 50-D
 * covariance would otherwise add about 1e-4 relative error).
 */
function roundingFloor(values: Float64Array, dim: number): number {
  let max = 0;
  for (const value of values) max = Math.max(max, Math.abs(value));
  return dim * Number.EPSILON * max;
}

/**
 * Fréchet distance between Gaussians fitted to two point sets in data space (means and N - 1
 * covariances accumulated in float64). Each set needs at least 2 rows; NaN entries give NaN.
 */
export function frechetDistance(a: Matrix, b: Matrix): FrechetResult {
  if (a.cols !== b.cols)
    throw new RangeError(`Sets have ${a.cols} and ${b.cols} features; expected equal.`);
  if (a.rows < 2 || b.rows < 2) {
    throw new RangeError(
      `Each set needs at least 2 rows for a covariance; got ${a.rows} and ${b.rows}.`,
    );
  }
  const meanA = columnMeans(a);
  const meanB = columnMeans(b);
  return frechetDistanceFromMoments(meanA, covariance(a, meanA), meanB, covariance(b, meanB));
}
