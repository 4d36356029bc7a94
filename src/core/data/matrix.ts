/** A dense row-major matrix of float32 values: `rows` samples of `cols` features. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const values = data ?? new Float32Array(rows * cols);
  if (values.length !== rows * cols) {
    throw new Error(`A ${rows}x${cols} matrix needs ${rows * cols} values, got ${values.length}.`);
  }
  return { rows, cols, data: values };
}

/** Returns row `i` as a view that shares memory with the matrix. */
export function row(matrix: Matrix, i: number): Float32Array {
  return matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols);
}

/** Returns the rows with the given indices, copied into a new matrix. */
export function selectRows(matrix: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * matrix.cols);
  for (let k = 0; k < indices.length; k++) out.set(row(matrix, indices[k]), k * matrix.cols);
  return createMatrix(indices.length, matrix.cols, out);
}

/** Returns the index and value of the first non-finite entry, or undefined when all are finite. */
export function findNonFinite(
  matrix: Matrix,
): { row: number; col: number; value: number } | undefined {
  for (let k = 0; k < matrix.data.length; k++) {
    const value = matrix.data[k];
    if (!Number.isFinite(value))
      return { row: Math.floor(k / matrix.cols), col: k % matrix.cols, value };
  }
  return undefined;
}
