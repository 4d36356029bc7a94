import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors';
import { findOperator, supportedOperators } from './ops';
import { Attributes, describe, type OpContext, type OpImpl } from './ops/types';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from './proto';
import { decodeTensorProto } from './tensor';
import { isStatic, TensorCache, tensorToStatic, type StaticTensor, type Value } from './values';

/** Oldest default-domain opset accepted: opset 7 introduced numpy-style broadcasting. */
export const MIN_OPSET = 7;

export interface GraphNode extends OpContext {
  readonly index: number;
  readonly inputs: readonly string[];
  readonly impl: OpImpl;
  /** True when every input is a constant, so the outputs were computed once at load time. */
  folded: boolean;
}

/** Called after each node runs, with its input and output values. */
export type NodeObserver = (
  node: GraphNode,
  inputs: readonly (Value | undefined)[],
  outputs: readonly Value[],
) => void;

/** Returns the default-domain opset that a model imports, rejecting models without one. */
export function defaultOpset(model: ModelProto, file?: string): number {
  const entry = model.opsetImport.find(
    (opset) => opset.domain === '' || opset.domain === 'ai.onnx',
  );
  if (entry === undefined) {
    throw new CheckpointError(
      'unsupported',
      'the model imports no default (ai.onnx) operator set',
      file,
    );
  }
  if (entry.version < MIN_OPSET) {
    throw new CheckpointError(
      'unsupported',
      `the model uses ONNX opset ${entry.version}; opset ${MIN_OPSET} or later is supported (re-export it with a newer opset)`,
      file,
    );
  }
  return entry.version;
}

/**
 * An ONNX graph made executable with tfjs ops. Nodes are validated and topologically sorted at
 * construction, constant subgraphs are folded once, and `run` evaluates the rest on each call.
 */
export class OnnxGraph {
  readonly nodes: GraphNode[];
  readonly constants = new Map<string, StaticTensor>();
  readonly cache = new TensorCache();

  constructor(
    readonly proto: GraphProto,
    readonly opset: number,
    readonly file?: string,
    maxTensorBytes?: number,
  ) {
    let total = 0;
    for (const initializer of proto.initializer) {
      const value = decodeTensorProto(initializer, { file, maxTensorBytes, persistent: true });
      total += value.data.byteLength;
      if (maxTensorBytes !== undefined && total > maxTensorBytes) {
        throw new CheckpointError(
          'too-large',
          `initializers exceed the limit of ${maxTensorBytes} bytes`,
          file,
        );
      }
      this.constants.set(initializer.name, value);
    }
    rejectUnsupported(proto.node, opset, file);
    const prepared = proto.node.map((node, index) => this.prepare(node, index));
    releaseTensorData(proto);
    this.nodes = sortTopologically(
      prepared,
      new Set([...this.constants.keys(), ...proto.input.map((v) => v.name)]),
      file,
    );
    try {
      this.fold();
    } catch (error) {
      this.cache.dispose();
      throw error;
    }
  }

  private prepare(node: NodeProto, index: number): GraphNode {
    const name = node.name !== '' ? node.name : `${node.opType}_${index}`;
    const base = { name, opType: node.opType, opset: this.opset };
    const impl = findOperator(node.opType)!;
    return {
      ...base,
      index,
      inputs: node.input,
      outputs: node.output,
      impl,
      attrs: new Attributes(node.attribute, () => describe(base), this.file),
      cache: this.cache,
      folded: false,
    };
  }

  /** Evaluates nodes whose inputs are all constants, once, and stores their outputs as constants. */
  private fold(): void {
    for (const node of this.nodes) {
      const inputs = node.inputs.map((name) =>
        name === '' ? undefined : this.constants.get(name),
      );
      if (node.inputs.some((name, i) => name !== '' && inputs[i] === undefined)) continue;
      let outputs: StaticTensor[] = [];
      tf.tidy(() => {
        outputs = this.evaluate(node, inputs).map((value) =>
          isStatic(value) ? value : tensorToStatic(value, true),
        );
      });
      node.outputs.forEach((name, i) => {
        if (name !== '' && outputs[i] !== undefined)
          this.constants.set(name, { ...outputs[i], persistent: true });
      });
      node.folded = true;
    }
  }

  /** Runs the graph on `feeds` and returns the named values; call inside tf.tidy. */
  run(
    feeds: ReadonlyMap<string, Tensor>,
    outputNames: readonly string[],
    observer?: NodeObserver,
  ): Value[] {
    const values = new Map<string, Value>(this.constants);
    for (const [name, tensor] of feeds) values.set(name, tensor);
    for (const node of this.nodes) {
      if (node.folded) continue;
      const inputs = node.inputs.map((name) => {
        if (name === '') return undefined;
        const value = values.get(name);
        if (value === undefined)
          throw new CheckpointError(
            'corrupt',
            `${describe(node)}: input '${name}' has no value`,
            this.file,
          );
        return value;
      });
      const outputs = this.evaluate(node, inputs);
      node.outputs.forEach((name, i) => {
        if (name !== '' && outputs[i] !== undefined) values.set(name, outputs[i]);
      });
      if (observer !== undefined) this.observe(observer, node, inputs, outputs);
    }
    return outputNames.map((name) => {
      const value = values.get(name);
      if (value === undefined)
        throw new CheckpointError('corrupt', `graph output '${name}' is not computed`, this.file);
      return value;
    });
  }

