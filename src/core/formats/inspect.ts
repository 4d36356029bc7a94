import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DifferentiableModel } from '../nets/model';
import { Mlp } from '../nets/mlp';
import { spectralNorm, weightStats } from '../probe/spectral';
import { readCheckpoint, readRunManifest, RUN_JSON } from '../train/runFolder';
import { detectFormat } from './detect';
import { loadModelFile, readBoundedFile } from './loadModel';

export interface LayerSummary {
  name: string;
  kind: string;
  op: string;
  parameters: number;
  weights: {
    name: string;
    shape: number[];
    mean: number;
    std: number;
    min: number;
    max: number;
    nonFinite: number;
  }[];
  /** Largest singular value of the layer's weight matrix (dense kernels, or conv filters reshaped). */
  spectralNorm?: number;
}

/** What `gan-diagnostics inspect` prints and the checkpoint editor shows. */
export interface FileSummary {
  file: string;
  format: string;
  description: string;
  parameters: number;
  inputShape?: number[];
  outputSize?: number;
  layers: LayerSummary[];
  notes: string[];
  metadata: Record<string, unknown>;
}

export function summariseLayers(model: DifferentiableModel): LayerSummary[] {
  return model.layers.map((layer) => {
    const summary: LayerSummary = {
      name: layer.name,
      kind: layer.kind,
      op: layer.op,
      parameters: layer.weights.reduce((n, w) => n + w.values.length, 0),
      weights: layer.weights.map((w) => ({
        name: w.name,
        shape: w.shape,
        ...weightStats(w.values),
      })),
    };
    if (layer.linear?.type === 'dense') {
      const [rows, cols] = layer.linear.kernel.shape;
      summary.spectralNorm = spectralNorm(layer.linear.kernel.values, rows, cols);
    } else if (layer.linear) {
      const [kh, kw, cin, cout] = layer.linear.filter.shape;
      summary.spectralNorm = spectralNorm(layer.linear.filter.values, kh * kw * cin, cout);
    }
    return summary;
  });
}

/** Describes a run folder, run.json or checkpoint file without running any code from it. */
export async function inspectFile(file: string): Promise<FileSummary> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new Error(`${file} not found.`);
  if (stat.isDirectory() || path.basename(file) === RUN_JSON)
    return inspectRun(stat.isDirectory() ? file : path.dirname(file));
  const bytes = await readBoundedFile(file);
  const detection = detectFormat(bytes);
  if (detection.format === 'not-a-checkpoint') throw new Error(`${file}: ${detection.message}`);
  if (detection.format === 'npy' || detection.format === 'run')
    throw new Error(`${file} is a ${detection.format} file, not a model.`);
  const loaded = await loadModelFile(file, { role: 'critic' }).catch(async (error) => {
    if (detection.format === 'onnx') throw error;
    return loadModelFile(file, { role: 'generator' }).catch(() => Promise.reject(error));
  });
  try {
    const layers = summariseLayers(loaded.model);
    return {
      file,
      format: loaded.format,
      description: `${loaded.format} model, ${layers.length} layers`,
      parameters: layers.reduce((n, l) => n + l.parameters, 0),
      inputShape: [...loaded.model.inputShape],
      outputSize: loaded.model.outputSize,
      layers,
      notes: [
        ...loaded.notes,
        ...loaded.nonFinite.map((n) => `${n.name}: ${n.count} non-finite values`),
      ],
      metadata: { optimizers: loaded.optimizers },
    };
  } finally {
    loaded.model.dispose();
  }
}

async function inspectRun(runDir: string): Promise<FileSummary> {
  const manifest = await readRunManifest(runDir);
  const state = await readCheckpoint(runDir, manifest);
  const critic = new Mlp(manifest.networks.critic, 'critic', state.critic);
  try {
    const layers = summariseLayers(critic);
    const last = manifest.history[manifest.history.length - 1];
    return {
      file: runDir,
      format: 'run',
      description: `GAN Diagnostics run on ${manifest.config.dataset.name}, iteration ${manifest.iteration} of ${manifest.config.iterations} (${manifest.status})`,
      parameters: layers.reduce((n, l) => n + l.parameters, 0),
      inputShape: manifest.networks.critic.inputShape,
      outputSize: 1,
      layers,
      notes: [`critic of checkpoint ${manifest.checkpoint}`],
      metadata: {
        config: manifest.config,
        checkpoints: manifest.checkpoints,
        lastProgress: last ?? null,
        backend: manifest.backend,
        workers: manifest.workers,
      },
    };
  } finally {
    critic.dispose();
  }
}
