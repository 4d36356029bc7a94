import type * as vscode from 'vscode';
import type { FindingDiagnostics } from './diagnostics';
import type { JobService } from './jobs';
import type { ChannelLogger } from './log';
import type { ReportPanels } from './reportPanels';
import type { RunsTreeProvider } from './runsTree';
import type { Settings } from './settings';

/** The long-lived parts of the extension that commands use; created once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  logger: ChannelLogger;
  settings(): Settings;
  jobs: JobService;
  panels: ReportPanels;
  diagnostics: FindingDiagnostics;
  runsTree: RunsTreeProvider;
}
