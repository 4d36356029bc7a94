import { strict as assert } from 'node:assert';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import type { ConvOperator } from '../../src/core/nets/model';
import { convOperatorNorm, lanczosTopEigenvalue } from '../../src/core/probe/lipschitz';
import { Rng } from '../../src/core/rng';

type Quad = [number, number, number, number];
type Pair = [number, number];

interface Geometry {
  strides: Pair;
  padding: Quad;
  dilations: Pair;
}

function operator(
  type: ConvOperator['type'],
  filterShape: Quad,
  values: Float32Array,
  inputShape: [number, number, number],
  geometry: Geometry,
): ConvOperator {
  return {
    type,
    filter: { name: 'filter', shape: [...filterShape], values },
    ...geometry,
    inputShape,
  };
}

/** Direct NHWC convolution from its definition, with zeros outside the input. */
function naiveConv(
  x: Float64Array,
  [height, width, inChannels]: [number, number, number],
  filter: Float32Array,
  [kh, kw, , outChannels]: Quad,
  { strides, padding, dilations }: Geometry,
): { y: Float64Array; shape: [number, number, number] } {
  const [top, bottom, left, right] = padding;
  const outHeight =
    Math.floor((height + top + bottom - (kh - 1) * dilations[0] - 1) / strides[0]) + 1;
  const outWidth =
    Math.floor((width + left + right - (kw - 1) * dilations[1] - 1) / strides[1]) + 1;
  const y = new Float64Array(outHeight * outWidth * outChannels);
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      for (let ty = 0; ty < kh; ty++) {
        for (let tx = 0; tx < kw; tx++) {
          const iy = oy * strides[0] + ty * dilations[0] - top;
          const ix = ox * strides[1] + tx * dilations[1] - left;
          if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
          for (let ci = 0; ci < inChannels; ci++) {
            const input = x[(iy * width + ix) * inChannels + ci];
            for (let co = 0; co < outChannels; co++) {
              const tap = filter[((ty * kw + tx) * inChannels + ci) * outChannels + co];
              y[(oy * outWidth + ox) * outChannels + co] += tap * input;
            }
          }
        }
      }
    }
  }
  return { y, shape: [outHeight, outWidth, outChannels] };
}

/**
 * Direct transposed convolution as ONNX defines it: input element i adds w[t]·x[i] at output
 * position s·i + d·t - pad_begin, and the output has s·(n - 1) + d·(k - 1) + 1 - pads elements.
 */
function naiveConvTranspose(
  x: Float64Array,
  [height, width, inChannels]: [number, number, number],
  filter: Float32Array,
  [kh, kw, , outChannels]: Quad,
  { strides, padding, dilations }: Geometry,
): { y: Float64Array; shape: [number, number, number] } {
  const [top, bottom, left, right] = padding;
  const outHeight = strides[0] * (height - 1) + (kh - 1) * dilations[0] + 1 - top - bottom;
  const outWidth = strides[1] * (width - 1) + (kw - 1) * dilations[1] + 1 - left - right;
  const y = new Float64Array(outHeight * outWidth * outChannels);
  for (let iy = 0; iy < height; iy++) {
    for (let ix = 0; ix < width; ix++) {
      for (let ty = 0; ty < kh; ty++) {
        for (let tx = 0; tx < kw; tx++) {
          const oy = iy * strides[0] + ty * dilations[0] - top;
          const ox = ix * strides[1] + tx * dilations[1] - left;
          if (oy < 0 || oy >= outHeight || ox < 0 || ox >= outWidth) continue;
          for (let ci = 0; ci < inChannels; ci++) {
            const input = x[(iy * width + ix) * inChannels + ci];
            for (let co = 0; co < outChannels; co++) {
              const tap = filter[((ty * kw + tx) * inChannels + ci) * outChannels + co];
              y[(oy * outWidth + ox) * outChannels + co] += tap * input;
            }
          }
        }
      }
    }
  }
  return { y, shape: [outHeight, outWidth, outChannels] };
}

