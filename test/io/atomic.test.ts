import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/io/atomic';

describe('writeFileAtomic', () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-atomic-'));
  });

  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes the target', async () => {
    const target = path.join(tmp, 'report.json');
    await writeFileAtomic(target, '{}');
    assert.equal(await fs.readFile(target, 'utf8'), '{}');
    assert.deepEqual(await fs.readdir(tmp), ['report.json']);
  });

  it('names a missing folder', async () => {
    const target = path.join(tmp, 'missing', 'report.json');
    await assert.rejects(writeFileAtomic(target, '{}'), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ENOENT');
      assert.equal(
        error.message,
        `Cannot write ${target}: the folder '${path.dirname(target)}' does not exist; create it first.`,
      );
      return true;
    });
  });

  it('leaves no temporary file when the rename fails', async () => {
    const target = path.join(tmp, 'report.json');
    await fs.mkdir(path.join(target, 'inner'), { recursive: true });
    await assert.rejects(writeFileAtomic(target, '{}'), /Cannot write .*report\.json: /);
    assert.deepEqual(await fs.readdir(tmp), ['report.json']);
  });
});
