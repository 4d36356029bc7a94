import type { ReadLimits } from '../errors';
import { asReadError, decodeOnnx } from './load';
import { findOperator } from './ops';
import type { Dimension, ValueInfoProto } from './proto';
import { dataTypeName, elementCount } from './tensor';

export interface OnnxValueSummary {
  name: string;
  /** Element type name (`float`, `int64`, ...), or `unknown`. */
  dtype: string;
  /** Dimensions: a size, a symbolic name such as `batch`, or null when unknown. */
  dims: (number | string | null)[] | null;
}

export interface OnnxInitializerSummary {
  name: string;
  dtype: string;
  shape: number[];
  parameters: number;
}

export interface OnnxSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: { domain: string; version: number }[];
  graphName: string;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  /** Number of nodes per op_type, with `domain:` prefixed for operators outside the default domain. */
  opHistogram: Record<string, number>;
  nodeCount: number;
  /** Keys of `opHistogram` that readOnnxModel does not support, sorted. */
  unsupportedOps: string[];
  initializers: OnnxInitializerSummary[];
  parameterCount: number;
}

/**
 * Summarises an ONNX file without running it: versions, inputs and outputs with their
 * dimensions, operator counts and initializers with parameter counts. Graph inputs that are
 * initializers (older exporters list them) are not reported as inputs.
 */
export function inspectOnnx(
  bytes: Uint8Array,
  file?: string,
  limits: Partial<ReadLimits> = {},
): OnnxSummary {
  return asReadError(file, () => summarize(bytes, file, limits));
}

function summarize(
  bytes: Uint8Array,
  file: string | undefined,
  limits: Partial<ReadLimits>,
): OnnxSummary {
  const model = decodeOnnx(bytes, file, limits);
  const graph = model.graph!;
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  const opHistogram: Record<string, number> = {};
  for (const node of graph.node) {
    const key =
      node.domain === '' || node.domain === 'ai.onnx'
        ? node.opType
        : `${node.domain}:${node.opType}`;
    opHistogram[key] = (opHistogram[key] ?? 0) + 1;
  }
  const initializers = graph.initializer.map((t) => ({
    name: t.name,
    dtype: dataTypeName(t.dataType),
    shape: [...t.dims],
    parameters: elementCount(t.dims, `initializer '${t.name}'`, file),
  }));
  return {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsets: model.opsetImport.map(({ domain, version }) => ({
      domain: domain === '' ? 'ai.onnx' : domain,
      version,
    })),
    graphName: graph.name,
    inputs: graph.input.filter((v) => !initializerNames.has(v.name)).map(summarizeValue),
    outputs: graph.output.map(summarizeValue),
    opHistogram,
    nodeCount: graph.node.length,
    unsupportedOps: Object.keys(opHistogram)
      .filter((key) => findOperator(key) === undefined)
      .sort(),
    initializers,
    parameterCount: initializers.reduce((total, t) => total + t.parameters, 0),
  };
}

function summarizeValue(value: ValueInfoProto): OnnxValueSummary {
  return {
    name: value.name,
    dtype: dataTypeName(value.elemType),
    dims: value.shape === undefined ? null : value.shape.map((dim: Dimension) => dim ?? null),
  };
}