/** Largest singular value of the linear map, from its matrix built column by column. */
function bruteForceNorm(apply: (x: Float64Array) => Float64Array, inputSize: number): number {
  const columns: Float64Array[] = [];
  for (let j = 0; j < inputSize; j++) {
    const basis = new Float64Array(inputSize);
    basis[j] = 1;
    columns.push(apply(basis));
  }
  // Gram matrix AᵀA, whose largest eigenvalue is σ².
  const gram = Array.from({ length: inputSize }, (_, i) =>
    Float64Array.from({ length: inputSize }, (_, j) => dot(columns[i], columns[j])),
  );
  return Math.sqrt(Math.max(...jacobiEigenvalues(gram)));
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
function jacobiEigenvalues(matrix: Float64Array[]): number[] {
  const a = matrix.map((row) => Float64Array.from(row));
  const n = a.length;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]);
}

function randomFilter(seed: number, shape: Quad): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal());
}

const SAME_3X3: Geometry = { strides: [1, 1], padding: [1, 1, 1, 1], dilations: [1, 1] };
const PRECISE = { maxIterations: 3000, tolerance: 1e-9 };

describe('convOperatorNorm', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('gives |c| for a single centre tap', () => {
    const c = -1.7;
    const filter = new Float32Array(9);
    filter[4] = c;
    const result = convOperatorNorm(operator('conv2d', [3, 3, 1, 1], filter, [6, 6, 1], SAME_3X3));
    assert.ok(Math.abs(result.operatorNorm - Math.abs(c)) < 1e-5, `norm ${result.operatorNorm}`);
    assert.ok(Math.abs(result.matrixNorm - Math.abs(c)) < 1e-6, `σ(W_mat) ${result.matrixNorm}`);
    assert.ok(result.converged);
  });

  it('gives 2 for a 2x2 ones filter with stride 2', () => {
    const geometry: Geometry = { strides: [2, 2], padding: [0, 0, 0, 0], dilations: [1, 1] };
    const filter = new Float32Array(4).fill(1);
    const result = convOperatorNorm(operator('conv2d', [2, 2, 1, 1], filter, [6, 6, 1], geometry));
    assert.ok(Math.abs(result.operatorNorm - 2) < 1e-5, `norm ${result.operatorNorm}`);
    assert.ok(Math.abs(result.matrixNorm - 2) < 1e-6, `σ(W_mat) ${result.matrixNorm}`);
    // Non-overlapping windows read each input once, so the overlap bound is σ(W_mat) itself.
    assert.ok(Math.abs(result.overlapBound - 2) < 1e-6, `overlap bound ${result.overlapBound}`);
  });

  it('lies between σ(W_mat) and √(kh·kw)·σ(W_mat)', () => {
    const shape: Quad = [3, 3, 2, 3];
    const result = convOperatorNorm(
      operator('conv2d', shape, randomFilter(11, shape), [8, 8, 2], SAME_3X3),
      PRECISE,
    );
    assert.ok(
      result.operatorNorm >= result.matrixNorm * (1 - 1e-5),
      `norm ${result.operatorNorm} < σ(W_mat) ${result.matrixNorm}`,
    );
    assert.ok(
      result.operatorNorm <= 3 * result.matrixNorm,
      `norm ${result.operatorNorm} > 3·σ(W_mat) ${3 * result.matrixNorm}`,
    );
    assert.ok(Math.abs(result.overlapBound - 3 * result.matrixNorm) < 1e-9);
  });

  const convCases: { label: string; geometry: Geometry }[] = [
    { label: 'stride 1, same padding', geometry: SAME_3X3 },
    {
      label: 'stride 2, uneven padding',
      geometry: { strides: [2, 2], padding: [1, 0, 0, 1], dilations: [1, 1] },
    },
    {
      label: 'stride 2x1 and dilation 2',
      geometry: { strides: [2, 1], padding: [2, 2, 1, 1], dilations: [2, 2] },
    },
  ];
  for (const { label, geometry } of convCases) {
    it(`matches the brute-force matrix norm: ${label}`, () => {
      const shape: Quad = [3, 3, 2, 3];
      const filter = randomFilter(21, shape);
      const input: [number, number, number] = [5, 5, 2];
      const expected = bruteForceNorm((x) => naiveConv(x, input, filter, shape, geometry).y, 50);
      const result = convOperatorNorm(operator('conv2d', shape, filter, input, geometry), PRECISE);
      const error = Math.abs(result.operatorNorm - expected) / expected;
      assert.ok(error < 1e-4, `norm ${result.operatorNorm}, expected ${expected}`);
      assert.ok(result.operatorNorm <= result.overlapBound * (1 + 1e-6));
    });
  }

  const transposeCases: { label: string; geometry: Geometry }[] = [
    {
      label: 'stride 2, padding 1 at the start',
      geometry: { strides: [2, 2], padding: [1, 0, 1, 0], dilations: [1, 1] },
    },
    {
      label: 'stride 1, dilation 2',
      geometry: { strides: [1, 1], padding: [1, 1, 0, 2], dilations: [2, 2] },
    },
  ];
  for (const { label, geometry } of transposeCases) {
    it(`matches the brute-force transposed norm: ${label}`, () => {
      const shape: Quad = [3, 3, 2, 3];
      const filter = randomFilter(31, shape);
      const input: [number, number, number] = [3, 3, 2];
      const expected = bruteForceNorm(
        (x) => naiveConvTranspose(x, input, filter, shape, geometry).y,
        18,
      );
      const result = convOperatorNorm(
        operator('convTranspose2d', shape, filter, input, geometry),
        PRECISE,
      );
      const error = Math.abs(result.operatorNorm - expected) / expected;
      assert.ok(error < 1e-4, `norm ${result.operatorNorm}, expected ${expected}`);
    });
  }

  it('rejects a filter whose channels miss the input', () => {
    const shape: Quad = [3, 3, 2, 1];
    const op = operator('conv2d', shape, randomFilter(1, shape), [4, 4, 3], SAME_3X3);
    assert.throws(() => convOperatorNorm(op), /takes 2 channels/);
  });
});

