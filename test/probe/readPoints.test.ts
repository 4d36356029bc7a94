import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError } from '../../src/core/formats/errors';
import { encodeNpy } from '../../src/core/formats/npy';
import { readPoints } from '../../src/core/probe/fileSources';

describe('readPoints', () => {
  let tmp: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-read-points-'));
  });

  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function readError(name: string, bytes: Uint8Array): Promise<CheckpointError> {
    const file = path.join(tmp, name);
    await fs.writeFile(file, bytes);
    try {
      await readPoints(file);
    } catch (error) {
      assert.ok(error instanceof CheckpointError, String(error));
      return error;
    }
    assert.fail(`${name} was read without an error`);
  }

  it('reads a float32 npy matrix', async () => {
    const file = path.join(tmp, 'ok.npy');
    await fs.writeFile(file, encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]));
    const points = await readPoints(file);
    assert.equal(points.rows, 3);
    assert.equal(points.cols, 2);
  });

  for (const name of ['empty.npy', 'empty.csv']) {
    it(`rejects ${name} by name`, async () => {
      const error = await readError(name, new Uint8Array(0));
      assert.match(error.message, new RegExp(`${name}: the file is empty`));
    });
  }

  it('rejects an npy array without rows', async () => {
    const error = await readError('zero.npy', encodeNpy(new Float32Array(0), [0, 2]));
    assert.match(error.message, /zero\.npy: the file contains no points \(shape \[0, 2\]\)/);
  });

  it('rejects NaN in an npy file by name', async () => {
    const error = await readError('nan.npy', encodeNpy(new Float32Array([1, 2, NaN, 4]), [2, 2]));
    assert.equal(error.code, 'corrupt');
    assert.match(error.message, /nan\.npy: non-finite value \(NaN\) at row 1, column 0/);
  });

  it('rejects Infinity in a csv file by name', async () => {
    const error = await readError('inf.csv', Buffer.from('1,2\n3,Infinity\n'));
    assert.match(error.message, /inf\.csv: /);
  });
});
