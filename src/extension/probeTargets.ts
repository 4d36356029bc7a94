/** Works out what a Probe command invoked on a path should probe. No vscode imports. */
import path from 'node:path';
import { findRunFolder, RUN_JSON } from './runFiles';

export type ResolvedTarget =
  | { kind: 'run'; runDir: string; checkpoint?: string }
  | { kind: 'critic'; critic: string }
  | { kind: 'unknown'; reason: string };

export const MODEL_EXTENSIONS = ['.onnx', '.pt', '.pth', '.safetensors'];

/**
 * Resolves a file or folder: run.json or a run folder probes the latest checkpoint, anything
 * inside `checkpoints/<name>/` probes that checkpoint, and a model file outside a run is a critic.
 */
export async function resolveProbeTarget(file: string): Promise<ResolvedTarget> {
  if (path.basename(file) === RUN_JSON) return { kind: 'run', runDir: path.dirname(file) };
  const runDir = await findRunFolder(path.join(file, RUN_JSON), 5);
  if (runDir) {
    const checkpoint = checkpointOf(runDir, file);
    return checkpoint ? { kind: 'run', runDir, checkpoint } : { kind: 'run', runDir };
  }
  const extension = path.extname(file).toLowerCase();
  if (MODEL_EXTENSIONS.includes(extension) || path.basename(file) === 'model.json') {
    return { kind: 'critic', critic: file };
  }
  return {
    kind: 'unknown',
    reason: `${file} is neither a run folder nor a model file (.onnx, .pt, .pth, .safetensors, model.json).`,
  };
}

/** Returns the checkpoint folder, relative to the run, that `file` lies in, such as `checkpoints/0001000`. */
export function checkpointOf(runDir: string, file: string): string | undefined {
  const relative = path.relative(runDir, file).split(path.sep);
  if (relative[0] !== 'checkpoints' || relative.length < 2 || relative[1] === '') return undefined;
  return path.join('checkpoints', relative[1]);
}
