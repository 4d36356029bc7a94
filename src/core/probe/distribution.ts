import type { DistributionReport } from '../../protocol/report';
import { selectRows, type Matrix } from '../data/matrix';
import { frechetDistance } from '../metrics/frechet';
import { KD_TREE_MAX_DIM } from '../metrics/knn';
import {
  DENSITY_COVERAGE_K,
  densityCoverage,
  PRECISION_RECALL_K,
  precisionRecall,
} from '../metrics/prdc';
import { tfjsBlockProduct } from './tfjsBlockProduct';
import { exactW1, subsampleRows } from '../metrics/wasserstein';

/** Points per set for precision/recall and density/coverage (k-NN cost grows as N²·d in high d). */
export const DISTRIBUTION_MAX_POINTS = 2000;
/** Points per set for the exact W1 assignment, O(n³): 500 takes about half a second. */
export const EXACT_W1_POINTS = 500;
/** Largest dimension for the Fréchet distance: the Jacobi eigensolver costs about 10·d³. */
export const FRECHET_MAX_DIM = 256;

const cap = (points: Matrix, n: number): Matrix =>
  points.rows <= n ? points : selectRows(points, subsampleRows(points.rows, n));

/** Sample-based comparisons of real and generated data that need no critic. */
export function distributionReport(real: Matrix, fake: Matrix): DistributionReport {
  const realSet = cap(real, DISTRIBUTION_MAX_POINTS);
  const fakeSet = cap(fake, DISTRIBUTION_MAX_POINTS);
  const enough = Math.min(realSet.rows, fakeSet.rows) > DENSITY_COVERAGE_K;
  // Above the k-d tree's range, the blocked distance scan runs its products on the backend.
  const options = real.cols > KD_TREE_MAX_DIM ? { product: tfjsBlockProduct(real.cols) } : {};
  const knn = enough
    ? {
        ...pick(precisionRecall(realSet, fakeSet, PRECISION_RECALL_K, options)),
        ...pickDc(densityCoverage(realSet, fakeSet, DENSITY_COVERAGE_K, options)),
      }
    : { knnSkipped: `needs more than ${DENSITY_COVERAGE_K} real and generated points` };
  const w1 = exactW1(cap(real, EXACT_W1_POINTS), cap(fake, EXACT_W1_POINTS));
  return {
    ...knn,
    ...(real.cols <= FRECHET_MAX_DIM
      ? { frechet: frechetDistance(realSet, fakeSet).distance }
      : { frechetSkipped: `dimension ${real.cols} > ${FRECHET_MAX_DIM}` }),
    exactW1: w1.w1,
    exactW1SampleSize: w1.aRows.length,
    realCount: realSet.rows,
    fakeCount: fakeSet.rows,
  };
}

const pick = (pr: { precision: number; recall: number }) => ({
  precision: pr.precision,
  recall: pr.recall,
});
const pickDc = (dc: { density: number; coverage: number }) => ({
  density: dc.density,
  coverage: dc.coverage,
});
