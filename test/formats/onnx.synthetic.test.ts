import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { readOnnxModel, type OnnxModel } from '../../src/core/formats/onnx/load';
import { silentLogger } from '../../src/core/log';
import type { ConvOperator } from '../../src/core/nets/model';
import { encodeModel, type ModelSpec } from './onnxEncoder';
import { readNpyFile, relativeError, SYNTHETIC_DIR } from './onnxTestUtils';

const TOLERANCE = 1e-4;

interface ManifestEntry {
  opset: number;
  input_shape: number[];
  output_shape: number[];
}

const MANIFEST = JSON.parse(
  readFileSync(path.join(SYNTHETIC_DIR, 'manifest.json'), 'utf8'),
) as Record<string, ManifestEntry>;

/** Model outputs and input gradients of their sum, as float64 arrays. */
function run(
  model: OnnxModel,
  shape: number[],
  data: ArrayLike<number>,
): { y: number[]; grad: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor(Float32Array.from(data), shape);
    const y = Array.from(model.apply(x).dataSync());
    const grad = Array.from(
      tf
        .grad((input: tf.Tensor) => tf.sum(model.apply(input)))(x)
        .dataSync(),
    );
    return { y, grad };
  });
}

/** Central differences of a float64 function, at a step small enough for smooth graphs. */
function numericGradient(f: (x: number[]) => number, x: number[], step = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i] += step;
    minus[i] -= step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}

/** Deterministic values in (-1, 1), distinct enough that max-pooling has no ties. */
function sampleValues(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
}

describe('readOnnxModel on PyTorch exports of other layers', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const [name, entry] of Object.entries(MANIFEST)) {
    it(`matches float64 PyTorch on ${name}`, () => {
      const base = path.join(SYNTHETIC_DIR, name);
      const model = readOnnxModel(readFileSync(`${base}.onnx`), `${name}.onnx`);
      const x = readNpyFile(`${base}_x.npy`);
      assert.deepEqual(x.shape, entry.input_shape);
      const { y, grad } = run(model, x.shape, x.data);
      model.dispose();
      assert.equal(model.opset, entry.opset);
      assert.ok(relativeError(y, readNpyFile(`${base}_y.npy`).data) < TOLERANCE, 'outputs');
      assert.ok(
        relativeError(grad, readNpyFile(`${base}_grad.npy`).data) < TOLERANCE,
        'input gradients',
      );
    });
  }

  it('describes normalisation and transposed-convolution layers', () => {
    const read = (name: string) => {
      const model = readOnnxModel(readFileSync(path.join(SYNTHETIC_DIR, `${name}.onnx`)));
      model.dispose();
      return model.layers;
    };
    assert.deepEqual(
      read('batchnorm_critic').map((layer) => layer.kind),
      ['conv2d', 'activation', 'batchNorm', 'reshape', 'dense'],
    );
    assert.ok(read('layernorm_critic_opset17').some((layer) => layer.kind === 'layerNorm'));
    // The opset-13 export spells LayerNorm as ReduceMean, Sub, Pow, Sqrt, Div, Mul and Add.
    const decomposed = read('layernorm_critic_opset13').filter((layer) => layer.kind !== 'reshape');
    assert.deepEqual(
      decomposed.map((layer) => layer.kind),
      ['conv2d', 'layerNorm', 'activation', 'dense'],
    );
    assert.deepEqual(
      decomposed[1].weights.map((w) => w.shape),
      [
        [4, 3, 3],
        [4, 3, 3],
      ],
    );
    assert.ok(read('instancenorm_critic').some((layer) => layer.kind === 'instanceNorm'));
    const transposed = read('transposed_generator').filter(
      (layer) => layer.kind === 'convTranspose2d',
    );
    assert.deepEqual(
      transposed.map((layer) => {
        const op = layer.linear as ConvOperator;
        return [op.filter.shape, op.strides, op.padding, op.dilations, op.inputShape];
      }),
      [
        // ConvTranspose2d(4, 3, 3, stride 2, padding 1) on the 3x3 view of the linear output.
        [
          [3, 3, 4, 3],
          [2, 2],
          [1, 1, 1, 1],
          [1, 1],
          [3, 3, 4],
        ],
        [
          [4, 4, 3, 2],
          [2, 2],
          [1, 1, 1, 1],
          [1, 1],
          [5, 5, 3],
        ],
        [
          [3, 3, 2, 1],
          [1, 1],
          [0, 0, 0, 0],
          [2, 2],
          [10, 10, 2],
        ],
      ],
    );
  });
});

