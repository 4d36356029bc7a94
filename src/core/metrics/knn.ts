import type { Matrix } from '../data/matrix';
import { jsBlockProduct, type BlockProduct } from './blockProduct';
import { exactDistanceSquared, forEachDistanceBlock } from './blockedDistances';
import { buildKdTree, searchKdTree, type KdTree } from './kdTree';
import { radiusSearchKdTree } from './kdTreeQueries';
import { TopK } from './topK';

/**
 * Highest dimension served by the k-d tree. A k-d tree query visits a number of leaves that
 * grows like 2^dim, so the tree pays off only while N ≫ 2^dim. Measured on 10,000 Gaussian
 * points, k = 5 (Node 20, AMD EPYC): 1.3 s CPU for the tree against 2.3 s for the blocked scan
 * at 8 features, but 11 s against 3.8 s at 16.
 */
export const KD_TREE_MAX_DIM = 8;

export type IndexKind = 'kd-tree' | 'blocked';

/** A searchable point set. Build once with `buildNeighbourIndex`, query many times. */
export interface NeighbourIndex {
  readonly points: Matrix;
  readonly kind: IndexKind;
  readonly tree?: KdTree;
  readonly product: BlockProduct;
}

export interface IndexOptions {
  /** Defaults to 'kd-tree' for dim ≤ KD_TREE_MAX_DIM, else 'blocked'. */
  kind?: IndexKind;
  /** Inner-product kernel for the blocked scan (default: plain JS). */
  product?: BlockProduct;
}

/**
 * k nearest neighbours per query row: `indices[q·k + m]` is the m-th nearest point (row of the
 * indexed set) and `distances[q·k + m]` its Euclidean distance, ascending. Slots that could not
 * be filled (a NaN query, or fewer finite points than k) hold -1 and Infinity.
 */
export interface KnnResult {
  readonly k: number;
  readonly rows: number;
  readonly indices: Int32Array;
  readonly distances: Float64Array;
  /** The squared distances as computed, so that radius tests need no sqrt round trip. */
  readonly distancesSquared: Float64Array;
}

/** Builds the index. The points are referenced, not copied, by the blocked kind; never mutated. */
export function buildNeighbourIndex(points: Matrix, options: IndexOptions = {}): NeighbourIndex {
  const kind = options.kind ?? (points.cols <= KD_TREE_MAX_DIM ? 'kd-tree' : 'blocked');
  const product = options.product ?? jsBlockProduct;
  const tree = kind === 'kd-tree' ? buildKdTree(points) : undefined;
  return { points, kind, tree, product };
}

/** k nearest indexed points of every query row. Points with NaN coordinates are never returned. */
export function kNearest(index: NeighbourIndex, queries: Matrix, k: number): KnnResult {
  checkQuery(index, queries, k, index.points.rows);
  return searchAll(index, queries, k, false);
}

/**
 * k nearest neighbours of every indexed point among the others: row i never lists itself, but
 * an exact duplicate of row i (another row) is listed at distance 0.
 */
export function kNearestSelf(index: NeighbourIndex, k: number): KnnResult {
  checkQuery(index, index.points, k, index.points.rows - 1);
  return searchAll(index, index.points, k, true);
}

/**
 * Rows of the indexed set within `radius` (inclusive, Euclidean) of each query, ascending by
 * row. A NaN radius or query returns no rows.
 */
export function radiusNeighbours(
  index: NeighbourIndex,
  queries: Matrix,
  radius: number,
): Int32Array[] {
  checkDimensions(index, queries);
  const radiusSquared = radius * radius;
  if (index.tree) {
    const tree = index.tree;
    return Array.from({ length: queries.rows }, (_, q) => {
      const found: number[] = [];
      radiusSearchKdTree(
        tree,
        queries.data.subarray(q * queries.cols, (q + 1) * queries.cols),
        radiusSquared,
        found,
      );
      return Int32Array.from(found).sort();
    });
  }
  const found: number[][] = Array.from({ length: queries.rows }, () => []);
  forEachDistanceBlock(
    queries,
    index.points,
    (qStart, qCount, rStart, rCount, block, tolerance) => {
      for (let i = 0; i < qCount; i++) {
        for (let j = 0; j < rCount; j++) {
          const q = qStart + i;
          const r = rStart + j;
          if (block[i * rCount + j] > radiusSquared + tolerance(q, r)) continue;
          if (exactDistanceSquared(queries, q, index.points, r) <= radiusSquared) found[q].push(r);
        }
      }
    },
    index.product,
  );
  return found.map((rows) => Int32Array.from(rows));
}

function searchAll(
  index: NeighbourIndex,
  queries: Matrix,
  k: number,
  excludeSelf: boolean,
): KnnResult {
  const best = Array.from({ length: queries.rows }, () => new TopK(k));
  if (index.tree) {
    for (let q = 0; q < queries.rows; q++) {
      const query = queries.data.subarray(q * queries.cols, (q + 1) * queries.cols);
      searchKdTree(index.tree, query, best[q], excludeSelf ? q : -1);
    }
  } else {
    scanBlocked(index, queries, best, excludeSelf);
  }
  return collect(best, k);
}

/** Pushes exact squared distances for every pair whose approximate one may beat the k-th. */
function scanBlocked(index: NeighbourIndex, queries: Matrix, best: TopK[], excludeSelf: boolean) {
  forEachDistanceBlock(
    queries,
    index.points,
    (qStart, qCount, rStart, rCount, block, tolerance) => {
      for (let i = 0; i < qCount; i++) {
        const q = qStart + i;
        const top = best[q];
        for (let j = 0; j < rCount; j++) {
          const r = rStart + j;
          if (excludeSelf && r === q) continue;
          if (!(block[i * rCount + j] <= top.worst() + tolerance(q, r))) continue;
          top.push(exactDistanceSquared(queries, q, index.points, r), r);
        }
      }
    },
    index.product,
  );
}

function collect(best: TopK[], k: number): KnnResult {
  const indices = new Int32Array(best.length * k);
  const distancesSquared = new Float64Array(best.length * k);
  best.forEach((top, q) => {
    indices.set(top.indices, q * k);
    distancesSquared.set(top.distances, q * k);
  });
  const distances = distancesSquared.map(Math.sqrt);
  return { k, rows: best.length, indices, distances, distancesSquared };
}

function checkDimensions(index: NeighbourIndex, queries: Matrix): void {
  if (queries.cols !== index.points.cols) {
    throw new RangeError(
      `Query points have ${queries.cols} features but the index has ${index.points.cols}.`,
    );
  }
}

function checkQuery(index: NeighbourIndex, queries: Matrix, k: number, available: number): void {
  checkDimensions(index, queries);
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`k must be a positive integer, got ${k}.`);
  if (k > available) {
    throw new RangeError(
      `k = ${k} neighbours requested but only ${Math.max(available, 0)} points are available.`,
    );
  }
}
