import type { Matrix } from '../data/matrix';
import { exactDistanceSquared, forEachDistanceBlock } from './blockedDistances';
import { countContainingBallsKdTree, subtreeMaxRadiusSquared } from './kdTreeQueries';
import type { NeighbourIndex } from './knn';

/**
 * For each query row, counts the balls B(x_i, r_i) around the indexed points that contain it.
 * Tie rule: the query is inside when ‖q - x_i‖² ≤ r_i², compared in squared form exactly as the
 * radii were computed, so a query equal to x_i is inside even when r_i = 0 (a duplicate point's
 * radius). With `stopAtFirst` each count is 0 or 1. A NaN radius or query is never inside.
 * `radiiSquared` has one entry per indexed row.
 */
export function countContainingBalls(
  index: NeighbourIndex,
  radiiSquared: Float64Array,
  queries: Matrix,
  stopAtFirst = false,
): Int32Array {
  if (radiiSquared.length !== index.points.rows) {
    throw new RangeError(`Expected ${index.points.rows} radii, got ${radiiSquared.length}.`);
  }
  if (queries.cols !== index.points.cols) {
    throw new RangeError(
      `Query points have ${queries.cols} features but the index has ${index.points.cols}.`,
    );
  }
  const counts = new Int32Array(queries.rows);
  if (index.tree) {
    const tree = index.tree;
    const maxima = subtreeMaxRadiusSquared(tree, radiiSquared);
    for (let q = 0; q < queries.rows; q++) {
      const query = queries.data.subarray(q * queries.cols, (q + 1) * queries.cols);
      counts[q] = countContainingBallsKdTree(tree, radiiSquared, maxima, query, stopAtFirst);
    }
    return counts;
  }

  forEachDistanceBlock(
    queries,
    index.points,
    (qStart, qCount, rStart, rCount, block, tolerance) => {
      for (let i = 0; i < qCount; i++) {
        const q = qStart + i;
        if (stopAtFirst && counts[q] > 0) continue;
        for (let j = 0; j < rCount; j++) {
          const r = rStart + j;
          if (!(block[i * rCount + j] <= radiiSquared[r] + tolerance(q, r))) continue;
          if (exactDistanceSquared(queries, q, index.points, r) <= radiiSquared[r]) {
            counts[q]++;
            if (stopAtFirst) break;
          }
        }
      }
    },
    index.product,
  );
  return counts;
}
