import { CheckpointError } from './errors';

/**
 * The role of an allowed global. The parser gives each kind fixed, inert behaviour, and no kind
 * runs code from the file.
 */
export type GlobalKind =
  | 'ordered-dict'
  | 'set'
  | 'frozenset'
  | 'object'
  | 'reconstructor'
  | 'torch-size'
  | 'torch-storage'
  | 'torch-rebuild'
  | 'torch-dtype'
  | 'module-class';

const FIXED: Record<string, GlobalKind> = {
  'collections.OrderedDict': 'ordered-dict',
  'builtins.set': 'set',
  '__builtin__.set': 'set',
  'builtins.frozenset': 'frozenset',
  '__builtin__.frozenset': 'frozenset',
  'builtins.object': 'object',
  '__builtin__.object': 'object',
  'copyreg._reconstructor': 'reconstructor',
  'copy_reg._reconstructor': 'reconstructor',
  'torch.Size': 'torch-size',
  'torch._utils._rebuild_tensor': 'torch-rebuild',
  'torch._utils._rebuild_tensor_v2': 'torch-rebuild',
  'torch._utils._rebuild_parameter': 'torch-rebuild',
  'torch._utils._rebuild_parameter_with_state': 'torch-rebuild',
};

/** Storage classes by name, with the element type each one holds. */
export const TORCH_STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  UntypedStorage: 'uint8',
};

const TORCH_DTYPES = new Set([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Classifies a global named in a pickle, or throws `unsafe` for anything off the allow-list:
 * loading such a file with Python's pickle would import and possibly call that global.
 */
export function classifyGlobal(module: string, name: string, file?: string): GlobalKind {
  const qualified = `${module}.${name}`;
  const fixed = FIXED[qualified];
  if (fixed !== undefined) return fixed;
  if (module === 'torch' && name in TORCH_STORAGE_DTYPES) return 'torch-storage';
  if (module === 'torch' && TORCH_DTYPES.has(name)) return 'torch-dtype';
  if (IDENTIFIER.test(name) && isModuleClassModule(module)) return 'module-class';
  throw new CheckpointError(
    'unsafe',
    `this file is not a plain checkpoint: its pickle references the Python global '${qualified}', ` +
      'which loading it in Python would import and could run. It was not loaded; only tensors, ' +
      'state_dicts and torch.nn module records are accepted.',
    file,
  );
}

/** Modules whose classes may appear as inert module records: torch.nn layers and script classes. */
function isModuleClassModule(module: string): boolean {
  if (module === '__main__') return true;
  if (!module.startsWith('torch.nn.modules.')) return false;
  return module.split('.').every((part) => IDENTIFIER.test(part));
}
