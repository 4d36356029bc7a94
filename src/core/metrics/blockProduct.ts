/**
 * The inner-product kernel of the blocked distance computation: for row-major blocks a
 * (aRows × dim) and b (bRows × dim), writes out[i·bRows + j] = a_i · b_j. A tfjs `matMul(a, b,
 * false, true)` can be plugged in here; the plain-JS kernel below is the default.
 */
export interface BlockProduct {
  multiply(
    a: Float32Array,
    aRows: number,
    b: Float32Array,
    bRows: number,
    dim: number,
    out: Float64Array,
  ): void;
  /**
   * Bound on |computed - exact| of a_i · b_j relative to ‖a_i‖² + ‖b_j‖². Candidates whose
   * approximate squared distance is within this margin of a threshold are rechecked exactly.
   */
  readonly relativeError: number;
  /** Block shape that suits this kernel (rows of queries and of references per call), if not the default. */
  readonly blockRows?: { queries: number; references: number };
}

/**
 * Plain-JS kernel: 2 × 2 tiles of output, so each pass over the feature axis loads four values
 * for four multiply-adds (about 1.5× the speed of one dot product at a time in Node 20).
 * Accumulation is in float64 and float32 inputs are exact in float64, so the error is that of a
 * float64 dot product, about dim·2⁻⁵³·(‖a‖² + ‖b‖²)/2; 1e-10 covers dim up to about 10⁵.
 */
export const jsBlockProduct: BlockProduct = {
  relativeError: 1e-10,
  multiply(a, aRows, b, bRows, dim, out) {
    for (let i = 0; i < aRows; i += 2) {
      // An odd last row or column is paired with itself; its value is written twice.
      const i1 = Math.min(i + 1, aRows - 1);
      const a0 = i * dim;
      const a1 = i1 * dim;
      for (let j = 0; j < bRows; j += 2) {
        const j1 = Math.min(j + 1, bRows - 1);
        const b0 = j * dim;
        const b1 = j1 * dim;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let c = 0; c < dim; c++) {
          const x0 = a[a0 + c];
          const x1 = a[a1 + c];
          const y0 = b[b0 + c];
          const y1 = b[b1 + c];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        out[i * bRows + j] = s00;
        out[i * bRows + j1] = s01;
        out[i1 * bRows + j] = s10;
        out[i1 * bRows + j1] = s11;
      }
    }
  },
};
