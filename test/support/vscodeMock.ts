/*
 * A stand-in for the `vscode` module, for loading the extension bundle in plain Node. It records
 * registered command ids, created output channels with their log lines, and the diagnostics set
 * on each file. Its `findFiles` lists the paths in `files`, and tests fire its file watchers.
 * Every API it does not model explicitly is a callable proxy that returns itself, so activation
 * code runs without a real VS Code.
 */
import Module from 'node:module';

type AnyFunction = (...args: unknown[]) => unknown;

function makeProxy(): unknown {
  const target = function () {} as unknown as AnyFunction;
  const proxy: unknown = new Proxy(target, {
    get: (_target, key) => {
      // Not a promise, so that `await` on a proxy resolves to the proxy itself.
      if (key === 'then') return undefined;
      if (key === Symbol.toPrimitive) return () => '';
      return proxy;
    },
    set: () => true,
    apply: () => proxy,
    construct: () => proxy as object,
  });
  return proxy;
}

/** A diagnostic as the mock records it. */
export interface MockDiagnostic {
  message: string;
  severity: number;
  source?: string;
  code?: string | number;
}

/** A file watcher made by createFileSystemWatcher, whose events a test fires. */
export interface MockWatcher {
  /** The pattern passed to createFileSystemWatcher: a glob, or a RelativePattern (a proxy here). */
  pattern: unknown;
  fire(kind: 'create' | 'change' | 'delete', file: string): void;
}

export interface VscodeMock {
  module: Record<string, unknown>;
  commands: string[];
  outputChannels: string[];
  /** Every line written to an output channel, as `[level] message`. */
  logLines: string[];
  configuration: Record<string, unknown>;
  /**
   * Absolute paths that `workspace.findFiles` lists. An include pattern for a file name in any
   * folder, such as the runs tree's searches for run.json and `*.report.json`, keeps the paths
   * whose name matches. Any other pattern lists them all.
   */
  files: string[];
  /** The diagnostics of every collection, by file path; a deleted file has no entry. */
  diagnostics: Map<string, MockDiagnostic[]>;
  watchers: MockWatcher[];
}

class EventEmitter<T> {
  private listeners = new Set<(value: T) => void>();
  event = (listener: (value: T) => void) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  constructor(readonly fsPath: string) {}
  static file(fsPath: string): Uri {
    return new Uri(fsPath);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri([base.fsPath, ...segments].join('/'));
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

class Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

class Diagnostic implements MockDiagnostic {
  source?: string;
  code?: string | number;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}

const MODELLED_ELSEWHERE = [
  'ThemeIcon',
  'ThemeColor',
  'TreeItem',
  'TreeItemCollapsibleState',
  'ProgressLocation',
  'ViewColumn',
  'RelativePattern',
  'ConfigurationTarget',
  'TabInputText',
  'TabInputCustom',
  'extensions',
  'env',
];

/** Keeps the paths that a findFiles include pattern matches, as described at VscodeMock.files. */
function matchFiles(files: readonly string[], include: unknown): string[] {
  const name = typeof include === 'string' ? /^\*\*\/([^/{}]+)$/.exec(include)?.[1] : undefined;
  if (!name) return [...files];
  const escaped = name.replace(/[.+?^$()[\]\\|]/g, '\\$&').replace(/\*/g, '.*');
  const pattern = new RegExp(`^${escaped}$`);
  return files.filter((file) => pattern.test(file.split(/[\\/]/).at(-1) ?? ''));
}

function createWatcher(pattern: unknown): MockWatcher & Record<string, unknown> {
  const emitters = {
    create: new EventEmitter<Uri>(),
    change: new EventEmitter<Uri>(),
    delete: new EventEmitter<Uri>(),
  };
  return {
    pattern,
    onDidCreate: emitters.create.event,
    onDidChange: emitters.change.event,
    onDidDelete: emitters.delete.event,
    fire: (kind, file) => emitters[kind].fire(Uri.file(file)),
    dispose: () => Object.values(emitters).forEach((emitter) => emitter.dispose()),
  };
}

export function createVscodeMock(): VscodeMock {
  const commands: string[] = [];
  const outputChannels: string[] = [];
  const logLines: string[] = [];
  const configuration: Record<string, unknown> = {};
  const files: string[] = [];
  const diagnostics = new Map<string, MockDiagnostic[]>();
  const watchers: MockWatcher[] = [];
  const disposable = { dispose: () => undefined };
  const fallback = (extra: Record<string, unknown>) =>
    new Proxy(extra, {
      get: (target, key) => (key in target ? target[key as string] : makeProxy()),
    });

  // The bundle reads the module through esbuild's __toESM, which copies own properties only.
  // So every name the extension uses must exist here, and unmodelled ones are proxies.
  const proxies = Object.fromEntries(MODELLED_ELSEWHERE.map((name) => [name, makeProxy()]));
  const module = fallback({
    ...proxies,
    EventEmitter,
    Uri,
    Range,
    Diagnostic,
    StatusBarAlignment: { Left: 1, Right: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    commands: fallback({
      registerCommand: (id: string) => {
        commands.push(id);
        return disposable;
      },
      executeCommand: async () => undefined,
    }),
    window: fallback({
      createOutputChannel: (name: string) => {
        outputChannels.push(name);
        const write = (level: string) => (message: string) =>
          logLines.push(`[${level}] ${message}`);
        return fallback({
          debug: write('debug'),
          info: write('info'),
          warn: write('warn'),
          error: write('error'),
          dispose: () => undefined,
        });
      },
    }),
    workspace: fallback({
      isTrusted: true,
      workspaceFolders: undefined,
      getConfiguration: () => ({
        get: (key: string) => configuration[key],
        update: async () => undefined,
      }),
      findFiles: async (include: unknown) =>
        matchFiles(files, include).map((file) => Uri.file(file)),
      createFileSystemWatcher: (pattern: unknown) => {
        const watcher = createWatcher(pattern);
        watchers.push(watcher);
        return watcher;
      },
    }),
    languages: fallback({
      createDiagnosticCollection: () => ({
        set: (uri: Uri, list: MockDiagnostic[]) => diagnostics.set(uri.fsPath, [...list]),
        delete: (uri: Uri) => diagnostics.delete(uri.fsPath),
        clear: () => diagnostics.clear(),
        dispose: () => undefined,
      }),
    }),
  });
  return {
    module,
    commands,
    outputChannels,
    logLines,
    configuration,
    files,
    diagnostics,
    watchers,
  };
}

/** Makes `require('vscode')` return the mock, and returns a function that undoes it. */
export function installVscodeMock(mock: VscodeMock): () => void {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return mock.module;
    return original.call(this, request, ...rest);
  };
  return () => {
    loader._load = original;
  };
}
