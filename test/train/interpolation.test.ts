/*
 * The interpolates of the gradient penalty: x̂ = ε·real + (1 - ε)·fake with one ε ~ U[0, 1] per
 * sample, broadcast over every other axis. Each sample's position t along its segment is
 * recovered by projection, t = ⟨x̂ - fake, real - fake⟩ / ‖real - fake‖², and its distance from
 * the segment's line is ‖x̂ - fake - t·(real - fake)‖, both over the flattened sample.
 *
 * Two known bugs leave distinct traces: one ε for the whole batch makes every t equal (spread 0
 * instead of 1/√12), and one ε per element moves interpolates off their segments.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';
import { interpolate } from '../../src/core/train/penalty';

const BATCH = 4096;

interface SegmentPositions {
  /** Position along the segment from fake (0) to real (1), per sample. */
  t: Float64Array;
  /** Distance of each interpolate from the line through its fake and real sample. */
  distance: Float64Array;
}

/** Projects each flattened interpolate onto its segment, in float64. */
function segmentPositions(
  real: Float32Array,
  fake: Float32Array,
  interpolates: Float32Array,
  rows: number,
): SegmentPositions {
  const size = real.length / rows;
  const t = new Float64Array(rows);
  const distance = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    let dot = 0;
    let lengthSquared = 0;
    for (let k = row * size; k < (row + 1) * size; k++) {
      const direction = real[k] - fake[k];
      dot += (interpolates[k] - fake[k]) * direction;
      lengthSquared += direction * direction;
    }
    t[row] = dot / lengthSquared;
    let residual = 0;
    for (let k = row * size; k < (row + 1) * size; k++) {
      const offset = interpolates[k] - fake[k] - t[row] * (real[k] - fake[k]);
      residual += offset * offset;
    }
    distance[row] = Math.sqrt(residual);
  }
  return { t, distance };
}

