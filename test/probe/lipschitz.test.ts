import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend/init';
import { createMatrix, type Matrix } from '../../src/core/data/matrix';
import type { ArchitectureSpec } from '../../src/core/formats/archSpec';
import { buildModelFromStateDict } from '../../src/core/formats/modelBuilder';
import type { StateDict } from '../../src/core/formats/tensor';
import { silentLogger } from '../../src/core/log';
import { heUniformWeights, Mlp, type MlpSpec } from '../../src/core/nets/mlp';
import type { DifferentiableModel, LayerInfo } from '../../src/core/nets/model';
import { evaluateCritic } from '../../src/core/probe/evaluate';
import {
  lipschitzReport,
  lowerBound,
  probePairs,
  upperBound,
  type ProbeSetField,
} from '../../src/core/probe/lipschitz';
import { Rng } from '../../src/core/rng';

function normalPoints(rng: Rng, rows: number, cols: number, shift = 0): Matrix {
  return createMatrix(
    rows,
    cols,
    Float32Array.from({ length: rows * cols }, () => rng.normal() + shift),
  );
}

function probe(model: DifferentiableModel, points: Matrix): ProbeSetField {
  const field = evaluateCritic(model, points);
  return { points, values: field.values, norms: field.norms };
}

/** Builds a random orthogonal n×n matrix (as rows) by Gram-Schmidt on Gaussian vectors. */
function randomOrthogonal(rng: Rng, n: number): Float64Array[] {
  const rows: Float64Array[] = [];
  while (rows.length < n) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const u of rows) {
      const projection = u.reduce((sum, x, i) => sum + x * v[i], 0);
      for (let i = 0; i < n; i++) v[i] -= projection * u[i];
    }
    const length = Math.hypot(...v);
    if (length > 1e-6) rows.push(v.map((x) => x / length));
  }
  return rows;
}

/** Builds U·diag(singular)·Vᵀ with random orthogonal U and V, as a row-major kernel. */
function kernelWithSingularValues(
  rng: Rng,
  rows: number,
  cols: number,
  singular: number[],
): Float32Array {
  const u = randomOrthogonal(rng, rows);
  const v = randomOrthogonal(rng, cols);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      singular.forEach((s, k) => (sum += u[k][i] * s * v[k][j]));
      out[i * cols + j] = sum;
    }
  }
  return out;
}

function denseLayer(name: string, rows: number, cols: number, values: Float32Array): LayerInfo {
  const kernel = { name: `${name}/kernel`, shape: [rows, cols], values };
  return { name, kind: 'dense', op: 'Dense', weights: [kernel], linear: { type: 'dense', kernel } };
}

function activationLayer(name: string, activation: string, lipschitz?: number): LayerInfo {
  const layer: LayerInfo = {
    name,
    kind: 'activation',
    op: activation,
    activation: { name: activation },
    weights: [],
  };
  if (lipschitz !== undefined) layer.lipschitz = lipschitz;
  return layer;
}

