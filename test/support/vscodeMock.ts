/*
 * A stand-in for the `vscode` module, for loading the extension bundle in plain Node. It records
 * registered command ids and created output channels. Every API it does not model explicitly is
 * a callable proxy that returns itself, so activation code runs without a real VS Code.
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

export interface VscodeMock {
  module: Record<string, unknown>;
  commands: string[];
  outputChannels: string[];
  configuration: Record<string, unknown>;
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

const MODELLED_ELSEWHERE = [
  'ThemeIcon',
  'ThemeColor',
  'TreeItem',
  'TreeItemCollapsibleState',
  'ProgressLocation',
  'ViewColumn',
  'Range',
  'Diagnostic',
  'RelativePattern',
  'ConfigurationTarget',
  'TabInputText',
  'TabInputCustom',
  'languages',
  'extensions',
  'env',
];

export function createVscodeMock(): VscodeMock {
  const commands: string[] = [];
  const outputChannels: string[] = [];
  const configuration: Record<string, unknown> = {};
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
        return makeProxy();
      },
    }),
    workspace: fallback({
      isTrusted: true,
      workspaceFolders: undefined,
      getConfiguration: () => ({
        get: (key: string) => configuration[key],
        update: async () => undefined,
      }),
    }),
  });
  return { module, commands, outputChannels, configuration };
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
