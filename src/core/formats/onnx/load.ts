import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { readFile, stat } from 'node:fs/promises';
import type { DifferentiableModel, LayerInfo } from '../../nets/model';
import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from '../errors';
import { defaultOpset, OnnxGraph } from './graph';
import { collapseLayerNorms, type TracedLayer } from './layerNormPattern';
import { describeLayer } from './layers';
import { decodeModel, type Dimension, type ModelProto, type ValueInfoProto } from './proto';
import { DataType, dataTypeName } from './tensor';
import { isStatic, sizeOf, type Value } from './values';

export interface OnnxLoadOptions {
  /** Name of the graph input to feed; needed only when several float inputs qualify. */
  inputName?: string;
  limits?: Partial<ReadLimits>;
}

/** A loaded ONNX model, with the choice of input spelled out for reports. */
export interface OnnxModel extends DifferentiableModel {
  readonly inputName: string;
  readonly outputName: string;
  readonly opset: number;
}

const FLOAT_TYPES: ReadonlySet<number> = new Set([
  DataType.float,
  DataType.float16,
  DataType.double,
  DataType.bfloat16,
]);

/** Decodes the bytes of an ONNX file, with the size check that comes first. */
export function decodeOnnx(
  bytes: Uint8Array,
  file?: string,
  limits: Partial<ReadLimits> = {},
): ModelProto {
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  if (bytes.length > maxFileBytes) {
    throw new CheckpointError(
      'too-large',
      `the file has ${bytes.length} bytes, over the limit of ${maxFileBytes}`,
      file,
    );
  }
  const model = decodeModel(bytes, file);
  if (
    model.graph === undefined ||
    (model.graph.node.length === 0 && model.graph.output.length === 0)
  ) {
    throw new CheckpointError(
      'not-a-checkpoint',
      'this is not an ONNX model: it has no graph',
      file,
    );
  }
  if (model.functionCount > 0) {
    throw new CheckpointError(
      'unsupported',
      'models with local functions are not supported; export them inlined',
      file,
    );
  }
  return model;
}

/**
 * Reads an ONNX model into a differentiable tfjs function. Loading checks the operators and
 * folds constants. When every per-sample dimension of the input is fixed, it also runs one batch
 * of zeros through the graph to find each layer's input shape and the output size, so a model
 * that cannot run fails here rather than on first use.
 */
export function readOnnxModel(
  bytes: Uint8Array,
  file?: string,
  options: OnnxLoadOptions = {},
): OnnxModel {
  return asReadError(file, () => {
    const model = decodeOnnx(bytes, file, options.limits);
    const opset = defaultOpset(model, file);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const graph = new OnnxGraph(model.graph!, opset, file, limits.maxTensorBytes);
    try {
      return buildModel(graph, options, file);
    } catch (error) {
      graph.dispose();
      throw error;
    }
  });
}

/** Reads an ONNX file from disk, checking its size against `maxFileBytes` before reading it. */
export async function readOnnxFile(
  file: string,
  options: OnnxLoadOptions = {},
): Promise<OnnxModel> {
  const maxFileBytes = options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new CheckpointError('not-found', 'the file was not found', file);
  }
  if (size > maxFileBytes) {
    throw new CheckpointError(
      'too-large',
      `the file has ${size} bytes, over the limit of ${maxFileBytes}`,
      file,
    );
  }
  return readOnnxModel(await readFile(file), file, options);
}

/**
 * Runs a reader step so that only CheckpointErrors escape. Every known failure is already one;
 * anything else (a tfjs error outside a node, say) is reported as a corrupt file with its message.
 */
export function asReadError<T>(file: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CheckpointError('corrupt', `the ONNX model could not be read: ${message}`, file);
  }
}

function buildModel(graph: OnnxGraph, options: OnnxLoadOptions, file?: string): OnnxModel {
  const input = chooseInput(graph, options.inputName, file);
  const output = graph.proto.output[0];
  if (output === undefined)
    throw new CheckpointError('corrupt', 'the graph declares no output', file);

  const dims = input.shape ?? [];
  const inputShape = dims.slice(1).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : -1));
  const fixedBatch = typeof dims[0] === 'number' && dims[0] > 0 ? dims[0] : undefined;
  const traceable = input.shape !== undefined && inputShape.every((dim) => dim > 0);
  const trace = traceable
    ? traceGraph(graph, input.name, output.name, [fixedBatch ?? 1, ...inputShape], file)
    : undefined;

  const signature: Signature = {
    inputName: input.name,
    outputName: output.name,
    rank: input.shape === undefined ? undefined : dims.length,
    inputShape,
    fixedBatch,
    outputSize: trace?.outputSize ?? declaredOutputSize(output),
  };

  const { outputSize } = signature;
  const layers = trace?.layers ?? [];
  return {
    inputName: input.name,
    outputName: output.name,
    opset: graph.opset,
    inputShape,
    outputSize,
    layers,
    apply: (x: Tensor) => applyGraph(graph, signature, x, file),
    dispose: () => graph.dispose(),
  };
}

/**
 * Picks the graph input to feed: the one named, or the only float input of rank 2 or more. Every
 * other graph input without a default (an initializer) would need data that a probe cannot
 * supply, so such graphs are rejected with the list of those inputs.
 */
