import { createMatrix, type Matrix } from '../../src/core/data/matrix';
import type { TestRandom } from '../metrics/support/random';

/** Range of the Swiss roll's parameter t, as scikit-learn's make_swiss_roll draws it. */
export const SWISS_ROLL_T = [1.5 * Math.PI, 4.5 * Math.PI] as const;
export const SWISS_ROLL_NOISE = 0.25;
export const SWISS_ROLL_DIVISOR = 7.5;

/**
 * Draws the WGAN-GP toy Swiss roll: t ~ U[1.5π, 4.5π], (t cos t, t sin t) plus N(0, 0.25²) per
 * coordinate, all divided by 7.5.
 */
export function swissRoll(random: TestRandom, n: number): Matrix {
  const data = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = SWISS_ROLL_T[0] + (SWISS_ROLL_T[1] - SWISS_ROLL_T[0]) * random.uniform();
    data[2 * i] = (t * Math.cos(t) + SWISS_ROLL_NOISE * random.normal()) / SWISS_ROLL_DIVISOR;
    data[2 * i + 1] = (t * Math.sin(t) + SWISS_ROLL_NOISE * random.normal()) / SWISS_ROLL_DIVISOR;
  }
  return createMatrix(n, 2, data);
}

/** The noiseless roll on a grid of 20,001 values of t (spacing about 0.001 in data units). */
const CURVE_T = Float64Array.from(
  { length: 20001 },
  (_, s) => SWISS_ROLL_T[0] + ((SWISS_ROLL_T[1] - SWISS_ROLL_T[0]) * s) / 20000,
);
const CURVE_X = CURVE_T.map((t) => (t * Math.cos(t)) / SWISS_ROLL_DIVISOR);
const CURVE_Y = CURVE_T.map((t) => (t * Math.sin(t)) / SWISS_ROLL_DIVISOR);

/**
 * Unit tangent d/dt of the noiseless roll at the t (on a fine grid) nearest to the point:
 * (cos t - t sin t, sin t + t cos t), normalised.
 */
export function swissRollTangent(x: number, y: number): [number, number] {
  let bestT = SWISS_ROLL_T[0];
  let best = Infinity;
  for (let s = 0; s < CURVE_T.length; s++) {
    const t = CURVE_T[s];
    const d = (x - CURVE_X[s]) ** 2 + (y - CURVE_Y[s]) ** 2;
    if (d < best) {
      best = d;
      bestT = t;
    }
  }
  const dx = Math.cos(bestT) - bestT * Math.sin(bestT);
  const dy = Math.sin(bestT) + bestT * Math.cos(bestT);
  const norm = Math.hypot(dx, dy);
  return [dx / norm, dy / norm];
}

/** Points of a manifold embedded by a rotation Q (dim × dim, row-major): x = Q (intrinsic, 0, …) + noise. */
export function embed(
  random: TestRandom,
  intrinsic: number[][],
  rotation: Float64Array,
  dim: number,
  noise: number,
) {
  const data = new Float32Array(intrinsic.length * dim);
  intrinsic.forEach((point, i) => {
    for (let r = 0; r < dim; r++) {
      let value = noise * random.normal();
      point.forEach((v, c) => (value += rotation[r * dim + c] * v));
      data[i * dim + r] = value;
    }
  });
  return createMatrix(intrinsic.length, dim, data);
}

/** Largest principal angle between span(basis rows) and span(truth rows), in degrees; both orthonormal. */
export function subspaceAngleDegrees(basis: Float64Array, truth: number[][], dim: number): number {
  // cos of the largest principal angle = smallest singular value of Bᵀ T; for d ≤ 2 use the Gram form.
  const d = truth.length;
  const m = truth.map((t) =>
    Array.from({ length: d }, (_, j) => {
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += basis[j * dim + c] * t[c];
      return dot;
    }),
  );
  if (d === 1) return (Math.acos(Math.min(1, Math.abs(m[0][0]))) * 180) / Math.PI;
  // d = 2: singular values of the 2×2 matrix m from its Gram matrix's eigenvalues.
  const a = m[0][0] ** 2 + m[1][0] ** 2;
  const b = m[0][0] * m[0][1] + m[1][0] * m[1][1];
  const c = m[0][1] ** 2 + m[1][1] ** 2;
  const smallest = (a + c) / 2 - Math.sqrt(((a - c) / 2) ** 2 + b * b);
  return (Math.acos(Math.min(1, Math.sqrt(Math.max(smallest, 0)))) * 180) / Math.PI;
}
