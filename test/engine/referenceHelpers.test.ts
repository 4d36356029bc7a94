/*
 * Checks of the float64 reference and the finite-difference helpers themselves: each layer's
 * analytic input gradient against differences of its own forward pass, each forward pass against
 * the tfjs op it stands for (cpu backend), and the helpers' bookkeeping.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';
import {
  activationLayer,
  avgPoolLayer,
  conv2dLayer,
  criticInputGradient,
  denseLayer,
  layerNormLayer,
  minKinkDistance,
  mlpLayers,
  referencePenalty,
  windowGeometry,
  type PaddingMode,
  type ReferenceActivation,
  type ReferenceLayer,
} from '../helpers/float64Reference';
import {
  compareGradients,
  drawAwayFromKinks,
  finiteDifferenceGradient,
} from '../helpers/finiteDifference';

function uniform64(rng: Rng, n: number, low = -1, high = 1): Float64Array {
  return Float64Array.from(rng.uniforms(n, low, high));
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * Compares layer.backward(c) with central differences of Σ c·forward(x) over every entry of x,
 * for a random weighting c, and returns the relative error.
 */
function inputGradientError(
  layer: ReferenceLayer,
  x: Float64Array,
  shape: number[],
  rng: Rng,
): number {
  const pass = layer.forward(x, shape);
  const weighting = uniform64(rng, pass.output.length);
  const analytic = pass.backward(weighting);
  const objective = () =>
    layer.forward(x, shape).output.reduce((a, y, i) => a + y * weighting[i], 0);
  const [numeric] = finiteDifferenceGradient(objective, [{ name: 'x', shape, values: x }]);
  return maxAbsDifference(analytic, numeric.values) / maxAbs(numeric.values);
}

const ACTIVATIONS: ReferenceActivation[] = [
  { name: 'relu' },
  { name: 'leakyRelu', alpha: 0.2 },
  { name: 'tanh' },
  { name: 'sigmoid' },
  { name: 'elu' },
];

interface ConvCase {
  size: number;
  kernel: number;
  stride: number;
  pad: PaddingMode;
  dilation?: number;
}

// Odd and even sizes, so that 'same' padding is split both evenly and unevenly.
const CONV_CASES: ConvCase[] = [
  { size: 8, kernel: 3, stride: 2, pad: 'same' },
  { size: 7, kernel: 3, stride: 2, pad: 'same' },
  { size: 6, kernel: 4, stride: 2, pad: 'same' },
  { size: 7, kernel: 3, stride: 2, pad: 'valid' },
  { size: 5, kernel: 3, stride: 1, pad: 'same' },
  { size: 8, kernel: 3, stride: 1, pad: 'same', dilation: 2 },
  { size: 7, kernel: 2, stride: 1, pad: 'valid', dilation: 3 },
];

function convLayer(
  c: ConvCase,
  rng: Rng,
): { layer: ReferenceLayer; filter: Float64Array; bias: Float64Array } {
  const filter = uniform64(rng, c.kernel * c.kernel * 2 * 3);
  const bias = uniform64(rng, 3);
  return {
    layer: conv2dLayer(
      filter,
      bias,
      [c.kernel, c.kernel, 2, 3],
      c.stride,
      c.pad,
      'conv',
      c.dilation,
    ),
    filter,
    bias,
  };
}

function convLabel(c: ConvCase): string {
  const dilation = c.dilation === undefined ? '' : `, dilation ${c.dilation}`;
  return `${c.size}×${c.size}, ${c.kernel}×${c.kernel}, stride ${c.stride}, '${c.pad}'${dilation}`;
}

describe('float64 reference input gradients', function () {
  for (const spec of ACTIVATIONS) {
    it(`${spec.name} matches differences`, function () {
      const rng = new Rng(21);
      // Draws away from 0, where ReLU, LeakyReLU and ELU have a kink.
      const x = uniform64(rng, 24, 0.05, 2).map((v, i) => (i % 2 === 0 ? v : -v));
      assert.ok(inputGradientError(activationLayer(spec), x, [4, 6], rng) < 1e-7);
    });
  }

  it('dense matches differences', function () {
    const rng = new Rng(22);
    const layer = denseLayer(uniform64(rng, 15), uniform64(rng, 3), 5, 3);
    assert.ok(inputGradientError(layer, uniform64(rng, 20), [4, 5], rng) < 1e-7);
  });

  for (const c of CONV_CASES) {
    it(`conv2d ${convLabel(c)} matches differences`, function () {
      const rng = new Rng(23);
      const { layer } = convLayer(c, rng);
      const shape = [2, c.size, c.size, 2];
      assert.ok(
        inputGradientError(layer, uniform64(rng, 2 * c.size * c.size * 2), shape, rng) < 1e-7,
      );
    });
  }

  for (const pad of ['valid', 'same'] as const) {
    it(`average pooling, '${pad}', matches differences`, function () {
      const rng = new Rng(24);
      const x = uniform64(rng, 2 * 5 * 5 * 3);
      assert.ok(inputGradientError(avgPoolLayer(2, 2, pad), x, [2, 5, 5, 3], rng) < 1e-7);
    });
  }

  it('layer normalisation matches differences', function () {
    const rng = new Rng(25);
    const layer = layerNormLayer(uniform64(rng, 6, 0.5, 1.5), uniform64(rng, 6), 1e-5);
    assert.ok(inputGradientError(layer, uniform64(rng, 18), [3, 6], rng) < 1e-7);
  });
});

