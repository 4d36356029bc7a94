import * as vscode from 'vscode';
import type { ProbeReport, Severity } from '../protocol/report';
import { Disposable } from './disposable';
import { findingsToProblems } from './problems';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Shows each report's findings in the Problems panel, on the run.json or critic file probed. */
export class FindingDiagnostics extends Disposable {
  private readonly collection = this.register(
    vscode.languages.createDiagnosticCollection('ganDiagnostics'),
  );

  /** Replaces the findings shown on `file`. */
  update(file: vscode.Uri, report: ProbeReport, minimum: Severity): void {
    const range = new vscode.Range(0, 0, 0, 0);
    const diagnostics = findingsToProblems(report.findings, minimum).map((problem) => {
      const diagnostic = new vscode.Diagnostic(range, problem.message, SEVERITY[problem.severity]);
      diagnostic.source = 'GAN Diagnostics';
      diagnostic.code = problem.code;
      return diagnostic;
    });
    this.collection.set(file, diagnostics);
  }

  clear(file: vscode.Uri): void {
    this.collection.delete(file);
  }
}