describe('Lipschitz bounds', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  describe('linear critic', () => {
    const w = [0.6, -1.2, 2.0];
    const wNorm = Math.hypot(...w);
    let model: Mlp;

    before(() => {
      const spec: MlpSpec = {
        inputShape: [3],
        hidden: [],
        outputSize: 1,
        activation: { name: 'relu' },
      };
      model = new Mlp(spec, 'critic', [Float32Array.from(w), Float32Array.of(0.5)]);
    });
    after(() => model.dispose());

    it('has upper = lower = ‖w‖ and gap 1', () => {
      const rng = new Rng(3);
      // Consecutive points one unit apart along w, so their secant slope is ‖w‖.
      const along = createMatrix(
        8,
        3,
        Float32Array.from({ length: 24 }, (_, i) => (Math.floor(i / 3) * w[i % 3]) / wNorm),
      );
      const sets = {
        real: probe(model, normalPoints(rng, 64, 3)),
        generated: probe(model, normalPoints(rng, 64, 3, 2)),
        interpolates: probe(model, along),
      };
      const report = lipschitzReport(model, sets);

      assert.ok(report.upper !== undefined, report.upperReason);
      assert.ok(Math.abs(report.upper - wNorm) < 1e-6, `upper ${report.upper}`);
      assert.ok(
        Math.abs(report.lowerGradient.value - wNorm) < 1e-6,
        `gradient lower ${report.lowerGradient.value}`,
      );
      assert.ok(report.gap !== undefined);
      assert.ok(Math.abs(report.gap - 1) < 1e-6, `gap ${report.gap}`);

      assert.ok(
        Math.abs(report.lowerSecant.value - wNorm) < 1e-5,
        `secant lower ${report.lowerSecant.value}`,
      );
      assert.equal(report.lowerSecant.set, 'interpolates');
      assert.deepEqual(
        report.layers.map((l) => l.method),
        ['spectral-norm'],
      );
    });
  });

  describe('upperBound', () => {
    it('finds singular value 3 of a rotated diag(3, 1)', () => {
      const values = kernelWithSingularValues(new Rng(5), 2, 2, [3, 1]);
      const result = upperBound({ layers: [denseLayer('dense_0', 2, 2, values)] });
      assert.ok(result.upper !== undefined);
      assert.ok(Math.abs(result.upper - 3) < 1e-6, `upper ${result.upper}`);
    });

    it('finds the top singular value of a 5x3 kernel', () => {
      const values = kernelWithSingularValues(new Rng(6), 5, 3, [2.5, 2, 0.5]);
      const result = upperBound({ layers: [denseLayer('dense_0', 5, 3, values)] });
      assert.ok(result.upper !== undefined);
      assert.ok(Math.abs(result.upper - 2.5) < 1e-6, `upper ${result.upper}`);
    });

    it('multiplies dense norms and activation constants', () => {
      const rng = new Rng(8);
      const layers = [
        denseLayer('dense_0', 2, 2, kernelWithSingularValues(rng, 2, 2, [3, 1])),
        activationLayer('sigmoid_0', 'sigmoid', 0.25),
        denseLayer('dense_1', 2, 2, kernelWithSingularValues(rng, 2, 2, [2, 0.5])),
        activationLayer('tanh_0', 'tanh'),
        { name: 'flatten', kind: 'reshape', op: 'Flatten', weights: [] } satisfies LayerInfo,
      ];
      const result = upperBound({ layers });
      assert.ok(result.upper !== undefined, result.upperReason);
      assert.ok(Math.abs(result.upper - 3 * 0.25 * 2) < 1e-6, `upper ${result.upper}`);
      assert.deepEqual(
        result.layers.map((l) => l.method),
        ['spectral-norm', 'closed-form', 'spectral-norm', 'closed-form', 'identity'],
      );
      assert.equal(result.layers[3].constant, 1);
    });

    it('uses max |γ|/√var for inference batch norm', () => {
      const batchNorm: LayerInfo = {
        name: 'bn',
        kind: 'batchNorm',
        op: 'BatchNormalization',
        weights: [
          { name: 'bn.weight', shape: [3], values: Float32Array.of(0.5, -2, 1) },
          { name: 'bn.bias', shape: [3], values: Float32Array.of(9, 9, 9) },
          { name: 'bn.running_mean', shape: [3], values: Float32Array.of(5, 5, 5) },
          { name: 'bn.running_var', shape: [3], values: Float32Array.of(0.25, 4, 0.04) },
        ],
      };
      // Channel scales: 0.5/0.5 = 1, 2/2 = 1, 1/0.2 = 5.
      const result = upperBound({ layers: [batchNorm] });
      assert.ok(result.upper !== undefined, result.upperReason);
      assert.ok(Math.abs(result.upper - 5) < 1e-5, `upper ${result.upper}`);
      assert.equal(result.layers[0].method, 'batch-norm-scale');

      // With ε the third channel becomes 1/√(0.04 + 0.05) = 1/0.3.
      const withEpsilon = upperBound({ layers: [batchNorm] }, { batchNormEpsilon: 0.05 });
      assert.ok(withEpsilon.upper !== undefined);
      assert.ok(Math.abs(withEpsilon.upper - 1 / 0.3) < 1e-5, `upper ${withEpsilon.upper}`);
    });

    it('leaves the bound undefined for an unknown layer', () => {
      const layers: LayerInfo[] = [
        denseLayer('dense_0', 1, 1, Float32Array.of(2)),
        { name: 'bn_1', kind: 'batchNorm', op: 'BatchNormalization', weights: [] },
        { name: 'pool_2', kind: 'pool', op: 'MaxPool', weights: [] },
      ];
      const result = upperBound({ layers });
      assert.equal(result.upper, undefined);
      assert.ok(result.upperReason?.includes('bn_1'), result.upperReason);
      assert.equal(result.layers[0].constant, 2);
      assert.equal(result.layers[1].method, 'unknown');
      assert.equal(result.layers[2].method, 'unknown');
      assert.ok(result.layers[2].reason?.includes('pooling'), result.layers[2].reason);
    });

    it('reports an invalid conv geometry as unknown', () => {
      const conv: LayerInfo = {
        name: 'conv_0',
        kind: 'conv2d',
        op: 'Conv',
        weights: [],
        linear: {
          type: 'conv2d',
          filter: { name: 'conv_0.weight', shape: [3, 3, 2, 1], values: new Float32Array(18) },
          strides: [1, 1],
          padding: [1, 1, 1, 1],
          dilations: [1, 1],
          inputShape: [4, 4, 3],
        },
      };
      const result = upperBound({ layers: [conv] });
      assert.equal(result.upper, undefined);
      assert.ok(result.upperReason?.includes('conv_0'), result.upperReason);
      assert.ok(result.upperReason?.includes('takes 2 channels'), result.upperReason);
    });

    it('reads the PReLU constant from its slopes', () => {
      const prelu: LayerInfo = {
        name: 'prelu',
        kind: 'activation',
        op: 'PRelu',
        activation: { name: 'prelu' },
        weights: [{ name: 'slope (alpha)', shape: [2], values: Float32Array.of(0.1, -1.5) }],
      };
      const result = upperBound({ layers: [prelu] });
      assert.equal(result.upper, 1.5);
    });
  });

  describe('probePairs', () => {
    const sets = {
      real: { points: createMatrix(10, 2) },
      generated: { points: createMatrix(6, 2) },
      uniform: { points: createMatrix(4, 2) },
    };

    it('caps and seeds the pair list', () => {
      const pairs = probePairs(sets, { seed: 1, maxCrossPairs: 5, maxConsecutivePairs: 4 });
      const cross = pairs.filter((p) => p.group === 'real-generated');
      assert.equal(cross.length, 5);
      for (const pair of cross) {
        assert.equal(pair.a.set, 'real');
        assert.equal(pair.b.set, 'generated');
        assert.ok(pair.a.index >= 0, `real index ${pair.a.index}`);
        assert.ok(pair.a.index < 10, `real index ${pair.a.index}`);
        assert.ok(pair.b.index >= 0, `generated index ${pair.b.index}`);
        assert.ok(pair.b.index < 6, `generated index ${pair.b.index}`);
      }
      // Four pairs from real and generated, three from the 4 uniform points.
      assert.equal(pairs.filter((p) => p.group === 'real').length, 4);
      assert.equal(pairs.filter((p) => p.group === 'uniform').length, 3);
      for (const pair of pairs.filter((p) => p.group === 'uniform'))
        assert.equal(pair.b.index, pair.a.index + 1);
      assert.equal(pairs.length, 5 + 4 + 4 + 3);

      const again = probePairs(sets, { seed: 1, maxCrossPairs: 5, maxConsecutivePairs: 4 });
      assert.deepEqual(again, pairs);
      const other = probePairs(sets, { seed: 2, maxCrossPairs: 5, maxConsecutivePairs: 4 });
      assert.notDeepEqual(other, pairs);
    });

    it('draws one cross pair per point of the larger set by default', () => {
      const pairs = probePairs(sets);
      assert.equal(pairs.filter((p) => p.group === 'real-generated').length, 10);
    });
  });

  describe('lowerBound', () => {
    it('finds the largest gradient norm and secant', () => {
      const points = createMatrix(3, 2, Float32Array.of(0, 0, 3, 4, 3, 4));
      const sets = {
        real: { points, values: Float32Array.of(1, 11, 11), norms: Float32Array.of(0.5, 7, NaN) },
        uniform: {
          points: createMatrix(2, 2, Float32Array.of(0, 0, 0, 1)),
          values: Float32Array.of(0, 1),
          norms: Float32Array.of(1, 8),
        },
      };
      const result = lowerBound(sets, { maxCrossPairs: 0 });
      assert.deepEqual(result.lowerGradient, { value: 8, set: 'uniform', index: 1 });
      // real (0, 1): |11 - 1| / 5 = 2; real (1, 2) coincide and are skipped; uniform: 1 / 1.
      assert.equal(result.lowerSecant.value, 2);
      assert.equal(result.lowerSecant.set, 'real');
      assert.equal(result.lowerSecant.pairs, 2);
      assert.equal(result.lowerSecant.skipped, 1);
      assert.deepEqual(result.lowerSecant.pair?.a, { set: 'real', index: 0 });
    });

    it('rejects sets whose lengths disagree', () => {
      const sets = {
        real: {
          points: createMatrix(2, 1),
          values: new Float32Array(2),
          norms: new Float32Array(3),
        },
      };
      assert.throws(() => lowerBound(sets), /2 points but 2 values and 3 gradient norms/);
    });
  });

  describe('upper bound holds on probes', () => {
    it('bounds a random ReLU MLP', () => {
      const spec: MlpSpec = {
        inputShape: [4],
        hidden: [16, 16],
        outputSize: 1,
        activation: { name: 'relu' },
      };
      const model = new Mlp(spec, 'critic', heUniformWeights(spec, new Rng(12)));
      try {
        const rng = new Rng(13);
        const sets = {
          real: probe(model, normalPoints(rng, 256, 4)),
          generated: probe(model, normalPoints(rng, 256, 4, 1)),
        };
        const report = lipschitzReport(model, sets);
        assert.ok(report.upper !== undefined, report.upperReason);
        assert.ok(
          report.upper >= report.lowerGradient.value,
          `upper ${report.upper} < gradient ${report.lowerGradient.value}`,
        );
        assert.ok(
          report.upper >= report.lowerSecant.value,
          `upper ${report.upper} < secant ${report.lowerSecant.value}`,
        );
        assert.ok(report.gap !== undefined);
        assert.ok(report.gap >= 1, `gap ${report.gap}`);
        assert.ok(report.lowerSecant.pairs > 0);
      } finally {
        model.dispose();
      }
    });

    it('bounds a small LeakyReLU conv critic', () => {
      const rng = new Rng(14);
      const tensor = (shape: number[], scale: number) => ({
        shape,
        dtype: 'float32' as const,
        values: Float32Array.from(
          { length: shape.reduce((p, d) => p * d, 1) },
          () => scale * rng.normal(),
        ),
        nonFinite: 0,
      });
      const stateDict: StateDict = new Map([
        ['conv.weight', tensor([4, 2, 3, 3], 0.4)],
        ['conv.bias', tensor([4], 0.1)],
        ['fc.weight', tensor([1, 36], 0.3)],
        ['fc.bias', tensor([1], 0.1)],
      ]);
      const spec: ArchitectureSpec = {
        inputShape: [2, 6, 6],
        layers: [
          { type: 'conv2d', weights: 'conv', stride: [2, 2], padding: [1, 1], dilation: [1, 1] },
          { type: 'leakyRelu', alpha: 0.2 },
          { type: 'flatten' },
          { type: 'linear', weights: 'fc' },
        ],
        output: 'flatten',
      };
      const model = buildModelFromStateDict(stateDict, spec);
      try {
        const sets = {
          real: probe(model, normalPoints(rng, 128, 72)),
          generated: probe(model, normalPoints(rng, 128, 72, 0.5)),
        };
        const report = lipschitzReport(model, sets);
        assert.ok(report.upper !== undefined, report.upperReason);
        assert.deepEqual(
          report.layers.map((l) => l.method),
          ['conv-lanczos', 'closed-form', 'identity', 'spectral-norm'],
        );
        assert.ok(
          report.upper >= report.lowerGradient.value,
          `upper ${report.upper} < gradient ${report.lowerGradient.value}`,
        );
        assert.ok(
          report.upper >= report.lowerSecant.value,
          `upper ${report.upper} < secant ${report.lowerSecant.value}`,
        );
        const conv = report.layers[0].conv;
        assert.ok(conv !== undefined);
        assert.ok(conv.operatorNorm <= conv.overlapBound * (1 + 1e-6));
      } finally {
        model.dispose();
      }
    });
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const filter = Float32Array.from({ length: 9 }, (_, i) => i - 4);
    const layer: LayerInfo = {
      name: 'conv',
      kind: 'conv2d',
      op: 'Conv',
      weights: [],
      linear: {
        type: 'conv2d',
        filter: { name: 'w', shape: [3, 3, 1, 1], values: filter },
        strides: [1, 1],
        padding: [1, 1, 1, 1],
        dilations: [1, 1],
        inputShape: [5, 5, 1],
      },
    };
    upperBound({ layers: [layer] });
    assert.equal(tf.memory().numTensors, before);
  });
});
