import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from './errors';
import { parsePickle, type PickleHooks } from './pickle';
import { PyDict, PyTuple, describeValue, type PyGlobal, type PyValue } from './pickleValues';
import { DTYPE_BYTES } from './tensor';
import { TorchStorage, TorchTensor, rebuildTensor, storageDType } from './torchTensor';
import { interpretCheckpoint, type CheckpointContents } from './torchTree';
import { openZip, type ZipArchive } from './zip';

/** The number that opens every legacy (pre-1.6, non-zip) `torch.save` file. */
export const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const TORCH_LEGACY_PROTOCOL = 1001;

export interface TorchFile {
  format: 'torch-zip' | 'torch-legacy';
  /** The unpickled object, with storages and tensors as host values. */
  root: PyValue;
  /** The serialization version recorded in the zip's `version` entry. */
  version?: number;
  /** The object's contents: state_dicts, optimizer state, configuration, module tree. */
  contents: CheckpointContents;
}

export interface TorchReadOptions {
  file?: string;
  limits?: ReadLimits;
}

/** Reads a `torch.save` file, zip (PyTorch 1.6 and later) or legacy, without running Python code. */
export function readTorchFile(bytes: Buffer, options: TorchReadOptions = {}): TorchFile {
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (bytes.length > limits.maxFileBytes) {
    throw new CheckpointError(
      'too-large',
      `the file has ${bytes.length} bytes, above the limit of ${limits.maxFileBytes}.`,
      options.file,
    );
  }
  const isZip = bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50;
  const loaded = isZip
    ? readZipFormat(bytes, limits, options.file)
    : readLegacyFormat(bytes, limits, options.file);
  return { ...loaded, contents: interpretCheckpoint(loaded.root, options.file) };
}

class TensorCollector {
  readonly tensors: TorchTensor[] = [];
  totalBytes = 0;

  constructor(
    private readonly limits: ReadLimits,
    private readonly file?: string,
  ) {}

  /** Applies the torch functions that the allow-list admits. */
  call = (fn: PyGlobal, args: PyValue[]): PyValue | undefined => {
    if (fn.module !== 'torch._utils') return undefined;
    if (fn.name === '_rebuild_tensor_v2' || fn.name === '_rebuild_tensor') {
      const tensor = rebuildTensor(args, this.file);
      this.tensors.push(tensor);
      return tensor;
    }
    if (fn.name === '_rebuild_parameter' || fn.name === '_rebuild_parameter_with_state') {
      const data = args[0];
      if (!(data instanceof TorchTensor)) {
        throw new CheckpointError(
          'corrupt',
          `a parameter wraps ${describeValue(data)} instead of a tensor.`,
          this.file,
        );
      }
      data.isParameter = true;
      return data;
    }
    return undefined;
  };

  countStorage(storage: TorchStorage): void {
    this.totalBytes += storage.numel * DTYPE_BYTES[storage.dtype];
    if (this.totalBytes > this.limits.maxTensorBytes) {
      throw new CheckpointError(
        'too-large',
        `the file declares more than ${this.limits.maxTensorBytes} bytes of tensors.`,
        this.file,
      );
    }
  }

  /** Gathers every tensor now, so a storage that is too short fails while loading. */
  materialize(): void {
    for (const tensor of this.tensors) void tensor.tensor;
  }
}

