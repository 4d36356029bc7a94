import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CODE_SERVER_ENTRY, NODE24_BIN } from './paths';
import { runCommand, sleep, waitFor } from './process';

/** Folders under a run folder that hold all of code-server's state. */
export interface CodeServerFolders {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  tmpDir: string;
  logFile: string;
}

/** Creates the state folders of one code-server under `root`. */
export async function codeServerFolders(root: string): Promise<CodeServerFolders> {
  const folders = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    tmpDir: path.join(root, 'tmp'),
    logFile: path.join(root, 'code-server.log'),
  };
  for (const dir of [
    folders.userDataDir,
    folders.extensionsDir,
    folders.tmpDir,
    path.join(root, 'xdg-data'),
    path.join(root, 'xdg-config'),
    path.join(root, 'xdg-cache'),
  ]) {
    await fs.mkdir(dir, { recursive: true });
  }
  return folders;
}

/**
 * Returns the environment of code-server: no extension gallery at all, and the XDG folders and TMPDIR
 * under the run folder, because code-server otherwise writes into the home folder and /tmp.
 */
function codeServerEnvironment(folders: CodeServerFolders): NodeJS.ProcessEnv {
  return {
    ...process.env,
    EXTENSIONS_GALLERY: '{}',
    XDG_DATA_HOME: path.join(folders.root, 'xdg-data'),
    XDG_CONFIG_HOME: path.join(folders.root, 'xdg-config'),
    XDG_CACHE_HOME: path.join(folders.root, 'xdg-cache'),
    TMPDIR: folders.tmpDir,
  };
}

function stateArguments(folders: CodeServerFolders): string[] {
  return [
    '--user-data-dir',
    folders.userDataDir,
    '--extensions-dir',
    folders.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
  ];
}

/** Installs a .vsix into the run's extensions folder and returns the installed extension's folder. */
export async function installExtension(
  folders: CodeServerFolders,
  vsix: string,
  extensionId: string,
): Promise<string> {
  await runCommand(
    NODE24_BIN,
    [CODE_SERVER_ENTRY, ...stateArguments(folders), '--force', '--install-extension', vsix],
    { env: codeServerEnvironment(folders) },
  );
  const prefix = `${extensionId.toLowerCase()}-`;
  const entries = await fs.readdir(folders.extensionsDir);
  const installed = entries.find((name) => name.toLowerCase().startsWith(prefix));
  if (!installed) {
    throw new Error(
      `code-server installed ${vsix}, but ${folders.extensionsDir} has no ${prefix}* folder ` +
        `(it contains: ${entries.join(', ') || 'nothing'}).`,
    );
  }
  return path.join(folders.extensionsDir, installed);
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('Could not read a free port.');
  return address.port;
}

/** A running code-server bound to 127.0.0.1, in its own process group. */
export class CodeServer {
  private exited = false;
  /** Resolves with code-server's exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly folders: CodeServerFolders,
  ) {
    this.exit = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exited = true;
        resolve(code);
      });
    });
  }

  /**
   * Starts code-server on 127.0.0.1:`port` and resolves once /healthz responds. With `testHook`,
   * the smoke-test driver option makes the workbench honour a test payload in the URL.
   */
  static async start(
    folders: CodeServerFolders,
    port: number,
    { testHook = true }: { testHook?: boolean } = {},
  ): Promise<CodeServer> {
    const log = createWriteStream(folders.logFile, { flags: 'a' });
    const args = [
      CODE_SERVER_ENTRY,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      ...stateArguments(folders),
      '--disable-workspace-trust',
      '--ignore-last-opened',
      ...(testHook ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ];
    // detached puts code-server in a process group of its own, so that stop() also ends the
    // extension host and the other processes it starts.
    const child = spawn(NODE24_BIN, args, {
      env: codeServerEnvironment(folders),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const server = new CodeServer(child, `http://127.0.0.1:${port}/`, folders);
    registerForCleanup(server);
    try {
      await waitFor(
        `code-server to answer /healthz on port ${port}`,
        async () => {
          if (server.exited) throw new Error(`code-server exited; see ${folders.logFile}`);
          const response = await fetch(`${server.url}healthz`);
          return response.ok;
        },
        30_000,
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends code-server's process group: SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  async stop(): Promise<void> {
    unregisterForCleanup(this);
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    signalGroup(pid, 'SIGTERM');
    for (let waited = 0; waited < 5000 && !this.exited; waited += 100) await sleep(100);
    signalGroup(pid, 'SIGKILL');
  }

  /** Kills code-server's process group at once, for process exit handlers, which cannot await. */
  killNow(): void {
    const pid = this.child.pid;
    if (pid !== undefined && !this.exited) signalGroup(pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group has already exited.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const running = new Set<CodeServer>();
let handlersInstalled = false;

/**
 * Makes code-server stop with this process, whether it exits, throws or gets SIGINT, SIGTERM or
 * SIGHUP. Only a SIGKILL of this process leaves code-server running.
 */
function registerForCleanup(server: CodeServer): void {
  running.add(server);
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const each of running) each.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      for (const each of running) each.killNow();
      process.exit(130);
    });
  }
}

function unregisterForCleanup(server: CodeServer): void {
  running.delete(server);
}
