import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createMatrix, type Matrix } from '../data/matrix';
import { CheckpointError, DEFAULT_LIMITS, type ReadLimits } from './errors';
import { DTYPE_BYTES, decodeElements, shapeSize, type SourceDType } from './tensor';

export const NPY_MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const NPY_DTYPES: Record<string, SourceDType> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<i8': 'int64',
};

export interface ReadOptions {
  /** Shown in error messages. */
  file?: string;
  limits?: ReadLimits;
}

export interface NpyArray {
  /** [N, D]. A 1-D array becomes [N, 1], and higher ranks flatten every axis after the first. */
  matrix: Matrix;
  /** The array's shape as stored. */
  shape: number[];
  dtype: SourceDType;
}

/** Parses a `.npy` file (format versions 1 to 3, little-endian numeric dtypes, C order). */
export function readNpy(bytes: Uint8Array, options: ReadOptions = {}): NpyArray {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const fail = (code: 'corrupt' | 'truncated' | 'unsupported' | 'too-large', message: string) =>
    new CheckpointError(code, message, options.file);

  if (bytes.length < 10 || !NPY_MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw fail('corrupt', 'not a .npy file: the \\x93NUMPY magic is missing.');
  }
  const major = bytes[6];
  if (major < 1 || major > 3)
    throw fail('unsupported', `.npy format version ${major} is not supported (1 to 3 are).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw fail('truncated', 'the .npy header is cut off.');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length)
    throw fail(
      'truncated',
      `the .npy header declares ${headerLength} bytes but the file ends first.`,
    );

  const headerBytes = bytes.subarray(8 + lengthBytes, dataStart);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortranOrder, shape } = parseHeader(header, fail);
  if (fortranOrder)
    throw fail(
      'unsupported',
      'Fortran-ordered arrays are not supported; save with np.ascontiguousarray first.',
    );
  const dtype = NPY_DTYPES[descr];
  if (dtype === undefined) {
    const hint = descr.startsWith('>')
      ? ' (big-endian; convert with arr.astype(arr.dtype.newbyteorder("<")))'
      : '';
    throw fail(
      'unsupported',
      `dtype '${descr}' is not supported${hint}; use <f4, <f8, <i4 or <i8.`,
    );
  }

  const count = shapeSize(shape, 'the .npy array');
  const byteCount = count * DTYPE_BYTES[dtype];
  if (byteCount > limits.maxTensorBytes) {
    throw fail(
      'too-large',
      `the array declares ${byteCount} bytes, above the limit of ${limits.maxTensorBytes}.`,
    );
  }
  if (dataStart + byteCount > bytes.length) {
    throw fail(
      'truncated',
      `the array needs ${byteCount} data bytes but the file has ${bytes.length - dataStart}.`,
    );
  }
  const values = decodeElements(bytes, dataStart, count, dtype);
  const rows = shape.length === 0 ? 1 : shape[0];
  const cols = shape.slice(1).reduce((product, dim) => product * dim, 1);
  return { matrix: createMatrix(rows, cols, values), shape, dtype };
}

type Fail = (code: 'corrupt' | 'unsupported', message: string) => CheckpointError;

/** Parses the header, a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`. */
function parseHeader(
  header: string,
  fail: Fail,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!header.trimStart().startsWith('{') || !order || !shape) {
    throw fail(
      'corrupt',
      `the .npy header is not a valid dict: ${JSON.stringify(header.slice(0, 120))}.`,
    );
  }
  if (!descr)
    throw fail(
      'unsupported',
      'structured or object dtypes are not supported; save a plain numeric array.',
    );
  const dims = shape[1]
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (!dims.every((dim) => /^\d+L?$/.test(dim)))
    throw fail('corrupt', `invalid shape (${shape[1]}) in the .npy header.`);
  return {
    descr: descr[1],
    fortranOrder: order[1] === 'True',
    shape: dims.map((dim) => parseInt(dim, 10)),
  };
}

/** Encodes a float32 array as a version 1 `.npy` file. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // The magic, version and length take 10 bytes. The header ends in '\n', padded so that the
  // data starts on a 64-byte boundary.
  const padding = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(padding % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + data.length * 4);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  const body = new DataView(out.buffer, out.byteOffset + 10 + header.length, data.length * 4);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i], true);
  return out;
}

/**
 * Writes a matrix as a float32 `.npy` file through a temporary file in the same folder and a
 * rename, so readers never see a partial file. `shape` defaults to [rows, cols].
 */
export async function writeNpy(
  file: string,
  matrix: Matrix,
  shape?: readonly number[],
): Promise<void> {
  const dims = shape ?? [matrix.rows, matrix.cols];
  if (dims.reduce((a, b) => a * b, 1) !== matrix.data.length) {
    throw new Error(
      `Shape [${dims}] does not match the ${matrix.data.length} values of the matrix.`,
    );
  }
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`,
  );
  try {
    await fs.writeFile(temp, encodeNpy(matrix.data, dims));
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