function readZipFormat(
  bytes: Buffer,
  limits: ReadLimits,
  file?: string,
): Omit<TorchFile, 'contents'> {
  const zip = openZip(bytes, { file, limits });
  const top = findTopFolder(zip, file);
  const byteOrder = zip.has(`${top}/byteorder`)
    ? zip.read(`${top}/byteorder`).toString('latin1').trim()
    : 'little';
  if (byteOrder !== 'little') {
    throw new CheckpointError(
      'unsupported',
      `the tensors are stored ${byteOrder}-endian; only little-endian files are supported.`,
      file,
    );
  }
  const collector = new TensorCollector(limits, file);
  const storages = new Map<string, TorchStorage>();
  const persistentLoad = (pid: PyValue): PyValue => {
    const { key, dtype, numel } = storageId(pid, file);
    const known = storages.get(key);
    if (known !== undefined) return known;
    if (!/^[A-Za-z0-9_.-]+$/.test(key))
      throw new CheckpointError('corrupt', `invalid storage key '${key}'.`, file);
    const storage = new TorchStorage(key, dtype, numel);
    collector.countStorage(storage);
    storage.bytes = readStorageEntry(zip, `${top}/data/${key}`, storage, file);
    storages.set(key, storage);
    return storage;
  };
  const hooks: PickleHooks = { persistentLoad, call: collector.call, file };
  const root = parsePickle(zip.read(`${top}/data.pkl`), 0, hooks).value;
  collector.materialize();
  const versionText = zip.has(`${top}/version`)
    ? zip.read(`${top}/version`).toString('latin1').trim()
    : '';
  const version = /^\d+$/.test(versionText) ? Number(versionText) : undefined;
  return { format: 'torch-zip', root, version };
}

/** Finds the archive's top folder: torch names it after the file, not always `archive`. */
function findTopFolder(zip: ZipArchive, file?: string): string {
  const tops = zip.entries
    .map((entry) => /^([^/]+)\/data\.pkl$/.exec(entry.name)?.[1])
    .filter((top) => top !== undefined);
  if (tops.length === 0) {
    throw new CheckpointError(
      'not-a-checkpoint',
      'this zip archive has no <folder>/data.pkl entry, so it is not a torch.save file.',
      file,
    );
  }
  if (tops.length > 1)
    throw new CheckpointError(
      'corrupt',
      `the archive has several data.pkl entries (${tops.join(', ')}).`,
      file,
    );
  return tops[0];
}

function readStorageEntry(
  zip: ZipArchive,
  name: string,
  storage: TorchStorage,
  file?: string,
): Uint8Array {
  if (!zip.has(name))
    throw new CheckpointError('corrupt', `storage entry '${name}' is missing.`, file);
  const data = zip.read(name);
  const needed = storage.numel * DTYPE_BYTES[storage.dtype];
  if (data.length < needed) {
    throw new CheckpointError(
      'corrupt',
      `storage entry '${name}' has ${data.length} bytes but needs ${needed}.`,
      file,
    );
  }
  return data;
}

interface StorageId {
  key: string;
  dtype: TorchStorage['dtype'];
  numel: number;
  /** Legacy views: (view key, element offset, element count) within the root storage. */
  view?: { key: string; offset: number; numel: number };
}

/** Decodes a persistent id `('storage', StorageClass, key, location, numel[, view_metadata])`. */
function storageId(pid: PyValue, file?: string): StorageId {
  const items = pid instanceof PyTuple ? pid.items : [];
  const [tag, type, key, , numel, view] = items;
  if (
    tag !== 'storage' ||
    typeof key !== 'string' ||
    typeof numel !== 'number' ||
    !Number.isSafeInteger(numel) ||
    numel < 0
  ) {
    throw new CheckpointError('corrupt', `invalid persistent id ${describeValue(pid)}.`, file);
  }
  const id: StorageId = { key, dtype: storageDType(type, file), numel };
  if (view instanceof PyTuple) {
    const [viewKey, offset, viewNumel] = view.items;
    if (
      typeof viewKey !== 'string' ||
      typeof offset !== 'number' ||
      typeof viewNumel !== 'number'
    ) {
      throw new CheckpointError('corrupt', `invalid storage view ${describeValue(view)}.`, file);
    }
    id.view = { key: viewKey, offset, numel: viewNumel };
  }
  return id;
}

