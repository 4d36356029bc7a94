import type { Matrix } from '../data/matrix';
import { exactW1 } from '../metrics/wasserstein';

/**
 * Real and generated rows paired by an exact optimal transport plan (Euclidean cost). Along the
 * segment of each pair, the optimal critic's gradient is the unit vector from the fake point
 * toward the real one (Gulrajani et al. 2017, Proposition 1), so a probe can check alignment.
 */
export interface OtCoupling {
  /** pairs p: row realRows[p] of the real batch is coupled with row fakeRows[p] of the fake batch. */
  readonly realRows: Int32Array;
  readonly fakeRows: Int32Array;
  /** ‖real - fake‖ of each pair. */
  readonly distances: Float64Array;
  /** Mean pair distance: the exact W1 between the two (sub)sampled batches. */
  readonly cost: number;
  readonly subsampled: boolean;
}

/**
 * Couples a real and a generated minibatch by optimal assignment. Batches of unequal size are
 * cut to the smaller with the evenly spread rule of `subsampleRows`; at most
 * ASSIGNMENT_MAX_SIZE pairs. Throws on empty batches and non-finite coordinates.
 */
export function coupleByOptimalTransport(real: Matrix, fake: Matrix): OtCoupling {
  const plan = exactW1(real, fake);
  return {
    realRows: plan.aRows,
    fakeRows: plan.bRows,
    distances: plan.distances,
    cost: plan.w1,
    subsampled: plan.subsampled,
  };
}
