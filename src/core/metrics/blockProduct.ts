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
}

/**
 * Plain-JS kernel: float64 accumulation over two contiguous rows, four partial sums to shorten
 * the dependency chain. Float32 inputs are exact in float64, so the error is that of a float64
 * dot product, about dim·2⁻⁵³·(‖a‖² + ‖b‖²)/2; 1e-10 covers dim up to about 10⁵.
 */
export const jsBlockProduct: BlockProduct = {
  relativeError: 1e-10,
  multiply(a, aRows, b, bRows, dim, out) {
    const tail = dim - (dim % 4);
    for (let i = 0; i < aRows; i++) {
      const ai = i * dim;
      for (let j = 0; j < bRows; j++) {
        const bj = j * dim;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let c = 0; c < tail; c += 4) {
          s0 += a[ai + c] * b[bj + c];
          s1 += a[ai + c + 1] * b[bj + c + 1];
          s2 += a[ai + c + 2] * b[bj + c + 2];
          s3 += a[ai + c + 3] * b[bj + c + 3];
        }
        for (let c = tail; c < dim; c++) s0 += a[ai + c] * b[bj + c];
        out[i * bRows + j] = s0 + s1 + s2 + s3;
      }
    }
  },
};
