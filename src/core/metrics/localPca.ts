import type { Matrix } from '../data/matrix';
import { symmetricEigen } from './linalg';

/**
 * Most neighbours used in one local PCA; larger neighbourhoods are thinned to an evenly spread
 * subset. This bounds the Gram-matrix eigen-decomposition at 400³ steps in high dimension, and
 * 400 points estimate a covariance spectrum to a few percent.
 */
export const MAX_PCA_POINTS = 400;

/**
 * Principal axes of a neighbourhood: `values` descending (variances, divisor n - 1), and
 * `vectors[j·dim .. (j+1)·dim)` the unit axis of values[j]. There are min(n, dim) of each.
 */
export interface LocalPca {
  readonly count: number;
  readonly dim: number;
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * Local PCA of the given rows of `points`, centred at their own mean. Uses the dim × dim
 * covariance when n ≥ dim and the n × n Gram matrix otherwise (same non-zero spectrum), so the
 * cost is O(min(n, dim)³ + n·dim·min(n, dim)). Throws on a non-finite coordinate.
 */
export function localPca(points: Matrix, rows: ArrayLike<number>): LocalPca {
  const sampleRows = thin(rows, MAX_PCA_POINTS);
  const n = sampleRows.length;
  const dim = points.cols;
  const centred = new Float64Array(n * dim);
  const mean = new Float64Array(dim);
  for (const row of sampleRows)
    for (let c = 0; c < dim; c++) mean[c] += points.data[row * dim + c] / n;
  sampleRows.forEach((row, i) => {
    for (let c = 0; c < dim; c++) centred[i * dim + c] = points.data[row * dim + c] - mean[c];
  });
  return n >= dim ? covariancePca(centred, n, dim) : gramPca(centred, n, dim);
}

function thin(rows: ArrayLike<number>, limit: number): number[] {
  if (rows.length <= limit) return Array.from(rows);
  return Array.from({ length: limit }, (_, i) => rows[Math.floor((i * rows.length) / limit)]);
}

function covariancePca(centred: Float64Array, n: number, dim: number): LocalPca {
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      const x = centred[i * dim + a];
      for (let b = a; b < dim; b++) cov[a * dim + b] += (x * centred[i * dim + b]) / (n - 1);
    }
  }
  const eigen = symmetricEigen(cov, dim);
  const vectors = new Float64Array(dim * dim);
  for (let j = 0; j < dim; j++) {
    for (let c = 0; c < dim; c++) vectors[j * dim + c] = eigen.vectors[c * dim + j];
  }
  return { count: n, dim, values: eigen.values, vectors };
}

/** Axes u_j = Xᵀ v_j / √((n - 1) λ_j) from the eigenvectors v_j of X Xᵀ/(n - 1). */
function gramPca(centred: Float64Array, n: number, dim: number): LocalPca {
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < dim; c++) sum += centred[i * dim + c] * centred[j * dim + c];
      gram[i * n + j] = sum / Math.max(n - 1, 1);
    }
  }
  const eigen = symmetricEigen(gram, n);
  const vectors = new Float64Array(n * dim);
  for (let j = 0; j < n; j++) {
    const value = eigen.values[j];
    if (!(value > 0)) continue;
    const scale = 1 / Math.sqrt(Math.max(n - 1, 1) * value);
    for (let i = 0; i < n; i++) {
      const weight = eigen.vectors[i * n + j] * scale;
      for (let c = 0; c < dim; c++) vectors[j * dim + c] += weight * centred[i * dim + c];
    }
  }
  return { count: n, dim, values: eigen.values.map((v) => Math.max(v, 0)), vectors };
}

/**
 * Intrinsic dimension read from a local spectrum: the smallest d whose gap ratio
 * λ_d / λ_{d+1} is at least `minGapRatio` (an exact 0 below counts as an infinite ratio), or 0
 * when no such gap exists. Only d ≤ min(dim - 1, n - 2) is tried, because a covariance of n
 * points has rank n - 1 at most and its zero tail would be a spurious gap.
 */
export function gapDimension(
  pca: LocalPca,
  minGapRatio: number,
): { dimension: number; ratio: number } {
  const maxDimension = Math.min(pca.dim - 1, pca.count - 2);
  for (let d = 1; d <= maxDimension; d++) {
    const ratio = pca.values[d - 1] / pca.values[d];
    if (pca.values[d - 1] > 0 && ratio >= minGapRatio) return { dimension: d, ratio };
  }
  return { dimension: 0, ratio: NaN };
}
