import path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { ChannelLogger } from './log';
import { buildRunNode, invalidRunNode, type RunNode } from './runsModel';
import {
  readCriticReport,
  RUN_JSON,
  scanRunFolder,
  type CriticReport,
  type WorkspaceScan,
} from './runFiles';

const ICONS: Record<string, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  clean: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

/** Reports that probes of critic files write beside them, as `<critic name>.report.json`. */
const CRITIC_REPORTS = '**/*.report.json';
const EXCLUDE = '**/node_modules/**';
const MAX_FILES = 500;

/**
 * The "GAN Runs" view: run folders in the workspace and their checkpoints. It also scans the
 * workspace for the Problems panel: each scan reads every run folder and critic report once,
 * and both the view and `onDidScan`'s listeners use its result.
 */
export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunNode> {
  private readonly changed = this.register(new vscode.EventEmitter<RunNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly scanned = this.register(new vscode.EventEmitter<WorkspaceScan>());
  /** Fires with each completed scan that no later scan replaced. */
  readonly onDidScan = this.scanned.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly startupTimer: NodeJS.Timeout;
  private scan: Promise<WorkspaceScan> | undefined;
  private scanGeneration = 0;
  /** The unreadable-report messages of the last scan, so each is logged once. */
  private loggedProblems = new Set<string>();

  constructor(private readonly logger: ChannelLogger) {
    super();
    const watcher = this.register(
      vscode.workspace.createFileSystemWatcher(`**/{${RUN_JSON},report.json,*.report.json}`),
    );
    this.register(watcher.onDidCreate(() => this.refreshSoon()));
    this.register(watcher.onDidChange(() => this.refreshSoon()));
    this.register(watcher.onDidDelete(() => this.refreshSoon()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
    // The explorer's run-folder menus and the Problems panel need the scan before the view is
    // first opened. It runs after activation returns, so activation stays cheap.
    this.startupTimer = setTimeout(() => void (this.scan ?? this.rescan()), 0);
  }

  /** Scans the workspace again and redraws the view. */
  refresh(): void {
    void this.rescan();
    this.changed.fire(undefined);
  }

  /** Refreshes once after a burst of file events (training writes run.json often). */
  private refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 1000);
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const collapsible =
      node.children.length > 0
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.resourceUri = vscode.Uri.file(node.path);
    item.contextValue =
      node.kind === 'run'
        ? 'ganRun'
        : node.kind === 'checkpoint'
          ? 'ganCheckpoint'
          : 'ganInvalidRun';
    item.iconPath = node.severity
      ? ICONS[node.severity]
      : new vscode.ThemeIcon(
          node.kind === 'checkpoint'
            ? 'circle-outline'
            : node.kind === 'run'
              ? 'folder'
              : 'warning',
        );
    if (node.reportFile) {
      item.command = {
        command: 'ganDiagnostics.openReport',
        title: 'Open Report',
        arguments: [vscode.Uri.file(node.reportFile)],
      };
    } else if (node.kind === 'invalidRun') {
      item.command = {
        command: 'vscode.open',
        title: 'Open run.json',
        arguments: [vscode.Uri.file(node.path)],
      };
    }
    return item;
  }

  async getChildren(node?: RunNode): Promise<RunNode[]> {
    if (node) return node.children;
    const { runs } = await (this.scan ?? this.rescan());
    return runs.map((scan) =>
      scan.manifest
        ? buildRunNode(scan.runDir, scan.manifest, scan.reports)
        : invalidRunNode(scan.runDir, scan.error ?? `${RUN_JSON} was rejected`),
    );
  }

  /**
   * Starts a scan of the workspace, which later calls of getChildren reuse. A failed scan is
   * logged and lists nothing. Only the newest scan fires onDidScan, so a slow scan that
   * finishes after a newer one cannot show older findings.
   */
  private rescan(): Promise<WorkspaceScan> {
    const generation = ++this.scanGeneration;
    const scan = this.scanWorkspace().then(
      (result) => {
        if (generation === this.scanGeneration && !this.isDisposed) this.scanned.fire(result);
        return result;
      },
      (error: unknown): WorkspaceScan => {
        this.logger.warn(`could not scan the workspace for runs and reports: ${String(error)}`);
        return { runs: [], criticReports: [] };
      },
    );
    this.scan = scan;
    return scan;
  }

  private async scanWorkspace(): Promise<WorkspaceScan> {
    const [dirs, criticReportFiles] = await Promise.all([
      this.findRunFolders(),
      vscode.workspace.findFiles(CRITIC_REPORTS, EXCLUDE, MAX_FILES),
    ]);
    const problems: string[] = [];
    const runs = await Promise.all(dirs.map((dir) => scanRunFolder(dir)));
    for (const run of runs) problems.push(...run.problems);
    const criticReports: CriticReport[] = [];
    for (const file of criticReportFiles) {
      try {
        const entry = await readCriticReport(file.fsPath);
        if (entry) criticReports.push(entry);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    this.logNewProblems(problems);
    return { runs, criticReports };
  }

  /** Logs each unreadable report once, however many scans find it, until it is fixed. */
  private logNewProblems(problems: readonly string[]): void {
    const current = new Set(problems);
    for (const problem of current) {
      if (!this.loggedProblems.has(problem)) this.logger.warn(`skipped a report: ${problem}`);
    }
    this.loggedProblems = current;
  }

  /** Lists the workspace's run folders and publishes them for the explorer's menus. */
  private async findRunFolders(): Promise<string[]> {
    const files = await vscode.workspace.findFiles(`**/${RUN_JSON}`, EXCLUDE, MAX_FILES);
    const dirs = [...new Set(files.map((file) => path.dirname(file.fsPath)))].sort();
    await vscode.commands.executeCommand('setContext', 'ganDiagnostics.runFolders', dirs);
    return dirs;
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    clearTimeout(this.startupTimer);
    super.dispose();
  }
}
