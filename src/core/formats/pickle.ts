import { CheckpointError, type CheckpointErrorCode } from './errors';
import { classifyGlobal } from './pickleGlobals';
import { decodeRawUnicodeEscape, decodeStringLiteral } from './pickleText';
import {
  PyDict,
  PyGlobal,
  PyObject,
  PySet,
  PyTuple,
  describeValue,
  toKey,
  type PyValue,
} from './pickleValues';

export interface PickleLimits {
  /** Largest number of memo entries. */
  maxMemo: number;
  /** Largest number of values on the stack, all MARK levels together. */
  maxStack: number;
  /** Largest string or bytes value, in bytes. */
  maxString: number;
}

export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxMemo: 1_000_000,
  maxStack: 1_000_000,
  maxString: 256 * 1024 ** 2,
};

export interface PickleHooks {
  /** Builds the value a persistent id stands for (torch uses it for storages). */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** Applies an allowed function global (REDUCE). Returns undefined when it does not handle it. */
  call?: (fn: PyGlobal, args: PyValue[]) => PyValue | undefined;
  file?: string;
  limits?: PickleLimits;
}

export interface PickleResult {
  value: PyValue;
  /** Offset of the byte after the STOP opcode. */
  end: number;
}

/**
 * Parses one pickle (protocols 0 to 5) starting at `offset`. It builds inert values only: every
 * global is checked against the allow-list in `pickleGlobals.ts`, and REDUCE, NEWOBJ and BUILD
 * create records or call the caller's hooks, never Python code.
 */
export function parsePickle(bytes: Uint8Array, offset = 0, hooks: PickleHooks = {}): PickleResult {
  return new PickleMachine(bytes, offset, hooks).run();
}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

