import fc from 'fast-check';
import assert from 'node:assert/strict';
import { CheckpointError } from '../../src/core/formats/errors';
import { detectFormat } from '../../src/core/formats/detect';
import { readNpy } from '../../src/core/formats/npy';
import { readSafetensors } from '../../src/core/formats/safetensors';
import { inferArchitecture } from '../../src/core/formats/stateDict';
import { readTorchFile } from '../../src/core/formats/torch';
import { selectStateDict } from '../../src/core/formats/torchTree';
import { openZip } from '../../src/core/formats/zip';
import { buildZip, syntheticFile, toyFile } from './helpers';

/** Set FUZZ_SEED to replay a failure. fast-check prints the seed and path of a failing case. */
const SEED = process.env.FUZZ_SEED === undefined ? 20261204 : Number(process.env.FUZZ_SEED);
const RUNS = 200;
const MAX_CASE_MS = 2000;

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number };

/** Positions biased toward the first and last 2 KiB, where headers, pickles and directories sit. */
function position(length: number): fc.Arbitrary<number> {
  const edge = Math.min(2048, length - 1);
  return fc.oneof(
    fc.integer({ min: 0, max: edge }),
    fc.integer({ min: length - 1 - edge, max: length - 1 }),
    fc.integer({ min: 0, max: length - 1 }),
  );
}

function mutation(length: number): fc.Arbitrary<Mutation> {
  const at = position(length);
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({
      kind: fc.constant('insert' as const),
      at,
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
    }),
    fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 64 }) }),
  );
}

function apply(original: Buffer, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const change of mutations) {
    const at = Math.min(change.at, bytes.length);
    if (change.kind === 'flip' && at < bytes.length) bytes[at] = change.value;
    else if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (change.kind === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
    else if (change.kind === 'delete')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.count)]);
  }
  return bytes;
}

/** Runs `read`. A CheckpointError is an accepted outcome, and anything else fails the property. */
function outcome(read: () => void): void {
  const started = Date.now();
  try {
    read();
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
  }
  assert.ok(Date.now() - started < MAX_CASE_MS, `a case took ${Date.now() - started} ms`);
}

const READERS: [string, () => Buffer, (bytes: Buffer) => void][] = [
  ['critic.pt', () => toyFile('cg_8g_gp', 'critic.pt'), readTorch],
  ['critic_legacy.pt', () => toyFile('cg_8g_gp', 'critic_legacy.pt'), readTorch],
  [
    'critic.safetensors',
    () => toyFile('cg_8g_gp', 'critic.safetensors'),
    (bytes) => inferArchitecture(readSafetensors(bytes).stateDict),
  ],
  ['f8_3x2.npy', () => syntheticFile('f8_3x2.npy'), (bytes) => readNpy(bytes)],
];

function readTorch(bytes: Buffer): void {
  const { contents } = readTorchFile(bytes);
  inferArchitecture(selectStateDict(contents).stateDict);
}

describe('readers under random corruption', () => {
  for (const [name, load, read] of READERS) {
    it(`${name}: every mutation gives a result or a CheckpointError`, () => {
      const original = load();
      fc.assert(
        fc.property(
          fc.array(mutation(original.length), { minLength: 1, maxLength: 3 }),
          (mutations) => {
            const bytes = apply(original, mutations);
            detectFormat(bytes);
            outcome(() => read(bytes));
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it('data.pkl: mutations behind a valid CRC reach the pickle parser', () => {
    // Mutated entries inside critic.pt fail their CRC-32 check before unpickling, so this case
    // re-zips the mutated pickle with a correct CRC.
    const archive = openZip(toyFile('cg_8g_gp', 'critic.pt'));
    const entries = archive.entries.map((entry) => ({
      name: entry.name,
      data: archive.read(entry.name),
    }));
    const pickle = archive.read('critic/data.pkl');
    fc.assert(
      fc.property(
        fc.array(mutation(pickle.length), { minLength: 1, maxLength: 3 }),
        (mutations) => {
          const data = apply(pickle, mutations);
          const zip = buildZip(
            entries.map((entry) =>
              entry.name === 'critic/data.pkl' ? { name: entry.name, data } : entry,
            ),
          );
          outcome(() => readTorch(zip));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('every fixture cut at many lengths gives a CheckpointError', () => {
    const more: [string, () => Buffer, (bytes: Buffer) => void][] = [
      ['critic_module.pt', () => toyFile('cg_8g_gp', 'critic_module.pt'), readTorch],
      ['checkpoint_dict.pt', () => toyFile('cg_25g_gp', 'checkpoint_dict.pt'), readTorch],
      ['dtypes.pt', () => syntheticFile('dtypes.pt'), readTorch],
      ['dtypes_legacy.pt', () => syntheticFile('dtypes_legacy.pt'), readTorch],
      [
        'dtypes.safetensors',
        () => syntheticFile('dtypes.safetensors'),
        (bytes) => readSafetensors(bytes),
      ],
    ];
    for (const [name, load, read] of [...READERS, ...more]) {
      const original = load();
      const lengths = [0, 1, 7, 8, 9, 16, 64, 200, 1000, 2000];
      for (let k = 1; k < 16; k++) lengths.push(Math.floor((original.length * k) / 16));
      lengths.push(original.length - 1);
      for (const length of lengths.filter((value) => value < original.length)) {
        assert.throws(
          () => read(original.subarray(0, length)),
          (error) => error instanceof CheckpointError,
          `${name} cut at ${length} bytes`,
        );
      }
    }
  });
});
