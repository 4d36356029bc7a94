import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  broadcastBinary,
  broadcastMap,
  broadcastShapes,
  isStatic,
  readNumbers,
  sizeOf,
  staticTensor,
  type ElementKind,
  type StaticTensor,
  type Value,
} from '../values';
import { asTensor, fail, input, STATIC_ELEMENT_LIMIT, type OpContext, type OpImpl } from './types';

type Binary = (a: Tensor, b: Tensor) => Tensor;
type Scalar = (x: number, y: number) => number;

/**
 * Builds a broadcasting binary operator. Static operands are combined in JavaScript (float64, then
 * rounded to float32 for float results); integer division truncates toward zero as ONNX defines.
 */
function binary(tensorOp: Binary, scalarOp: Scalar, result?: ElementKind): OpImpl {
  return (inputs, context) => {
    const a = input(inputs, 0, context);
    const b = input(inputs, 1, context);
    if (isStatic(a) && isStatic(b) && fitsStatic(a, b)) {
      const kind = result ?? a.dtype;
      const integral = kind === 'int';
      const combined = broadcastBinary(a, b, kind, (x, y) => {
        const value = scalarOp(x, y);
        return integral ? Math.trunc(value) : value;
      });
      if (combined === undefined) {
        fail(
          context,
          'corrupt',
          `shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not broadcast`,
        );
      }
      return [combined];
    }
    return [tensorOp(asTensor(a, context), asTensor(b, context))];
  };
}

function fitsStatic(a: StaticTensor, b: StaticTensor): boolean {
  const shape = broadcastShapes(a.shape, b.shape);
  return shape === undefined || sizeOf(shape) <= STATIC_ELEMENT_LIMIT;
}

/** Returns the value of a static one-element tensor, or undefined for anything else. */
function scalarValue(value: Value): number | undefined {
  if (!isStatic(value) || value.data.length !== 1) return undefined;
  return value.data[0];
}

/** Pow with the exponents that exported graphs use (2 for variances, 0.5) mapped to exact ops. */
const pow: OpImpl = (inputs, context) => {
  const base = input(inputs, 0, context);
  const exponent = input(inputs, 1, context);
  const fixed = scalarValue(exponent);
  if (!isStatic(base) && fixed !== undefined && exponent.shape.length === 0) {
    if (fixed === 2) return [tf.square(base)];
    if (fixed === 1) return [base];
    if (fixed === 0.5) return [tf.sqrt(base)];
  }
  return binary(tf.pow, Math.pow)(inputs, context);
};

/** Builds a unary float operator. Static inputs go through the same tfjs op and are folded at load. */
function unary(op: (x: Tensor, context: OpContext) => Tensor): OpImpl {
  return (inputs, context) => [op(asTensor(input(inputs, 0, context), context), context)];
}

const alpha = (context: OpContext, fallback: number) => context.attrs.float('alpha', fallback);

const elu: OpImpl = unary((x, context) => {
  const a = alpha(context, 1);
  if (a === 1) return tf.elu(x);
  return tf.where(tf.greater(x, 0), x, tf.mul(a, tf.sub(tf.exp(tf.minimum(x, 0)), 1)));
});

const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

const selu: OpImpl = unary((x, context) => {
  const a = alpha(context, SELU_ALPHA);
  const gamma = context.attrs.float('gamma', SELU_GAMMA);
  if (Math.abs(a - SELU_ALPHA) < 1e-6 && Math.abs(gamma - SELU_GAMMA) < 1e-6) return tf.selu(x);
  const negative = tf.mul(a, tf.sub(tf.exp(tf.minimum(x, 0)), 1));
  return tf.mul(gamma, tf.where(tf.greater(x, 0), x, negative));
});

const hardSigmoid: OpImpl = unary((x, context) => {
  const slope = alpha(context, 0.2);
  const offset = context.attrs.float('beta', 0.5);
  return tf.clipByValue(tf.add(tf.mul(x, slope), offset), 0, 1);
});

/** PRelu as max(0, x) + slope·min(0, x), which broadcasts the slope as ONNX does. */
const prelu: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  const slope = asTensor(input(inputs, 1, context), context);
  return [tf.add(tf.relu(x), tf.mul(slope, tf.minimum(x, 0)))];
};

/** Clip: bounds are attributes before opset 11 and optional inputs from then on. */
const clip: OpImpl = (inputs, context) => {
  const x = asTensor(input(inputs, 0, context), context);
  let low = -Infinity;
  let high = Infinity;
  if (context.opset < 11) {
    low = context.attrs.float('min', low);
    high = context.attrs.float('max', high);
  } else {
    if (inputs[1] !== undefined) low = readNumbers(inputs[1])[0] ?? low;
    if (inputs[2] !== undefined) high = readNumbers(inputs[2])[0] ?? high;
  }
  // clipByValue needs finite bounds.
  const bound = 3.4e38;
  return [tf.clipByValue(x, Math.max(low, -bound), Math.min(high, bound))];
};

const softmax = (logOutput: boolean): OpImpl =>
  unary((x, context) => {
    const axis = context.attrs.int('axis', context.opset >= 13 ? -1 : 1);
    const resolved = axis < 0 ? axis + x.rank : axis;
    if (context.opset < 13 && resolved !== x.rank - 1) {
      // Before opset 13 the input is flattened to 2-D at `axis`.
      const outer = x.shape.slice(0, resolved).reduce((p, d) => p * d, 1);
      const flat = tf.reshape(x, [outer, -1]);
      return tf.reshape(logOutput ? tf.logSoftmax(flat) : tf.softmax(flat), x.shape);
    }
    if (resolved === x.rank - 1) return logOutput ? tf.logSoftmax(x) : tf.softmax(x);
    const shifted = tf.sub(x, tf.max(x, resolved, true));
    const logSum = tf.log(tf.sum(tf.exp(shifted), resolved, true));
    return logOutput ? tf.sub(shifted, logSum) : tf.exp(tf.sub(shifted, logSum));
  });

