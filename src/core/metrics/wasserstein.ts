import { selectRows, type Matrix } from '../data/matrix';
import { ASSIGNMENT_MAX_SIZE, solveAssignment } from './assignment';

export interface ExactW1 {
  /** Mean Euclidean distance over the optimal pairs: W1 between the two empirical measures. */
  readonly w1: number;
  /** Pairs used, after subsampling: row aRows[p] of `a` is matched with row bRows[p] of `b`. */
  readonly aRows: Int32Array;
  readonly bRows: Int32Array;
  /** Euclidean distance of each pair. */
  readonly distances: Float64Array;
  /** True when the larger set was subsampled to the size of the smaller. */
  readonly subsampled: boolean;
}

/**
 * Rows kept when a set of `size` rows is cut to `target`: floor(i·size/target) for i < target,
 * evenly spread and deterministic. This assumes the rows are in random order (i.i.d. draws, as
 * samplers and generators return them); sort order would bias the subsample.
 */
export function subsampleRows(size: number, target: number): Int32Array {
  return Int32Array.from({ length: target }, (_, i) => Math.floor((i * size) / target));
}

/**
 * Exact W1 between two empirical measures with Euclidean (not squared) cost, by optimal
 * assignment. Sets of unequal size are first cut to the smaller size with `subsampleRows`, so
 * the result is then W1 of that subsample. At most ASSIGNMENT_MAX_SIZE pairs; throws above it,
 * on an empty set and on a non-finite coordinate. Distances are accumulated in float64.
 */
export function exactW1(a: Matrix, b: Matrix): ExactW1 {
  if (a.cols !== b.cols)
    throw new RangeError(`Sets have ${a.cols} and ${b.cols} features; expected equal.`);
  const n = Math.min(a.rows, b.rows);
  if (n === 0)
    throw new RangeError(
      `Exact W1 needs at least one row in each set; got ${a.rows} and ${b.rows}.`,
    );
  if (n > ASSIGNMENT_MAX_SIZE) {
    throw new RangeError(
      `Exact W1 of ${n} pairs exceeds the limit of ${ASSIGNMENT_MAX_SIZE}; pass at most ${ASSIGNMENT_MAX_SIZE} rows per set.`,
    );
  }
  const aKept =
    a.rows === n ? Int32Array.from({ length: n }, (_, i) => i) : subsampleRows(a.rows, n);
  const bKept =
    b.rows === n ? Int32Array.from({ length: n }, (_, i) => i) : subsampleRows(b.rows, n);
  const left = selectRows(a, aKept);
  const right = selectRows(b, bKept);

  const cost = euclideanCostMatrix(left, right);
  const { rowToColumn, totalCost } = solveAssignment(cost, n);
  const distances = Float64Array.from(rowToColumn, (column, row) => cost[row * n + column]);
  return {
    w1: totalCost / n,
    aRows: aKept,
    bRows: Int32Array.from(rowToColumn, (column) => bKept[column]),
    distances,
    subsampled: a.rows !== b.rows,
  };
}

/** n × n Euclidean distances between the rows of two equal-size sets, computed directly. */
function euclideanCostMatrix(left: Matrix, right: Matrix): Float64Array {
  const n = left.rows;
  const dim = left.cols;
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < dim; c++) {
        const diff = left.data[i * dim + c] - right.data[j * dim + c];
        sum += diff * diff;
      }
      cost[i * n + j] = Math.sqrt(sum);
    }
  }
  return cost;
}
