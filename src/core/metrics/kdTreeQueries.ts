import { boxDistanceSquared, pointDistanceSquared, type KdTree } from './kdTree';

/**
 * Appends to `out` the input row index of every point within `radiusSquared` (inclusive) of the
 * query, in tree order.
 */
export function radiusSearchKdTree(
  tree: KdTree,
  query: ArrayLike<number>,
  radiusSquared: number,
  out: number[],
  node = 0,
): void {
  if (tree.size === 0 || boxDistanceSquared(tree, node, query) > radiusSquared) return;
  if (tree.left[node] < 0) {
    for (let t = tree.start[node]; t < tree.end[node]; t++) {
      if (pointDistanceSquared(tree, t, query) <= radiusSquared) out.push(tree.order[t]);
    }
    return;
  }
  radiusSearchKdTree(tree, query, radiusSquared, out, tree.left[node]);
  radiusSearchKdTree(tree, query, radiusSquared, out, tree.right[node]);
}

/**
 * Largest ball radius (squared) under each node, for balls centred on the tree's points with
 * per-point squared radii `radiiSquared` (indexed by input row). Used to prune ball queries.
 */
export function subtreeMaxRadiusSquared(
  tree: KdTree,
  radiiSquared: ArrayLike<number>,
): Float64Array {
  const maxima = new Float64Array(tree.start.length);
  const visit = (node: number): number => {
    let max = 0;
    if (tree.left[node] < 0) {
      for (let t = tree.start[node]; t < tree.end[node]; t++) {
        max = Math.max(max, radiiSquared[tree.order[t]]);
      }
    } else {
      max = Math.max(visit(tree.left[node]), visit(tree.right[node]));
    }
    maxima[node] = max;
    return max;
  };
  if (tree.size > 0) visit(0);
  return maxima;
}

/**
 * Counts the balls B(x_i, r_i) that contain the query, with x_i the tree's points and r_i² given
 * per input row: the query is inside when ‖q - x_i‖² ≤ r_i², so a query equal to x_i is inside
 * even when r_i = 0. With `stopAtFirst`, returns 1 as soon as one ball contains the query.
 */
export function countContainingBallsKdTree(
  tree: KdTree,
  radiiSquared: ArrayLike<number>,
  maxima: Float64Array,
  query: ArrayLike<number>,
  stopAtFirst: boolean,
  node = 0,
): number {
  if (tree.size === 0 || boxDistanceSquared(tree, node, query) > maxima[node]) return 0;
  let count = 0;
  if (tree.left[node] < 0) {
    for (let t = tree.start[node]; t < tree.end[node]; t++) {
      if (pointDistanceSquared(tree, t, query) <= radiiSquared[tree.order[t]]) {
        count++;
        if (stopAtFirst) return count;
      }
    }
    return count;
  }
  for (const child of [tree.left[node], tree.right[node]]) {
    count += countContainingBallsKdTree(tree, radiiSquared, maxima, query, stopAtFirst, child);
    if (stopAtFirst && count > 0) return count;
  }
  return count;
}