describe('readOnnxModel on hand-built graphs', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('slices with negative steps, gathers, transposes and concatenates', () => {
    const weights = sampleValues(14, 7);
    const spec: ModelSpec = {
      nodes: [
        { op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['s'] },
        { op: 'Gather', inputs: ['x', 'rows'], outputs: ['g'], attributes: { axis: 1 } },
        { op: 'Transpose', inputs: ['g'], outputs: ['t'], attributes: { perm: [0, 2, 1] } },
        { op: 'Flatten', inputs: ['s'], outputs: ['fs'] },
        { op: 'Flatten', inputs: ['t'], outputs: ['ft'] },
        { op: 'Concat', inputs: ['fs', 'ft'], outputs: ['c'], attributes: { axis: 1 } },
        { op: 'Tanh', inputs: ['c'], outputs: ['h'] },
        { op: 'MatMul', inputs: ['h', 'w'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'starts', dims: [1], values: [-1], int64: true },
        { name: 'ends', dims: [1], values: [-(2 ** 62)], int64: true },
        { name: 'axes', dims: [1], values: [2], int64: true },
        { name: 'steps', dims: [1], values: [-2], int64: true },
        { name: 'rows', dims: [2], values: [2, -3], int64: true },
        { name: 'w', dims: [14, 1], values: weights },
      ],
      inputs: [{ name: 'x', dims: ['batch', 3, 4] }],
      outputs: [{ name: 'y', dims: ['batch', 1] }],
    };
    // x[b, r, c] at r * 4 + c. The slice keeps columns 3 and 1; the gather rows 2 and 0.
    const reference = (x: number[]) => {
      const at = (r: number, c: number) => x[r * 4 + c];
      const sliced = [0, 1, 2].flatMap((r) => [at(r, 3), at(r, 1)]);
      const transposed = [0, 1, 2, 3].flatMap((c) => [at(2, c), at(0, c)]);
      return [...sliced, ...transposed].reduce((sum, v, i) => sum + Math.tanh(v) * weights[i], 0);
    };
    checkAgainstReference(spec, [2, 3, 4], reference);
  });

  it('applies Gemm with transA, transB, alpha and beta', () => {
    const w = sampleValues(12, 3);
    const c = sampleValues(4, 5);
    const spec: ModelSpec = {
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['xt'], attributes: { perm: [1, 0] } },
        {
          op: 'Gemm',
          inputs: ['xt', 'w', 'c'],
          outputs: ['g'],
          attributes: { transA: 1, transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } },
        },
        { op: 'Sigmoid', inputs: ['g'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'w', dims: [4, 3], values: w },
        { name: 'c', dims: [4], values: c, typed: true },
      ],
      inputs: [{ name: 'x', dims: ['batch', 3] }],
      outputs: [{ name: 'y', dims: ['batch', 4] }],
    };
    const reference = (x: number[]) => {
      let total = 0;
      for (let o = 0; o < 4; o++) {
        let sum = 2 * c[o];
        for (let i = 0; i < 3; i++) sum += 0.5 * x[i] * w[o * 3 + i];
        total += 1 / (1 + Math.exp(-sum));
      }
      return total;
    };
    checkAgainstReference(spec, [3, 3], reference);
  });

  it('pads by reflection and by edge, then max-pools with ceil_mode', () => {
    const spec: ModelSpec = {
      nodes: [
        {
          op: 'Pad',
          inputs: ['x', 'reflectPads'],
          outputs: ['r'],
          attributes: { mode: 'reflect' },
        },
        { op: 'Pad', inputs: ['r', 'edgePads'], outputs: ['e'], attributes: { mode: 'edge' } },
        { op: 'Sigmoid', inputs: ['e'], outputs: ['s'] },
        {
          op: 'MaxPool',
          inputs: ['s'],
          outputs: ['p'],
          attributes: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 },
        },
        { op: 'ReduceSum', inputs: ['p', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
      initializers: [
        { name: 'reflectPads', dims: [8], values: [0, 0, 1, 2, 0, 0, 2, 1], int64: true },
        { name: 'edgePads', dims: [8], values: [0, 0, 0, 1, 0, 0, 1, 0], int64: true },
        { name: 'axes', dims: [3], values: [1, 2, 3], int64: true },
      ],
      inputs: [{ name: 'x', dims: ['batch', 1, 4, 5] }],
      outputs: [{ name: 'y', dims: ['batch'] }],
    };
    const reference = (x: number[]) => {
      // ONNX pads list all begins, then all ends: rows get 1 before and 2 after, columns 2 and 1.
      const reflect = (i: number, n: number) => {
        if (i < 0) return -i;
        if (i >= n) return 2 * (n - 1) - i;
        return i;
      };
      const edge = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);
      // After reflect: 4 + 1 + 2 = 7 rows (1 before), 5 + 2 + 1 = 8 columns (2 before).
      const r = (i: number, j: number) => x[reflect(i - 1, 4) * 5 + reflect(j - 2, 5)];
      // After edge: 7 + 1 = 8 rows (0 before), 8 + 1 = 9 columns (1 before).
      const e = (i: number, j: number) => 1 / (1 + Math.exp(-r(edge(i, 7), edge(j - 1, 8))));
      // ceil((8 - 3) / 2) + 1 = 4 windows down and (9 - 3) / 2 + 1 = 4 across. The last row of
      // windows reaches past row 7, so it covers only rows 6 and 7.
      let total = 0;
      for (let wi = 0; wi < 4; wi++) {
        for (let wj = 0; wj < 4; wj++) {
          let best = -Infinity;
          for (let di = 0; di < 3; di++) {
            for (let dj = 0; dj < 3; dj++) {
              const i = 2 * wi + di;
              const j = 2 * wj + dj;
              if (i < 8 && j < 9) best = Math.max(best, e(i, j));
            }
          }
          total += best;
        }
      }
      return total;
    };
    checkAgainstReference(spec, [2, 1, 4, 5], reference);
  });

  it('averages with and without padding in the count', () => {
    const build = (countIncludePad: number): ModelSpec => ({
      nodes: [
        {
          op: 'AveragePool',
          inputs: ['x'],
          outputs: ['p'],
          attributes: {
            kernel_shape: [2, 3],
            strides: [2, 2],
            pads: [1, 1, 0, 1],
            count_include_pad: countIncludePad,
          },
        },
        { op: 'Mul', inputs: ['p', 'p'], outputs: ['q'] },
        { op: 'ReduceSum', inputs: ['q', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
      initializers: [{ name: 'axes', dims: [3], values: [1, 2, 3], int64: true }],
      inputs: [{ name: 'x', dims: ['batch', 1, 3, 4] }],
      outputs: [{ name: 'y', dims: ['batch'] }],
    });
    for (const include of [0, 1]) {
      const reference = (x: number[]) => {
        // Padded input: 1 row on top, 1 column each side: 4 x 6; windows 2 x 3 at stride 2.
        let total = 0;
        for (let wi = 0; wi < 2; wi++) {
          for (let wj = 0; wj < 2; wj++) {
            let sum = 0;
            let count = 0;
            for (let di = 0; di < 2; di++) {
              for (let dj = 0; dj < 3; dj++) {
                const i = 2 * wi + di - 1;
                const j = 2 * wj + dj - 1;
                const inside = i >= 0 && i < 3 && j >= 0 && j < 4;
                if (inside) sum += x[i * 4 + j];
                if (inside || include) count++;
              }
            }
            total += (sum / count) ** 2;
          }
        }
        return total;
      };
      checkAgainstReference(build(include), [2, 1, 3, 4], reference);
    }
  });

  it('gives pooling layers their Lipschitz constants', () => {
    const spec: ModelSpec = {
      nodes: [
        {
          op: 'MaxPool',
          inputs: ['x'],
          outputs: ['a'],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        },
        {
          op: 'AveragePool',
          inputs: ['a'],
          outputs: ['b'],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        },
        {
          op: 'AveragePool',
          inputs: ['b'],
          outputs: ['c'],
          attributes: { kernel_shape: [2, 2], strides: [1, 1] },
        },
        { op: 'GlobalAveragePool', inputs: ['c'], outputs: ['y'] },
      ],
      inputs: [{ name: 'x', dims: ['batch', 1, 12, 12] }],
      outputs: [{ name: 'y', dims: ['batch', 1, 1, 1] }],
    };
    const model = readOnnxModel(encodeModel(spec));
    model.dispose();
    // Disjoint windows: max pooling is 1-Lipschitz and a mean of n cells 1/sqrt(n). The maps go
    // 12 -> 6 -> 3 -> 2 wide, so the global mean of 4 cells is 1/2; overlapping windows get none.
    assert.deepEqual(
      model.layers.map((layer) => layer.lipschitz),
      [1, 0.5, undefined, 0.5],
    );
  });

  it('chains Softmax, Clip, Split, Tile, Gather and Expand', () => {
    const picks = Array.from({ length: 300 }, (_, i) => (i * 7) % 6);
    const spec: ModelSpec = {
      nodes: [
        { op: 'Softmax', inputs: ['x'], outputs: ['s'], attributes: { axis: -1 } },
        { op: 'Clip', inputs: ['s', 'low', 'high'], outputs: ['c'] },
        { op: 'Split', inputs: ['c', 'sizes'], outputs: ['a', 'b'], attributes: { axis: 1 } },
        { op: 'Mul', inputs: ['a', 'b'], outputs: ['m'] },
        { op: 'Tile', inputs: ['m', 'repeats'], outputs: ['t'] },
        // 300 indices take the tf.gather path rather than slices.
        { op: 'Gather', inputs: ['t', 'picks'], outputs: ['g'], attributes: { axis: 1 } },
        { op: 'Expand', inputs: ['bias', 'wide'], outputs: ['e'] },
        { op: 'Add', inputs: ['g', 'e'], outputs: ['h'] },
        { op: 'Sigmoid', inputs: ['h'], outputs: ['q'] },
        { op: 'ReduceSum', inputs: ['q', 'axes'], outputs: ['y'], attributes: { keepdims: 0 } },
      ],
      initializers: [
        { name: 'low', dims: [], values: [0.1] },
        { name: 'high', dims: [], values: [0.6] },
        { name: 'sizes', dims: [2], values: [2, 2], int64: true },
        { name: 'repeats', dims: [2], values: [1, 3], int64: true },
        { name: 'picks', dims: [300], values: picks, int64: true },
        { name: 'bias', dims: [1], values: [0.25] },
        { name: 'wide', dims: [2], values: [1, 300], int64: true },
        { name: 'axes', dims: [1], values: [1], int64: true },
      ],
      inputs: [{ name: 'x', dims: ['batch', 4] }],
      outputs: [{ name: 'y', dims: ['batch'] }],
    };
    const reference = (x: number[]) => {
      const exp = x.map(Math.exp);
      const total = exp.reduce((a, b) => a + b, 0);
      const c = exp.map((v) => Math.min(Math.max(v / total, 0.1), 0.6));
      const m = [c[0] * c[2], c[1] * c[3]];
      const t = [...m, ...m, ...m];
      return picks.reduce((sum, index) => sum + 1 / (1 + Math.exp(-(t[index] + 0.25))), 0);
    };
    checkAgainstReference(spec, [3, 4], reference);
  });

  it('moves space to depth and back', () => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'SpaceToDepth', inputs: ['x'], outputs: ['d'], attributes: { blocksize: 2 } },
        {
          op: 'DepthToSpace',
          inputs: ['d'],
          outputs: ['y'],
          attributes: { blocksize: 2, mode: 'DCR' },
        },
      ],
      inputs: [{ name: 'x', dims: ['batch', 3, 4, 6] }],
      outputs: [{ name: 'y', dims: ['batch', 3, 4, 6] }],
    };
    const roundTrip = readOnnxModel(encodeModel(spec));
    const data = sampleValues(2 * 72, 2);
    assert.deepEqual(run(roundTrip, [2, 3, 4, 6], data).y, Array.from(Float32Array.from(data)));
    roundTrip.dispose();

    const depth = readOnnxModel(
      encodeModel({
        ...spec,
        nodes: [spec.nodes[0]],
        outputs: [{ name: 'd', dims: ['batch', 12, 2, 3] }],
      }),
    );
    const { y } = run(depth, [2, 3, 4, 6], data);
    depth.dispose();
    // Output channel (bh·2 + bw)·3 + c at (i, j) contains input channel c at (2i + bh, 2j + bw).
    const expected: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let k = 0; k < 12; k++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++) {
            const [bh, bw, c] = [Math.floor(k / 6), Math.floor(k / 3) % 2, k % 3];
            expected.push(Math.fround(data[((n * 3 + c) * 4 + 2 * i + bh) * 6 + 2 * j + bw]));
          }
    assert.deepEqual(y, expected);
  });

  it('computes a dynamic view from Shape, Gather, Unsqueeze and Concat', () => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['shape'] },
        { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['batch'], attributes: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['batch', 'axis0'], outputs: ['batch1'] },
        {
          op: 'Concat',
          inputs: ['batch1', 'minusOne'],
          outputs: ['target'],
          attributes: { axis: 0 },
        },
        { op: 'Reshape', inputs: ['x', 'target'], outputs: ['flat'] },
        {
          op: 'ReduceMean',
          inputs: ['flat'],
          outputs: ['y'],
          attributes: { axes: [1], keepdims: 1 },
        },
      ],
      initializers: [
        { name: 'zero', dims: [], values: [0], int64: true },
        { name: 'axis0', dims: [1], values: [0], int64: true },
        { name: 'minusOne', dims: [1], values: [-1], int64: true },
      ],
      inputs: [{ name: 'x', dims: ['batch', 2, 3] }],
      outputs: [{ name: 'y', dims: ['batch', 1] }],
    };
    const model = readOnnxModel(encodeModel(spec));
    for (const batch of [1, 5]) {
      const x = sampleValues(batch * 6, batch);
      const { y, grad } = run(model, [batch, 2, 3], x);
      const expected = Array.from(
        { length: batch },
        (_, b) => x.slice(6 * b, 6 * b + 6).reduce((s, v) => s + v, 0) / 6,
      );
      assert.ok(relativeError(y, expected) < 1e-6, `batch ${batch} values`);
      assert.ok(
        relativeError(grad, new Array(batch * 6).fill(1 / 6)) < 1e-6,
        `batch ${batch} gradients`,
      );
    }
    model.dispose();
  });
});

/**
 * Checks a model's per-sample values and input gradients against a float64 reference function
 * of one sample and its central differences.
 */
function checkAgainstReference(
  spec: ModelSpec,
  shape: number[],
  reference: (x: number[]) => number,
): void {
  const model = readOnnxModel(encodeModel(spec));
  const data = sampleValues(
    shape.reduce((a, b) => a * b, 1),
    11,
  );
  const { y, grad } = run(model, shape, data);
  model.dispose();
  const perSample = data.length / shape[0];
  const samples = Array.from({ length: shape[0] }, (_, b) =>
    data.slice(b * perSample, (b + 1) * perSample),
  );
  const expectedValues = samples.map(reference);
  const values =
    y.length === shape[0]
      ? y
      : samples.map((_, b) =>
          y
            .slice((b * y.length) / shape[0], ((b + 1) * y.length) / shape[0])
            .reduce((s, v) => s + v, 0),
        );
  assert.ok(
    relativeError(values, expectedValues) < TOLERANCE,
    `values ${values} vs ${expectedValues}`,
  );
  const expectedGradients = samples.flatMap((sample) => numericGradient(reference, sample));
  assert.ok(relativeError(grad, expectedGradients) < TOLERANCE, 'input gradients');
}
