import type { Matrix } from '../data/matrix';
import { TopK } from './topK';

/** Points per leaf: small enough to prune well, large enough that leaf scans dominate recursion. */
export const KD_LEAF_SIZE = 16;

/**
 * A k-d tree over the rows of a matrix. Coordinates are copied to float64 in tree order so that
 * leaf scans read contiguous memory; `order[t]` maps tree position t back to the input row.
 * Node n covers tree positions [start[n], end[n]) and its bounding box is
 * boxMin/boxMax[n·dim .. n·dim + dim). Children of an inner node are left[n] and right[n]; leaves
 * have left[n] = -1.
 */
export interface KdTree {
  readonly dim: number;
  readonly size: number;
  readonly coords: Float64Array;
  readonly order: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly boxMin: Float64Array;
  readonly boxMax: Float64Array;
}

/** Builds a k-d tree by median splits on the widest box side. O(N log N) time, O(N·dim) memory. */
export function buildKdTree(points: Matrix): KdTree {
  const { rows: n, cols: dim } = points;
  // Median splits leave at least KD_LEAF_SIZE / 2 points per leaf, so there are at most
  // 2N / KD_LEAF_SIZE leaves and twice that many nodes.
  const maxNodes = 4 * Math.ceil(n / KD_LEAF_SIZE) + 1;
  const tree = {
    dim,
    size: n,
    coords: new Float64Array(n * dim),
    order: Int32Array.from({ length: n }, (_, i) => i),
    start: new Int32Array(maxNodes),
    end: new Int32Array(maxNodes),
    left: new Int32Array(maxNodes).fill(-1),
    right: new Int32Array(maxNodes).fill(-1),
    boxMin: new Float64Array(maxNodes * dim),
    boxMax: new Float64Array(maxNodes * dim),
  };
  let nodeCount = 0;
  const build = (lo: number, hi: number): number => {
    const node = nodeCount++;
    tree.start[node] = lo;
    tree.end[node] = hi;
    const axis = fitBox(points, tree, node, lo, hi);
    if (hi - lo <= KD_LEAF_SIZE) return node;

    const mid = (lo + hi) >> 1;
    selectNth(points, tree.order, lo, hi - 1, mid, axis);
    tree.left[node] = build(lo, mid);
    tree.right[node] = build(mid, hi);
    return node;
  };
  if (n > 0) build(0, n);

  for (let t = 0; t < n; t++) {
    const base = tree.order[t] * dim;
    for (let c = 0; c < dim; c++) tree.coords[t * dim + c] = points.data[base + c];
  }
  return tree;
}

/** Sets the node's bounding box and returns its widest axis. */
function fitBox(points: Matrix, tree: KdTree, node: number, lo: number, hi: number): number {
  const dim = tree.dim;
  const offset = node * dim;
  tree.boxMin.fill(Infinity, offset, offset + dim);
  tree.boxMax.fill(-Infinity, offset, offset + dim);
  for (let t = lo; t < hi; t++) {
    const base = tree.order[t] * dim;
    for (let c = 0; c < dim; c++) {
      const v = points.data[base + c];
      if (v < tree.boxMin[offset + c]) tree.boxMin[offset + c] = v;
      if (v > tree.boxMax[offset + c]) tree.boxMax[offset + c] = v;
    }
  }
  let axis = 0;
  for (let c = 1; c < dim; c++) {
    const width = tree.boxMax[offset + c] - tree.boxMin[offset + c];
    if (width > tree.boxMax[offset + axis] - tree.boxMin[offset + axis]) axis = c;
  }
  return axis;
}

/** Partially sorts order[lo..hi] (inclusive) so that position nth is its axis median. */
function selectNth(
  points: Matrix,
  order: Int32Array,
  lo: number,
  hi: number,
  nth: number,
  axis: number,
) {
  const key = (t: number) => points.data[order[t] * points.cols + axis];
  while (hi > lo) {
    const pivot = key((lo + hi) >> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        const swap = order[i];
        order[i++] = order[j];
        order[j--] = swap;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

/** Squared distance from a query to a node's bounding box (0 inside the box). */
export function boxDistanceSquared(tree: KdTree, node: number, query: ArrayLike<number>): number {
  let sum = 0;
  const offset = node * tree.dim;
  for (let c = 0; c < tree.dim; c++) {
    const v = query[c];
    const below = tree.boxMin[offset + c] - v;
    const above = v - tree.boxMax[offset + c];
    if (below > 0) sum += below * below;
    else if (above > 0) sum += above * above;
  }
  return sum;
}

/** Squared distance from a query to the point at tree position t. */
export function pointDistanceSquared(tree: KdTree, t: number, query: ArrayLike<number>): number {
  let sum = 0;
  const base = t * tree.dim;
  for (let c = 0; c < tree.dim; c++) {
    const diff = tree.coords[base + c] - query[c];
    sum += diff * diff;
  }
  return sum;
}

/**
 * Adds the nearest points to `best` (squared distances, input row indices), skipping input row
 * `excludeRow` (pass -1 to keep all). Visits the nearer child first and prunes boxes that are no
 * closer than the current k-th distance.
 */
export function searchKdTree(
  tree: KdTree,
  query: ArrayLike<number>,
  best: TopK,
  excludeRow: number,
  node = 0,
): void {
  if (tree.size === 0 || boxDistanceSquared(tree, node, query) >= best.worst()) return;
  if (tree.left[node] < 0) {
    for (let t = tree.start[node]; t < tree.end[node]; t++) {
      const row = tree.order[t];
      if (row !== excludeRow) best.push(pointDistanceSquared(tree, t, query), row);
    }
    return;
  }
  const a = tree.left[node];
  const b = tree.right[node];
  const nearFirst = boxDistanceSquared(tree, a, query) <= boxDistanceSquared(tree, b, query);
  searchKdTree(tree, query, best, excludeRow, nearFirst ? a : b);
  searchKdTree(tree, query, best, excludeRow, nearFirst ? b : a);
}
