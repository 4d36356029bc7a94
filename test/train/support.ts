/**
 * Shared pieces of the trainer tests: a critic-only training loop, temporary run folders,
 * folder snapshots and bit-exact comparison of weight arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Mlp } from '../../src/core/nets/mlp';
import type { Rng } from '../../src/core/rng';
import { SINGLE_PROCESS } from '../../src/core/train/collective';
import { Optimizer } from '../../src/core/train/optimizers';
import type { PenaltyConfig } from '../../src/core/train/penalty';
import { criticGradients } from '../../src/core/train/step';

/** One batch for a critic step: row-major [batchSize, dim] real and fake samples. */
export interface CriticBatch {
  real: Float32Array;
  fake: Float32Array;
}

/** A phase of critic training at a constant learning rate, with a fresh Adam state. */
export interface LearningRateStage {
  lr: number;
  steps: number;
}

export interface CriticTrainingOptions {
  dim: number;
  batchSize: number;
  penalty: PenaltyConfig;
  stages: LearningRateStage[];
  /** Draws one batch. It is called once per step, before ε is drawn. */
  drawBatch: (rng: Rng, batchSize: number) => CriticBatch;
  rng: Rng;
}

/** Averages over the last stage: metrics from before each update, weights from after it. */
export interface CriticTrainingSummary {
  meanCriticLoss: number;
  meanWasserstein: number;
  /** The critic's weights averaged over the last stage (Polyak averaging), in variable order. */
  averagedWeights: Float64Array[];
}

/**
 * Trains only the critic, with the trainer's own step (`criticGradients` then `Optimizer.apply`)
 * and ε drawn as the trainer draws it (`rng.uniforms(batchSize)`, after the batch).
 */
export function trainCritic(critic: Mlp, options: CriticTrainingOptions): CriticTrainingSummary {
  const { dim, batchSize, penalty, stages, rng } = options;
  const averagedWeights = critic.variables.map((v) => new Float64Array(v.size));
  let lossSum = 0;
  let wassersteinSum = 0;
  let averagedSteps = 0;

  stages.forEach((stage, stageIndex) => {
    const optimizer = new Optimizer(
      { kind: 'adam', lr: stage.lr, beta1: 0.5, beta2: 0.9, epsilon: 1e-8 },
      critic.variables,
    );
    const isLast = stageIndex === stages.length - 1;
    for (let step = 0; step < stage.steps; step++) {
      const batch = options.drawBatch(rng, batchSize);
      const input = {
        real: tf.tensor2d(batch.real, [batchSize, dim]),
        fake: tf.tensor2d(batch.fake, [batchSize, dim]),
        epsilon: tf.tensor1d(rng.uniforms(batchSize)) as Tensor1D,
        batchSize,
      };
      const { gradients, metrics } = criticGradients(critic, input, penalty, SINGLE_PROCESS);
      if (isLast) {
        lossSum += metrics.criticLoss;
        wassersteinSum += metrics.wasserstein;
        averagedSteps += 1;
      }
      optimizer.apply(gradients);
      tf.dispose([input.real, input.fake, input.epsilon]);
      if (isLast) {
        critic.weights().forEach((values, i) => {
          for (let j = 0; j < values.length; j++) averagedWeights[i][j] += values[j];
        });
      }
    }
  });

  for (const values of averagedWeights) {
    for (let j = 0; j < values.length; j++) values[j] /= averagedSteps;
  }
  return {
    meanCriticLoss: lossSum / averagedSteps,
    meanWasserstein: wassersteinSum / averagedSteps,
    averagedWeights,
  };
}

/** Evaluates a critic on row-major points of dimension `dim` and returns D per row. */
export function evaluateCritic(critic: Mlp, points: Float32Array, dim: number): Float32Array {
  return tf.tidy(() => {
    const values = critic.apply(tf.tensor2d(points, [points.length / dim, dim]));
    return Float32Array.from(values.dataSync() as Float32Array);
  });
}

/** Returns ∇ₓD(x) at each row-major point of dimension `dim`. */
export function criticInputGradients(critic: Mlp, points: Float32Array, dim: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d(points, [points.length / dim, dim]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(critic.apply(input)))(x);
    return Float32Array.from(gradient.dataSync() as Float32Array);
  });
}

/** Creates an empty folder under the system's temporary folder. */
export function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `gan-diagnostics-${prefix}-`));
}

export function removeDir(dir: string): Promise<void> {
  return fs.rm(dir, { recursive: true, force: true });
}

/** A file or folder as a snapshot records it: kind, inode, modification time and file bytes. */
export interface SnapshotEntry {
  kind: 'file' | 'folder';
  inode: number;
  modifiedMs: number;
  bytes?: Buffer;
}

/**
 * Reads `dir` and everything under it, keyed by relative path in sorted order ('.' for `dir`).
 * A folder's modification time changes when an entry is created in it, even a temporary one
 * that is removed again, and a file replaced by a rename gets a new inode.
 */
export async function snapshotFolder(dir: string): Promise<Map<string, SnapshotEntry>> {
  const entries = new Map<string, SnapshotEntry>();
  const visit = async (relative: string): Promise<void> => {
    const absolute = path.join(dir, relative);
    const stats = await fs.stat(absolute);
    if (!stats.isDirectory()) {
      const bytes = await fs.readFile(absolute);
      entries.set(relative, { kind: 'file', inode: stats.ino, modifiedMs: stats.mtimeMs, bytes });
      return;
    }
    entries.set(relative, { kind: 'folder', inode: stats.ino, modifiedMs: stats.mtimeMs });
    const children = (await fs.readdir(absolute)).sort();
    for (const child of children) await visit(path.join(relative, child));
  };
  await visit('.');
  return entries;
}

/** Asserts that two snapshots list the same paths and that no entry was modified or replaced. */
export function assertSameSnapshot(
  after: Map<string, SnapshotEntry>,
  before: Map<string, SnapshotEntry>,
  label: string,
): void {
  assert.deepEqual([...after.keys()], [...before.keys()], `${label}: folder listing changed`);
  for (const [relative, entry] of before) {
    const now = after.get(relative) as SnapshotEntry;
    assert.equal(now.kind, entry.kind, `${label}: ${relative} changed kind`);
    assert.equal(now.inode, entry.inode, `${label}: ${relative} was replaced`);
    assert.equal(now.modifiedMs, entry.modifiedMs, `${label}: ${relative} was modified`);
    if (entry.bytes) {
      assert.ok(now.bytes?.equals(entry.bytes), `${label}: ${relative} has new contents`);
    }
  }
}

/** Asserts that two lists of arrays have the same lengths and the same bytes, element by element. */
export function assertBitIdentical(
  actual: Float32Array[],
  expected: Float32Array[],
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: array count`);
  actual.forEach((values, i) => {
    assert.equal(values.length, expected[i].length, `${label}: length of array ${i}`);
    const a = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const b = Buffer.from(expected[i].buffer, expected[i].byteOffset, expected[i].byteLength);
    assert.ok(
      a.equals(b),
      `${label}: array ${i} differs (first value ${values[0]} vs ${expected[i][0]})`,
    );
  });
}

/** Returns true when the two lists differ in at least one bit. */
export function differsSomewhere(a: Float32Array[], b: Float32Array[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((values, i) => {
    const x = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    const y = Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength);
    return !x.equals(y);
  });
}
