import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { Disposable, disposeAll, type DisposableLike } from './disposable';
import { probeAndShow, type ProbeTarget } from './probeService';
import { reportPathFor } from './reportModel';
import { exists, readRunJson } from './runFiles';
import type { Services } from './services';
import { isWatchedFile, watchTargetFor, type WatchTarget } from './watchTargets';

interface PendingProbe {
  /** The run or critic file; one probe per slot waits at a time. */
  slot: string;
  /** Changes with every new checkpoint of the slot. */
  version: string;
  target: ProbeTarget;
}

/**
 * Probes new checkpoints in the folders of `ganDiagnostics.watchFolders`: a run folder's latest
 * checkpoint when its run.json changes, and exported `*critic*.onnx` files. Changes wait for
 * `watchDebounceMs` of quiet, and probes wait while another job runs.
 */
export class FolderWatcher extends Disposable {
  private watchers: DisposableLike[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queue = new Map<string, PendingProbe>();
  /** Versions probed already: a run's checkpoint, or a critic file with its mtime. */
  private readonly probed = new Set<string>();
  private draining = false;

  constructor(private readonly services: Services) {
    super();
    this.register(services.jobs.onDidChange(() => void this.drain()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('ganDiagnostics.watchFolders')) this.restart();
      }),
    );
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()));
    this.restart();
  }

  /** Folders to watch, absolute: relative entries resolve against every workspace folder. */
  private roots(): string[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    return this.services
      .settings()
      .watchFolders.flatMap((entry) =>
        path.isAbsolute(entry)
          ? [entry]
          : folders.map((folder) => path.join(folder.uri.fsPath, entry)),
      );
  }

  private restart(): void {
    disposeAll(this.watchers.splice(0));
    for (const root of this.roots()) {
      const pattern = new vscode.RelativePattern(vscode.Uri.file(root), '**/{run.json,*.onnx}');
      const watcher = vscode.workspace.createFileSystemWatcher(pattern, false, false, true);
      const onFile = (uri: vscode.Uri) => this.schedule(uri.fsPath, root);
      this.watchers.push(watcher, watcher.onDidCreate(onFile), watcher.onDidChange(onFile));
      this.services.logger.info(`watching ${root} for new checkpoints`);
    }
  }

  private schedule(file: string, root: string): void {
    if (!isWatchedFile(file)) return;
    const previous = this.timers.get(file);
    if (previous) clearTimeout(previous);
    const delay = this.services.settings().watchDebounceMs;
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.enqueue(file, root);
      }, delay),
    );
  }

  private async enqueue(file: string, root: string): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const found = await watchTargetFor(file, root);
    if (found.kind === 'incomplete') {
      this.services.logger.warn(`watch folder: not probing yet. ${found.reason}`);
      return;
    }
    const pending = await this.pendingProbe(found);
    if (!pending || this.probed.has(pending.version)) return;
    // One pending probe per run or critic: a newer checkpoint replaces one still waiting.
    this.queue.set(pending.slot, pending);
    await this.drain();
  }

  /** Returns the next probe with its version key, or undefined when there is nothing new to probe. */
  private async pendingProbe(
    found: Exclude<WatchTarget, { kind: 'incomplete' }>,
  ): Promise<PendingProbe | undefined> {
    if (found.kind === 'run') {
      const manifest = await readRunJson(found.runDir).catch(() => undefined);
      if (!manifest?.checkpoint) return undefined;
      const checkpoint = manifest.checkpoint;
      if (await exists(reportPathFor({ runDir: found.runDir, checkpoint }))) return undefined;
      return {
        slot: `run:${found.runDir}`,
        version: `run:${found.runDir}:${checkpoint}`,
        target: { kind: 'run', runDir: found.runDir, checkpoint },
      };
    }
    const stat = await fs.stat(found.critic).catch(() => undefined);
    if (!stat) return undefined;
    return {
      slot: `file:${found.critic}`,
      version: `file:${found.critic}:${stat.mtimeMs}`,
      target: found,
    };
  }

  private async drain(): Promise<void> {
    if (this.draining || this.services.jobs.isRunning || this.isDisposed) return;
    const next = this.queue.entries().next();
    if (next.done) return;
    const [slot, pending] = next.value;
    this.queue.delete(slot);
    this.probed.add(pending.version);
    this.draining = true;
    try {
      this.services.logger.info(`watch folder: probing ${pending.version}`);
      await probeAndShow(this.services, pending.target, { show: false, notifyFailure: false });
    } finally {
      this.draining = false;
    }
    await this.drain();
  }

  override dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    disposeAll(this.watchers.splice(0));
    super.dispose();
  }
}