describe('lanczosTopEigenvalue', () => {
  it('finds the top of a clustered spectrum', () => {
    // Eigenvalues 1 - (i/n)² crowd together near the top, where the power iteration is slow.
    const n = 400;
    const diagonal = Float64Array.from({ length: n }, (_, i) => 1 - (i / n) ** 2);
    const apply = (v: Float64Array) => v.map((x, i) => x * diagonal[i]);
    const result = lanczosTopEigenvalue(apply, n, { maxIterations: 150, tolerance: 1e-12 });
    assert.ok(result.value <= 1 + 1e-12, `value ${result.value}`);
    assert.ok(result.value > 1 - 1e-5, `value ${result.value}`);
  });

  it('stays below the top without a stored basis', () => {
    const n = 400;
    const diagonal = Float64Array.from({ length: n }, (_, i) => 1 - (i / n) ** 2);
    const apply = (v: Float64Array) => v.map((x, i) => x * diagonal[i]);
    const options = { maxIterations: 150, tolerance: 0, maxBasisValues: 0 };
    const result = lanczosTopEigenvalue(apply, n, options);
    assert.equal(result.iterations, 150);
    assert.ok(result.value <= 1 + 1e-12, `value ${result.value}`);
    assert.ok(result.value > 1 - 1e-5, `value ${result.value}`);
  });

  it('is exact once the space is exhausted', () => {
    const diagonal = Float64Array.of(0.5, 4, 2);
    const apply = (v: Float64Array) => v.map((x, i) => x * diagonal[i]);
    const result = lanczosTopEigenvalue(apply, 3, { tolerance: 0 });
    assert.ok(Math.abs(result.value - 4) < 1e-12, `value ${result.value}`);
    assert.ok(result.converged);
    assert.ok(result.iterations <= 3, `iterations ${result.iterations}`);
  });
});
