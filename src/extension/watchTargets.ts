/** Decides what a watched folder's new files should probe. No vscode imports. */
import path from 'node:path';
import { exists, RUN_JSON } from './runFiles';

export type WatchTarget =
  | { kind: 'run'; runDir: string }
  | { kind: 'files'; critic: string; generator: string; real: string }
  | { kind: 'incomplete'; reason: string };

const REAL_DATA_NAMES = ['real.npy', 'real.csv'];

/** True for file names that the watcher reacts to: run.json and exported critics. */
export function isWatchedFile(file: string): boolean {
  const name = path.basename(file).toLowerCase();
  return name === RUN_JSON || (name.endsWith('.onnx') && name.includes('critic'));
}

/** The generator exported next to a critic: `critic` replaced by `generator` in its name. */
export function generatorFor(critic: string): string {
  const name = path.basename(critic);
  const index = name.toLowerCase().indexOf('critic');
  return path.join(
    path.dirname(critic),
    `${name.slice(0, index)}generator${name.slice(index + 'critic'.length)}`,
  );
}

/**
 * Resolves a changed file below a watched root. A run.json probes that run. A critic ONNX file
 * needs its generator beside it, and a real.npy or real.csv in its folder or a parent up to the
 * root.
 */
export async function watchTargetFor(file: string, root: string): Promise<WatchTarget> {
  if (path.basename(file) === RUN_JSON) return { kind: 'run', runDir: path.dirname(file) };
  const generator = generatorFor(file);
  if (!(await exists(generator))) {
    return {
      kind: 'incomplete',
      reason: `${file} has no generator beside it (expected ${path.basename(generator)}).`,
    };
  }
  const real = await findRealData(path.dirname(file), root);
  if (!real) {
    return {
      kind: 'incomplete',
      reason: `No real data for ${file}: save the training data as real.npy in ${root} or beside the critic.`,
    };
  }
  return { kind: 'files', critic: file, generator, real };
}

async function findRealData(start: string, root: string): Promise<string | undefined> {
  const stop = path.resolve(root);
  let dir = path.resolve(start);
  for (;;) {
    for (const name of REAL_DATA_NAMES) {
      const candidate = path.join(dir, name);
      if (await exists(candidate)) return candidate;
    }
    if (dir === stop || !dir.startsWith(stop + path.sep)) return undefined;
    dir = path.dirname(dir);
  }
}
