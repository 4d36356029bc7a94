import type { Matrix } from '../data/matrix';
import { countContainingBalls } from './balls';
import {
  buildNeighbourIndex,
  kNearest,
  kNearestSelf,
  type IndexOptions,
  type NeighbourIndex,
} from './knn';

/** k of improved precision and recall, as Kynkäänniemi et al. 2019 use it. */
export const PRECISION_RECALL_K = 3;
/** k of density and coverage, the default in the README of clovaai/generative-evaluation-prdc. */
export const DENSITY_COVERAGE_K = 5;

export interface PrecisionRecall {
  /** Fraction of fake rows inside the real manifold. */
  precision: number;
  /** Fraction of real rows inside the fake manifold. */
  recall: number;
  k: number;
  realCount: number;
  fakeCount: number;
}

export interface DensityCoverage {
  /** (1 / (k·M)) Σ_j #{i : y_j ∈ B(x_i, r_k(x_i))}; about 1 for independent samples of one distribution. */
  density: number;
  /** Fraction of real balls B(x_i, r_k(x_i)) that contain at least one fake row. */
  coverage: number;
  k: number;
  realCount: number;
  fakeCount: number;
}

/**
 * Squared distance from every row to its k-th nearest other row (self excluded, duplicates
 * included, so a point with k exact copies has radius 0).
 */
export function kthNeighbourRadiiSquared(index: NeighbourIndex, k: number): Float64Array {
  const knn = kNearestSelf(index, k);
  return Float64Array.from({ length: knn.rows }, (_, i) => knn.distancesSquared[i * k + k - 1]);
}

/**
 * Improved precision and recall. Each set's manifold is the union of balls around its rows with
 * radius the distance to the row's k-th nearest other row. Tie rule (see `countContainingBalls`):
 * ‖y - x‖ ≤ r counts as inside, so identical sets score 1 even with duplicate rows.
 * Both sets need more than k rows; rows with NaN are never inside and count in the denominators.
 */
export function precisionRecall(
  real: Matrix,
  fake: Matrix,
  k = PRECISION_RECALL_K,
  options?: IndexOptions,
): PrecisionRecall {
  checkSets(real, fake, k);
  const precision = fractionInside(real, fake, k, options);
  const recall = fractionInside(fake, real, k, options);
  return { precision, recall, k, realCount: real.rows, fakeCount: fake.rows };
}

/**
 * Density and coverage (Naeem et al. 2020), both with balls around the real
 * rows only and the same ≤ tie rule as `precisionRecall`. Both sets need more than k rows.
 */
export function densityCoverage(
  real: Matrix,
  fake: Matrix,
  k = DENSITY_COVERAGE_K,
  options?: IndexOptions,
): DensityCoverage {
  checkSets(real, fake, k);
  const realIndex = buildNeighbourIndex(real, options);
  const radiiSquared = kthNeighbourRadiiSquared(realIndex, k);
  const counts = countContainingBalls(realIndex, radiiSquared, fake);
  let total = 0;
  for (const count of counts) total += count;

  const nearestFake = kNearest(buildNeighbourIndex(fake, options), real, 1);
  let covered = 0;
  for (let i = 0; i < real.rows; i++) {
    if (nearestFake.distancesSquared[i] <= radiiSquared[i]) covered++;
  }
  return {
    density: total / (k * fake.rows),
    coverage: covered / real.rows,
    k,
    realCount: real.rows,
    fakeCount: fake.rows,
  };
}

/** Fraction of `queries` rows inside the union of k-NN balls of `manifold`. */
function fractionInside(
  manifold: Matrix,
  queries: Matrix,
  k: number,
  options?: IndexOptions,
): number {
  const index = buildNeighbourIndex(manifold, options);
  const radiiSquared = kthNeighbourRadiiSquared(index, k);
  const inside = countContainingBalls(index, radiiSquared, queries, true);
  let count = 0;
  for (const flag of inside) count += flag;
  return count / queries.rows;
}

function checkSets(real: Matrix, fake: Matrix, k: number): void {
  if (real.cols !== fake.cols) {
    throw new RangeError(`Real rows have ${real.cols} features but fake rows have ${fake.cols}.`);
  }
  if (real.rows <= k || fake.rows <= k) {
    throw new RangeError(
      `Both sets need more than k = ${k} rows; got ${real.rows} real and ${fake.rows} fake.`,
    );
  }
}
