import { promises as fs } from 'node:fs';
import path from 'node:path';
import { findNonFinite, type Matrix } from '../data/matrix';
import { createDataset } from '../data/toy';
import { readCsv } from '../formats/csv';
import { CheckpointError } from '../formats/errors';
import { loadModelFile, readBoundedFile } from '../formats/loadModel';
import { readNpy } from '../formats/npy';
import type { Logger } from '../log';
import { DEFAULT_SAMPLE_COUNT, type ProbeRequest } from './request';
import { sampleDataset, sampleGenerator } from './sampling';
import type { ProbeSources } from './sources';

/**
 * Reads points from a .npy or .csv file (by content: .npy starts with its magic bytes). Throws a
 * `CheckpointError` naming the file when it is empty, has no rows or contains NaN or ±Infinity.
 */
export async function readPoints(file: string): Promise<Matrix> {
  const bytes = await readBoundedFile(file);
  if (bytes.length === 0) {
    throw new CheckpointError(
      'not-a-checkpoint',
      'the file is empty; expected a .npy or .csv file of points [N, D].',
      file,
    );
  }
  const points = parsePoints(file, bytes);
  if (points.rows === 0) {
    throw new CheckpointError(
      'not-a-checkpoint',
      `the file contains no points (shape [0, ${points.cols}]); save at least one row.`,
      file,
    );
  }
  const bad = findNonFinite(points);
  if (bad) {
    throw new CheckpointError(
      'corrupt',
      `non-finite value (${bad.value}) at row ${bad.row}, column ${bad.col}; clean the data and probe again.`,
      file,
    );
  }
  return points;
}

function parsePoints(file: string, bytes: Buffer): Matrix {
  if (
    bytes.length >= 6 &&
    bytes[0] === 0x93 &&
    bytes.subarray(1, 6).toString('latin1') === 'NUMPY'
  ) {
    const array = readNpy(bytes, { file });
    return array.matrix;
  }
  if (path.extname(file).toLowerCase() === '.csv' || bytes.subarray(0, 64).every((b) => b < 128)) {
    const table = readCsv(bytes.toString('utf8'), { file });
    return table.matrix;
  }
  throw new CheckpointError('not-a-checkpoint', 'expected a .npy or .csv file of points.', file);
}

/** Resolves a probe of checkpoint files: a critic, a generator or samples, and real data. */
export async function resolveFileSources(
  request: ProbeRequest,
  logger: Logger,
): Promise<ProbeSources> {
  const criticFile = request.critic as string;
  const critic = await loadModelFile(criticFile, {
    role: 'critic',
    arch: request.arch,
    stateDictPath: request.stateDict,
  });
  try {
    for (const note of critic.notes) logger.info(`critic: ${note}`);
    const dataset = request.dataset ? createDataset({ name: request.dataset }) : undefined;
    const real = request.real
      ? await readPoints(request.real)
      : sampleDataset(dataset!, Math.max(DEFAULT_SAMPLE_COUNT, request.counts.real), request.seed);
    let generated: Matrix;
    let generatedDescription: string;
    if (request.fake) {
      generated = await readPoints(request.fake);
      generatedDescription = `samples from ${path.basename(request.fake)}`;
    } else {
      const generator = await loadModelFile(request.generator as string, { role: 'generator' });
      try {
        generated = sampleGenerator(
          generator.model,
          Math.max(DEFAULT_SAMPLE_COUNT, request.counts.generated),
          request.seed,
        );
      } finally {
        generator.model.dispose();
      }
      generatedDescription = `generator(z) of ${path.basename(request.generator as string)}, z ~ N(0, I)`;
    }
    const adam = critic.optimizers.find((o) => o.type === 'adam')?.paramGroups[0];
    const sources: Record<string, string> = {};
    if (request.batchSize !== undefined) sources.batchSize = 'command line';
    if (adam?.lr !== undefined)
      logger.info(`critic optimizer: lr ${adam.lr}, betas ${adam.betas?.join(', ') ?? 'unknown'}`);
    await fs.access(criticFile);
    return {
      critic: critic.model,
      real,
      generated,
      generatedDescription,
      modes: dataset?.modes,
      scaleDivisor: dataset?.scaleDivisor,
      training: {
        batchSize: request.batchSize,
        ...(adam
          ? {
              optimizer: {
                type: 'adam',
                lr: adam.lr,
                beta1: adam.betas?.[0],
                beta2: adam.betas?.[1],
              },
            }
          : {}),
        sources: adam ? { ...sources, optimizer: 'checkpoint optimizer state' } : sources,
      },
      nonFiniteWeights: critic.nonFinite,
      source: {
        kind: 'files',
        critic: criticFile,
        generator: request.generator,
        fake: request.fake,
        real: request.real,
        dataset: request.dataset,
      },
    };
  } catch (error) {
    critic.model.dispose();
    throw error;
  }
}