describe('float64 reference against tfjs forward passes', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  function run(op: () => Tensor): Float32Array {
    return tf.tidy(() => op().dataSync() as Float32Array);
  }

  for (const spec of ACTIVATIONS) {
    it(`${spec.name} matches tfjs`, function () {
      const x = uniform64(new Rng(31), 40, -3, 3);
      const expected = run(() => {
        const t = tf.tensor(Float32Array.from(x));
        if (spec.name === 'leakyRelu') return tf.leakyRelu(t, spec.alpha);
        return tf[spec.name](t);
      });
      assert.ok(maxAbsDifference(activationLayer(spec).forward(x, [40]).output, expected) < 1e-6);
    });
  }

  for (const c of CONV_CASES) {
    it(`conv2d ${convLabel(c)} matches tfjs`, function () {
      const rng = new Rng(32);
      const { layer, filter, bias } = convLayer(c, rng);
      const shape: [number, number, number, number] = [2, c.size, c.size, 2];
      const x = uniform64(rng, 2 * c.size * c.size * 2);
      const pass = layer.forward(x, shape);
      const extent = (c.kernel - 1) * (c.dilation ?? 1) + 1;
      const geometry = windowGeometry(c.size, extent, c.stride, c.pad);
      assert.deepEqual(pass.shape, [2, geometry.outSize, geometry.outSize, 3]);
      const expected = run(() =>
        tf.add(
          tf.conv2d(
            tf.tensor(Float32Array.from(x), shape) as Tensor4D,
            tf.tensor(Float32Array.from(filter), [c.kernel, c.kernel, 2, 3]) as Tensor4D,
            c.stride,
            c.pad,
            'NHWC',
            c.dilation ?? 1,
          ),
          tf.tensor(Float32Array.from(bias)),
        ),
      );
      assert.ok(maxAbsDifference(pass.output, expected) < 1e-5);
    });
  }

  const POOL_CASES = [
    { size: 5, window: 2, stride: 2, pad: 'valid', outSize: 2 },
    { size: 5, window: 2, stride: 2, pad: 'same', outSize: 3 },
    { size: 6, window: 3, stride: 2, pad: 'same', outSize: 3 },
  ] as const;
  for (const c of POOL_CASES) {
    it(`average pooling ${c.size}×${c.size}, ${c.window}×${c.window}, '${c.pad}' matches tfjs`, function () {
      const shape: [number, number, number, number] = [2, c.size, c.size, 3];
      const x = uniform64(new Rng(33), 2 * c.size * c.size * 3);
      const pass = avgPoolLayer(c.window, c.stride, c.pad).forward(x, shape);
      assert.deepEqual(pass.shape, [2, c.outSize, c.outSize, 3]);
      const expected = run(() =>
        tf.avgPool(tf.tensor(Float32Array.from(x), shape) as Tensor4D, c.window, c.stride, c.pad),
      );
      assert.ok(maxAbsDifference(pass.output, expected) < 1e-6);
    });
  }

  it('layer normalisation matches tf.moments and rsqrt', function () {
    const rng = new Rng(34);
    const gamma = uniform64(rng, 6, 0.5, 1.5);
    const beta = uniform64(rng, 6);
    const x = uniform64(rng, 18, -2, 2);
    const pass = layerNormLayer(gamma, beta, 1e-5).forward(x, [3, 6]);
    const expected = run(() => {
      const t = tf.tensor(Float32Array.from(x), [3, 6]) as Tensor2D;
      const { mean, variance } = tf.moments(t, -1, true);
      const normalised = tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5)));
      return tf.add(
        tf.mul(normalised, tf.tensor(Float32Array.from(gamma))),
        tf.tensor(Float32Array.from(beta)),
      );
    });
    assert.ok(maxAbsDifference(pass.output, expected) < 1e-5);
  });

  it('MLP input gradient matches tf.grad', function () {
    const rng = new Rng(35);
    const sizes = [3, 5, 4, 1];
    const weights = [uniform64(rng, 15), uniform64(rng, 5), uniform64(rng, 20), uniform64(rng, 4)];
    weights.push(uniform64(rng, 4), uniform64(rng, 1));
    const x = uniform64(rng, 6 * 3);
    const layers = mlpLayers(sizes, weights, { name: 'tanh' });
    const expected = run(() => {
      const w = weights.map((values, i) =>
        tf.tensor(
          Float32Array.from(values),
          i % 2 === 0 ? [sizes[i / 2], sizes[i / 2 + 1]] : [values.length],
        ),
      );
      const critic = (input: Tensor) => {
        let h = input;
        for (let l = 0; l < 3; l++) {
          h = tf.add(tf.matMul(h as Tensor2D, w[2 * l] as Tensor2D), w[2 * l + 1]);
          if (l < 2) h = tf.tanh(h);
        }
        return tf.sum(h);
      };
      return tf.grad(critic)(tf.tensor(Float32Array.from(x), [6, 3]));
    });
    assert.ok(maxAbsDifference(criticInputGradient(layers, x, [6, 3]), expected) < 1e-5);
  });
});

