import * as tf from '@tensorflow/tfjs-core';
import type { Tensor4D } from '@tensorflow/tfjs-core';

/**
 * Inserts d - 1 zero rows and columns between filter taps: [kh, kw, a, b] to [(kh-1)dh+1, ...].
 * The result is the undilated filter of the same convolution, built from differentiable ops.
 */
export function dilateFilter(filterHwio: Tensor4D, [dh, dw]: [number, number]): Tensor4D {
  if (dh === 1 && dw === 1) return filterHwio;
  const [kh, kw, a, b] = filterHwio.shape;
  // Pad each tap to a d x d block, then drop the trailing zeros of the last block.
  const spread = tf.reshape(filterHwio, [kh, 1, kw, 1, a, b]);
  const padded = tf.pad(spread, [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const blocks = tf.reshape(padded, [kh * dh, kw * dw, a, b]);
  return tf.slice(blocks, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, a, b]) as Tensor4D;
}
