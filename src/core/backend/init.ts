import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describeError, type Logger } from '../log';
import { installGradientFixes } from './gradients';

/** The compute backends, in the order they are tried when none is forced. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = BackendName | 'auto';

export interface SkippedBackend {
  name: BackendName;
  reason: string;
}

export interface BackendInfo {
  /** Our name for the backend in use. */
  name: BackendName;
  /** The tfjs backend name behind it (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** Every backend tried before it, with the reason it was not used. */
  skipped: SkippedBackend[];
}

export interface BackendOptions {
  request?: BackendRequest;
  /** Folders where the optional native packages may be installed, searched in order. */
  nativeSearchPaths?: string[];
  /** Folder holding the tfjs wasm binaries; found automatically when omitted. */
  wasmDir?: string;
  logger: Logger;
}

const NATIVE_PACKAGES: Record<'node-gpu' | 'node', string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

let active: BackendInfo | undefined;
let wasmPathsSet = false;

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

export function activeBackend(): BackendInfo | undefined {
  return active;
}

/**
 * Selects, initialises and logs the compute backend. With `request: 'auto'` the backends are tried
 * in the order of {@link BACKEND_NAMES}; a forced backend that cannot start is an error. The
 * gradient fixes that the penalty's second-order gradients need are installed before any op runs.
 */
export async function initBackend(options: BackendOptions): Promise<BackendInfo> {
  const request = options.request ?? 'auto';
  if (active && (request === 'auto' || request === active.name)) return active;
  // Switching after start-up is allowed (tests run several backends in one process); tfjs moves
  // existing tensors to the new backend when they are next used.
  installGradientFixes();
  registerCpuBackend();
  const candidates: BackendName[] = request === 'auto' ? [...BACKEND_NAMES] : [request];
  const skipped: SkippedBackend[] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name, options);
    if (reason === undefined) {
      active = { name, tfjsBackend: tf.getBackend(), skipped };
      logSelection(active, options.logger);
      return active;
    }
    skipped.push({ name, reason });
    if (request !== 'auto') break;
  }
  const details = skipped.map((entry) => `${entry.name}: ${entry.reason}`).join('; ');
  throw new Error(`No compute backend could start (${details}).`);
}

/**
 * Registers the plain JavaScript backend. Its package marks its Node bundle as free of side
 * effects, so a bundler drops a bare import of it and the backend would never register itself.
 */
function registerCpuBackend(): void {
  if (tf.findBackendFactory('cpu') === null || tf.findBackendFactory('cpu') === undefined) {
    tf.registerBackend('cpu', () => new MathBackendCPU(), 1);
  }
}

function logSelection(info: BackendInfo, logger: Logger): void {
  for (const entry of info.skipped) logger.info(`backend ${entry.name} skipped: ${entry.reason}`);
  logger.info(`backend: ${info.name} (tfjs '${info.tfjsBackend}')`);
}

async function tryBackend(name: BackendName, options: BackendOptions): Promise<string | undefined> {
  try {
    if (name === 'node-gpu' || name === 'node') return await tryNative(name, options);
    if (name === 'wasm') return await tryWasm(options);
    return (await tf.setBackend('cpu'))
      ? silenceCpuAdvert()
      : 'the cpu backend failed to initialise';
  } catch (error) {
    return `failed to load: ${describeError(error)}`;
  }
}

function silenceCpuAdvert(): undefined {
  // The cpu backend prints an advert for the native package on its first tensor.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  backend.firstUse = false;
  return undefined;
}

async function tryWasm(options: BackendOptions): Promise<string | undefined> {
  const dir = options.wasmDir ?? findWasmDir();
  if (dir === undefined) return 'the tfjs wasm binaries were not found next to the bundle';
  if (!wasmPathsSet) setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
  wasmPathsSet = true;
  // A failed wasm start returns false and would leave tfjs on 'cpu' without an error.
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') return `the wasm backend failed to initialise from ${dir}`;
  return undefined;
}

/** Finds the folder with `tfjs-backend-wasm-simd.wasm`: beside the bundle, then in node_modules. */
export function findWasmDir(): string | undefined {
  const candidates = [__dirname, path.join(__dirname, '..', 'dist')];
  try {
    const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    candidates.push(path.join(path.dirname(pkg), 'dist'));
  } catch {
    // Not resolvable from a bundle that ships the binaries itself.
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')));
}

async function tryNative(
  name: 'node-gpu' | 'node',
  options: BackendOptions,
): Promise<string | undefined> {
  const pkg = NATIVE_PACKAGES[name];
  const loaded = loadNativePackage(pkg, options.nativeSearchPaths ?? []);
  if (typeof loaded === 'string') return loaded;
  // The native package registers the 'tensorflow' backend in the registry that every tfjs-core
  // copy of the same version shares, so this copy can select it.
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend failed to start`;
  if (name === 'node-gpu' && !usesGpu()) {
    return 'loaded, but TensorFlow registered no GPU device (check the CUDA 11.2 and cuDNN 8.1 libraries)';
  }
  return undefined;
}

function usesGpu(): boolean {
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.binding?.isUsingGpuDevice?.() ?? false;
}

/** Loads an optional native package, or returns why it could not be loaded. */
function loadNativePackage(pkg: string, searchPaths: string[]): string | undefined {
  const roots = [...searchPaths, process.cwd(), path.join(__dirname, '..')];
  let lastError: unknown;
  for (const root of roots) {
    const requireFrom = createRequire(path.join(path.resolve(root), 'noop.js'));
    let resolved: string;
    try {
      resolved = requireFrom.resolve(pkg);
    } catch {
      continue;
    }
    try {
      requireFrom(resolved);
      return undefined;
    } catch (error) {
      lastError = error;
    }
  }
  if (lastError === undefined) return `not installed (${pkg} is an optional dependency)`;
  return classifyNativeError(describeError(lastError));
}

function classifyNativeError(message: string): string {
  if (/libcudart|libcudnn|libcublas|CUDA/i.test(message))
    return `CUDA version mismatch: ${message}`;
  if (/tfjs_binding\.node|libtensorflow/i.test(message)) {
    return `failed to load its native addon (libtensorflow missing or incompatible): ${message}`;
  }
  return `failed to load: ${message}`;
}
