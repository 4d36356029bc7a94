import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMatrix } from '../../src/core/data/matrix';
import { readNpy, writeNpy } from '../../src/core/formats/npy';
import { expectCheckpointError, syntheticFile, toyFile } from './helpers';

describe('readNpy', () => {
  it('reads a float32 point set with its shape', () => {
    const array = readNpy(toyFile('cg_8g_gp', 'real_2000.npy'));
    assert.deepEqual(array.shape, [2000, 2]);
    assert.equal(array.matrix.rows, 2000);
    assert.equal(array.matrix.cols, 2);
    assert.equal(array.dtype, 'float32');
    // 8 Gaussians scaled by 1/1.414 lie near radius 1.414.
    const radius = Math.hypot(array.matrix.data[0], array.matrix.data[1]);
    assert.ok(Math.abs(radius - 1.414) < 0.1, `radius ${radius}`);
  });

  it('converts float64 to float32', () => {
    const array = readNpy(syntheticFile('f8_3x2.npy'));
    assert.equal(array.dtype, 'float64');
    assert.deepEqual(array.shape, [3, 2]);
    assert.deepEqual(Array.from(array.matrix.data), [0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('reads a 1-D int64 array as a column', () => {
    const array = readNpy(syntheticFile('i8_5.npy'));
    assert.deepEqual(array.shape, [5]);
    assert.equal(array.matrix.rows, 5);
    assert.equal(array.matrix.cols, 1);
    assert.deepEqual(Array.from(array.matrix.data), [-2, -1, 0, 1, 2]);
  });

  it('flattens trailing axes of a 3-D int32 array', () => {
    const array = readNpy(syntheticFile('i4_2x3x4.npy'));
    assert.deepEqual(array.shape, [2, 3, 4]);
    assert.equal(array.matrix.rows, 2);
    assert.equal(array.matrix.cols, 12);
    assert.deepEqual(
      Array.from(array.matrix.data),
      Array.from({ length: 24 }, (_, i) => i),
    );
  });

  it('reads format versions 2 and 3', () => {
    for (const name of ['f4_v2.npy', 'f4_v3.npy']) {
      const bytes = syntheticFile(name);
      assert.equal(bytes[6], Number(name[4]));
      assert.deepEqual(Array.from(readNpy(bytes).matrix.data), [1, 2, 3, 4], name);
    }
  });

  it('rejects big-endian, Fortran and object arrays', () => {
    expectCheckpointError(() => readNpy(syntheticFile('f4_be.npy')), 'unsupported', /big-endian/);
    expectCheckpointError(() => readNpy(syntheticFile('f4_fortran.npy')), 'unsupported', /Fortran/);
    expectCheckpointError(() => readNpy(syntheticFile('object.npy')), 'unsupported', /'\|O'/);
  });

  it('rejects an absurd shape before allocating', () => {
    const bytes = Buffer.from(syntheticFile('f4_v2.npy'));
    const text = bytes.toString('latin1').replace('(2, 2)', '(99999999999, 9)');
    const forged = Buffer.from(text, 'latin1');
    // The header keeps its length field, so resize it to match the edited text.
    const header = forged.readUInt32LE(8) + (text.length - bytes.length);
    forged.writeUInt32LE(header, 8);
    expectCheckpointError(() => readNpy(forged), 'too-large');
  });

  it('rejects truncated files', () => {
    const bytes = toyFile('cg_8g_gp', 'real_2000.npy');
    for (const length of [0, 5, 9, 20, 127, 128, 1000, bytes.length - 1]) {
      expectCheckpointError(() => readNpy(bytes.subarray(0, length)));
    }
  });
});

describe('writeNpy', () => {
  it('round-trips a matrix and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'npy-'));
    try {
      const file = path.join(dir, 'points.npy');
      const matrix = createMatrix(3, 2, Float32Array.from([1.5, -2, 0, 3.25, 1e-7, -1e30]));
      await writeNpy(file, matrix);
      const bytes = readFileSync(file);
      // numpy pads the header so that the data starts on a 64-byte boundary.
      assert.equal((10 + bytes.readUInt16LE(8)) % 64, 0);
      const back = readNpy(bytes);
      assert.deepEqual(back.shape, [3, 2]);
      assert.deepEqual(Array.from(back.matrix.data), Array.from(matrix.data));
      assert.deepEqual(readdirSync(dir), ['points.npy']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a 1-D shape in numpy syntax', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'npy-'));
    try {
      const file = path.join(dir, 'values.npy');
      await writeNpy(file, createMatrix(4, 1, Float32Array.from([1, 2, 3, 4])), [4]);
      assert.match(readFileSync(file).toString('latin1', 10, 80), /'shape': \(4,\)/);
      assert.deepEqual(readNpy(readFileSync(file)).shape, [4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
