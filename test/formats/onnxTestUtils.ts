import { readFileSync } from 'node:fs';
import path from 'node:path';

export const TOY_DIR = path.join(__dirname, '..', 'fixtures', 'wgan-gp-toy');
export const SYNTHETIC_DIR = path.join(__dirname, '..', 'fixtures', 'synthetic');

export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

/** Reads a little-endian float32 or float64 C-order .npy file (format 1.0 to 3.0). */
export function readNpyFile(file: string): NpyArray {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file} is not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file} is Fortran-ordered`);
  const count = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, bytes.length - start);
  const data = new Float64Array(count);
  if (descr === '<f4') for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
  else if (descr === '<f8') for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
  else throw new Error(`${file} has dtype ${descr}; only <f4 and <f8 are read here`);
  return { shape, data };
}

/** Largest absolute difference between two arrays, divided by the largest magnitude of `expected`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length)
    throw new Error(`length ${actual.length} differs from ${expected.length}`);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  return scale === 0 ? worst : worst / scale;
}
