import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { isStatic, type Value } from '../values';
import { asTensor, fail, input, type OpContext, type OpImpl } from './types';

/**
 * A static matrix as a tensor, transposed when asked and scaled by `scale`, cached for persistent
 * weights. Transposing once here keeps every matMul plain: tfjs-backend-wasm runs matMul with a
 * transpose flag several times slower than without.
 */
function matrix(value: Value, transpose: boolean, scale: number, context: OpContext): Tensor {
  const build = () => {
    let tensor = asTensor(value, context);
    if (transpose) tensor = tf.transpose(tensor);
    return scale === 1 ? tensor : tf.mul(tensor, scale);
  };
  if (!isStatic(value)) return build();
  return context.cache.get(value, `matrix:${transpose}:${scale}`, build);
}

/** Gemm: alpha·A'·B' + beta·C, with A' and B' optionally transposed and C broadcast. */
const gemm: OpImpl = (inputs, context) => {
  const a = input(inputs, 0, context);
  const b = input(inputs, 1, context);
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    fail(
      context,
      'corrupt',
      `Gemm needs 2-D inputs, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`,
    );
  }
  const alpha = context.attrs.float('alpha', 1);
  const beta = context.attrs.float('beta', 1);
  const left = matrix(a, context.attrs.int('transA', 0) !== 0, 1, context) as Tensor2D;
  const right = matrix(b, context.attrs.int('transB', 0) !== 0, alpha, context) as Tensor2D;
  if (left.shape[1] !== right.shape[0]) {
    fail(context, 'corrupt', `inner dimensions ${left.shape[1]} and ${right.shape[0]} differ`);
  }
  let product: Tensor = tf.matMul(left, right);
  const c = inputs[2];
  if (c !== undefined && beta !== 0) product = tf.add(product, matrix(c, false, beta, context));
  return [product];
};

/** MatMul with numpy semantics: 1-D operands are promoted and the added axis removed again. */
const matMul: OpImpl = (inputs, context) => {
  const a = input(inputs, 0, context);
  const b = input(inputs, 1, context);
  let left = asTensor(a, context);
  let right = asTensor(b, context);
  const squeezeLeft = left.rank === 1;
  const squeezeRight = right.rank === 1;
  if (squeezeLeft) left = tf.reshape(left, [1, -1]);
  if (squeezeRight) right = tf.reshape(right, [-1, 1]);
  const inner = left.shape[left.rank - 1];
  if (inner !== right.shape[right.rank - 2]) {
    fail(context, 'corrupt', `inner dimensions ${inner} and ${right.shape[right.rank - 2]} differ`);
  }
  let product: Tensor;
  if (right.rank === 2) {
    // [..., K] x [K, N]: fold the leading axes into one matrix product.
    const lead = left.shape.slice(0, -1);
    const flat = tf.reshape(left, [-1, inner]) as Tensor2D;
    product = tf.reshape(tf.matMul(flat, right as Tensor2D), [...lead, right.shape[1] as number]);
  } else {
    product = tf.matMul(left, right);
  }
  const shape = product.shape.slice();
  if (squeezeRight) shape.splice(shape.length - 1, 1);
  if (squeezeLeft) shape.splice(shape.length - (squeezeRight ? 1 : 2), 1);
  return [shape.length === product.rank ? product : tf.reshape(product, shape)];
};

export const LINEAR_OPS: Record<string, OpImpl> = { Gemm: gemm, MatMul: matMul };
