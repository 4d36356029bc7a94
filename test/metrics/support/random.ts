import { createMatrix, type Matrix } from '../../../src/core/data/matrix';

/** Seeded generator for test data (mulberry32): small, fast, and the same on every platform. */
export class TestRandom {
  private state: number;
  private spare: number | null = null;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform double in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const value = this.spare;
      this.spare = null;
      return value;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** rows × cols matrix of N(0, scale²) entries. */
  normalMatrix(rows: number, cols: number, scale = 1): Matrix {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = scale * this.normal();
    return createMatrix(rows, cols, data);
  }

  /** dim × dim orthogonal matrix (row-major), by Gram-Schmidt on Gaussian columns. */
  rotation(dim: number): Float64Array {
    const q = new Float64Array(dim * dim);
    for (let j = 0; j < dim; j++) {
      const v = Array.from({ length: dim }, () => this.normal());
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += v[i] * q[i * dim + p];
        for (let i = 0; i < dim; i++) v[i] -= dot * q[i * dim + p];
      }
      const norm = Math.hypot(...v);
      for (let i = 0; i < dim; i++) q[i * dim + j] = v[i] / norm;
    }
    return q;
  }
}

/** Returns a message suffix that names the seed to replay. */
export function replay(seed: number): string {
  return ` (replay with seed ${seed})`;
}
