import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DifferentiableModel } from '../nets/model';
import { readArchitectureFile, type ArchitectureSpec } from './archSpec';
import { detectFormat, type CheckpointFormat } from './detect';
import { CheckpointError, DEFAULT_LIMITS } from './errors';
import { buildModelFromStateDict } from './modelBuilder';
import { architectureFromModule } from './moduleArch';
import { readOnnxModel } from './onnx/load';
import { readSafetensors } from './safetensors';
import { inferArchitecture } from './stateDict';
import type { StateDict } from './tensor';
import { readTfjsLayersModel } from './tfjsLayers';
import { readTorchFile } from './torch';
import type { OptimizerInfo } from './torchOptimizer';
import { selectStateDict, type StateDictCandidate } from './torchTree';

export type ModelRole = 'critic' | 'generator';

export interface LoadModelOptions {
  role: ModelRole;
  /** Architecture description file, for state_dicts whose layout cannot be inferred. */
  arch?: string;
  /** Key path of the state_dict inside a training checkpoint, when several qualify. */
  stateDictPath?: string;
}

export interface LoadedModelFile {
  model: DifferentiableModel;
  format: CheckpointFormat;
  /** How the forward pass was obtained (from the graph, inferred, or from a description file). */
  notes: string[];
  optimizers: OptimizerInfo[];
  /** Weight tensors with NaN or infinite values, by name. */
  nonFinite: { name: string; count: number }[];
}

/** Reads a file into memory after checking its size against the limit. */
export async function readBoundedFile(
  file: string,
  maxBytes = DEFAULT_LIMITS.maxFileBytes,
): Promise<Buffer> {
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch {
    throw new CheckpointError('not-found', 'file not found.', file);
  }
  if (size > maxBytes)
    throw new CheckpointError(
      'too-large',
      `the file has ${size} bytes, above the limit of ${maxBytes}.`,
      file,
    );
  return fs.readFile(file);
}

/** Loads a critic or generator from any supported checkpoint file, recognised by content. */
export async function loadModelFile(
  file: string,
  options: LoadModelOptions,
): Promise<LoadedModelFile> {
  const bytes = await readBoundedFile(file);
  const detection = detectFormat(bytes);
  if (detection.format === 'not-a-checkpoint')
    throw new CheckpointError('not-a-checkpoint', detection.message, file);
  switch (detection.format) {
    case 'onnx':
      return {
        model: readOnnxModel(bytes, file),
        format: 'onnx',
        notes: ['forward pass from the ONNX graph'],
        optimizers: [],
        nonFinite: [],
      };
    case 'torch-zip':
    case 'torch-legacy':
      return loadTorch(bytes, file, options, detection.format);
    case 'safetensors': {
      const { stateDict } = readSafetensors(bytes, { file });
      return fromStateDict(stateDict, file, options, 'safetensors', [], undefined);
    }
    case 'tfjs-layers':
      return {
        model: await readTfjsLayersModel(file),
        format: 'tfjs-layers',
        notes: ['TF.js Layers model, run in inference mode'],
        optimizers: [],
        nonFinite: [],
      };
    case 'npy':
      throw new CheckpointError(
        'not-a-checkpoint',
        'this is a NumPy array, not a model: pass it with --real or --fake.',
        file,
      );
    case 'run':
      throw new CheckpointError(
        'not-a-checkpoint',
        `this is a run manifest: probe its folder (${path.dirname(file)}) instead.`,
        file,
      );
  }
}

async function loadTorch(
  bytes: Buffer,
  file: string,
  options: LoadModelOptions,
  format: CheckpointFormat,
): Promise<LoadedModelFile> {
  const torch = readTorchFile(bytes, { file });
  const contents = torch.contents;
  const candidate = pickCandidate(contents.stateDicts, options, file, contents.critic);
  const moduleSpec =
    contents.module && options.arch === undefined
      ? architectureFromModule(contents.module, { file })
      : undefined;
  return fromStateDict(
    candidate.stateDict,
    file,
    options,
    format,
    contents.optimizers,
    moduleSpec?.spec,
    candidate.path,
  );
}

function pickCandidate(
  candidates: StateDictCandidate[],
  options: LoadModelOptions,
  file: string,
  critic?: StateDictCandidate,
): StateDictCandidate {
  if (options.stateDictPath !== undefined || candidates.length <= 1) {
    return selectStateDict(
      { kind: 'other', stateDicts: candidates, optimizers: [], config: {}, nonFinite: [] },
      options.stateDictPath,
      file,
    );
  }
  if (options.role === 'critic' && critic) return critic;
  const byRole = candidates.filter((c) => c.role === options.role);
  if (byRole.length === 1) return byRole[0];
  const list = candidates.map((c) => `'${c.path}' (${c.role})`).join(', ');
  throw new CheckpointError(
    'ambiguous',
    `several state_dicts could be the ${options.role}: ${list}; choose one with --state-dict PATH.`,
    file,
  );
}

async function fromStateDict(
  stateDict: StateDict,
  file: string,
  options: LoadModelOptions,
  format: CheckpointFormat,
  optimizers: OptimizerInfo[],
  moduleSpec: ArchitectureSpec | undefined,
  keyPath?: string,
): Promise<LoadedModelFile> {
  const notes: string[] = keyPath ? [`state_dict at '${keyPath}'`] : [];
  let spec: ArchitectureSpec;
  if (options.arch !== undefined) {
    spec = await readArchitectureFile(options.arch);
    notes.push(`architecture from ${options.arch}`);
  } else if (moduleSpec) {
    spec = moduleSpec;
    notes.push('architecture from the pickled module tree');
  } else {
    const inferred = inferArchitecture(stateDict);
    spec = inferred.spec;
    notes.push('architecture inferred from key names and shapes', ...inferred.assumptions);
  }
  const nonFinite = [...stateDict.entries()]
    .filter(([, t]) => t.nonFinite > 0)
    .map(([name, t]) => ({ name, count: t.nonFinite }));
  return {
    model: buildModelFromStateDict(stateDict, spec, { file }),
    format,
    notes,
    optimizers,
    nonFinite,
  };
}
