import assert from 'node:assert/strict';
import { crc32, tableCrc32 } from '../../src/core/formats/crc32';
import { DEFAULT_LIMITS } from '../../src/core/formats/errors';
import { openZip } from '../../src/core/formats/zip';
import { buildZip, expectCheckpointError, toyFile } from './helpers';

const payload = Buffer.from('hello zip');

describe('openZip', () => {
  it('lists the entries of a torch.save archive', () => {
    const zip = openZip(toyFile('cg_8g_gp', 'critic.pt'));
    // metadata.json records the entry names of this file as torch wrote them.
    assert.deepEqual(
      zip.entries.map((entry) => entry.name),
      [
        'critic/data.pkl',
        ...Array.from({ length: 8 }, (_, i) => `critic/data/${i}`),
        'critic/version',
      ],
    );
    assert.equal(zip.read('critic/version').toString().trim(), '3');
    assert.equal(zip.read('critic/data/0').length, 256 * 2 * 4);
  });

  it('reads stored and deflated entries', () => {
    const zip = openZip(
      buildZip([
        { name: 'a.txt', data: payload },
        { name: 'dir/b.txt', data: payload, deflate: true },
      ]),
    );
    assert.equal(zip.read('a.txt').toString(), 'hello zip');
    assert.equal(zip.read('dir/b.txt').toString(), 'hello zip');
  });

  it('reads zip64 records and extra fields', () => {
    const entries = [
      { name: 'a.txt', data: payload },
      { name: 'b.bin', data: Buffer.alloc(5000, 7), deflate: true },
    ];
    const zip = openZip(buildZip(entries, { zip64: true }));
    assert.deepEqual(
      zip.entries.map((entry) => [entry.name, entry.size]),
      [
        ['a.txt', 9],
        ['b.bin', 5000],
      ],
    );
    assert.equal(zip.read('a.txt').toString(), 'hello zip');
    assert.deepEqual(zip.read('b.bin'), Buffer.alloc(5000, 7));
  });

  it('rejects unsafe entry names', () => {
    for (const name of ['../x', 'a/../../x', '/abs', 'C:/x', 'a\\b', 'nul\0.txt']) {
      expectCheckpointError(() => openZip(buildZip([{ name, data: payload }])), 'unsafe');
    }
  });

  it('rejects more entries than the limit', () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ name: `e${i}`, data: payload }));
    const limits = { ...DEFAULT_LIMITS, maxEntries: 4 };
    expectCheckpointError(() => openZip(buildZip(entries), { limits }), 'too-large', /5 entries/);
  });

  it('rejects huge declared sizes', () => {
    const zip = buildZip([{ name: 'big', data: payload, deflate: true, declaredSize: 0xfffffff0 }]);
    expectCheckpointError(() => openZip(zip), 'too-large', /declares 4294967280 bytes/);
  });

  it('rejects a deflate bomb by its ratio', () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const zip = buildZip([{ name: 'bomb', data: zeros, deflate: true }]);
    expectCheckpointError(() => openZip(zip), 'too-large', /zip bomb/);
    const capped = { ...DEFAULT_LIMITS, maxCompressionRatio: 1e6, maxEntryBytes: 1024 * 1024 };
    expectCheckpointError(
      () => openZip(zip, { limits: capped }),
      'too-large',
      /above the limit of 1048576/,
    );
  });

  it('rejects an entry that inflates past its declared size', () => {
    const zeros = Buffer.alloc(64 * 1024);
    const limits = { ...DEFAULT_LIMITS, maxCompressionRatio: 1e6 };
    const zip = buildZip([{ name: 'liar', data: zeros, deflate: true, declaredSize: 1000 }]);
    const archive = openZip(zip, { limits });
    expectCheckpointError(() => archive.read('liar'), 'too-large', /inflates past/);
  });

  it('rejects a damaged CRC-32', () => {
    const zip = buildZip([{ name: 'a', data: payload }]);
    zip[30 + 1] ^= 0xff; // the first data byte
    expectCheckpointError(() => openZip(zip).read('a'), 'corrupt', /CRC-32/);
  });

  it('rejects truncated archives', () => {
    const bytes = toyFile('cg_8g_gp', 'critic.pt');
    for (const length of [0, 3, 21, 1000, bytes.length / 2, bytes.length - 30, bytes.length - 1]) {
      expectCheckpointError(() => openZip(bytes.subarray(0, length)));
    }
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    // The CRC-32 of the ASCII digits 1 to 9 is 0xCBF43926 for the zip polynomial.
    const digits = Buffer.from('123456789');
    assert.equal(crc32(digits), 0xcbf43926);
    assert.equal(tableCrc32(digits), 0xcbf43926);
    assert.equal(tableCrc32(Buffer.alloc(0)), 0);
  });
});