  private observe(
    observer: NodeObserver,
    node: GraphNode,
    inputs: (Value | undefined)[],
    outputs: Value[],
  ): void {
    try {
      observer(node, inputs, outputs);
    } catch (error) {
      throw asCheckpointError(error, node, this.file);
    }
  }

  /** Runs one node; any error other than a CheckpointError is reported with the node it came from. */
  private evaluate(node: GraphNode, inputs: (Value | undefined)[]): Value[] {
    try {
      return node.impl(inputs, node);
    } catch (error) {
      throw asCheckpointError(error, node, this.file);
    }
  }

  dispose(): void {
    this.cache.dispose();
  }
}

/**
 * Drops the encoded tensor data of initializers and attributes once it is decoded. Raw data are
 * views into the file's bytes, so keeping them would keep the whole file in memory.
 */
function releaseTensorData(proto: GraphProto): void {
  const release = (tensor: TensorProto) => {
    tensor.rawData = undefined;
    tensor.floatData = [];
    tensor.int32Data = [];
    tensor.int64Data = [];
    tensor.uint64Data = [];
    tensor.doubleData = [];
  };
  proto.initializer.forEach(release);
  for (const node of proto.node) {
    for (const attribute of node.attribute) if (attribute.t !== undefined) release(attribute.t);
  }
}

/** Reports an error raised while running a node as a CheckpointError naming that node. */
function asCheckpointError(error: unknown, node: GraphNode, file?: string): CheckpointError {
  if (error instanceof CheckpointError) {
    return error.file === undefined && file !== undefined
      ? new CheckpointError(error.code, error.message, file)
      : error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CheckpointError('corrupt', `${describe(node)} failed: ${message}`, file);
}

/** Rejects, before anything runs, every node whose domain or operator is not supported. */
function rejectUnsupported(nodes: readonly NodeProto[], opset: number, file?: string): void {
  const problems = new Map<string, string>();
  for (const [index, node] of nodes.entries()) {
    const name = node.name !== '' ? node.name : `#${index}`;
    const foreign = node.domain !== '' && node.domain !== 'ai.onnx';
    if (!foreign && findOperator(node.opType) !== undefined) continue;
    const key = `${node.domain}:${node.opType}`;
    if (problems.has(key)) continue;
    const domain = foreign ? ` from domain '${node.domain}'` : '';
    problems.set(key, `operator '${node.opType}'${domain} (node '${name}', opset ${opset})`);
  }
  if (problems.size === 0) return;
  const list = [...problems.values()].join('; ');
  throw new CheckpointError(
    'unsupported',
    `unsupported ${list}. Supported operators: ${supportedOperators().join(', ')}.`,
    file,
  );
}

/** Orders nodes so that every input is produced before it is read. */
function sortTopologically(nodes: GraphNode[], available: Set<string>, file?: string): GraphNode[] {
  const producers = new Map<string, GraphNode>();
  for (const node of nodes) {
    for (const output of node.outputs) {
      if (output === '') continue;
      if (producers.has(output) || available.has(output)) {
        throw new CheckpointError(
          'corrupt',
          `${describe(node)}: output '${output}' is defined twice`,
          file,
        );
      }
      producers.set(output, node);
    }
  }
  for (const node of nodes) {
    for (const name of node.inputs) {
      if (name !== '' && !available.has(name) && !producers.has(name)) {
        throw new CheckpointError(
          'corrupt',
          `${describe(node)}: input '${name}' is not produced by any node, initializer or graph input`,
          file,
        );
      }
    }
  }
  // ONNX requires nodes in topological order, and keeping the file's order keeps the layer list in
  // the order the exporter wrote it. Unsorted graphs are sorted in waves of ready nodes.
  const seen = new Set(available);
  const inOrder = nodes.every((node) => {
    const ready = node.inputs.every((name) => name === '' || seen.has(name));
    for (const output of node.outputs) seen.add(output);
    return ready;
  });
  if (inOrder) return nodes;

  const sorted: GraphNode[] = [];
  const done = new Set(available);
  let pending = nodes;
  while (pending.length > 0) {
    const ready = pending.filter((node) =>
      node.inputs.every((name) => name === '' || done.has(name)),
    );
    if (ready.length === 0) {
      throw new CheckpointError(
        'corrupt',
        `the graph has a cycle through ${describe(pending[0])}`,
        file,
      );
    }
    const readySet = new Set(ready);
    for (const node of ready) {
      sorted.push(node);
      for (const output of node.outputs) done.add(output);
    }
    pending = pending.filter((node) => !readySet.has(node));
  }
  return sorted;
}