function mean(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function standardDeviation(values: Float64Array): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

function dataOf(tensor: Tensor): Float32Array {
  return Float32Array.from(tensor.dataSync() as Float32Array);
}

/** Builds real rows (1, 1) and fake rows (-1, -1), whose segments lie on the diagonal. */
function diagonalPair(rows: number): { real: Float32Array; fake: Float32Array } {
  return { real: new Float32Array(rows * 2).fill(1), fake: new Float32Array(rows * 2).fill(-1) };
}

// For t ~ U[0, 1]: σ = 1/√12, and the sample standard deviation of n draws has standard error
// √((μ₄ - σ⁴)/n)/(2σ) with μ₄ = 1/80, about 0.0020 for n = 4096.
const UNIFORM_SD = 1 / Math.sqrt(12);
const UNIFORM_SD_ERROR = Math.sqrt((1 / 80 - 1 / 144) / BATCH) / (2 * UNIFORM_SD);

describe('interpolates with per-sample ε', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('places image-shaped samples on their segments', function () {
    // [B, 2, 3, 3]: ε must broadcast over all three non-batch axes.
    const shape = [BATCH, 2, 3, 3];
    const size = 2 * 3 * 3;
    const rng = new Rng(11);
    const real = rng.normals(BATCH * size);
    const fake = rng.normals(BATCH * size);
    const epsilon = rng.uniforms(BATCH);
    const interpolates = tf.tidy(() =>
      dataOf(
        interpolate(
          tf.tensor(real, shape),
          tf.tensor(fake, shape),
          tf.tensor1d(epsilon) as Tensor1D,
        ),
      ),
    );
    const { t, distance } = segmentPositions(real, fake, interpolates, BATCH);

    // Float32 rounding of ε·real + (1 - ε)·fake is about 1e-7 of |x| ≲ 5 per element.
    let worstT = 0;
    for (let row = 0; row < BATCH; row++)
      worstT = Math.max(worstT, Math.abs(t[row] - epsilon[row]));
    assert.ok(worstT < 1e-5, `recovered t differs from the drawn ε by up to ${worstT}`);
    const worstDistance = Math.max(...distance);
    assert.ok(worstDistance < 1e-5, `an interpolate lies ${worstDistance} off its segment`);
    assert.ok(Math.min(...t) >= 0, `smallest t ${Math.min(...t)}, expected ≥ 0`);
    assert.ok(Math.max(...t) <= 1, `largest t ${Math.max(...t)}, expected ≤ 1`);

    const spread = standardDeviation(t);
    assert.ok(
      Math.abs(spread - UNIFORM_SD) <= 5 * UNIFORM_SD_ERROR,
      `spread of t ${spread}, expected 1/√12 = ${UNIFORM_SD} ± ${5 * UNIFORM_SD_ERROR}`,
    );
    // 5 standard errors of the mean of U[0, 1] draws: 5/√(12·4096) = 0.023.
    const meanT = mean(t);
    assert.ok(Math.abs(meanT - 0.5) <= 5 / Math.sqrt(12 * BATCH), `mean t ${meanT}, expected 0.5`);
  });

  it('keeps the diagonal pair on the diagonal', function () {
    const rng = new Rng(12);
    const { real, fake } = diagonalPair(BATCH);
    const epsilon = rng.uniforms(BATCH);
    const interpolates = tf.tidy(() =>
      dataOf(
        interpolate(
          tf.tensor2d(real, [BATCH, 2]),
          tf.tensor2d(fake, [BATCH, 2]),
          tf.tensor1d(epsilon) as Tensor1D,
        ),
      ),
    );
    const { distance } = segmentPositions(real, fake, interpolates, BATCH);
    const worst = Math.max(...distance);
    assert.ok(worst < 1e-6, `an interpolate lies ${worst} off the diagonal`);
  });

  it('detects a shared ε by its zero spread', function () {
    // The check above must fail for one ε broadcast over the whole batch.
    const rng = new Rng(13);
    const real = rng.normals(BATCH * 3);
    const fake = rng.normals(BATCH * 3);
    const shared = rng.uniform();
    const interpolates = tf.tidy(() => {
      const e = tf.scalar(shared);
      const x = tf.add(
        tf.mul(e, tf.tensor2d(real, [BATCH, 3])),
        tf.mul(tf.sub(1, e), tf.tensor2d(fake, [BATCH, 3])),
      );
      return dataOf(x);
    });
    const spread = standardDeviation(segmentPositions(real, fake, interpolates, BATCH).t);
    assert.ok(spread < 1e-5, `shared-ε spread ${spread}, expected 0`);
    assert.ok(Math.abs(spread - UNIFORM_SD) > 5 * UNIFORM_SD_ERROR, 'the spread check rejects it');
  });

  it('detects a per-element ε by its distance', function () {
    // With ε₁, ε₂ independent per coordinate, x̂ = (2ε₁ - 1, 2ε₂ - 1) lies √2·|ε₁ - ε₂| from the
    // diagonal: mean √2/3, standard deviation √2·√(1/6 - 1/9) = 1/3 per sample.
    const rng = new Rng(14);
    const { real, fake } = diagonalPair(BATCH);
    const perElement = rng.uniforms(BATCH * 2);
    const interpolates = tf.tidy(() => {
      const e = tf.tensor2d(perElement, [BATCH, 2]);
      const x = tf.add(
        tf.mul(e, tf.tensor2d(real, [BATCH, 2])),
        tf.mul(tf.sub(1, e), tf.tensor2d(fake, [BATCH, 2])),
      );
      return dataOf(x);
    });
    const meanDistance = mean(segmentPositions(real, fake, interpolates, BATCH).distance);
    const tolerance = 5 * (1 / 3 / Math.sqrt(BATCH));
    assert.ok(
      Math.abs(meanDistance - Math.SQRT2 / 3) <= tolerance,
      `per-element mean distance ${meanDistance}, expected √2/3 = ${Math.SQRT2 / 3} ± ${tolerance}`,
    );
  });
});
