import type { Matrix } from '../data/matrix';
import { jsBlockProduct, type BlockProduct } from './blockProduct';

/** Query rows per block: 64 rows of 784 float32 features are 200 KB. */
export const QUERY_BLOCK_ROWS = 64;
/** Reference rows per block: 128 rows of 784 features (400 KB) stay in a typical 1 MB L2 cache. */
export const REFERENCE_BLOCK_ROWS = 128;

/** Receives approximate squared distances for query rows [qStart, qStart + qCount) × reference rows [rStart, rStart + rCount). */
export type DistanceBlockVisitor = (
  qStart: number,
  qCount: number,
  rStart: number,
  rCount: number,
  distancesSquared: Float64Array,
  tolerance: (q: number, r: number) => number,
) => void;

/** Squared row norms in float64. */
export function rowNormsSquared(points: Matrix): Float64Array {
  const norms = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    let sum = 0;
    for (let c = i * points.cols; c < (i + 1) * points.cols; c++)
      sum += points.data[c] * points.data[c];
    norms[i] = sum;
  }
  return norms;
}

/** Exact squared distance between row q of `a` and row r of `b`, accumulated in float64. */
export function exactDistanceSquared(a: Matrix, q: number, b: Matrix, r: number): number {
  let sum = 0;
  const dim = a.cols;
  for (let c = 0; c < dim; c++) {
    const diff = a.data[q * dim + c] - b.data[r * dim + c];
    sum += diff * diff;
  }
  return sum;
}

/**
 * Walks all query × reference pairs block by block, computing ‖q‖² + ‖r‖² - 2 q·r (clamped at 0)
 * with the given product kernel. `tolerance(q, r)` is the kernel's error bound for that pair, so
 * visitors can recheck borderline pairs with `exactDistanceSquared`. O(Q·R·dim) time,
 * O(block) extra memory.
 */
export function forEachDistanceBlock(
  queries: Matrix,
  references: Matrix,
  visit: DistanceBlockVisitor,
  product: BlockProduct = jsBlockProduct,
): void {
  const dim = queries.cols;
  const queryNorms = rowNormsSquared(queries);
  const referenceNorms = rowNormsSquared(references);
  const tolerance = (q: number, r: number) =>
    product.relativeError * (queryNorms[q] + referenceNorms[r]);
  const queryBlock = product.blockRows?.queries ?? QUERY_BLOCK_ROWS;
  const referenceBlock = product.blockRows?.references ?? REFERENCE_BLOCK_ROWS;
  const block = new Float64Array(queryBlock * referenceBlock);

  for (let qStart = 0; qStart < queries.rows; qStart += queryBlock) {
    const qCount = Math.min(queryBlock, queries.rows - qStart);
    const a = queries.data.subarray(qStart * dim, (qStart + qCount) * dim);
    for (let rStart = 0; rStart < references.rows; rStart += referenceBlock) {
      const rCount = Math.min(referenceBlock, references.rows - rStart);
      const b = references.data.subarray(rStart * dim, (rStart + rCount) * dim);
      product.multiply(a, qCount, b, rCount, dim, block);

      for (let i = 0; i < qCount; i++) {
        for (let j = 0; j < rCount; j++) {
          const value =
            queryNorms[qStart + i] + referenceNorms[rStart + j] - 2 * block[i * rCount + j];
          // Clamp rounding below 0, but keep NaN so that NaN rows never pass a distance test.
          block[i * rCount + j] = value < 0 ? 0 : value;
        }
      }
      visit(qStart, qCount, rStart, rCount, block, tolerance);
    }
  }
}