function chooseInput(
  graph: OnnxGraph,
  requested: string | undefined,
  file?: string,
): ValueInfoProto {
  const inputs = graph.proto.input.filter((value) => !graph.constants.has(value.name));
  const chosen =
    requested === undefined
      ? onlyFloatInput(inputs, file)
      : inputs.find((value) => value.name === requested);
  if (chosen === undefined) {
    throw new CheckpointError(
      'not-found',
      `the graph has no input '${requested}' (inputs: ${inputs.map((v) => v.name).join(', ')})`,
      file,
    );
  }
  const others = inputs.filter((value) => value !== chosen).map((value) => value.name);
  if (others.length > 0) {
    throw new CheckpointError(
      'unsupported',
      `besides '${chosen.name}' the graph needs inputs that cannot be supplied: ${others.join(', ')}`,
      file,
    );
  }
  return chosen;
}

function onlyFloatInput(inputs: ValueInfoProto[], file?: string): ValueInfoProto {
  const candidates = inputs.filter(
    (value) =>
      value.elemType !== undefined &&
      FLOAT_TYPES.has(value.elemType) &&
      (value.shape?.length ?? 0) >= 2,
  );
  if (candidates.length === 0) {
    const listed = inputs
      .map((v) => `${v.name} (${dataTypeName(v.elemType)}, rank ${v.shape?.length ?? '?'})`)
      .join(', ');
    throw new CheckpointError(
      'unsupported',
      `the graph has no float input of rank 2 or more to feed (inputs: ${listed || 'none'})`,
      file,
    );
  }
  if (candidates.length > 1) {
    throw new CheckpointError(
      'ambiguous',
      `the graph has several float inputs (${candidates.map((v) => v.name).join(', ')}); choose one by name`,
      file,
    );
  }
  return candidates[0];
}

function declaredOutputSize(output: ValueInfoProto): number {
  const dims = (output.shape ?? []).slice(1);
  return dims.every((dim): dim is number => typeof dim === 'number' && dim > 0) ? sizeOf(dims) : 1;
}

/** Runs one batch of zeros and records the layers on the input's path and the output size. */
function traceGraph(
  graph: OnnxGraph,
  inputName: string,
  outputName: string,
  shape: number[],
  file?: string,
): { layers: LayerInfo[]; outputSize: number } {
  const traced: TracedLayer[] = [];
  let layers: LayerInfo[] = [];
  let outputSize = 1;
  tf.tidy(() => {
    const dataPath = new Set<Value>();
    const x = tf.zeros(shape);
    dataPath.add(x);
    const [out] = graph.run(new Map([[inputName, x]]), [outputName], (node, inputs, outputs) => {
      if (!inputs.some((value) => value !== undefined && dataPath.has(value))) return;
      const tensors = outputs.filter((value) => !isStatic(value));
      // Shape and Size read the input's shape but are not layers: their outputs are static.
      if (tensors.length === 0) return;
      for (const value of tensors) dataPath.add(value);
      traced.push({ node, inputs, layer: describeLayer(node, inputs) });
    });
    if (isStatic(out) || !dataPath.has(out)) {
      throw new CheckpointError(
        'unsupported',
        `output '${outputName}' does not depend on input '${inputName}'`,
        file,
      );
    }
    if (out.shape[0] !== shape[0]) {
      throw new CheckpointError(
        'unsupported',
        `output '${outputName}' has shape [${out.shape.join(', ')}], which does not keep the batch axis`,
        file,
      );
    }
    outputSize = sizeOf(out.shape.slice(1));
    layers = collapseLayerNorms(traced);
  });
  return { layers, outputSize };
}

/** The input and output contract that `apply` checks and shapes tensors by. */
interface Signature {
  inputName: string;
  outputName: string;
  /** Declared rank of the input, or undefined when the file declares no shape. */
  rank?: number;
  inputShape: readonly number[];
  /** The batch size when the file fixes it (exported without a dynamic batch axis). */
  fixedBatch?: number;
  outputSize: number;
}

function applyGraph(graph: OnnxGraph, signature: Signature, x: Tensor, file?: string): Tensor {
  const { inputName, outputName, rank, inputShape, fixedBatch, outputSize } = signature;
  const mismatch =
    (rank !== undefined && x.rank !== rank) ||
    inputShape.some((dim, i) => dim > 0 && x.shape[i + 1] !== dim);
  if (mismatch) {
    throw new Error(
      `The ONNX model expects input '${inputName}' of shape [batch, ${inputShape.join(', ')}], got [${x.shape.join(', ')}].`,
    );
  }
  try {
    return tf.tidy(() => {
      const [out] = graph.run(new Map([[inputName, tf.cast(x, 'float32')]]), [outputName]);
      const y = isStatic(out) ? tf.tensor(out.data as Float32Array, [...out.shape]) : out;
      if (y.rank <= 2) return y;
      return tf.reshape(y, [y.shape[0], outputSize]);
    });
  } catch (error) {
    if (
      fixedBatch === undefined ||
      x.shape[0] === fixedBatch ||
      !(error instanceof CheckpointError)
    ) {
      throw error;
    }
    const prefix = error.file === undefined ? '' : `${error.file}: `;
    const message = error.message.startsWith(prefix)
      ? error.message.slice(prefix.length)
      : error.message;
    throw new CheckpointError(
      error.code,
      `${message}. The model was exported with a fixed batch size of ${fixedBatch}: ` +
        `feed batches of ${fixedBatch}, or re-export it with a dynamic batch axis ` +
        `(torch.onnx.export(..., dynamic_axes={'${inputName}': {0: 'batch'}}))`,
      file,
    );
  }
}

export type { Dimension };
