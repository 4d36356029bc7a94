import { CONV_OPS } from './conv';
import { ELEMENTWISE_OPS } from './elementwise';
import { LINEAR_OPS } from './linear';
import { NORM_OPS } from './norm';
import { POOL_OPS } from './pool';
import { RESIZE_OPS } from './resize';
import { SHAPE_OPS } from './shape';
import type { OpImpl } from './types';

/** Every supported operator of the default ONNX domain, by op_type. */
export const OPERATORS: Readonly<Record<string, OpImpl>> = {
  ...ELEMENTWISE_OPS,
  ...LINEAR_OPS,
  ...CONV_OPS,
  ...POOL_OPS,
  ...RESIZE_OPS,
  ...NORM_OPS,
  ...SHAPE_OPS,
};

/** Returns the implementation of a default-domain operator, or undefined when unsupported. */
export function findOperator(opType: string): OpImpl | undefined {
  // An own-property check, so that names such as 'constructor' are not found on the prototype.
  return Object.prototype.hasOwnProperty.call(OPERATORS, opType) ? OPERATORS[opType] : undefined;
}

export function supportedOperators(): string[] {
  return Object.keys(OPERATORS).sort();
}
