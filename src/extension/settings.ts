/*
 * The typed reader of the `ganDiagnostics.*` settings. It mirrors the `contributes.configuration`
 * section of package.json (types, ranges and defaults) and imports nothing from vscode, so tests
 * can feed it any values.
 */
import type { BackendRequest } from '../core/backend/init';
import type { Severity } from '../protocol/report';

export const BACKEND_REQUESTS: readonly BackendRequest[] = [
  'auto',
  'node-gpu',
  'node',
  'wasm',
  'cpu',
];

export const PROBE_COUNT_KEYS = [
  'interpolates',
  'real',
  'generated',
  'offManifold',
  'uniform',
] as const;
export type ProbeCountKey = (typeof PROBE_COUNT_KEYS)[number];

export interface Settings {
  backend: BackendRequest;
  /** Training workers on wasm and cpu; 'auto' lets the runner choose. */
  trainingWorkers: number | 'auto';
  probeCounts: Record<ProbeCountKey, number>;
  /** Relative tolerance around the penalty target before a norm counts as above it. */
  normTolerance: number;
  probeSeed: number;
  /** Folders, relative to a workspace folder or absolute, whose new checkpoints are probed. */
  watchFolders: string[];
  /** Quiet time after the last change in a watched folder before the probe starts, in ms. */
  watchDebounceMs: number;
  /** Largest checkpoint the checkpoint editor opens, in bytes. */
  maxCheckpointBytes: number;
  /** Default output folder for new runs, relative to the first workspace folder. */
  runsFolder: string;
  /** Least severe finding shown in the Problems panel. */
  problemsSeverity: Severity;
}

interface NumberRule {
  default: number;
  min: number;
  max: number;
  integer: boolean;
}

/** The numeric settings with their ranges; package.json declares the same. */
export const NUMBER_RULES = {
  trainingWorkers: { default: 0, min: 0, max: 16, integer: true },
  probeCount: { default: 2000, min: 64, max: 100_000, integer: true },
  normTolerance: { default: 0.1, min: 0, max: 1, integer: false },
  probeSeed: { default: 1, min: 0, max: 2 ** 31 - 1, integer: true },
  watchDebounceMs: { default: 2000, min: 0, max: 60_000, integer: true },
  maxCheckpointSizeMB: { default: 512, min: 1, max: 16_384, integer: false },
} satisfies Record<string, NumberRule>;

const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];

/** Reads one setting by its key below `ganDiagnostics.`; undefined when unset. */
export type SettingGetter = (key: string) => unknown;

export interface SettingsResult {
  settings: Settings;
  /** One sentence per invalid value that was replaced by its default. */
  problems: string[];
}

export function readSettings(get: SettingGetter): SettingsResult {
  const problems: string[] = [];

  const number = (key: string, rule: NumberRule): number => {
    const value = get(key);
    if (value === undefined) return rule.default;
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= rule.min &&
      value <= rule.max &&
      (!rule.integer || Number.isInteger(value));
    if (valid) return value;
    const kind = rule.integer ? 'an integer' : 'a number';
    problems.push(
      `ganDiagnostics.${key} is ${JSON.stringify(value)}; expected ${kind} in ${rule.min}..${rule.max}, using ${rule.default}.`,
    );
    return rule.default;
  };

  const choice = <T extends string>(key: string, options: readonly T[], fallback: T): T => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (options.includes(value as T)) return value as T;
    problems.push(
      `ganDiagnostics.${key} is ${JSON.stringify(value)}; expected one of ${options.join(', ')}, using ${fallback}.`,
    );
    return fallback;
  };

  const text = (key: string, fallback: string): string => {
    const value = get(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    problems.push(
      `ganDiagnostics.${key} is ${JSON.stringify(value)}; expected a folder name, using '${fallback}'.`,
    );
    return fallback;
  };

  const workers = number('trainingWorkers', NUMBER_RULES.trainingWorkers);
  const probeCounts = Object.fromEntries(
    PROBE_COUNT_KEYS.map((key) => [key, number(`probe.${key}Count`, NUMBER_RULES.probeCount)]),
  ) as Record<ProbeCountKey, number>;

  const settings: Settings = {
    backend: choice('backend', BACKEND_REQUESTS, 'auto'),
    trainingWorkers: workers === 0 ? 'auto' : workers,
    probeCounts,
    normTolerance: number('probe.normTolerance', NUMBER_RULES.normTolerance),
    probeSeed: number('probe.seed', NUMBER_RULES.probeSeed),
    watchFolders: readFolders(get('watchFolders'), problems),
    watchDebounceMs: number('watchDebounceMs', NUMBER_RULES.watchDebounceMs),
    maxCheckpointBytes:
      number('maxCheckpointSizeMB', NUMBER_RULES.maxCheckpointSizeMB) * 1024 * 1024,
    runsFolder: text('runsFolder', 'runs'),
    problemsSeverity: choice('problems.minimumSeverity', SEVERITY_ORDER, 'warning'),
  };
  return { settings, problems };
}

function readFolders(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(
      `ganDiagnostics.watchFolders is ${JSON.stringify(value)}; expected an array of folder paths.`,
    );
    return [];
  }
  const folders: string[] = [];
  for (const item of value) {
    if (typeof item === 'string' && item.trim() !== '') {
      folders.push(item.trim());
    } else {
      problems.push(
        `ganDiagnostics.watchFolders contains ${JSON.stringify(item)}, which is not a folder path; ignored.`,
      );
    }
  }
  return [...new Set(folders)];
}

/** True when a finding of `severity` is at least as severe as `minimum`. */
export function atLeastAsSevere(severity: Severity, minimum: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) <= SEVERITY_ORDER.indexOf(minimum);
}
