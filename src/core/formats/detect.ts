import { NPY_MAGIC } from './npy';
import { looksLikeOnnxModel } from './protobufSniff';
import { MAX_SAFETENSORS_HEADER } from './safetensors';

/** Formats recognised by content. */
export type CheckpointFormat =
  'torch-zip' | 'torch-legacy' | 'safetensors' | 'npy' | 'onnx' | 'tfjs-layers' | 'run';

export type Detection =
  | { format: CheckpointFormat }
  | {
      format: 'not-a-checkpoint';
      /** The kind of content the bytes appear to have instead. */
      appearsToBe: 'empty' | 'text' | 'json' | 'image' | 'zip' | 'unknown binary';
      /** A sentence for the user naming what the file seems to be. */
      message: string;
    };

export interface DetectHooks {
  /** Decides whether bytes are an ONNX ModelProto. The default scans the top-level protobuf fields. */
  onnx?: (bytes: Uint8Array) => boolean;
}

const PNG = [0x89, 0x50, 0x4e, 0x47];
const JPEG = [0xff, 0xd8, 0xff];
const GIF = [0x47, 0x49, 0x46, 0x38];

/** Recognises a file by its content, never by its extension. */
export function detectFormat(bytes: Uint8Array, hooks: DetectHooks = {}): Detection {
  if (bytes.length === 0)
    return notCheckpoint('empty', 'the file is empty, so it is not a checkpoint.');
  if (startsWith(bytes, NPY_MAGIC)) return { format: 'npy' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return detectZip(bytes);
  if (isLegacyTorch(bytes)) return { format: 'torch-legacy' };
  if (isSafetensors(bytes)) return { format: 'safetensors' };
  const json = parseJson(bytes);
  if (json !== undefined) return detectJson(json);
  if ([PNG, JPEG, GIF].some((magic) => startsWith(bytes, magic))) {
    return notCheckpoint('image', 'the file is an image, not a checkpoint.');
  }
  if ((hooks.onnx ?? looksLikeOnnxModel)(bytes)) return { format: 'onnx' };
  if (isText(bytes)) return notCheckpoint('text', 'the file is plain text, not a checkpoint.');
  return notCheckpoint(
    'unknown binary',
    'the file is binary data in no format that GAN Diagnostics reads; it is not a checkpoint.',
  );
}

function notCheckpoint(
  appearsToBe: Extract<Detection, { format: 'not-a-checkpoint' }>['appearsToBe'],
  message: string,
): Detection {
  return { format: 'not-a-checkpoint', appearsToBe, message };
}

function startsWith(bytes: Uint8Array, magic: ArrayLike<number>): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/** Recognises a torch zip by an entry name `<folder>/data.pkl`, which the central directory lists. */
function detectZip(bytes: Uint8Array): Detection {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (/[^/\0]+\/data\.pkl/.test(text)) return { format: 'torch-zip' };
  return notCheckpoint(
    'zip',
    'the file is a zip archive without a data.pkl entry, so it is not a torch.save checkpoint.',
  );
}

/** Legacy torch.save files open with a pickle of the magic number: PROTO n, LONG1 10, 10 bytes. */
function isLegacyTorch(bytes: Uint8Array): boolean {
  const magic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  return (
    bytes.length >= 14 &&
    bytes[0] === 0x80 &&
    bytes[2] === 0x8a &&
    bytes[3] === 0x0a &&
    magic.every((byte, i) => bytes[4 + i] === byte)
  );
}

function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  // A header longer than the file still counts, so that the reader can report the truncation.
  return length > 1n && length <= BigInt(MAX_SAFETENSORS_HEADER) && bytes[8] === 0x7b; // '{'
}

function parseJson(bytes: Uint8Array): unknown {
  const first = bytes.find(
    (byte) =>
      byte !== 0x20 &&
      byte !== 0x0a &&
      byte !== 0x0d &&
      byte !== 0x09 &&
      byte !== 0xef &&
      byte !== 0xbb &&
      byte !== 0xbf,
  );
  if (first !== 0x7b && first !== 0x5b) return undefined;
  try {
    return JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, ''),
    );
  } catch {
    return undefined;
  }
}

function detectJson(json: unknown): Detection {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    if ('modelTopology' in record) return { format: 'tfjs-layers' };
    if (record.format === 'gan-diagnostics-run') return { format: 'run' };
  }
  return notCheckpoint(
    'json',
    'the file is JSON but not a checkpoint: neither a TF.js model.json nor a GAN Diagnostics run.json.',
  );
}

function isText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(
      sample.length === bytes.length ? sample : trimPartialChar(sample),
    );
  } catch {
    return false;
  }
  return !sample.some(
    (byte) => byte === 0 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d),
  );
}

/** Drops a UTF-8 sequence cut by the sample boundary. */
function trimPartialChar(sample: Uint8Array): Uint8Array {
  let end = sample.length;
  while (end > 0 && end > sample.length - 4 && (sample[end - 1] & 0xc0) === 0x80) end--;
  if (end > 0 && sample[end - 1] >= 0xc0) end--;
  return sample.subarray(0, end);
}
