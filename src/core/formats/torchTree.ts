import { CheckpointError } from './errors';
import { PyDict, PyObject, PyTuple, type PyValue } from './pickleValues';
import type { StateDict } from './tensor';
import { TorchTensor } from './torchTensor';
import { readModuleTree, type ModuleRecord } from './torchModule';
import { readOptimizer, type OptimizerInfo } from './torchOptimizer';

export type StateDictRole = 'critic' | 'generator' | 'unknown';

/** A dict of tensors found in the file, with where it sits and what it appears to be. */
export interface StateDictCandidate {
  /** Keys from the root to the dict joined by `/`, or '' when the file is the state_dict itself. */
  path: string;
  stateDict: StateDict;
  role: StateDictRole;
  /** Reason for the role, for the report. */
  reason: string;
  /** Rows of the last weight tensor: 1 for a critic. */
  outputWidth?: number;
}

export interface NonFiniteCount {
  /** Tensor name, prefixed by the state_dict path when it is not the root. */
  name: string;
  count: number;
  size: number;
}

export interface CheckpointContents {
  kind: 'state-dict' | 'training-checkpoint' | 'module' | 'other';
  stateDicts: StateDictCandidate[];
  /** The critic when exactly one candidate qualifies by name or by output width. */
  critic?: StateDictCandidate;
  optimizers: OptimizerInfo[];
  /** Scalar entries outside the state_dicts (iteration counters, hyper-parameters), by path. */
  config: Record<string, string | number | boolean | null | (string | number | boolean | null)[]>;
  /** The module tree of a whole-module pickle (`torch.save(module)`). */
  module?: ModuleRecord;
  nonFinite: NonFiniteCount[];
}

const MAX_DEPTH = 32;

/** Classifies the unpickled object: a state_dict, a training checkpoint, or a pickled module. */
export function interpretCheckpoint(root: PyValue, file?: string): CheckpointContents {
  const contents: CheckpointContents = {
    kind: 'other',
    stateDicts: [],
    optimizers: [],
    config: {},
    nonFinite: [],
  };
  if (root instanceof PyObject) {
    contents.kind = 'module';
    const { tree, stateDict } = readModuleTree(root, file);
    contents.module = tree;
    contents.stateDicts.push(candidate('', stateDict, tree.className));
  } else {
    walk(root, [], contents, new Set(), file);
    const isRoot = contents.stateDicts.length === 1 && contents.stateDicts[0].path === '';
    if (isRoot) contents.kind = 'state-dict';
    else if (contents.stateDicts.length > 0) contents.kind = 'training-checkpoint';
  }
  contents.critic = chooseCritic(contents.stateDicts);
  for (const entry of contents.stateDicts) {
    for (const [name, tensor] of entry.stateDict) {
      if (tensor.nonFinite > 0) {
        const full = entry.path === '' ? name : `${entry.path}/${name}`;
        contents.nonFinite.push({
          name: full,
          count: tensor.nonFinite,
          size: tensor.values.length,
        });
      }
    }
  }
  return contents;
}

function walk(
  value: PyValue,
  path: string[],
  contents: CheckpointContents,
  seen: Set<object>,
  file?: string,
): void {
  if (path.length > MAX_DEPTH)
    throw new CheckpointError(
      'unsupported',
      `the object nests deeper than ${MAX_DEPTH} levels.`,
      file,
    );
  if (value instanceof PyDict) {
    if (seen.has(value)) return;
    seen.add(value);
    const stateDict = asStateDict(value);
    if (stateDict !== undefined) {
      contents.stateDicts.push(candidate(path.join('/'), stateDict, path.join('/')));
      return;
    }
    const optimizer = readOptimizer(value, path.join('/'));
    if (optimizer !== undefined) {
      contents.optimizers.push(optimizer);
      return;
    }
    for (const [key, item] of value.map)
      walkChild(item, [...path, String(key)], contents, seen, file);
  } else if (Array.isArray(value) || value instanceof PyTuple) {
    if (seen.has(value)) return;
    seen.add(value);
    const items = Array.isArray(value) ? value : value.items;
    items.forEach((item, i) => walkChild(item, [...path, String(i)], contents, seen, file));
  } else if (value instanceof PyObject) {
    // A module nested inside a checkpoint dict: keep its parameters as a candidate.
    if (seen.has(value)) return;
    seen.add(value);
    const { tree, stateDict } = readModuleTree(value, file);
    contents.module ??= tree;
    contents.stateDicts.push(
      candidate(path.join('/'), stateDict, `${path.join('/')} ${tree.className}`),
    );
  }
}

