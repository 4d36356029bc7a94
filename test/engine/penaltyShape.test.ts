/*
 * Shapes in the gradient penalty: the norm runs over all non-batch axes of each sample, and each
 * interpolate uses one ε per sample. Each wrong choice leaves a known signature. Where the correct
 * norm is 1, a norm over the whole batch gives √B, and a norm over the channel axis of an NHWC
 * image gives one value per pixel. A shared ε puts every sample at the same t, and an ε per
 * element moves interpolates off their segments.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';
import { gradientPenalty, interpolate, perSampleNorm } from '../../src/core/train/penalty';
import { perSampleNorm64 } from '../helpers/float64Reference';

const IMAGE_SHAPE = [4, 4, 3];
const SAMPLE_SIZE = 4 * 4 * 3;

function readNorms(g: Float64Array, shape: number[]): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const norms = perSampleNorm(tf.tensor(Float32Array.from(g), shape));
    return { values: norms.dataSync() as Float32Array, shape: norms.shape };
  });
}

/** Rescales each sample of g (shape [batch, ...]) to norm 1, in place. */
function normaliseSamples(g: Float64Array, batch: number): Float64Array {
  const size = g.length / batch;
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += g[b * size + i] ** 2;
    for (let i = 0; i < size; i++) g[b * size + i] /= Math.sqrt(sum);
  }
  return g;
}

function randomNormals(rng: Rng, n: number): Float64Array {
  return Float64Array.from(rng.normals(n));
}

describe('penalty norm over image-shaped gradients', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('matches the float64 norm of each flattened sample', function () {
    const batch = 5;
    const shape = [batch, ...IMAGE_SHAPE];
    const g = Float64Array.from(new Rng(11).normals(batch * SAMPLE_SIZE));
    const norms = readNorms(g, shape);
    const expected = perSampleNorm64(g, shape);
    assert.deepEqual(norms.shape, [batch]);
    for (let b = 0; b < batch; b++) {
      assert.ok(
        Math.abs(norms.values[b] - expected[b]) <= 1e-6 * expected[b],
        `sample ${b}: ${norms.values[b]} vs ${expected[b]}`,
      );
    }
  });

  it('is neither the whole-batch nor the per-pixel norm', function () {
    const batch = 64;
    const shape = [batch, ...IMAGE_SHAPE];
    // Unit-norm samples whose entries all have the same size, so each pixel's channel norm is
    // √(3/48) = 0.25, and the norm of the whole batch is √64 = 8.
    const g = normaliseSamples(
      Float64Array.from({ length: batch * SAMPLE_SIZE }, (_, i) => (i % 5 === 0 ? -1 : 1)),
      batch,
    );
    const norms = readNorms(g, shape);
    assert.deepEqual(norms.shape, [batch], 'one norm per sample, not per pixel');
    const wholeBatch = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
    assert.ok(Math.abs(wholeBatch - 8) < 1e-9);
    const pixelNorm = Math.sqrt(g[0] ** 2 + g[1] ** 2 + g[2] ** 2);
    assert.ok(Math.abs(pixelNorm - 0.25) < 1e-9);
    for (let b = 0; b < batch; b++) {
      assert.ok(
        Math.abs(norms.values[b] - 1) <= 1e-6,
        `sample ${b}: norm ${norms.values[b]}, expected 1`,
      );
    }
  });

  it('is finite for a zero gradient', function () {
    const norms = readNorms(new Float64Array(2 * SAMPLE_SIZE), [2, ...IMAGE_SHAPE]);
    for (const norm of norms.values)
      assert.ok(Math.abs(norm - 1e-6) <= 1e-12, `norm ${norm}, expected √1e-12`);
  });

  it('reaches gradientPenalty for image input', function () {
    // A linear critic D(x) = Σ w·x has input gradient w at every sample, so every norm is ‖w‖
    // over all 48 entries, and the two-sided penalty is λ·(‖w‖/γ - 1)².
    const rng = new Rng(12);
    const w = randomNormals(rng, SAMPLE_SIZE);
    const wNorm = Math.sqrt(w.reduce((a, v) => a + v * v, 0));
    const batch = 3;
    const lambda = 10;
    const target = 2;
    const { norms, penalty } = tf.tidy(() => {
      const weights = tf.tensor(Float32Array.from(w), IMAGE_SHAPE);
      const critic = (x: Tensor) => tf.sum(tf.mul(x, weights), [1, 2, 3]);
      const x = tf.tensor(rng.normals(batch * SAMPLE_SIZE), [batch, ...IMAGE_SHAPE]);
      const terms = gradientPenalty(critic, x, { kind: 'gp', lambda, target });
      return {
        norms: terms.norms.dataSync() as Float32Array,
        penalty: terms.penalty.dataSync()[0],
      };
    });
    assert.equal(norms.length, batch);
    for (const norm of norms)
      assert.ok(Math.abs(norm - wNorm) <= 1e-6 * wNorm, `norm ${norm}, expected ${wNorm}`);
    const expected = lambda * (wNorm / target - 1) ** 2;
    assert.ok(
      Math.abs(penalty - expected) <= 1e-5 * expected,
      `penalty ${penalty}, expected ${expected}`,
    );
  });
});

