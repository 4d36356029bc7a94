import { CheckpointError } from './errors';
import { PyDict, PyObject, PySet, PyTuple, type PyValue } from './pickleValues';
import type { StateDict } from './tensor';
import { TorchTensor } from './torchTensor';

/** One module of a pickled `torch.nn.Module` tree, read as data (no Python class is needed). */
export interface ModuleRecord {
  /** The dotted path from the root module ('' for the root). */
  path: string;
  /** The qualified class name, such as `torch.nn.modules.linear.Linear` or `__main__.Discriminator`. */
  className: string;
  /** Scalar attributes from the instance dict (`in_features`, `negative_slope`, `stride`, ...). */
  attributes: Record<
    string,
    number | boolean | string | null | (number | boolean | string | null)[]
  >;
  parameters: { name: string; shape: number[] }[];
  children: ModuleRecord[];
}

const MAX_MODULE_DEPTH = 64;

/** Reads a module object's tree and collects its parameters and persistent buffers as a state_dict. */
export function readModuleTree(
  root: PyObject,
  file?: string,
): { tree: ModuleRecord; stateDict: StateDict } {
  const stateDict: StateDict = new Map();
  const tree = readModule(root, '', stateDict, new Set(), file);
  return { tree, stateDict };
}

function readModule(
  module: PyObject,
  path: string,
  stateDict: StateDict,
  seen: Set<PyObject>,
  file?: string,
): ModuleRecord {
  if (seen.has(module) || path.split('.').length > MAX_MODULE_DEPTH) {
    throw new CheckpointError(
      'corrupt',
      `the module tree loops or nests too deeply at '${path}'.`,
      file,
    );
  }
  seen.add(module);
  const record: ModuleRecord = {
    path,
    className: module.className,
    attributes: {},
    parameters: [],
    children: [],
  };
  const state = module.state instanceof PyDict ? module.state : new PyDict();
  const prefix = path === '' ? '' : `${path}.`;
  const skipped = nonPersistent(state.get('_non_persistent_buffers_set'));

  for (const [key, value] of state.map) {
    if (typeof key !== 'string') continue;
    if (key === '_parameters' || key === '_buffers') {
      if (!(value instanceof PyDict)) continue;
      for (const [name, tensor] of value.map) {
        if (!(tensor instanceof TorchTensor) || typeof name !== 'string') continue;
        if (key === '_buffers' && skipped.has(name)) continue;
        stateDict.set(prefix + name, tensor.tensor);
        if (key === '_parameters') record.parameters.push({ name, shape: tensor.shape });
      }
    } else if (key === '_modules' && value instanceof PyDict) {
      for (const [name, child] of value.map) {
        if (child instanceof PyObject)
          record.children.push(readModule(child, prefix + String(name), stateDict, seen, file));
      }
    } else if (!key.startsWith('_')) {
      const scalar = attributeValue(value);
      if (scalar !== undefined) record.attributes[key] = scalar;
    }
  }
  return record;
}

function nonPersistent(value: PyValue | undefined): Set<string> {
  const items = value instanceof PySet ? value.items : [];
  return new Set(items.filter((item): item is string => typeof item === 'string'));
}

function attributeValue(value: PyValue): ModuleRecord['attributes'][string] | undefined {
  if (value === null || ['number', 'boolean', 'string'].includes(typeof value))
    return value as number | boolean | string | null;
  if (
    value instanceof PyTuple &&
    value.items.every(
      (item) => item === null || ['number', 'boolean', 'string'].includes(typeof item),
    )
  ) {
    return value.items as (number | boolean | string | null)[];
  }
  return undefined;
}
