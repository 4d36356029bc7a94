import { createMatrix, row, selectRows, type Matrix } from '../data/matrix';
import { median } from '../metrics/quantiles';
import type { Rng } from '../rng';
import { coupleByOptimalTransport } from './otCoupling';
import type { ProbeSet } from './sets';

/** Minibatch size of the optimal-transport coupling: exact assignment is O(n³). */
export const OT_BATCH = 256;

export interface OtProbeSet extends ProbeSet {
  /** Unit vectors from each pair's generated point toward its coupled real point, [n, dim]. */
  directions: Matrix;
}

/**
 * Interpolates on pairs coupled by exact optimal transport within minibatches (Euclidean cost),
 * one ε ~ U[0,1] per pair. By Proposition 1 of Gulrajani et al. (2017) the optimal critic's
 * gradient there is the unit vector toward the coupled real point.
 */
export function otInterpolatesSet(real: Matrix, fake: Matrix, n: number, rng: Rng): OtProbeSet {
  const dim = real.cols;
  const points = createMatrix(n, dim);
  const directions = createMatrix(n, dim);
  let filled = 0;
  while (filled < n) {
    const size = Math.min(OT_BATCH, n - filled, real.rows, fake.rows);
    const realBatch = selectRows(real, distinctRows(real.rows, size, rng));
    const fakeBatch = selectRows(fake, distinctRows(fake.rows, size, rng));
    const coupling = coupleByOptimalTransport(realBatch, fakeBatch);
    for (let p = 0; p < coupling.realRows.length && filled < n; p++, filled++) {
      const r = row(realBatch, coupling.realRows[p]);
      const f = row(fakeBatch, coupling.fakeRows[p]);
      const epsilon = rng.uniform();
      const length = coupling.distances[p] || 1;
      for (let c = 0; c < dim; c++) {
        points.data[filled * dim + c] = epsilon * r[c] + (1 - epsilon) * f[c];
        directions.data[filled * dim + c] = (r[c] - f[c]) / length;
      }
    }
  }
  return {
    points,
    directions,
    description: `pairs coupled by exact optimal transport in minibatches of ${OT_BATCH}, one ε ~ U[0,1] per pair`,
  };
}

/** `count` distinct row indices out of `rows`, by a partial Fisher-Yates shuffle. */
function distinctRows(rows: number, count: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(rows - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, count);
}

/** Cosine between each gradient and its pair's direction toward the real point. */
export function alignment(
  gradients: Matrix,
  directions: Matrix,
): { meanCosine: number; medianCosine: number } {
  const cosines = new Float64Array(gradients.rows);
  for (let i = 0; i < gradients.rows; i++) {
    const g = row(gradients, i);
    const d = row(directions, i);
    let dot = 0;
    let squared = 0;
    for (let c = 0; c < g.length; c++) {
      dot += g[c] * d[c];
      squared += g[c] * g[c];
    }
    cosines[i] = squared > 0 ? dot / Math.sqrt(squared) : Number.NaN;
  }
  const finite = cosines.filter(Number.isFinite);
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  return { meanCosine: mean, medianCosine: median(finite) };
}
