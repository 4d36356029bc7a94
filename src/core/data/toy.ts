import { Rng } from '../rng';
import { createMatrix, type Matrix } from './matrix';

/** The toy distributions, made exactly as the WGAN-GP authors' toy code makes them. */
export type ToyDatasetName = '8gaussians' | '25gaussians' | 'swissroll' | 'circle';
export const TOY_DATASET_NAMES: readonly ToyDatasetName[] = [
  '8gaussians',
  '25gaussians',
  'swissroll',
  'circle',
];

export interface DatasetSpec {
  name: ToyDatasetName;
  /** Ambient dimension for `circle` (default 10). */
  dim?: number;
  /** Noise std for `circle`, in data units (default 0.01). */
  noise?: number;
  /** Seed of the random rotation that embeds `circle` (default 0). */
  rotationSeed?: number;
}

/** A mixture component layout with one isotropic std for every mode. */
export interface ModeLayout {
  /** K × dim centres. */
  centers: Matrix;
  /** Per-coordinate standard deviation of each mode. */
  std: number;
}

export interface Dataset {
  readonly spec: DatasetSpec;
  readonly dim: number;
  /** The divisor applied to raw points (the toy code's scaling), 1 when none. */
  readonly scaleDivisor: number;
  /** Mean per-feature standard deviation of the distribution. */
  readonly scale: number;
  readonly modes?: ModeLayout;
  /** Intrinsic dimension of the manifold, for data that lie near one. */
  readonly intrinsicDim?: number;
  /**
   * Orthonormal basis (intrinsicDim × dim) of the tangent space at the manifold point closest
   * to `point`, for data whose tangent space is known in closed form.
   */
  tangent?(point: Float32Array): Matrix;
  /** Draws n points; `state` carries sampler state that must survive a resume (25 Gaussians). */
  sample(n: number, rng: Rng, state?: SamplerState): Matrix;
}

/** The position of a cycled fixed pool, for datasets that draw from one. */
export interface SamplerState {
  cursor: number;
}

export function createDataset(spec: DatasetSpec): Dataset {
  switch (spec.name) {
    case '8gaussians':
      return eightGaussians(spec);
    case '25gaussians':
      return twentyFiveGaussians(spec);
    case 'swissroll':
      return swissRoll(spec);
    case 'circle':
      return embeddedCircle(spec);
  }
}

function mixtureScale(centers: Matrix, std: number): number {
  // Per-feature variance of an equal-weight mixture: spread of the centres plus the mode variance.
  let total = 0;
  for (let c = 0; c < centers.cols; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < centers.rows; k++) {
      const v = centers.data[k * centers.cols + c];
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / centers.rows;
    total += Math.sqrt(sumSq / centers.rows - mean * mean + std * std);
  }
  return total / centers.cols;
}

function eightGaussians(spec: DatasetSpec): Dataset {
  const divisor = 1.414;
  const rawStd = 0.02;
  const centers = createMatrix(8, 2);
  const directions = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
    [Math.SQRT1_2, Math.SQRT1_2],
    [Math.SQRT1_2, -Math.SQRT1_2],
    [-Math.SQRT1_2, Math.SQRT1_2],
    [-Math.SQRT1_2, -Math.SQRT1_2],
  ];
  directions.forEach(([x, y], k) => {
    centers.data[2 * k] = (2 * x) / divisor;
    centers.data[2 * k + 1] = (2 * y) / divisor;
  });
  const std = rawStd / divisor;
  return {
    spec,
    dim: 2,
    scaleDivisor: divisor,
    scale: mixtureScale(centers, std),
    modes: { centers, std },
    sample(n, rng) {
      const out = createMatrix(n, 2);
      for (let i = 0; i < n; i++) {
        const k = rng.int(8);
        out.data[2 * i] = centers.data[2 * k] + rng.normal() * std;
        out.data[2 * i + 1] = centers.data[2 * k + 1] + rng.normal() * std;
      }
      return out;
    },
  };
}

/** Size of the fixed pool that the toy code draws 25-Gaussians batches from, 4,000 per mode. */
export const TWENTY_FIVE_POOL_SIZE = 100_000;

