/*
 * Turns findings into Problems-panel entries. Kept free of vscode so tests can check the
 * filtering and wording; diagnostics.ts maps the result onto vscode.Diagnostic.
 */
import type { Finding, Severity } from '../protocol/report';
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
