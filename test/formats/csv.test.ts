import assert from 'node:assert/strict';
import { readCsv } from '../../src/core/formats/csv';
import { expectCheckpointError } from './helpers';

describe('readCsv', () => {
  it('reads a header row and comma-separated values', () => {
    const table = readCsv('x,y\n1,2\n-0.5,3e2\n');
    assert.deepEqual(table.header, ['x', 'y']);
    assert.equal(table.matrix.rows, 2);
    assert.equal(table.matrix.cols, 2);
    assert.deepEqual(Array.from(table.matrix.data), [1, 2, -0.5, 300]);
  });

  it('reads whitespace-separated values without a header', () => {
    const table = readCsv('  1 2\t3\n\n# comment\n4 5 6\r\n');
    assert.equal(table.header, undefined);
    assert.deepEqual(Array.from(table.matrix.data), [1, 2, 3, 4, 5, 6]);
  });

  it('keeps nan and inf for the caller to report', () => {
    const table = readCsv('nan,inf\n-inf,1\n');
    assert.ok(Number.isNaN(table.matrix.data[0]));
    assert.equal(table.matrix.data[1], Infinity);
    assert.equal(table.matrix.data[2], -Infinity);
  });

  it('names the line and column of a bad value', () => {
    expectCheckpointError(
      () => readCsv('a,b\n1,2\n3,oops\n', { file: 'points.csv' }),
      'corrupt',
      /points\.csv: line 3, column 2: 'oops'/,
    );
  });

  it('rejects a row with a different column count', () => {
    expectCheckpointError(() => readCsv('1,2\n3\n'), 'corrupt', /line 2 has 1 columns, expected 2/);
  });
});
