import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SamplerState } from '../data/toy';
import { writeDirectoryAtomic } from '../io/atomic';
import type { RngState } from '../rng';
import { readLayersWeights, writeLayersModel } from './layersFormat';
import type { OptimizerState } from './optimizers';
import { RUN_JSON, writeRunManifest, type RunManifest } from './runManifest';

export * from './runManifest';

const CHECKPOINTS = 'checkpoints';

/** Everything needed to continue a run exactly where a checkpoint left it. */
export interface CheckpointState {
  iteration: number;
  rng: RngState;
  sampler: SamplerState;
  critic: Float32Array[];
  generator: Float32Array[];
  criticOptimizer: OptimizerState;
  generatorOptimizer: OptimizerState;
}

interface StateJson {
  iteration: number;
  rng: RngState;
  sampler: SamplerState;
  optimizers: { critic: OptimizerLayout; generator: OptimizerLayout };
}

interface OptimizerLayout {
  step: number;
  /** Float32 counts of each slot, in file order. */
  slotSizes: number[][];
}

export function checkpointName(iteration: number): string {
  return path.join(CHECKPOINTS, String(iteration).padStart(7, '0'));
}

/** Writes one checkpoint folder atomically, then run.json pointing at it, then prunes old ones. */
export async function writeCheckpoint(
  runDir: string,
  manifest: RunManifest,
  state: CheckpointState,
): Promise<RunManifest> {
  const relative = checkpointName(state.iteration);
  await fs.mkdir(path.join(runDir, CHECKPOINTS), { recursive: true });
  await writeDirectoryAtomic(path.join(runDir, relative), async (dir) => {
    await writeLayersModel(
      path.join(dir, 'critic'),
      manifest.networks.critic,
      'critic',
      state.critic,
    );
    await writeLayersModel(
      path.join(dir, 'generator'),
      manifest.networks.generator,
      'generator',
      state.generator,
    );
    const slots = [...state.criticOptimizer.slots.flat(), ...state.generatorOptimizer.slots.flat()];
    await fs.writeFile(path.join(dir, 'optimizer.bin'), concatFloat32(slots));
    const stateJson: StateJson = {
      iteration: state.iteration,
      rng: state.rng,
      sampler: state.sampler,
      optimizers: {
        critic: layoutOf(state.criticOptimizer),
        generator: layoutOf(state.generatorOptimizer),
      },
    };
    await fs.writeFile(path.join(dir, 'state.json'), JSON.stringify(stateJson));
  });
  const checkpoints = [
    ...manifest.checkpoints.filter((c) => c.path !== relative),
    { iteration: state.iteration, path: relative },
  ];
  const kept = checkpoints.slice(-manifest.config.keepCheckpoints);
  const next: RunManifest = {
    ...manifest,
    iteration: state.iteration,
    checkpoint: relative,
    checkpoints: kept,
    updatedAt: new Date().toISOString(),
  };
  await writeRunManifest(runDir, next);
  for (const old of checkpoints.slice(0, checkpoints.length - kept.length)) {
    await fs.rm(path.join(runDir, old.path), { recursive: true, force: true });
  }
  return next;
}

function layoutOf(state: OptimizerState): OptimizerLayout {
  return { step: state.step, slotSizes: state.slots.map((list) => list.map((s) => s.length)) };
}

function concatFloat32(arrays: Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}

/** Reads the latest checkpoint (or the one at `relative`) of a run. */
export async function readCheckpoint(
  runDir: string,
  manifest: RunManifest,
  relative = manifest.checkpoint,
): Promise<CheckpointState> {
  const dir = path.resolve(runDir, relative);
  if (!dir.startsWith(path.resolve(runDir) + path.sep))
    throw new Error(`${RUN_JSON} points outside the run folder: ${relative}`);
  const statePath = path.join(dir, 'state.json');
  let state: StateJson;
  try {
    state = JSON.parse(await fs.readFile(statePath, 'utf8')) as StateJson;
  } catch (error) {
    throw new Error(`${statePath} is missing or corrupt (${(error as Error).message}).`, {
      cause: error,
    });
  }
  const critic = await readLayersWeights(path.join(dir, 'critic'), manifest.networks.critic);
  const generator = await readLayersWeights(
    path.join(dir, 'generator'),
    manifest.networks.generator,
  );
  const optimizerPath = path.join(dir, 'optimizer.bin');
  const optimizerBytes = await fs.readFile(optimizerPath);
  if (optimizerBytes.length % Float32Array.BYTES_PER_ELEMENT !== 0) {
    throw new Error(
      `${optimizerPath} is truncated: ${optimizerBytes.length} bytes is not a whole number of float32 values.`,
    );
  }
  const floats = new Float32Array(
    optimizerBytes.buffer.slice(
      optimizerBytes.byteOffset,
      optimizerBytes.byteOffset + optimizerBytes.length,
    ),
  );
  let offset = 0;
  const take = (layout: OptimizerLayout): OptimizerState => ({
    step: layout.step,
    slots: layout.slotSizes.map((list) =>
      list.map((size) => {
        if (offset + size > floats.length) throw new Error(`${optimizerPath} is truncated.`);
        const slot = floats.slice(offset, offset + size);
        offset += size;
        return slot;
      }),
    ),
  });
  const criticOptimizer = take(state.optimizers.critic);
  const generatorOptimizer = take(state.optimizers.generator);
  if (offset !== floats.length) {
    const extra = (floats.length - offset) * Float32Array.BYTES_PER_ELEMENT;
    throw new Error(`${optimizerPath} has ${extra} bytes more than ${statePath} lists.`);
  }
  return {
    iteration: state.iteration,
    rng: state.rng,
    sampler: state.sampler,
    critic,
    generator,
    criticOptimizer,
    generatorOptimizer,
  };
}