describe('interpolate with image-shaped samples', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  /** Runs the product's interpolate and returns x̂ in float64. */
  function interpolates(
    real: Float64Array,
    fake: Float64Array,
    epsilon: Float64Array,
  ): Float64Array {
    const shape = [epsilon.length, ...IMAGE_SHAPE];
    const values = tf.tidy(() =>
      interpolate(
        tf.tensor(Float32Array.from(real), shape),
        tf.tensor(Float32Array.from(fake), shape),
        tf.tensor(Float32Array.from(epsilon)) as Tensor1D,
      ).dataSync(),
    );
    return Float64Array.from(values);
  }

  it('puts each sample on its segment at its own ε', function () {
    const batch = 16;
    const rng = new Rng(13);
    const real = randomNormals(rng, batch * SAMPLE_SIZE);
    const fake = randomNormals(rng, batch * SAMPLE_SIZE);
    // Float32 ε, with both ends of the segment included.
    const epsilon = Float64Array.from(rng.uniforms(batch));
    epsilon[0] = 0;
    epsilon[1] = 1;
    const x = interpolates(real, fake, epsilon);

    const recovered: number[] = [];
    for (let b = 0; b < batch; b++) {
      // Least-squares t of x̂ = fake + t·(real - fake), and the distance of x̂ from that point.
      let dot = 0;
      let lengthSquared = 0;
      for (let i = b * SAMPLE_SIZE; i < (b + 1) * SAMPLE_SIZE; i++) {
        dot += (x[i] - fake[i]) * (real[i] - fake[i]);
        lengthSquared += (real[i] - fake[i]) ** 2;
      }
      const t = dot / lengthSquared;

      let offSegment = 0;
      for (let i = b * SAMPLE_SIZE; i < (b + 1) * SAMPLE_SIZE; i++) {
        offSegment += (x[i] - fake[i] - t * (real[i] - fake[i])) ** 2;
      }
      assert.ok(Math.abs(t - epsilon[b]) <= 1e-6, `sample ${b}: t = ${t}, ε = ${epsilon[b]}`);
      assert.ok(
        Math.sqrt(offSegment) <= 1e-5 * Math.sqrt(lengthSquared),
        `sample ${b} is off its segment`,
      );
      recovered.push(t);
    }

    // A single ε for the whole batch would give every sample the same t.
    const mean = recovered.reduce((a, t) => a + t, 0) / batch;
    const spread = Math.sqrt(recovered.reduce((a, t) => a + (t - mean) ** 2, 0) / batch);
    assert.ok(spread > 0.1, `spread of t is ${spread}`);
  });

  it('returns fake at ε = 0, real at ε = 1', function () {
    const rng = new Rng(14);
    const real = randomNormals(rng, 2 * SAMPLE_SIZE).map(Math.fround);
    const fake = randomNormals(rng, 2 * SAMPLE_SIZE).map(Math.fround);
    const x = interpolates(real, fake, Float64Array.from([0, 1]));
    for (let i = 0; i < SAMPLE_SIZE; i++) {
      assert.equal(x[i], fake[i], `ε = 0, entry ${i}`);
      assert.equal(x[SAMPLE_SIZE + i], real[SAMPLE_SIZE + i], `ε = 1, entry ${i}`);
    }
  });

  it('keeps the pair (1,…,1), (-1,…,-1) on its diagonal', function () {
    // With an ε per element, a 48-entry interpolate of this pair would lie about 4 (√(47/3)) from
    // the diagonal, and a 2-D one √2/3 on average.
    const batch = 8;
    const real = new Float64Array(batch * SAMPLE_SIZE).fill(1);
    const fake = new Float64Array(batch * SAMPLE_SIZE).fill(-1);
    const epsilon = Float64Array.from(new Rng(15).uniforms(batch));
    const x = interpolates(real, fake, epsilon);
    for (let b = 0; b < batch; b++) {
      for (let i = b * SAMPLE_SIZE; i < (b + 1) * SAMPLE_SIZE; i++) {
        assert.ok(
          Math.abs(x[i] - (2 * epsilon[b] - 1)) <= 1e-6,
          `sample ${b}, entry ${i}: ${x[i]}`,
        );
      }
    }
  });
});