const ONNX_CAST_TARGETS: Record<number, ElementKind> = {
  1: 'float',
  10: 'float',
  11: 'float',
  16: 'float',
  9: 'bool',
  2: 'int',
  3: 'int',
  4: 'int',
  5: 'int',
  6: 'int',
  7: 'int',
  12: 'int',
  13: 'int',
};

const cast: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  const to = context.attrs.int('to', 1);
  const kind = ONNX_CAST_TARGETS[to];
  if (kind === undefined)
    fail(context, 'unsupported', `cast to ONNX data type ${to} is not supported`);
  if (isStatic(x)) {
    const convert =
      kind === 'bool'
        ? (v: number) => (v !== 0 ? 1 : 0)
        : kind === 'int'
          ? Math.trunc
          : (v: number) => v;
    return [staticTensor(kind, x.shape, Array.from(x.data, convert))];
  }
  const dtypes = { float: 'float32', bool: 'bool', int: 'int32' } as const;
  return [tf.cast(x, dtypes[kind])];
};

const identity: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  return context.outputs.length > 1
    ? [x, staticTensor('bool', x.shape, new Float64Array(sizeOf(x.shape)).fill(1))]
    : [x];
};

const not: OpImpl = (inputs, context) => {
  const x = input(inputs, 0, context);
  if (isStatic(x))
    return [
      staticTensor(
        'bool',
        x.shape,
        Array.from(x.data, (v) => (v === 0 ? 1 : 0)),
      ),
    ];
  return [tf.logicalNot(tf.cast(x, 'bool'))];
};

const where: OpImpl = (inputs, context) => {
  const condition = input(inputs, 0, context);
  const a = input(inputs, 1, context);
  const b = input(inputs, 2, context);
  if (isStatic(condition) && isStatic(a) && isStatic(b)) {
    const merged = broadcastMap([condition, a, b], a.dtype, ([c, x, y]) => (c !== 0 ? x : y));
    if (merged === undefined) fail(context, 'corrupt', 'Where inputs do not broadcast');
    return [merged];
  }
  const mask = tf.cast(asTensor(condition, context), 'bool');
  const x = asTensor(a, context);
  const y = asTensor(b, context);
  const shape = broadcastShapes(broadcastShapes(mask.shape, x.shape) ?? [], y.shape);
  if (shape === undefined) fail(context, 'corrupt', 'Where inputs do not broadcast');
  return [
    tf.where(tf.broadcastTo(mask, shape), tf.broadcastTo(x, shape), tf.broadcastTo(y, shape)),
  ];
};

export const ELEMENTWISE_OPS: Record<string, OpImpl> = {
  Add: binary(tf.add, (x, y) => x + y),
  Sub: binary(tf.sub, (x, y) => x - y),
  Mul: binary(tf.mul, (x, y) => x * y),
  Div: binary(tf.div, (x, y) => x / y),
  Pow: pow,
  Max: binary(tf.maximum, Math.max),
  Min: binary(tf.minimum, Math.min),
  Equal: binary(tf.equal, (x, y) => (x === y ? 1 : 0), 'bool'),
  Less: binary(tf.less, (x, y) => (x < y ? 1 : 0), 'bool'),
  LessOrEqual: binary(tf.lessEqual, (x, y) => (x <= y ? 1 : 0), 'bool'),
  Greater: binary(tf.greater, (x, y) => (x > y ? 1 : 0), 'bool'),
  GreaterOrEqual: binary(tf.greaterEqual, (x, y) => (x >= y ? 1 : 0), 'bool'),
  And: binary(
    (a, b) => tf.logicalAnd(tf.cast(a, 'bool'), tf.cast(b, 'bool')),
    (x, y) => (x && y ? 1 : 0),
    'bool',
  ),
  Or: binary(
    (a, b) => tf.logicalOr(tf.cast(a, 'bool'), tf.cast(b, 'bool')),
    (x, y) => (x || y ? 1 : 0),
    'bool',
  ),
  Not: not,
  Where: where,
  Relu: unary((x) => tf.relu(x)),
  LeakyRelu: unary((x, context) => tf.leakyRelu(x, alpha(context, 0.01))),
  PRelu: prelu,
  Elu: elu,
  Selu: selu,
  Tanh: unary((x) => tf.tanh(x)),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  HardSigmoid: hardSigmoid,
  Softplus: unary((x) => tf.softplus(x)),
  Softsign: unary((x) => tf.div(x, tf.add(1, tf.abs(x)))),
  Exp: unary((x) => tf.exp(x)),
  Log: unary((x) => tf.log(x)),
  Sqrt: unary((x) => tf.sqrt(x)),
  Reciprocal: unary((x) => tf.reciprocal(x)),
  Neg: unary((x) => tf.neg(x)),
  Abs: unary((x) => tf.abs(x)),
  Erf: unary((x) => tf.erf(x)),
  Floor: unary((x) => tf.floor(x)),
  Ceil: unary((x) => tf.ceil(x)),
  Clip: clip,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Cast: cast,
  Identity: identity,
  // Dropout in inference mode passes its input through; its optional mask output is all true.
  Dropout: identity,
};
