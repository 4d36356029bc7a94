import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMatrix, type Matrix } from '../../../src/core/data/matrix';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

/** Independent reference values written by test/fixtures/reference/make_reference.py. */
export const REFERENCE = JSON.parse(
  readFileSync(join(FIXTURES, 'reference', 'metrics.json'), 'utf8'),
) as {
  prdc: {
    real: number[][];
    fake: number[][];
    k_pr: number;
    k_dc: number;
    precision: number;
    recall: number;
    density: number;
    coverage: number;
  }[];
  chi2_cdf: { d: number; x: number; p: number }[];
  chi2_hq_quantile: { d: number; p: number; q: number }[];
  w1: { a: number[][]; b: number[][]; w1: number }[];
};

/** Matrix from nested rows. */
export function matrixOf(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return createMatrix(rows.length, cols, Float32Array.from(rows.flat()));
}

/** Asserts |actual - expected| ≤ tolerance, naming both values. */
export function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  label: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${label}: expected ${expected} ± ${tolerance}, got ${actual}`);
  }
}
