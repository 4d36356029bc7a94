/**
 * The inert values that the pickle parser builds. Nothing here runs Python code: a class or a
 * function in the stream becomes a {@link PyGlobal} record, and an instance becomes a
 * {@link PyObject} holding its class name, constructor arguments and state as plain data.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | HostValue;

/** A value built by the caller's hooks (a storage or a tensor), tagged by `hostKind`. */
export interface HostValue {
  readonly hostKind: string;
}

/** Dictionary keys: primitives as they are, anything else by a printed form. */
export type PyKey = string | number | bigint | boolean | null;

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PyDict {
  readonly map = new Map<PyKey, PyValue>();

  /** `collections.OrderedDict` for ordered dicts, or undefined for a plain dict. */
  constructor(readonly className?: string) {}

  get(key: PyKey): PyValue | undefined {
    return this.map.get(key);
  }
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** A reference to a Python class or function by its module and name, never resolved to code. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowed class, such as a `torch.nn.Linear` module in a whole-module pickle. */
export class PyObject {
  /** The state passed to `__setstate__` by the BUILD opcode (usually the instance `__dict__`). */
  state: PyValue | undefined;

  constructor(
    readonly cls: PyGlobal,
    readonly args: PyValue[],
  ) {}

  get className(): string {
    return this.cls.qualifiedName;
  }
}

export function isHostValue(value: PyValue | undefined): value is HostValue {
  return typeof value === 'object' && value !== null && 'hostKind' in value;
}

/** Converts a value to a dictionary key. Tuples and other containers become their printed form. */
export function toKey(value: PyValue): PyKey {
  if (value === null || typeof value !== 'object') return value;
  return describeValue(value);
}

/** Returns a short printed form of a value for messages and non-primitive dictionary keys. */
export function describeValue(value: PyValue | undefined, depth = 0): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (depth > 3) return '...';
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (Array.isArray(value))
    return `[${value.map((item) => describeValue(item, depth + 1)).join(', ')}]`;
  if (value instanceof PyTuple)
    return `(${value.items.map((item) => describeValue(item, depth + 1)).join(', ')})`;
  if (value instanceof PyDict) return `dict(${value.map.size} items)`;
  if (value instanceof PySet) return `set(${value.items.length} items)`;
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof PyObject) return `${value.className} object`;
  return value.hostKind;
}
