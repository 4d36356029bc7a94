import { PyDict, PyTuple, type PyValue } from './pickleValues';
import { TorchTensor } from './torchTensor';

export interface ParamGroup {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  momentum?: number;
  /** Other scalar settings of the group (`maximize`, `foreach`, `alpha`, ...). */
  other: Record<string, number | boolean | string | null>;
  /** Number of parameters in the group. */
  paramCount: number;
}

/** An optimizer `state_dict()` found in a checkpoint, reduced to configuration facts. */
export interface OptimizerInfo {
  path: string;
  /** Inferred from the per-parameter state: `exp_avg` and `exp_avg_sq` mean Adam or AdamW. */
  type: 'adam' | 'sgd' | 'rmsprop' | 'unknown';
  paramGroups: ParamGroup[];
  /** Number of parameters that have per-parameter state. */
  stateCount: number;
  /** The largest `step` over the parameters, when the state records one. */
  step?: number;
}

const KNOWN_KEYS: Record<string, keyof ParamGroup> = {
  lr: 'lr',
  eps: 'eps',
  weight_decay: 'weightDecay',
  amsgrad: 'amsgrad',
  momentum: 'momentum',
};

/** Reads a dict with `state` and `param_groups` as an optimizer state_dict, or returns undefined. */
export function readOptimizer(dict: PyDict, path: string): OptimizerInfo | undefined {
  const state = dict.get('state');
  const groups = dict.get('param_groups');
  if (!(state instanceof PyDict) || !Array.isArray(groups)) return undefined;

  const info: OptimizerInfo = {
    path,
    type: 'unknown',
    paramGroups: [],
    stateCount: state.map.size,
  };
  for (const group of groups) if (group instanceof PyDict) info.paramGroups.push(readGroup(group));
  for (const entry of state.map.values()) {
    if (!(entry instanceof PyDict)) continue;
    if (entry.map.has('exp_avg') && entry.map.has('exp_avg_sq')) info.type = 'adam';
    else if (entry.map.has('square_avg')) info.type = 'rmsprop';
    else if (entry.map.has('momentum_buffer')) info.type = 'sgd';
    const step = scalarOf(entry.get('step'));
    if (step !== undefined) info.step = Math.max(info.step ?? 0, step);
  }
  return info;
}

function readGroup(group: PyDict): ParamGroup {
  const out: ParamGroup = { other: {}, paramCount: 0 };
  for (const [key, value] of group.map) {
    if (key === 'params') {
      out.paramCount = Array.isArray(value) ? value.length : 0;
    } else if (key === 'betas' && value instanceof PyTuple && value.items.length === 2) {
      const [beta1, beta2] = value.items;
      if (typeof beta1 === 'number' && typeof beta2 === 'number') out.betas = [beta1, beta2];
    } else if (
      typeof key === 'string' &&
      key in KNOWN_KEYS &&
      (typeof value === 'number' || typeof value === 'boolean')
    ) {
      (out as unknown as Record<string, unknown>)[KNOWN_KEYS[key]] = value;
    } else if (
      typeof key === 'string' &&
      (value === null || ['number', 'boolean', 'string'].includes(typeof value))
    ) {
      out.other[key] = value as number | boolean | string | null;
    }
  }
  return out;
}

/** Returns a Python number or a one-element tensor (torch 1.12 and later store `step` so) as a number. */
function scalarOf(value: PyValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof TorchTensor && value.tensor.values.length === 1)
    return value.tensor.values[0];
  return undefined;
}