class PickleMachine {
  private pos: number;
  private stack: Slot[] = [];
  private marks: number[] = [];
  private memo = new Map<number, PyValue>();
  private readonly limits: PickleLimits;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    offset: number,
    private readonly hooks: PickleHooks,
  ) {
    this.pos = offset;
    this.limits = hooks.limits ?? DEFAULT_PICKLE_LIMITS;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): PickleResult {
    for (;;) {
      const at = this.pos;
      const opcode = this.u8();
      if (opcode === 0x2e) return { value: this.finish(), end: this.pos }; // STOP
      try {
        this.step(opcode);
      } catch (error) {
        if (error instanceof CheckpointError) throw error;
        throw this.fail('corrupt', `invalid pickle at byte ${at}: ${(error as Error).message}`);
      }
    }
  }

  private finish(): PyValue {
    if (this.stack.length !== 1 || this.marks.length !== 0) {
      throw this.fail('corrupt', 'the pickle stops with an unbalanced stack.');
    }
    return this.pop();
  }

  private step(opcode: number): void {
    switch (opcode) {
      case 0x80: {
        // PROTO
        const version = this.u8();
        if (version > 5)
          throw this.fail(
            'unsupported',
            `pickle protocol ${version} is not supported (0 to 5 are).`,
          );
        return;
      }
      case 0x95: // FRAME: an advisory length, because the opcodes inside are read one by one.
        this.take(8);
        return;
      case 0x28: // MARK
        this.marks.push(this.stack.length);
        this.push(MARK);
        return;
      case 0x30: // POP
        this.pop();
        return;
      case 0x31: // POP_MARK
        this.popMark();
        return;
      case 0x32: // DUP
        this.push(this.peek());
        return;
      case 0x4e: // NONE
        return this.push(null);
      case 0x88: // NEWTRUE
        return this.push(true);
      case 0x89: // NEWFALSE
        return this.push(false);
      case 0x4b: // BININT1
        return this.push(this.u8());
      case 0x4d: // BININT2
        return this.push(this.view.getUint16(this.take(2), true));
      case 0x4a: // BININT
        return this.push(this.view.getInt32(this.take(4), true));
      case 0x8a: // LONG1
        return this.push(this.long(this.u8()));
      case 0x8b: // LONG4
        return this.push(this.long(this.longLength(this.view.getInt32(this.take(4), true))));
      case 0x47: // BINFLOAT (big-endian)
        return this.push(this.view.getFloat64(this.take(8), false));
      case 0x49: // INT
        return this.push(this.textInt(this.line()));
      case 0x4c: // LONG
        return this.push(this.textLong(this.line()));
      case 0x46: // FLOAT
        return this.push(this.textFloat(this.line()));
      default:
        return this.stepStrings(opcode);
    }
  }

  private stepStrings(opcode: number): void {
    switch (opcode) {
      case 0x8c: // SHORT_BINUNICODE
        return this.push(this.utf8(this.u8()));
      case 0x58: // BINUNICODE
        return this.push(this.utf8(this.view.getUint32(this.take(4), true)));
      case 0x8d: // BINUNICODE8
        return this.push(this.utf8(this.u64()));
      case 0x55: // SHORT_BINSTRING
        return this.push(this.latin1(this.u8()));
      case 0x54: // BINSTRING
        return this.push(this.latin1(this.length(this.view.getInt32(this.take(4), true))));
      case 0x43: // SHORT_BINBYTES
        return this.push(this.raw(this.u8()).slice());
      case 0x42: // BINBYTES
        return this.push(this.raw(this.view.getUint32(this.take(4), true)).slice());
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        return this.push(this.raw(this.u64()).slice());
      case 0x53: // STRING
        return this.push(decodeStringLiteral(this.line()));
      case 0x56: // UNICODE
        return this.push(decodeRawUnicodeEscape(this.line()));
      default:
        return this.stepContainers(opcode);
    }
  }

  private stepContainers(opcode: number): void {
    switch (opcode) {
      case 0x5d: // EMPTY_LIST
        return this.push([]);
      case 0x7d: // EMPTY_DICT
        return this.push(new PyDict());
      case 0x29: // EMPTY_TUPLE
        return this.push(new PyTuple([]));
      case 0x8f: // EMPTY_SET
        return this.push(new PySet([], false));
      case 0x85: // TUPLE1
        return this.push(new PyTuple(this.popMany(1)));
      case 0x86: // TUPLE2
        return this.push(new PyTuple(this.popMany(2)));
      case 0x87: // TUPLE3
        return this.push(new PyTuple(this.popMany(3)));
      case 0x74: // TUPLE
        return this.push(new PyTuple(this.popMark()));
      case 0x6c: // LIST
        return this.push(this.popMark());
      case 0x64: {
        // DICT
        const dict = new PyDict();
        this.setItems(dict, this.popMark());
        return this.push(dict);
      }
      case 0x91: // FROZENSET
        return this.push(new PySet(this.popMark(), true));
      case 0x61: {
        // APPEND
        const item = this.pop();
        return this.appendTo(this.peek(), [item]);
      }
      case 0x65: {
        // APPENDS
        const items = this.popMark();
        return this.appendTo(this.peek(), items);
      }
      case 0x73: {
        // SETITEM
        const [key, value] = this.popMany(2);
        return this.setItems(this.peek(), [key, value]);
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark();
        return this.setItems(this.peek(), items);
      }
      case 0x90: {
        // ADDITEMS
        const items = this.popMark();
        const target = this.peek();
        if (!(target instanceof PySet))
          throw this.fail('corrupt', 'ADDITEMS on a value that is not a set.');
        target.items.push(...items);
        return;
      }
      default:
        return this.stepMemo(opcode);
    }
  }

  private stepMemo(opcode: number): void {
    switch (opcode) {
      case 0x71: // BINPUT
        return this.put(this.u8());
      case 0x72: // LONG_BINPUT
        return this.put(this.view.getUint32(this.take(4), true));
      case 0x70: // PUT
        return this.put(this.textIndex(this.line()));
      case 0x94: // MEMOIZE
        return this.put(this.memo.size);
      case 0x68: // BINGET
        return this.get(this.u8());
      case 0x6a: // LONG_BINGET
        return this.get(this.view.getUint32(this.take(4), true));
      case 0x67: // GET
        return this.get(this.textIndex(this.line()));
      default:
        return this.stepObjects(opcode);
    }
  }

  private stepObjects(opcode: number): void {
    switch (opcode) {
      case 0x63: {
        // GLOBAL
        const module = this.line();
        return this.push(this.global(module, this.line()));
      }
      case 0x93: {
        // STACK_GLOBAL
        const [module, name] = this.popMany(2);
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw this.fail('corrupt', 'STACK_GLOBAL needs two strings.');
        }
        return this.push(this.global(module, name));
      }
      case 0x52: {
        // REDUCE
        const [fn, args] = this.popMany(2);
        return this.push(this.reduce(fn, this.tupleItems(args)));
      }
      case 0x81: {
        // NEWOBJ
        const [cls, args] = this.popMany(2);
        return this.push(this.instantiate(cls, this.tupleItems(args)));
      }
      case 0x92: {
        // NEWOBJ_EX
        const [cls, args] = this.popMany(3);
        return this.push(this.instantiate(cls, this.tupleItems(args)));
      }
      case 0x69: {
        // INST
        const module = this.line();
        const cls = this.global(module, this.line());
        return this.push(this.instantiate(cls, this.popMark()));
      }
      case 0x6f: {
        // OBJ
        const [cls, ...args] = this.popMark();
        return this.push(this.instantiate(cls, args));
      }
      case 0x62: {
        // BUILD
        const state = this.pop();
        return this.build(this.peek(), state);
      }
      case 0x51: // BINPERSID
        return this.push(this.persistent(this.pop()));
      case 0x50: // PERSID
        return this.push(this.persistent(this.line()));
      case 0x82:
      case 0x83:
      case 0x84:
        throw this.fail(
          'unsupported',
          'the pickle uses the copyreg extension registry (EXT opcodes).',
        );
      case 0x97:
      case 0x98:
        throw this.fail(
          'unsupported',
          'the pickle uses out-of-band buffers (protocol 5), which checkpoints do not.',
        );
      default:
        throw this.fail(
          'corrupt',
          `unknown pickle opcode 0x${opcode.toString(16)} at byte ${this.pos - 1}.`,
        );
    }
  }

  private global(module: string, name: string): PyGlobal {
    classifyGlobal(module, name, this.hooks.file);
    return new PyGlobal(module, name);
  }

  private reduce(fn: PyValue, args: PyValue[]): PyValue {
    if (!(fn instanceof PyGlobal))
      throw this.fail('corrupt', `REDUCE on ${describeValue(fn)}, which is not a global.`);
    const kind = classifyGlobal(fn.module, fn.name, this.hooks.file);
    if (kind === 'reconstructor') return this.instantiate(args[0], []);
    if (
      kind === 'module-class' ||
      kind === 'ordered-dict' ||
      kind === 'set' ||
      kind === 'frozenset' ||
      kind === 'torch-size'
    ) {
      return this.instantiate(fn, args);
    }
    const result = this.hooks.call?.(fn, args);
    if (result === undefined)
      throw this.fail('unsupported', `calls to ${fn.qualifiedName} are not supported.`);
    return result;
  }

  private instantiate(cls: Slot | undefined, args: PyValue[]): PyValue {
    if (!(cls instanceof PyGlobal))
      throw this.fail('corrupt', `cannot create an instance of ${describeValue(cls as PyValue)}.`);
    const kind = classifyGlobal(cls.module, cls.name, this.hooks.file);
    const first = args[0];
    switch (kind) {
      case 'ordered-dict': {
        const dict = new PyDict(cls.qualifiedName);
        if (Array.isArray(first))
          for (const pair of first) this.setItems(dict, this.tupleItems(pair));
        return dict;
      }
      case 'set':
      case 'frozenset':
        return new PySet(Array.isArray(first) ? [...first] : [], kind === 'frozenset');
      case 'torch-size':
        return new PyTuple(first instanceof PyTuple ? [...first.items] : []);
      case 'module-class':
      case 'object':
        return new PyObject(cls, args);
      default:
        throw this.fail(
          'unsupported',
          `${cls.qualifiedName} cannot be instantiated in a checkpoint.`,
        );
    }
  }

  private build(target: Slot, state: PyValue): void {
    // A dict's BUILD state contains attributes (a state_dict's `_metadata`), not items. Other
    // targets, such as tensors rebuilt by hooks, keep no Python state either.
    if (target instanceof PyObject) target.state = state;
  }

  private persistent(pid: PyValue): PyValue {
    if (this.hooks.persistentLoad === undefined) {
      throw this.fail(
        'unsupported',
        'the pickle refers to external data (a persistent id) that this reader cannot supply.',
      );
    }
    return this.hooks.persistentLoad(pid);
  }

  private appendTo(target: Slot, items: PyValue[]): void {
    if (!Array.isArray(target)) throw this.fail('corrupt', 'APPEND on a value that is not a list.');
    for (const item of items) target.push(item);
  }

  private setItems(target: Slot, items: PyValue[]): void {
    if (!(target instanceof PyDict))
      throw this.fail('corrupt', 'SETITEM on a value that is not a dict.');
    if (items.length % 2 !== 0)
      throw this.fail('corrupt', 'SETITEMS with an odd number of values.');
    for (let i = 0; i < items.length; i += 2) target.map.set(toKey(items[i]), items[i + 1]);
  }

  private tupleItems(value: PyValue): PyValue[] {
    if (value instanceof PyTuple) return value.items;
    if (Array.isArray(value)) return value;
    throw this.fail('corrupt', `expected an argument tuple, found ${describeValue(value)}.`);
  }

  private put(index: number): void {
    if (this.memo.size >= this.limits.maxMemo && !this.memo.has(index)) {
      throw this.fail('too-large', `the pickle memo grows past ${this.limits.maxMemo} entries.`);
    }
    const top = this.peek();
    if (top === MARK) throw this.fail('corrupt', 'PUT of a MARK.');
    this.memo.set(index, top);
  }

  private get(index: number): void {
    const value = this.memo.get(index);
    if (value === undefined)
      throw this.fail('corrupt', `memo entry ${index} is read before it is written.`);
    this.push(value);
  }

  private push(value: Slot): void {
    if (this.stack.length >= this.limits.maxStack) {
      throw this.fail('too-large', `the pickle stack grows past ${this.limits.maxStack} values.`);
    }
    this.stack.push(value);
  }

  private peek(): Slot {
    if (this.stack.length === 0)
      throw this.fail('corrupt', 'the pickle reads from an empty stack.');
    return this.stack[this.stack.length - 1];
  }

  private pop(): PyValue {
    const value = this.stack.pop();
    if (value === undefined) throw this.fail('corrupt', 'the pickle pops an empty stack.');
    if (value === MARK) throw this.fail('corrupt', 'the pickle pops a MARK as a value.');
    return value;
  }

  private popMany(count: number): PyValue[] {
    const start = this.stack.length - count;
    const base = this.marks.length === 0 ? 0 : this.marks[this.marks.length - 1] + 1;
    if (start < base) throw this.fail('corrupt', `the pickle needs ${count} values on the stack.`);
    return this.stack.splice(start, count) as PyValue[];
  }

  private popMark(): PyValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('corrupt', 'the pickle has no MARK to pop to.');
    const items = this.stack.splice(mark + 1) as PyValue[];
    this.stack.pop();
    return items;
  }

  private u8(): number {
    return this.bytes[this.take(1)];
  }

  private u64(): number {
    const value = this.view.getBigUint64(this.take(8), true);
    if (value > BigInt(this.limits.maxString))
      throw this.fail('too-large', `a pickle value declares ${value} bytes.`);
    return Number(value);
  }

  /** LONG4 values longer than 1 KiB are no plausible checkpoint number and cost quadratic time. */
  private longLength(value: number): number {
    if (value > 1024)
      throw this.fail(
        'too-large',
        `a pickle integer of ${value} bytes is above the limit of 1024.`,
      );
    return this.length(value);
  }

  private length(value: number): number {
    if (value < 0) throw this.fail('corrupt', `negative length ${value} in the pickle.`);
    return value;
  }

  /** Reserves `count` bytes and returns their offset. */
  private take(count: number): number {
    if (count > this.limits.maxString)
      throw this.fail('too-large', `a pickle value of ${count} bytes is above the limit.`);
    const at = this.pos;
    if (at + count > this.bytes.length)
      throw this.fail('truncated', 'the pickle ends before its STOP opcode.');
    this.pos += count;
    return at;
  }

  private raw(count: number): Uint8Array {
    const at = this.take(count);
    return this.bytes.subarray(at, at + count);
  }

  private utf8(count: number): string {
    return new TextDecoder('utf-8').decode(this.raw(count));
  }

  private latin1(count: number): string {
    return new TextDecoder('latin1').decode(this.raw(count));
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw this.fail('truncated', 'the pickle ends inside a text line.');
    const text = this.latin1(end - this.pos);
    this.pos = end + 1;
    return text;
  }

  /** Decodes a two's-complement little-endian integer of `count` bytes. */
  private long(count: number): number | bigint {
    const digits = this.raw(count);
    let value = 0n;
    for (let i = digits.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]);
    if (count > 0 && digits[count - 1] & 0x80) value -= 1n << BigInt(8 * count);
    return narrow(value);
  }

  private textInt(text: string): number | bigint | boolean {
    if (text === '01') return true;
    if (text === '00') return false;
    return this.textLong(text);
  }

  private textLong(text: string): number | bigint {
    const digits = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?\d+$/.test(digits))
      throw this.fail('corrupt', `invalid integer '${text}' in the pickle.`);
    return narrow(BigInt(digits));
  }

  private textFloat(text: string): number {
    const value = Number(text);
    if (Number.isNaN(value) && !/^[+-]?nan$/i.test(text))
      throw this.fail('corrupt', `invalid float '${text}' in the pickle.`);
    return value;
  }

  private textIndex(text: string): number {
    if (!/^\d+$/.test(text))
      throw this.fail('corrupt', `invalid memo index '${text}' in the pickle.`);
    return Number(text);
  }

  private fail(code: CheckpointErrorCode, message: string): CheckpointError {
    return new CheckpointError(code, message, this.hooks.file);
  }
}

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}