function twentyFiveGaussians(spec: DatasetSpec): Dataset {
  const divisor = 2.828;
  const rawStd = 0.05;
  const centers = createMatrix(25, 2);
  let k = 0;
  for (let x = -2; x <= 2; x++) {
    for (let y = -2; y <= 2; y++) {
      centers.data[2 * k] = (2 * x) / divisor;
      centers.data[2 * k + 1] = (2 * y) / divisor;
      k++;
    }
  }
  const std = rawStd / divisor;
  let pool: Matrix | undefined;
  const buildPool = (rng: Rng): Matrix => {
    // One fixed set, 4,000 points per mode, shuffled once: drawn from the run's own generator.
    const perMode = TWENTY_FIVE_POOL_SIZE / 25;
    const points = createMatrix(TWENTY_FIVE_POOL_SIZE, 2);
    for (let i = 0; i < TWENTY_FIVE_POOL_SIZE; i++) {
      const mode = Math.floor(i / perMode);
      points.data[2 * i] = centers.data[2 * mode] + rng.normal() * std;
      points.data[2 * i + 1] = centers.data[2 * mode + 1] + rng.normal() * std;
    }
    for (let i = TWENTY_FIVE_POOL_SIZE - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      for (let c = 0; c < 2; c++) {
        const tmp = points.data[2 * i + c];
        points.data[2 * i + c] = points.data[2 * j + c];
        points.data[2 * j + c] = tmp;
      }
    }
    return points;
  };
  return {
    spec,
    dim: 2,
    scaleDivisor: divisor,
    scale: mixtureScale(centers, std),
    modes: { centers, std },
    sample(n, _rng, state) {
      // The pool is built from a generator seeded independently of the caller's stream, so that
      // resuming (which restores the caller's stream) rebuilds the same pool.
      pool ??= buildPool(new Rng(0x25));
      const cursorState = state ?? { cursor: 0 };
      const out = createMatrix(n, 2);
      for (let i = 0; i < n; i++) {
        const index = cursorState.cursor % TWENTY_FIVE_POOL_SIZE;
        out.data[2 * i] = pool.data[2 * index];
        out.data[2 * i + 1] = pool.data[2 * index + 1];
        cursorState.cursor = (cursorState.cursor + 1) % TWENTY_FIVE_POOL_SIZE;
      }
      return out;
    },
  };
}

const SWISS_ROLL_DIVISOR = 7.5;
const SWISS_ROLL_NOISE = 0.25;

/** Swiss roll of scikit-learn's make_swiss_roll(noise=0.25), columns 0 and 2, divided by 7.5. */
function swissRoll(spec: DatasetSpec): Dataset {
  const curve = (t: number): [number, number] => [t * Math.cos(t), t * Math.sin(t)];
  return {
    spec,
    dim: 2,
    scaleDivisor: SWISS_ROLL_DIVISOR,
    scale: estimateScale((n, rng) => sampleSwissRoll(n, rng, curve), 2),
    intrinsicDim: 1,
    sample: (n, rng) => sampleSwissRoll(n, rng, curve),
    tangent(point) {
      const t = nearestSwissRollParameter(
        point[0] * SWISS_ROLL_DIVISOR,
        point[1] * SWISS_ROLL_DIVISOR,
        curve,
      );
      const dx = Math.cos(t) - t * Math.sin(t);
      const dy = Math.sin(t) + t * Math.cos(t);
      const length = Math.hypot(dx, dy);
      return createMatrix(1, 2, new Float32Array([dx / length, dy / length]));
    },
  };
}

function sampleSwissRoll(n: number, rng: Rng, curve: (t: number) => [number, number]): Matrix {
  const out = createMatrix(n, 2);
  for (let i = 0; i < n; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
    const [x, y] = curve(t);
    out.data[2 * i] = (x + SWISS_ROLL_NOISE * rng.normal()) / SWISS_ROLL_DIVISOR;
    out.data[2 * i + 1] = (y + SWISS_ROLL_NOISE * rng.normal()) / SWISS_ROLL_DIVISOR;
  }
  return out;
}

