import { createMatrix, row, type Matrix } from '../data/matrix';
import type { Rng } from '../rng';

export interface ProbeSet {
  points: Matrix;
  description: string;
  /** For offManifold: each point's distance from the real point it was moved from. */
  distances?: Float32Array;
}

export interface ProbeCounts {
  interpolates: number;
  otInterpolates: number;
  real: number;
  generated: number;
  offManifold: number;
  uniform: number;
}

export const DEFAULT_PROBE_COUNTS: ProbeCounts = {
  interpolates: 2000,
  otInterpolates: 512,
  real: 2000,
  generated: 2000,
  offManifold: 2000,
  uniform: 2000,
};

/** Noise scales of the off-manifold set, as multiples of the data's mean per-feature std. */
export const OFF_MANIFOLD_SCALES = [0.1, 0.3, 1];

/** Margin added on each side of the data's bounding box for the uniform set, as a fraction of its width. */
export const UNIFORM_BOX_MARGIN = 0.5;

/** Random real-generated pairs with one ε ~ U[0,1] per pair: x̂ = ε·real + (1-ε)·fake. */
export function interpolatesSet(real: Matrix, fake: Matrix, n: number, rng: Rng): ProbeSet {
  const dim = real.cols;
  const points = createMatrix(n, dim);
  for (let k = 0; k < n; k++) {
    const r = row(real, rng.int(real.rows));
    const f = row(fake, rng.int(fake.rows));
    const epsilon = rng.uniform();
    for (let c = 0; c < dim; c++) points.data[k * dim + c] = epsilon * r[c] + (1 - epsilon) * f[c];
  }
  return { points, description: 'random real-generated pairs, one ε ~ U[0,1] per pair' };
}

/** The first n rows, or all of them when there are fewer. */
export function subsetSet(source: Matrix, n: number, description: string): ProbeSet {
  const rows = Math.min(n, source.rows);
  return {
    points: createMatrix(rows, source.cols, source.data.slice(0, rows * source.cols)),
    description,
  };
}

/** Real points plus isotropic Gaussian noise at several scales. */
export function offManifoldSet(real: Matrix, n: number, scale: number, rng: Rng): ProbeSet {
  const dim = real.cols;
  const points = createMatrix(n, dim);
  const distances = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const sigma = OFF_MANIFOLD_SCALES[k % OFF_MANIFOLD_SCALES.length] * scale;
    const r = row(real, rng.int(real.rows));
    let squared = 0;
    for (let c = 0; c < dim; c++) {
      const noise = sigma * rng.normal();
      points.data[k * dim + c] = r[c] + noise;
      squared += noise * noise;
    }
    distances[k] = Math.sqrt(squared);
  }
  const scales = OFF_MANIFOLD_SCALES.map((s) => (s * scale).toPrecision(3)).join(', ');
  return { points, distances, description: `real points plus N(0, σ²I) noise, σ ∈ {${scales}}` };
}

/** Uniform points in the bounding box of the real data, widened by the margin on each side. */
export function uniformSet(real: Matrix, n: number, rng: Rng): ProbeSet {
  const dim = real.cols;
  const low = new Float64Array(dim).fill(Number.POSITIVE_INFINITY);
  const high = new Float64Array(dim).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < real.rows; i++) {
    for (let c = 0; c < dim; c++) {
      low[c] = Math.min(low[c], real.data[i * dim + c]);
      high[c] = Math.max(high[c], real.data[i * dim + c]);
    }
  }
  const points = createMatrix(n, dim);
  for (let c = 0; c < dim; c++) {
    const margin = UNIFORM_BOX_MARGIN * Math.max(high[c] - low[c], 1e-6);
    low[c] -= margin;
    high[c] += margin;
  }
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < dim; c++)
      points.data[k * dim + c] = low[c] + (high[c] - low[c]) * rng.uniform();
  }
  return {
    points,
    description: `uniform in the data's bounding box widened by ${UNIFORM_BOX_MARGIN * 100} % per side`,
  };
}

/** Per-feature standard deviation of the rows, in float64. */
export function perFeatureStd(points: Matrix): number[] {
  const out: number[] = [];
  for (let c = 0; c < points.cols; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < points.rows; i++) {
      const v = points.data[i * points.cols + c];
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / points.rows;
    out.push(Math.sqrt(Math.max(0, sumSq / points.rows - mean * mean)));
  }
  return out;
}

/** Mean ‖real_i - fake_i‖ over random pairs: the typical length of an interpolation segment. */
export function meanPairDistance(real: Matrix, fake: Matrix, rng: Rng, pairs = 2000): number {
  let total = 0;
  for (let k = 0; k < pairs; k++) {
    const r = row(real, rng.int(real.rows));
    const f = row(fake, rng.int(fake.rows));
    let squared = 0;
    for (let c = 0; c < real.cols; c++) squared += (r[c] - f[c]) ** 2;
    total += Math.sqrt(squared);
  }
  return total / pairs;
}