function readLegacyFormat(
  bytes: Buffer,
  limits: ReadLimits,
  file?: string,
): Omit<TorchFile, 'contents'> {
  if (bytes.length > 262 && bytes.toString('latin1', 257, 262) === 'ustar') {
    throw new CheckpointError(
      'unsupported',
      'this is a tar-format torch.save file (PyTorch before 0.4); re-save it with a recent PyTorch.',
      file,
    );
  }
  const notTorch = () =>
    new CheckpointError(
      'not-a-checkpoint',
      'the file does not start with the torch.save magic number.',
      file,
    );
  let pickle;
  try {
    pickle = parsePickle(bytes, 0, { file });
  } catch (error) {
    if (error instanceof CheckpointError && error.code === 'unsafe') throw error;
    throw notTorch();
  }
  if (pickle.value !== TORCH_LEGACY_MAGIC) throw notTorch();
  const protocol = parsePickle(bytes, pickle.end, { file });
  if (protocol.value !== TORCH_LEGACY_PROTOCOL) {
    throw new CheckpointError(
      'unsupported',
      `legacy torch.save protocol ${describeValue(protocol.value)} is not supported (1001 is).`,
      file,
    );
  }
  const sysInfo = parsePickle(bytes, protocol.end, { file });
  if (sysInfo.value instanceof PyDict && sysInfo.value.get('little_endian') === false) {
    throw new CheckpointError(
      'unsupported',
      'the file was saved on a big-endian machine; only little-endian files are supported.',
      file,
    );
  }

  const collector = new TensorCollector(limits, file);
  const roots = new Map<string, TorchStorage[]>();
  const persistentLoad = (pid: PyValue): PyValue =>
    legacyStorage(storageId(pid, file), roots, collector);
  const object = parsePickle(bytes, sysInfo.end, { persistentLoad, call: collector.call, file });
  const keys = parsePickle(bytes, object.end, { file });
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) {
    throw new CheckpointError(
      'corrupt',
      'the list of storage keys after the object is invalid.',
      file,
    );
  }
  readLegacyRecords(bytes, keys.end, keys.value as string[], roots, file);
  collector.materialize();
  return { format: 'torch-legacy', root: object.value };
}

function legacyStorage(
  id: StorageId,
  roots: Map<string, TorchStorage[]>,
  collector: TensorCollector,
): TorchStorage {
  let family = roots.get(id.key);
  if (family === undefined) {
    const root = new TorchStorage(id.key, id.dtype, id.numel);
    collector.countStorage(root);
    family = [root];
    roots.set(id.key, family);
  }
  if (id.view === undefined) return family[0];
  // NOTE: storage views (view_metadata) come only from PyTorch before 1.0, and no fixture has one.
  const view = new TorchStorage(id.key, id.dtype, id.view.numel, id.view.offset);
  family.push(view);
  return view;
}

/** Reads the raw storage records: for each key, an int64 element count and the little-endian data. */
function readLegacyRecords(
  bytes: Buffer,
  start: number,
  keys: string[],
  roots: Map<string, TorchStorage[]>,
  file?: string,
): void {
  let at = start;
  for (const key of keys) {
    const family = roots.get(key);
    if (family === undefined)
      throw new CheckpointError('corrupt', `storage '${key}' is listed but never used.`, file);
    if (at + 8 > bytes.length)
      throw new CheckpointError('truncated', `the file ends before storage '${key}'.`, file);
    const numel = Number(bytes.readBigInt64LE(at));
    const root = family[0];
    if (numel !== root.numel) {
      throw new CheckpointError(
        'corrupt',
        `storage '${key}' records ${numel} elements but its id declares ${root.numel}.`,
        file,
      );
    }
    const length = numel * DTYPE_BYTES[root.dtype];
    if (at + 8 + length > bytes.length)
      throw new CheckpointError('truncated', `the file ends inside storage '${key}'.`, file);
    const data = bytes.subarray(at + 8, at + 8 + length);
    for (const storage of family) storage.bytes = data;
    at += 8 + length;
  }
}