/** Finds the curve parameter in [1.5π, 4.5π] nearest to (x, y): a grid search refined by ternary search. */
function nearestSwissRollParameter(
  x: number,
  y: number,
  curve: (t: number) => [number, number],
): number {
  const low = 1.5 * Math.PI;
  const high = 4.5 * Math.PI;
  const steps = 2000;
  const distance = (t: number) => {
    const [cx, cy] = curve(t);
    return (cx - x) ** 2 + (cy - y) ** 2;
  };
  let best = low;
  for (let i = 0; i <= steps; i++) {
    const t = low + ((high - low) * i) / steps;
    if (distance(t) < distance(best)) best = t;
  }
  let a = Math.max(low, best - (high - low) / steps);
  let b = Math.min(high, best + (high - low) / steps);
  for (let i = 0; i < 60; i++) {
    const m1 = a + (b - a) / 3;
    const m2 = b - (b - a) / 3;
    if (distance(m1) < distance(m2)) b = m2;
    else a = m1;
  }
  return (a + b) / 2;
}

/** A circle of radius 1 embedded in R^dim by a random rotation, with isotropic noise. */
function embeddedCircle(spec: DatasetSpec): Dataset {
  const dim = spec.dim ?? 10;
  if (!Number.isInteger(dim) || dim < 2) throw new Error(`circle needs dim >= 2, got ${dim}`);
  const noise = spec.noise ?? 0.01;
  const basis = randomOrthonormalPair(dim, new Rng(spec.rotationSeed ?? 0));
  const embed = (a: number, b: number, out: Float32Array, offset: number) => {
    for (let c = 0; c < dim; c++) out[offset + c] = a * basis[0][c] + b * basis[1][c];
  };
  return {
    spec: { ...spec, dim, noise },
    dim,
    scaleDivisor: 1,
    // Each embedded coordinate has variance (u_c² + v_c²)/2 + noise²; averaged over coordinates.
    scale: meanCoordinateStd(basis, noise),
    intrinsicDim: 1,
    sample(n, rng) {
      const out = createMatrix(n, dim);
      for (let i = 0; i < n; i++) {
        const theta = 2 * Math.PI * rng.uniform();
        embed(Math.cos(theta), Math.sin(theta), out.data, i * dim);
        for (let c = 0; c < dim; c++) out.data[i * dim + c] += noise * rng.normal();
      }
      return out;
    },
    tangent(point) {
      let a = 0;
      let b = 0;
      for (let c = 0; c < dim; c++) {
        a += point[c] * basis[0][c];
        b += point[c] * basis[1][c];
      }
      const theta = Math.atan2(b, a);
      const out = new Float32Array(dim);
      embed(-Math.sin(theta), Math.cos(theta), out, 0);
      return createMatrix(1, dim, out);
    },
  };
}

function meanCoordinateStd(basis: Float64Array[], noise: number): number {
  let total = 0;
  for (let c = 0; c < basis[0].length; c++) {
    total += Math.sqrt((basis[0][c] ** 2 + basis[1][c] ** 2) / 2 + noise * noise);
  }
  return total / basis[0].length;
}

/** Two orthonormal vectors in R^dim from Gram-Schmidt on Gaussian draws. */
function randomOrthonormalPair(dim: number, rng: Rng): Float64Array[] {
  const u = Float64Array.from({ length: dim }, () => rng.normal());
  const v = Float64Array.from({ length: dim }, () => rng.normal());
  const normalise = (w: Float64Array) => {
    const length = Math.hypot(...w);
    for (let i = 0; i < w.length; i++) w[i] /= length;
  };
  normalise(u);
  const dot = u.reduce((sum, value, i) => sum + value * v[i], 0);
  for (let i = 0; i < dim; i++) v[i] -= dot * u[i];
  normalise(v);
  return [u, v];
}

/** Estimates the mean per-feature std from 20,000 seeded draws. */
function estimateScale(sample: (n: number, rng: Rng) => Matrix, dim: number): number {
  const points = sample(20_000, new Rng(12345));
  let total = 0;
  for (let c = 0; c < dim; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < points.rows; i++) {
      const v = points.data[i * dim + c];
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / points.rows;
    total += Math.sqrt(sumSq / points.rows - mean * mean);
  }
  return total / dim;
}
