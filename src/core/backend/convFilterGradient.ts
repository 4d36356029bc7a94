import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Computes the gradient of conv2d with respect to its filter from differentiable ops, for
 * backends without a Conv2DBackpropFilter kernel (tfjs-backend-wasm 4.22).
 *
 * For each filter tap (i, j), the input pixels it touches form a strided slice of the padded
 * input, and dW[i, j] = slice^T · dy over all batch and output positions. That is one plain
 * matMul per tap, the same FLOP count as the convolution, and each piece has gradients of its own.
 * Input and output are NHWC; the filter is [height, width, inChannels, outChannels].
 */
export function conv2dFilterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  geometry: ConvGeometry,
): Tensor {
  if (geometry.dataFormat === 'NCHW') {
    throw new Error('The sliced conv2d filter gradient supports NHWC tensors only.');
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    geometry.strides,
    geometry.dilations ?? 1,
    geometry.pad,
    geometry.dimRoundingMode,
  );
  const [kh, kw, inChannels, outChannels] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  const padded = tf.pad(x, [
    [0, 0],
    [top, Math.max(bottom, 0)],
    [left, Math.max(right, 0)],
    [0, 0],
  ]);
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const dyMatrix = tf.reshape(dy, [rows, outChannels]); // [N*Ho*Wo, Cout]
  const taps: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const rowStart = i * info.dilationHeight;
      const colStart = j * info.dilationWidth;
      const patch = tf.stridedSlice(
        padded,
        [0, rowStart, colStart, 0],
        [
          info.batchSize,
          rowStart + (info.outHeight - 1) * info.strideHeight + 1,
          colStart + (info.outWidth - 1) * info.strideWidth + 1,
          inChannels,
        ],
        [1, info.strideHeight, info.strideWidth, 1],
      ); // [N, Ho, Wo, Cin]
      const patchT = tf.transpose(tf.reshape(patch, [rows, inChannels])); // [Cin, N*Ho*Wo]
      taps.push(tf.matMul(patchT, dyMatrix)); // [Cin, Cout]
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, inChannels, outChannels]);
}
