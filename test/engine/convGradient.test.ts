/*
 * First-order gradients of tf.conv2d with respect to its input and filter, against the float64
 * reference, through the registered Conv2D gradient. The dilated cases failed before that
 * gradient handled dilation rates: on cpu the input gradient was wrong and the filter gradient
 * threw, because conv2dTranspose and the cpu Conv2DBackpropFilter kernel both ignore dilations.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { Rng } from '../../src/core/rng';
import { conv2dLayer, type PaddingMode } from '../helpers/float64Reference';
import { finiteDifferenceGradient } from '../helpers/finiteDifference';

interface ConvCase {
  size: number;
  kernel: number;
  stride: number;
  pad: PaddingMode;
  dilation: number;
}

const CASES: ConvCase[] = [
  { size: 7, kernel: 3, stride: 2, pad: 'same', dilation: 1 },
  { size: 6, kernel: 3, stride: 1, pad: 'valid', dilation: 1 },
  { size: 8, kernel: 3, stride: 1, pad: 'same', dilation: 2 },
  { size: 7, kernel: 2, stride: 1, pad: 'valid', dilation: 3 },
];

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('conv2d gradient', function () {
  before(async function () {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const c of CASES) {
    const label = `${c.size}×${c.size}, ${c.kernel}×${c.kernel}, stride ${c.stride}, '${c.pad}', dilation ${c.dilation}`;

    it(`matches the reference: ${label}`, function () {
      const rng = new Rng(51);
      const shape: [number, number, number, number] = [2, c.size, c.size, 2];
      const filterShape: [number, number, number, number] = [c.kernel, c.kernel, 2, 3];
      const x = Float64Array.from(rng.uniforms(2 * c.size * c.size * 2, -1, 1));
      const filter = Float64Array.from(rng.uniforms(c.kernel * c.kernel * 2 * 3, -1, 1));
      const layer = conv2dLayer(
        filter,
        new Float64Array(3),
        filterShape,
        c.stride,
        c.pad,
        'conv',
        c.dilation,
      );
      const pass = layer.forward(x, shape);
      // A random weighting of the outputs: the objective is Σ weighting·conv2d(x, filter).
      const weighting = Float64Array.from(rng.uniforms(pass.output.length, -1, 1));
      const expectedInput = pass.backward(weighting);
      const objective = () =>
        layer.forward(x, shape).output.reduce((a, y, i) => a + y * weighting[i], 0);
      const [expectedFilter] = finiteDifferenceGradient(objective, [layer.parameters[0]]);

      const [inputGradient, filterGradient] = tf.tidy(() => {
        const weights = tf.tensor(Float32Array.from(weighting), pass.shape);
        const f = (input: Tensor, kernel: Tensor) =>
          tf.sum(
            tf.mul(
              tf.conv2d(input as Tensor4D, kernel as Tensor4D, c.stride, c.pad, 'NHWC', c.dilation),
              weights,
            ),
          );
        const grads = tf.grads(f)([
          tf.tensor(Float32Array.from(x), shape),
          tf.tensor(Float32Array.from(filter), filterShape),
        ]);
        return grads.map((g) => g.dataSync());
      });
      assert.ok(maxAbsDifference(inputGradient, expectedInput) <= 1e-5, 'input gradient differs');
      assert.ok(
        maxAbsDifference(filterGradient, expectedFilter.values) <= 1e-4,
        'filter gradient differs',
      );
    });
  }
});
