/*
 * First-order gradients of tf.matMul for every combination of transposeA and transposeB, through
 * the registered BatchMatMul gradient (which rewrites each case with explicit transposes), against
 * float64 products computed here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';

/**
 * Returns an accessor (r, c) → op(M)[r, c] of the [rows, cols] matrix op(M), where M is stored
 * row-major as [rows, cols], or as [cols, rows] when `transpose` is set.
 */
function asStored(
  values: Float64Array,
  rows: number,
  cols: number,
  transpose: boolean,
): (r: number, c: number) => number {
  return transpose ? (r, c) => values[c * rows + r] : (r, c) => values[r * cols + c];
}

describe('matMul gradient', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matches float64 with transposeA ${transposeA}, transposeB ${transposeB}`, function () {
        // C = op(A)·op(B) with op(A) of shape [m, k] and op(B) of shape [k, n].
        const [m, k, n] = [3, 4, 5];
        const rng = new Rng(61);
        const a = Float64Array.from(rng.uniforms(m * k, -1, 1));
        const b = Float64Array.from(rng.uniforms(k * n, -1, 1));
        const weighting = Float64Array.from(rng.uniforms(m * n, -1, 1));
        const opA = asStored(a, m, k, transposeA);
        const opB = asStored(b, k, n, transposeB);

        // L = Σ weighting·C, so ∂L/∂op(A) = W·op(B)ᵀ and ∂L/∂op(B) = op(A)ᵀ·W, stored back in
        // the layout of A and B.
        const expectedA = new Float64Array(m * k);
        const expectedB = new Float64Array(k * n);
        for (let i = 0; i < m; i++) {
          for (let p = 0; p < k; p++) {
            let sum = 0;
            for (let j = 0; j < n; j++) sum += weighting[i * n + j] * opB(p, j);
            expectedA[transposeA ? p * m + i : i * k + p] = sum;
          }
        }
        for (let p = 0; p < k; p++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let i = 0; i < m; i++) sum += opA(i, p) * weighting[i * n + j];
            expectedB[transposeB ? j * k + p : p * n + j] = sum;
          }
        }

        const [gradA, gradB] = tf.tidy(() => {
          const w = tf.tensor(Float32Array.from(weighting), [m, n]);
          const f = (x: Tensor, y: Tensor) =>
            tf.sum(tf.mul(tf.matMul(x as Tensor2D, y as Tensor2D, transposeA, transposeB), w));
          const shapeA = transposeA ? [k, m] : [m, k];
          const shapeB = transposeB ? [n, k] : [k, n];
          return tf
            .grads(f)([
              tf.tensor(Float32Array.from(a), shapeA),
              tf.tensor(Float32Array.from(b), shapeB),
            ])
            .map((g) => g.dataSync());
        });
        for (let i = 0; i < expectedA.length; i++) {
          assert.ok(
            Math.abs(gradA[i] - expectedA[i]) <= 1e-5,
            `∂L/∂A[${i}]: ${gradA[i]} vs ${expectedA[i]}`,
          );
        }
        for (let i = 0; i < expectedB.length; i++) {
          assert.ok(
            Math.abs(gradB[i] - expectedB[i]) <= 1e-5,
            `∂L/∂B[${i}]: ${gradB[i]} vs ${expectedB[i]}`,
          );
        }
      });
    }
  }
});
