import * as vscode from 'vscode';
import type { ProbeReport, Severity } from '../protocol/report';
import { Disposable } from './disposable';
import { ProblemsModel, type Problem } from './problems';
import type { WorkspaceScan } from './runFiles';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Shows reports' findings in the Problems panel, on the run.json or critic file probed. A scan of
 * the workspace fills them too, so that they survive a window reload.
 */
export class FindingDiagnostics extends Disposable {
  private readonly collection = this.register(
    vscode.languages.createDiagnosticCollection('ganDiagnostics'),
  );
  // Each method that shows findings takes the current setting, so the initial minimum only
  // matters while no file is shown.
  private readonly model = new ProblemsModel(
    {
      set: (file, problems) => this.collection.set(vscode.Uri.file(file), toDiagnostics(problems)),
      delete: (file) => this.collection.delete(vscode.Uri.file(file)),
    },
    'warning',
  );

  /** Replaces the findings shown on `file`. */
  update(file: vscode.Uri, report: ProbeReport, minimum: Severity): void {
    this.model.setMinimum(minimum);
    this.model.show(file.fsPath, report.findings);
  }

  /** Shows the findings of a scan of the workspace; see ProblemsModel.showScan. */
  updateScan(scan: WorkspaceScan, minimum: Severity): void {
    this.model.setMinimum(minimum);
    this.model.showScan(scan);
  }

  /** Shows every file's findings again at a new minimum severity. */
  setMinimum(minimum: Severity): void {
    this.model.setMinimum(minimum);
  }

  clear(file: vscode.Uri): void {
    this.model.clear(file.fsPath);
  }
}

function toDiagnostics(problems: readonly Problem[]): vscode.Diagnostic[] {
  const range = new vscode.Range(0, 0, 0, 0);
  return problems.map((problem) => {
    const diagnostic = new vscode.Diagnostic(range, problem.message, SEVERITY[problem.severity]);
    diagnostic.source = 'GAN Diagnostics';
    diagnostic.code = problem.code;
    return diagnostic;
  });
}
