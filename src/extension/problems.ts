/*
 * Turns findings into Problems-panel entries and tracks which files show them. Kept free of
 * vscode so tests can check the filtering, the wording and which files are filled or cleared;
 * diagnostics.ts maps the entries onto vscode.Diagnostic.
 */
import path from 'node:path';
import type { Finding, Severity } from '../protocol/report';
import { RUN_JSON, type WorkspaceScan } from './runFiles';
import { atLeastAsSevere } from './settings';

export interface Problem {
  severity: Severity;
  /** The finding's id, shown as the diagnostic's code. */
  code: string;
  message: string;
}

/** One entry per finding at least as severe as `minimum`, most severe first. */
export function findingsToProblems(findings: readonly Finding[], minimum: Severity): Problem[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings
    .filter((finding) => atLeastAsSevere(finding.severity, minimum))
    .map((finding) => ({
      severity: finding.severity,
      code: finding.id,
      message: problemMessage(finding),
    }))
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

function problemMessage(finding: Finding): string {
  const hypothesis = finding.hypothesis ? ' (unvalidated hypothesis)' : '';
  return `${finding.message}${hypothesis} Fix: ${finding.fix}`;
}

/** Receives Problems-panel entries by file; diagnostics.ts implements it on a vscode collection. */
export interface ProblemSink {
  set(file: string, problems: Problem[]): void;
  delete(file: string): void;
}

/**
 * The findings shown in the Problems panel, by file. It keeps each file's findings, so that a new
 * minimum severity applies without reading the reports again. It also remembers which files a
 * scan of the workspace filled, so that the next scan can clear the ones it no longer finds.
 */
export class ProblemsModel {
  private readonly findings = new Map<string, readonly Finding[]>();
  private scannedFiles = new Set<string>();

  constructor(
    private readonly sink: ProblemSink,
    private minimumSeverity: Severity,
  ) {}

  /** Replaces the findings shown on `file`. */
  show(file: string, findings: readonly Finding[]): void {
    this.findings.set(file, findings);
    this.sink.set(file, findingsToProblems(findings, this.minimumSeverity));
  }

  clear(file: string): void {
    this.findings.delete(file);
    this.scannedFiles.delete(file);
    this.sink.delete(file);
  }

  /** Shows every file's findings again when the minimum severity changed. */
  setMinimum(minimum: Severity): void {
    if (minimum === this.minimumSeverity) return;
    this.minimumSeverity = minimum;
    for (const [file, findings] of this.findings)
      this.sink.set(file, findingsToProblems(findings, minimum));
  }

  /**
   * Shows the findings of a scan of the workspace: on each run folder's run.json those of its
   * latest readable report, and on each critic file those of the report beside it. A file that
   * the previous scan filled is cleared when this scan has no report for it: the folder is gone,
   * its run.json was rejected, or its reports were deleted. Files shown by `show` alone, such as
   * a run outside the workspace, stay as they are.
   */
  showScan(scan: WorkspaceScan): void {
    const files = new Set<string>();
    for (const run of scan.runs) {
      const latest = run.manifest ? run.reports.at(-1) : undefined;
      if (!latest) continue;
      const file = path.join(run.runDir, RUN_JSON);
      files.add(file);
      this.show(file, latest.report.findings);
    }
    for (const { critic, report } of scan.criticReports) {
      files.add(critic);
      this.show(critic, report.findings);
    }
    for (const file of this.scannedFiles) {
      if (!files.has(file)) this.clear(file);
    }
    this.scannedFiles = files;
  }
}
