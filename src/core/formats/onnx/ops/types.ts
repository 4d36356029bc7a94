import type { Tensor } from '@tensorflow/tfjs-core';
import { CheckpointError, type CheckpointErrorCode } from '../../errors';
import { AttributeType, type AttributeProto } from '../proto';
import { decodeTensorProto } from '../tensor';
import { isStatic, staticToTensor, TensorCache, type StaticTensor, type Value } from '../values';

/** The attributes of one node, decoded once at load time. */
export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();
  private readonly tensors = new Map<string, StaticTensor>();

  constructor(
    attributes: readonly AttributeProto[],
    private readonly describeNode: () => string,
    file?: string,
  ) {
    for (const attribute of attributes) {
      this.byName.set(attribute.name, attribute);
      if (attribute.t !== undefined) {
        this.tensors.set(
          attribute.name,
          decodeTensorProto(attribute.t, { file, persistent: true }),
        );
      }
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  int(name: string, fallback: number): number {
    const attribute = this.byName.get(name);
    if (attribute === undefined) return fallback;
    if (attribute.i === undefined) this.wrongType(name, 'an integer');
    return attribute.i;
  }

  float(name: string, fallback: number): number {
    const attribute = this.byName.get(name);
    if (attribute === undefined) return fallback;
    if (attribute.f !== undefined) return attribute.f;
    // Some exporters write integral float attributes as ints.
    if (attribute.i !== undefined) return attribute.i;
    return this.wrongType(name, 'a float');
  }

  ints(name: string): number[] | undefined {
    const attribute = this.byName.get(name);
    if (attribute === undefined) return undefined;
    if (attribute.type !== AttributeType.undefined && attribute.type !== AttributeType.ints) {
      this.wrongType(name, 'a list of integers');
    }
    return attribute.ints;
  }

  floats(name: string): number[] | undefined {
    return this.byName.get(name)?.floats;
  }

  string(name: string, fallback: string): string {
    const attribute = this.byName.get(name);
    if (attribute === undefined) return fallback;
    if (attribute.s === undefined) this.wrongType(name, 'a string');
    return new TextDecoder().decode(attribute.s);
  }

  tensor(name: string): StaticTensor | undefined {
    return this.tensors.get(name);
  }

  private wrongType(name: string, expected: string): never {
    throw new CheckpointError(
      'corrupt',
      `${this.describeNode()}: attribute '${name}' is not ${expected}`,
    );
  }
}

/** The node and model state passed to an operator implementation. */
export interface OpContext {
  readonly name: string;
  readonly opType: string;
  /** Version of the default (ai.onnx) operator set that the model imports. */
  readonly opset: number;
  readonly attrs: Attributes;
  /** Names of the node's outputs ('' for an omitted optional output). */
  readonly outputs: readonly string[];
  readonly cache: TensorCache;
}

/**
 * An operator: maps the node's inputs (undefined for omitted optional inputs) to its outputs.
 * Implementations build outputs from tfjs ops when an input is a tensor, so gradients flow, and
 * compute in JavaScript when every input is static and small (shape arithmetic).
 */
export type OpImpl = (inputs: readonly (Value | undefined)[], context: OpContext) => Value[];

/**
 * Largest tensor that a shape-creating operator (ConstantOfShape, Expand, Tile) may make: 2^28
 * elements, 1 GiB of float32. A corrupt shape input fails here instead of exhausting memory.
 */
export const MAX_CREATED_ELEMENTS = 2 ** 28;

export function checkCreatedSize(context: OpContext, shape: readonly number[]): void {
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count > MAX_CREATED_ELEMENTS) {
    fail(
      context,
      'too-large',
      `the output shape [${shape.join(', ')}] has more than ${MAX_CREATED_ELEMENTS} elements`,
    );
  }
}

/** Largest static result computed in JavaScript; bigger ones go through tfjs ops. */
export const STATIC_ELEMENT_LIMIT = 1 << 20;

export function describe(context: Pick<OpContext, 'name' | 'opType' | 'opset'>): string {
  return `node '${context.name}' (${context.opType}, opset ${context.opset})`;
}

export function fail(context: OpContext, code: CheckpointErrorCode, message: string): never {
  throw new CheckpointError(code, `${describe(context)}: ${message}`);
}

/** Returns the tensor form of a value. Persistent static values are converted once and cached. */
export function asTensor(value: Value, context: OpContext): Tensor {
  if (!isStatic(value)) return value;
  return context.cache.get(value, 'tensor', () => staticToTensor(value));
}

/** Returns the input at `index`, or raises a CheckpointError when that required input is missing. */
export function input(
  inputs: readonly (Value | undefined)[],
  index: number,
  context: OpContext,
): Value {
  const value = inputs[index];
  if (value === undefined) fail(context, 'corrupt', `required input ${index} is missing`);
  return value;
}
