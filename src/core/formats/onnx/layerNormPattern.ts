import type { LayerInfo } from '../../nets/model';
import type { GraphNode } from './graph';
import { isStatic, type Value } from './values';

/** One node on the input's path as the trace saw it, with its described layer. */
export interface TracedLayer {
  node: GraphNode;
  inputs: readonly (Value | undefined)[];
  layer: LayerInfo;
}

/**
 * Collapses the opset-13 export of LayerNorm into one `layerNorm` layer. PyTorch writes
 * LayerNorm before opset 17 as
 *   m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2)); y = Div(d, Sqrt(Add(v, eps)))
 * followed by Mul(y, gamma) and Add(·, beta) when the norm is affine. The matched nodes are
 * replaced by one entry at the position of the first; every other layer is kept as it is.
 */
export function collapseLayerNorms(traced: readonly TracedLayer[]): LayerInfo[] {
  const producer = new Map<string, TracedLayer>();
  const consumers = new Map<string, TracedLayer[]>();
  for (const entry of traced) {
    for (const output of entry.node.outputs) producer.set(output, entry);
    for (const input of entry.node.inputs)
      consumers.set(input, [...(consumers.get(input) ?? []), entry]);
  }

  const replaced = new Map<TracedLayer, LayerInfo | null>();
  for (const entry of traced) {
    if (entry.node.opType !== 'Div' || replaced.has(entry)) continue;
    const match = matchAt(entry, producer, consumers);
    if (match === undefined) continue;
    const [first, ...rest] = match.members;
    replaced.set(first, match.layer);
    for (const member of rest) replaced.set(member, null);
  }

  const out: LayerInfo[] = [];
  for (const entry of traced) {
    const replacement = replaced.get(entry);
    if (replacement === undefined) out.push(entry.layer);
    else if (replacement !== null) out.push(replacement);
  }
  return out;
}

interface Match {
  members: TracedLayer[];
  layer: LayerInfo;
}

function matchAt(
  div: TracedLayer,
  producer: Map<string, TracedLayer>,
  consumers: Map<string, TracedLayer[]>,
): Match | undefined {
  const from = (entry: TracedLayer | undefined, index: number, opType: string) => {
    const found = entry === undefined ? undefined : producer.get(entry.node.inputs[index]);
    return found?.node.opType === opType ? found : undefined;
  };
  const sub = from(div, 0, 'Sub');
  const mean = from(sub, 1, 'ReduceMean');
  const sqrt = from(div, 1, 'Sqrt');
  const addEpsilon = from(sqrt, 0, 'Add');
  const variance = from(addEpsilon, 0, 'ReduceMean');
  const pow = from(variance, 0, 'Pow');
  if (!sub || !mean || !sqrt || !addEpsilon || !variance || !pow) return undefined;
  if (mean.node.inputs[0] !== sub.node.inputs[0] || pow.node.inputs[0] !== sub.node.outputs[0]) {
    return undefined;
  }
  if (scalar(pow.inputs[1]) !== 2) return undefined;

  const members = [mean, sub, pow, variance, addEpsilon, sqrt, div];
  const scale = soleConsumer(div, consumers, 'Mul');
  const shift = scale && soleConsumer(scale, consumers, 'Add');
  const weights = [];
  if (scale !== undefined) {
    members.push(scale);
    weights.push(...scale.layer.weights.map((w) => ({ ...w, name: `${w.name} (gamma)` })));
  }
  if (shift !== undefined) {
    members.push(shift);
    weights.push(...shift.layer.weights.map((w) => ({ ...w, name: `${w.name} (beta)` })));
  }
  const layer: LayerInfo = {
    name: mean.node.name,
    kind: 'layerNorm',
    op: 'LayerNormalization (decomposed)',
    weights,
  };
  return { members, layer };
}

/** Returns the only node reading `entry`'s output if it has `opType` and a static float operand. */
function soleConsumer(
  entry: TracedLayer,
  consumers: Map<string, TracedLayer[]>,
  opType: string,
): TracedLayer | undefined {
  const readers = consumers.get(entry.node.outputs[0]) ?? [];
  if (readers.length !== 1 || readers[0].node.opType !== opType) return undefined;
  return readers[0].inputs.some((value) => isStatic(value) && value.dtype === 'float')
    ? readers[0]
    : undefined;
}

function scalar(value: Value | undefined): number | undefined {
  return isStatic(value) && value.data.length === 1 ? value.data[0] : undefined;
}
