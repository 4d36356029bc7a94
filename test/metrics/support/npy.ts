import { readFileSync } from 'node:fs';
import { createMatrix, type Matrix } from '../../../src/core/data/matrix';

/** Reads a little-endian float32 2-D C-order .npy file (format 1.0), which is all the fixtures use. */
export function readNpyMatrix(path: string): Matrix {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False")) {
    throw new Error(`${path}: expected a C-order <f4 array, header ${header}`);
  }
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (!shape) throw new Error(`${path}: expected a 2-D shape, header ${header}`);
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  const start = 10 + headerLength;
  const data = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + rows * cols * 4),
  );
  return createMatrix(rows, cols, data);
}
