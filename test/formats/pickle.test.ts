import assert from 'node:assert/strict';
import { parsePickle } from '../../src/core/formats/pickle';
import {
  PyDict,
  PyObject,
  PySet,
  PyTuple,
  type PyValue,
} from '../../src/core/formats/pickleValues';
import { expectCheckpointError, syntheticFile } from './helpers';

/** Converts parsed values to the JSON form that scripts/fixtures/make_synthetic.py writes. */
function toJson(value: PyValue): unknown {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    typeof value === 'number'
  )
    return value;
  if (typeof value === 'bigint') return { int: value.toString() };
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof PyTuple) return { tuple: value.items.map(toJson) };
  if (value instanceof PySet) {
    const items = value.items.map(toJson).sort((a, b) => (a as number) - (b as number));
    return value.frozen ? { frozenset: items } : { set: items };
  }
  if (value instanceof PyDict)
    return { dict: [...value.map].map(([key, item]) => [toJson(key), toJson(item)]) };
  throw new Error(`unexpected value ${String(value)}`);
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

describe('parsePickle', () => {
  const expected = JSON.parse(syntheticFile('pickles.json').toString('utf8')) as Record<
    string,
    unknown
  >;

  for (let protocol = 0; protocol <= 5; protocol++) {
    it(`matches Python's pickle for protocol ${protocol}`, () => {
      const name = `plain_p${protocol}.pkl`;
      const bytes = syntheticFile(name);
      const { value, end } = parsePickle(bytes);
      assert.equal(end, bytes.length);
      assert.deepEqual(toJson(value), expected[name]);
    });
  }

  it('keeps memo references shared', () => {
    const { value } = parsePickle(syntheticFile('plain_p2.pkl'));
    const shared = (value as PyDict).get('shared') as PyTuple;
    assert.equal(shared.items[0], shared.items[1]);
  });

  it('rejects os.system with the global named', () => {
    // PROTO 2, GLOBAL 'os system', SHORT_BINUNICODE 'ls', TUPLE1, REDUCE, STOP.
    const bytes = Buffer.concat([ascii('\x80\x02cos\nsystem\n'), ascii('\x8c\x02ls\x85R.')]);
    expectCheckpointError(
      () => parsePickle(bytes),
      'unsafe',
      /not a plain checkpoint.*'os\.system'/,
    );
  });

  it('rejects other unsafe globals by GLOBAL and STACK_GLOBAL', () => {
    for (const [module, name] of [
      ['builtins', 'eval'],
      ['posix', 'system'],
      ['subprocess', 'Popen'],
      ['torch', 'load'],
      ['torch.nn.modules.linear', 'os.system'],
      ['__main__.x', 'Evil'],
    ]) {
      const global = ascii(`\x80\x02c${module}\n${name}\n.`);
      const qualified = `'${module}.${name}'`.replace(/\./g, '\\.');
      expectCheckpointError(() => parsePickle(global), 'unsafe', new RegExp(qualified));
      const stack = Buffer.concat([
        ascii('\x80\x04'),
        ascii(`\x8c${String.fromCharCode(module.length)}${module}`),
        ascii(`\x8c${String.fromCharCode(name.length)}${name}\x93.`),
      ]);
      expectCheckpointError(() => parsePickle(stack), 'unsafe');
    }
  });

  it('keeps torch.nn classes as inert records', () => {
    // GLOBAL Linear, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, 'in_features': 2, SETITEM, BUILD, STOP.
    const bytes = ascii(
      '\x80\x02ctorch.nn.modules.linear\nLinear\n)\x81}\x8c\x0bin_featuresK\x02sb.',
    );
    const { value } = parsePickle(bytes);
    assert.ok(value instanceof PyObject);
    assert.equal(value.className, 'torch.nn.modules.linear.Linear');
    assert.equal((value.state as PyDict).get('in_features'), 2);
  });

  it('rejects truncated and unbalanced pickles', () => {
    const bytes = syntheticFile('plain_p4.pkl');
    for (const length of [0, 1, 2, 11, 50, bytes.length - 1]) {
      expectCheckpointError(() => parsePickle(bytes.subarray(0, length)));
    }
    expectCheckpointError(() => parsePickle(ascii('\x80\x02K\x01K\x02.')), 'corrupt', /unbalanced/);
    expectCheckpointError(() => parsePickle(ascii('\x80\x02h\x05.')), 'corrupt', /memo entry 5/);
    expectCheckpointError(
      () => parsePickle(ascii('\x80\x02\xff.')),
      'corrupt',
      /unknown pickle opcode/,
    );
  });

  it('enforces the memo, stack and string limits', () => {
    const limits = { maxMemo: 2, maxStack: 3, maxString: 4 };
    expectCheckpointError(
      () => parsePickle(ascii('\x80\x02Nq\x00q\x01q\x02.'), 0, { limits }),
      'too-large',
      /memo/,
    );
    expectCheckpointError(
      () => parsePickle(ascii('\x80\x02NNNN.'), 0, { limits }),
      'too-large',
      /stack/,
    );
    expectCheckpointError(
      () => parsePickle(ascii('\x80\x02\x8c\x05hello.'), 0, { limits }),
      'too-large',
    );
    // Declared lengths are checked against the limit and the bytes left before any allocation.
    expectCheckpointError(() => parsePickle(ascii('\x80\x02X\xff\xff\xff\xff.')), 'too-large');
    expectCheckpointError(() => parsePickle(ascii('\x80\x02X\xe8\x03\x00\x00abc.')), 'truncated');
  });

  it('rejects persistent ids without a loader', () => {
    expectCheckpointError(
      () => parsePickle(ascii('\x80\x02K\x01Q.')),
      'unsupported',
      /persistent id/,
    );
  });
});
