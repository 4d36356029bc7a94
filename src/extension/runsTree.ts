import path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { ChannelLogger } from './log';
import { buildRunNode, invalidRunNode, type RunNode } from './runsModel';
import { readRunJson, readRunReports, RUN_JSON } from './runFiles';

const ICONS: Record<string, vscode.ThemeIcon> = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  clean: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

/** The "GAN Runs" view: run folders in the workspace and their checkpoints. */
export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunNode> {
  private readonly changed = this.register(new vscode.EventEmitter<RunNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly startupTimer: NodeJS.Timeout;

  constructor(private readonly logger: ChannelLogger) {
    super();
    const watcher = this.register(
      vscode.workspace.createFileSystemWatcher(`**/{${RUN_JSON},report.json}`),
    );
    this.register(watcher.onDidCreate(() => this.refreshSoon()));
    this.register(watcher.onDidChange(() => this.refreshSoon()));
    this.register(watcher.onDidDelete(() => this.refreshSoon()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
    // The explorer's run-folder menus need the list before the view is first opened; the
    // search runs after activation returns.
    this.startupTimer = setTimeout(() => {
      this.findRunFolders().catch((error: unknown) =>
        this.logger.warn(`could not list run folders: ${String(error)}`),
      );
    }, 0);
  }

  refresh(): void {
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
    const dirs = await this.findRunFolders();
    return Promise.all(dirs.map((dir) => this.runNode(dir)));
  }

  /** Lists the workspace's run folders and publishes them for the explorer's menus. */
  private async findRunFolders(): Promise<string[]> {
    const files = await vscode.workspace.findFiles(`**/${RUN_JSON}`, '**/node_modules/**', 500);
    const dirs = [...new Set(files.map((file) => path.dirname(file.fsPath)))].sort();
    await vscode.commands.executeCommand('setContext', 'ganDiagnostics.runFolders', dirs);
    return dirs;
  }

  private async runNode(runDir: string): Promise<RunNode> {
    try {
      const manifest = await readRunJson(runDir);
      const { reports, problems } = await readRunReports(runDir);
      for (const problem of problems) this.logger.warn(`skipped a report: ${problem}`);
      return buildRunNode(runDir, manifest, reports);
    } catch (error) {
      return invalidRunNode(runDir, (error as Error).message);
    }
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    clearTimeout(this.startupTimer);
    super.dispose();
  }
}
