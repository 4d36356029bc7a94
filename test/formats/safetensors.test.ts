import assert from 'node:assert/strict';
import { readSafetensors } from '../../src/core/formats/safetensors';
import { readTorchFile } from '../../src/core/formats/torch';
import { expectCheckpointError, syntheticFile, toyFile } from './helpers';

function build(header: unknown, data: Buffer): Buffer {
  const text = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, data]);
}

const eightBytes = Buffer.from(new Float32Array([1, 2]).buffer);

describe('readSafetensors', () => {
  it('converts F16, BF16, F64, I64 and I32 as torch does', () => {
    const expected = JSON.parse(syntheticFile('dtypes.json').toString('utf8')) as Record<
      string,
      { shape: number[]; values: number[] }
    >;
    const file = readSafetensors(syntheticFile('dtypes.safetensors'));
    assert.deepEqual(file.metadata, { format: 'pt', note: 'synthetic' });
    for (const [key, tensor] of Object.entries(expected)) {
      const loaded = file.stateDict.get(key)!;
      assert.deepEqual(loaded.shape, tensor.shape, key);
      assert.deepEqual(Array.from(loaded.values), tensor.values.map(Math.fround), key);
    }
  });

  it('contains the same critic as critic.pt', () => {
    const file = readSafetensors(toyFile('cg_8g_gp', 'critic.safetensors'));
    const torch = readTorchFile(toyFile('cg_8g_gp', 'critic.pt')).contents.critic!.stateDict;
    assert.deepEqual([...file.stateDict.keys()], [...torch.keys()]);
    for (const [key, tensor] of torch)
      assert.deepEqual(file.stateDict.get(key)!.values, tensor.values, key);
    assert.match(file.metadata.source, /cg_8g_gp/);
  });

  it('rejects an absurd header length before allocating', () => {
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(1n << 40n);
    expectCheckpointError(() => readSafetensors(bytes), 'too-large');
    bytes.writeBigUInt64LE(100n);
    expectCheckpointError(() => readSafetensors(bytes), 'truncated');
  });

  it('rejects ranges outside the file, overlapping or of the wrong size', () => {
    const outside = { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } };
    expectCheckpointError(
      () => readSafetensors(build(outside, eightBytes)),
      'truncated',
      /ends at byte 16/,
    );
    const overlap = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    };
    expectCheckpointError(() => readSafetensors(build(overlap, eightBytes)), 'corrupt', /overlap/);
    const wrongSize = { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expectCheckpointError(
      () => readSafetensors(build(wrongSize, eightBytes)),
      'corrupt',
      /needs 12/,
    );
    const reversed = { a: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } };
    expectCheckpointError(() => readSafetensors(build(reversed, eightBytes)), 'corrupt');
  });

  it('rejects unknown dtypes and invalid headers', () => {
    const unknown = { a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } };
    expectCheckpointError(() => readSafetensors(build(unknown, eightBytes)), 'unsupported', /C64/);
    const badShape = { a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } };
    expectCheckpointError(() => readSafetensors(build(badShape, eightBytes)), 'corrupt', /shape/);
    const notJson = Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{x}')]);
    expectCheckpointError(() => readSafetensors(notJson), 'corrupt', /JSON/);
    const badMetadata = { __metadata__: { n: 1 } };
    expectCheckpointError(
      () => readSafetensors(build(badMetadata, Buffer.alloc(0))),
      'corrupt',
      /__metadata__/,
    );
  });

  it('reports NaN values instead of throwing', () => {
    const values = Buffer.from(new Float32Array([NaN, 1, Infinity]).buffer);
    const file = readSafetensors(
      build({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, values),
    );
    assert.equal(file.stateDict.get('w')!.nonFinite, 2);
  });
});