function walkChild(
  value: PyValue,
  path: string[],
  contents: CheckpointContents,
  seen: Set<object>,
  file?: string,
): void {
  const scalar = asScalar(value);
  if (scalar !== undefined) contents.config[path.join('/')] = scalar;
  else walk(value, path, contents, seen, file);
}

function asScalar(value: PyValue): CheckpointContents['config'][string] | undefined {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyTuple || Array.isArray(value)) {
    const items = value instanceof PyTuple ? value.items : value;
    const scalars = items.map(asScalar);
    if (items.length <= 64 && scalars.every((item) => item !== undefined && !Array.isArray(item))) {
      return scalars as (string | number | boolean | null)[];
    }
  }
  return undefined;
}

/** Returns the dict as a state_dict when it is non-empty with string keys and only tensor values. */
function asStateDict(dict: PyDict): StateDict | undefined {
  if (dict.map.size === 0) return undefined;
  const out: StateDict = new Map();
  for (const [key, value] of dict.map) {
    if (typeof key !== 'string' || !(value instanceof TorchTensor)) return undefined;
    out.set(key, value.tensor);
  }
  return out;
}

const CRITIC_WORDS = new Set(['critic', 'discriminator', 'disc', 'd', 'netd', 'dis']);
const GENERATOR_WORDS = new Set(['generator', 'gen', 'g', 'netg']);

/** Splits a path into lower-case words: `netD_state` gives net, d, netd, state. */
function pathWords(label: string): string[] {
  const words: string[] = [];
  for (const part of label.split(/[^A-Za-z0-9]+/).filter(Boolean)) {
    words.push(part.toLowerCase());
    for (const piece of part.split(/(?<=[a-z])(?=[A-Z])/)) words.push(piece.toLowerCase());
  }
  return words;
}

function candidate(path: string, stateDict: StateDict, label: string): StateDictCandidate {
  const outputWidth = lastWeightRows(stateDict);
  const words = pathWords(label);
  const byName = words.some((word) => CRITIC_WORDS.has(word))
    ? 'critic'
    : words.some((word) => GENERATOR_WORDS.has(word))
      ? 'generator'
      : undefined;
  if (byName !== undefined)
    return {
      path,
      stateDict,
      role: byName,
      reason: `the name '${label}' says ${byName}`,
      outputWidth,
    };
  if (outputWidth === 1)
    return { path, stateDict, role: 'critic', reason: 'its last layer has 1 output', outputWidth };
  const reason =
    outputWidth === undefined
      ? 'it has no weight matrix'
      : `its last layer has ${outputWidth} outputs`;
  return { path, stateDict, role: 'unknown', reason, outputWidth };
}

function lastWeightRows(stateDict: StateDict): number | undefined {
  let rows: number | undefined;
  for (const [name, tensor] of stateDict) {
    if (name.endsWith('weight') && tensor.shape.length >= 2) rows = tensor.shape[0];
  }
  return rows;
}

function chooseCritic(candidates: StateDictCandidate[]): StateDictCandidate | undefined {
  const critics = candidates.filter((entry) => entry.role === 'critic');
  if (critics.length === 1) return critics[0];
  const narrow = critics.filter((entry) => entry.outputWidth === 1);
  return narrow.length === 1 ? narrow[0] : undefined;
}

/**
 * Returns the state_dict at `path`, or the critic when no path is given. Throws `ambiguous`
 * listing the candidates when the file contains several and none is clearly the critic.
 */
export function selectStateDict(
  contents: CheckpointContents,
  path?: string,
  file?: string,
): StateDictCandidate {
  const list = contents.stateDicts
    .map((entry) => `'${entry.path}' (${entry.role}: ${entry.reason})`)
    .join(', ');
  if (path !== undefined) {
    const found = contents.stateDicts.find((entry) => entry.path === path);
    if (found === undefined)
      throw new CheckpointError(
        'not-found',
        `no state_dict at '${path}'; the file has ${list || 'none'}.`,
        file,
      );
    return found;
  }
  if (contents.critic !== undefined) return contents.critic;
  if (contents.stateDicts.length === 1) return contents.stateDicts[0];
  if (contents.stateDicts.length === 0)
    throw new CheckpointError(
      'not-a-checkpoint',
      'the file holds no tensors that form a state_dict.',
      file,
    );
  throw new CheckpointError(
    'ambiguous',
    `several state_dicts could be the critic: ${list}. Choose one by its path.`,
    file,
  );
}