describe('float64 reference penalty', function () {
  it('is λ·(‖w‖/γ - 1)² for a linear critic', function () {
    const kernel = Float64Array.from([3, 4]);
    const layers = [denseLayer(kernel, Float64Array.from([0.5]), 2, 1)];
    const x = Float64Array.from([1, 2, -3, 0.5]);
    const twoSided = referencePenalty(layers, x, [2, 2], { kind: 'gp', lambda: 10, target: 2 });
    assert.ok(Math.abs(twoSided.norms[0] - 5) < 1e-12);
    assert.ok(Math.abs(twoSided.penalty - 10 * 1.5 ** 2) < 1e-9);
    const below = referencePenalty(layers, x, [2, 2], { kind: 'lp', lambda: 10, target: 6 });
    assert.equal(below.penalty, 0);
    const above = referencePenalty(layers, x, [2, 2], { kind: 'lp', lambda: 10, target: 4 });
    assert.ok(Math.abs(above.penalty - 10 * 0.25 ** 2) < 1e-9);
  });

  it('reports the distance of the nearest pre-activation from a kink', function () {
    const layers = [
      denseLayer(Float64Array.from([1]), Float64Array.from([0]), 1, 1),
      activationLayer({ name: 'relu' }),
    ];
    assert.equal(minKinkDistance(layers, Float64Array.from([0.3, -0.02, 2]), [3, 1]), 0.02);
    const smooth = [
      denseLayer(Float64Array.from([1]), Float64Array.from([0]), 1, 1),
      activationLayer({ name: 'tanh' }),
    ];
    assert.equal(minKinkDistance(smooth, Float64Array.from([0]), [1, 1]), Number.POSITIVE_INFINITY);
  });
});

describe('finite-difference helpers', function () {
  it('differentiate a cubic and restore the weights', function () {
    const values = Float64Array.from([0.5, -2, 3, 0]);
    const before = Float64Array.from(values);
    const [g] = finiteDifferenceGradient(
      () => values.reduce((a, v) => a + v ** 3, 0),
      [{ name: 'w', shape: [4], values }],
    );
    assert.deepEqual(g.indices, [0, 1, 2, 3]);
    for (let i = 0; i < 4; i++)
      assert.ok(Math.abs(g.values[i] - 3 * before[i] ** 2) < 1e-6, `entry ${i}: ${g.values[i]}`);
    assert.deepEqual(values, before);
  });

  it('sample a seeded subset of large arrays', function () {
    const parameter = { name: 'w', shape: [100], values: new Float64Array(100) };
    const first = finiteDifferenceGradient(() => 0, [parameter], {
      maxEntriesPerArray: 10,
      seed: 5,
    })[0];
    const again = finiteDifferenceGradient(() => 0, [parameter], {
      maxEntriesPerArray: 10,
      seed: 5,
    })[0];
    assert.equal(first.indices.length, 10);
    assert.equal(new Set(first.indices).size, 10);
    assert.deepEqual(first.indices, again.indices);
    assert.ok(first.indices.every((i) => i >= 0 && i < 100));
  });

  it('re-draw a point that lies too close to a kink', function () {
    const distances = [0.5e-4, 0.9e-4, 3e-4];
    const draw = drawAwayFromKinks(
      (seed) => distances[seed],
      (d) => d,
      { seed: 0, margin: 1e-4 },
    );
    assert.equal(draw.seed, 2);
    assert.equal(draw.rejected, 2);
    assert.throws(
      () =>
        drawAwayFromKinks(
          () => 0,
          (d) => d,
          { seed: 0, margin: 1e-4, maxTries: 3 },
        ),
      /seeds 0\.\.2/,
    );
  });

  it('compare gradients array by array', function () {
    const expected = [
      { name: 'kernel', indices: [0, 1], values: Float64Array.from([2, -4]) },
      { name: 'bias', indices: [0], values: Float64Array.from([0]) },
    ];
    const exact = compareGradients((name) => (name === 'kernel' ? [2, -4] : undefined), expected);
    assert.equal(exact.maxRelativeError, 0);
    const wrong = compareGradients((name) => (name === 'kernel' ? [2, -3] : [0]), expected);
    assert.equal(wrong.maxRelativeError, 0.25);
    assert.equal(wrong.perArray[0].worstIndex, 1);
    // A zero true gradient is measured against a floor of 1e-3 of the largest entry (4).
    const offZero = compareGradients((name) => (name === 'kernel' ? [2, -4] : [0.002]), expected);
    assert.ok(Math.abs(offZero.maxRelativeError - 0.5) < 1e-12);
    const nan = compareGradients((name) => (name === 'kernel' ? [Number.NaN, -4] : [0]), expected);
    assert.ok(Number.isNaN(nan.maxRelativeError));
  });
});
