import assert from 'node:assert/strict';
import { createDataset } from '../../src/core/data/toy';
import { heUniformWeights } from '../../src/core/nets/mlp';
import { Rng } from '../../src/core/rng';

describe('toy datasets', () => {
  it('8 Gaussians: radius 2/1.414, mode std 0.02/1.414, modes equally likely', () => {
    const dataset = createDataset({ name: '8gaussians' });
    const modes = dataset.modes!;
    assert.equal(modes.centers.rows, 8);
    for (let k = 0; k < 8; k++) {
      assert.ok(
        Math.abs(Math.hypot(modes.centers.data[2 * k], modes.centers.data[2 * k + 1]) - 2 / 1.414) <
          1e-6,
      );
    }
    assert.ok(Math.abs(modes.std - 0.02 / 1.414) < 1e-12);
    const points = dataset.sample(40_000, new Rng(1));
    const counts = new Array<number>(8).fill(0);
    let squared = 0;
    for (let i = 0; i < points.rows; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let k = 0; k < 8; k++) {
        const d =
          (points.data[2 * i] - modes.centers.data[2 * k]) ** 2 +
          (points.data[2 * i + 1] - modes.centers.data[2 * k + 1]) ** 2;
        if (d < bestDistance) [best, bestDistance] = [k, d];
      }
      counts[best]++;
      squared += bestDistance;
    }
    // Per-coordinate variance around the centre: E‖x - c‖² / 2 = σ²; 80,000 squared normals give ±1 %.
    assert.ok(Math.abs(Math.sqrt(squared / points.rows / 2) / modes.std - 1) < 0.02);
    // Each mode gets 1/8 of the points: binomial std of the count is √(N·p·(1-p)) ≈ 66.
    for (const count of counts) assert.ok(Math.abs(count - 5000) < 5 * 66, String(count));
  });

  it('25 Gaussians: a fixed pool of 100,000 points, 4,000 per mode, cycled', () => {
    const dataset = createDataset({ name: '25gaussians' });
    assert.equal(dataset.modes!.centers.rows, 25);
    assert.ok(Math.abs(dataset.modes!.std - 0.05 / 2.828) < 1e-12);
    const state = { cursor: 0 };
    const first = dataset.sample(100_000, new Rng(1), state);
    assert.equal(state.cursor, 0);
    const again = dataset.sample(10, new Rng(99), state);
    assert.deepEqual(again.data, first.data.subarray(0, 20));
  });

  it('Swiss roll: noise std 0.25/7.5 around the curve, unit tangents', () => {
    const dataset = createDataset({ name: 'swissroll' });
    const points = dataset.sample(2000, new Rng(2));
    const basis = dataset.tangent!(points.data.subarray(0, 2));
    assert.ok(Math.abs(Math.hypot(basis.data[0], basis.data[1]) - 1) < 1e-6);
    assert.equal(dataset.intrinsicDim, 1);
    for (let i = 0; i < points.rows; i++) {
      const radius = Math.hypot(points.data[2 * i], points.data[2 * i + 1]) * 7.5;
      // t ∈ [1.5π, 4.5π] and ‖(t cos t, t sin t)‖ = t; noise of 0.25 per coordinate moves it by a few σ at most.
      assert.ok(radius > 1.5 * Math.PI - 1.5, String(radius));
      assert.ok(radius < 4.5 * Math.PI + 1.5, String(radius));
    }
  });

  it('circle in R^10: points near the unit circle, tangent orthogonal to the radius', () => {
    const dataset = createDataset({ name: 'circle', dim: 10, noise: 0 });
    const points = dataset.sample(50, new Rng(3));
    for (let i = 0; i < points.rows; i++) {
      const x = points.data.subarray(i * 10, (i + 1) * 10);
      assert.ok(Math.abs(Math.hypot(...x) - 1) < 1e-5);
      const t = dataset.tangent!(x).data;
      assert.ok(Math.abs(x.reduce((s, v, c) => s + v * t[c], 0)) < 1e-5);
      assert.ok(Math.abs(Math.hypot(...t) - 1) < 1e-5);
    }
  });

  it('He-uniform weights lie within ±√(6/fan_in) with zero biases', () => {
    const spec = {
      inputShape: [2],
      hidden: [512, 512],
      outputSize: 1,
      activation: { name: 'relu' as const },
    };
    const weights = heUniformWeights(spec, new Rng(4));
    const fanIns = [2, 512, 512];
    fanIns.forEach((fanIn, l) => {
      const limit = Math.sqrt(6 / fanIn);
      const kernel = weights[2 * l];
      assert.ok(kernel.every((w) => Math.abs(w) <= limit));
      // Uniform on [-a, a] has variance a²/3 = 2/fan_in (He's condition).
      const variance = kernel.reduce((s, w) => s + w * w, 0) / kernel.length;
      assert.ok(Math.abs(variance / (2 / fanIn) - 1) < 0.1);
      assert.ok(weights[2 * l + 1].every((b) => b === 0));
    });
  });
});
