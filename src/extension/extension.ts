import * as vscode from 'vscode';
import { selectBackendCommand } from './backendCommand';
import { CheckpointEditorProvider } from './checkpointEditor';
import { FindingDiagnostics } from './diagnostics';
import { Disposable } from './disposable';
import { FolderWatcher } from './folderWatcher';
import { JobService } from './jobs';
import { ChannelLogger } from './log';
import { probeCommand } from './probeCommand';
import { compareCommand, exportReportCommand, openReportCommand } from './reportCommands';
import { ReportPanels } from './reportPanels';
import { RunsTreeProvider } from './runsTree';
import type { Services } from './services';
import { readSettings, type Settings } from './settings';
import { trainCommand } from './trainCommand';

/**
 * The extension's root object: it creates the services, registers the commands, views and
 * providers, and disposes all of them on deactivation. Nothing here loads tfjs or starts a
 * worker; the compute worker starts with the first job.
 */
class GanDiagnostics extends Disposable {
  private cachedSettings: Settings | undefined;
  readonly services: Services;

  constructor(context: vscode.ExtensionContext) {
    super();
    const logger = this.register(new ChannelLogger());
    const settings = () => (this.cachedSettings ??= this.readSettings(logger));
    const jobs = this.register(new JobService(context.extensionPath, logger, settings));
    const panels = this.register(new ReportPanels(context.extensionUri, logger));
    const diagnostics = this.register(new FindingDiagnostics());
    const runsTree = this.register(new RunsTreeProvider(logger));
    this.services = { context, logger, settings, jobs, panels, diagnostics, runsTree };

    this.register(vscode.window.registerTreeDataProvider('ganDiagnostics.runs', runsTree));
    this.register(new CheckpointEditorProvider(this.services));
    this.register(new FolderWatcher(this.services));
    this.register(
      runsTree.onDidScan((scan) => diagnostics.updateScan(scan, settings().problemsSeverity)),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('ganDiagnostics')) return;
        this.cachedSettings = undefined;
        if (event.affectsConfiguration('ganDiagnostics.problems.minimumSeverity'))
          diagnostics.setMinimum(settings().problemsSeverity);
      }),
    );
    this.register(
      panels.onAction(({ panel, action }) => this.onPanelAction(panel.subject, action.action)),
    );
    this.registerCommands();
  }

  private readSettings(logger: ChannelLogger): Settings {
    const configuration = vscode.workspace.getConfiguration('ganDiagnostics');
    const { settings, problems } = readSettings((key) => configuration.get(key));
    for (const problem of problems) logger.warn(problem);
    return settings;
  }

  private registerCommands(): void {
    const services = this.services;
    const commands: Record<string, (...args: unknown[]) => unknown> = {
      train: (argument) => trainCommand(services, argument),
      probe: (argument) => probeCommand(services, argument),
      openReport: (argument) => openReportCommand(services, argument),
      compare: (argument) => compareCommand(services, argument),
      cancelJob: () => {
        if (!services.jobs.cancel())
          void vscode.window.showInformationMessage('No GAN Diagnostics job is running.');
      },
      exportReport: () => exportReportCommand(services),
      selectBackend: () => selectBackendCommand(services),
      showLog: () => services.logger.show(),
      refreshRuns: () => services.runsTree.refresh(),
    };
    for (const [name, handler] of Object.entries(commands)) {
      this.register(
        vscode.commands.registerCommand(`ganDiagnostics.${name}`, (...args: unknown[]) =>
          this.guard(name, handler, args),
        ),
      );
    }
  }

  /** Runs a command; an unexpected error is logged and shown, and leaves the extension usable. */
  private async guard(
    name: string,
    handler: (...args: unknown[]) => unknown,
    args: unknown[],
  ): Promise<void> {
    try {
      await handler(...args);
    } catch (error) {
      this.services.logger.error(`command ganDiagnostics.${name} failed`, error);
      const choice = await vscode.window.showErrorMessage(
        `GAN Diagnostics: ${(error as Error).message ?? String(error)}`,
        'Show Log',
      );
      if (choice) this.services.logger.show();
    }
  }

  private onPanelAction(subject: { runDir?: string; reportFile?: string }, action: string): void {
    const target = subject.runDir ?? subject.reportFile;
    switch (action) {
      case 'probe':
        if (target)
          void vscode.commands.executeCommand('ganDiagnostics.probe', vscode.Uri.file(target));
        return;
      case 'compare':
        if (subject.runDir)
          void vscode.commands.executeCommand(
            'ganDiagnostics.compare',
            vscode.Uri.file(subject.runDir),
          );
        else void vscode.commands.executeCommand('ganDiagnostics.compare');
        return;
      case 'exportReport':
        void vscode.commands.executeCommand('ganDiagnostics.exportReport');
        return;
      case 'cancelJob':
        void vscode.commands.executeCommand('ganDiagnostics.cancelJob');
        return;
      case 'openRunFolder':
        if (subject.runDir)
          void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(subject.runDir));
        return;
    }
  }
}

let instance: GanDiagnostics | undefined;

export function activate(context: vscode.ExtensionContext): void {
  instance = new GanDiagnostics(context);
  context.subscriptions.push(instance);
}

export function deactivate(): void {
  instance?.dispose();
  instance = undefined;
}
