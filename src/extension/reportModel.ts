/*
 * Host-side views of a probe report: its id, the Lipschitz bounds and the checkpoint-series row
 * that the webview draws, and the worst severity shown in the runs tree. No vscode imports.
 */
import path from 'node:path';
import type { ProbeReport, Severity } from '../protocol/report';
import type {
  CheckpointSeriesPoint,
  HostToWebview,
  LipschitzBounds,
  PointPlot,
  ReportWithoutPoints,
} from '../protocol/webview';
import { checkPointPlot, checkReport } from '../protocol/webviewGuards';

/** Identifies one report: the file it came from and when it was made. */
export function reportId(file: string, report: ProbeReport): string {
  return `${file}#${report.createdAt}`;
}

/** Returns a shallow copy of a report without its 2-D `points`; the report is not changed. */
export function withoutPoints(report: ProbeReport): ReportWithoutPoints {
  const copy = { ...report };
  delete copy.points;
  return copy as ReportWithoutPoints;
}

/**
 * Builds the `report` message that opens a report in the report view. The report's 2-D plots
 * are not part of it: the host sends them, checked by pointPlots, in a `points` message.
 */
export function reportMessage(
  file: string,
  report: ProbeReport,
  title: string,
): Extract<HostToWebview, { type: 'report' }> {
  return {
    type: 'report',
    reportId: reportId(file, report),
    file,
    title,
    report: withoutPoints(report),
    lipschitz: lipschitzBounds(report),
  };
}

/**
 * Reads the Lipschitz bounds of a report from its `lipschitz` section. The lower bound from
 * gradients is also taken over the probe sets' largest ‖∇D‖, so reports without the section
 * still show it.
 */
export function lipschitzBounds(report: ProbeReport): LipschitzBounds {
  let gradientLower = 0;
  for (const set of Object.values(report.probeSets)) {
    if (set && Number.isFinite(set.gradNorm.max))
      gradientLower = Math.max(gradientLower, set.gradNorm.max);
  }
  const section = report.lipschitz;
  if (!section) return { gradientLower };

  if (Number.isFinite(section.lowerGradient?.value))
    gradientLower = Math.max(gradientLower, section.lowerGradient.value);
  const bounds: LipschitzBounds = { gradientLower, layers: section.layers ?? [] };
  if (Number.isFinite(section.upper)) bounds.upper = section.upper;
  if (Number.isFinite(section.lowerSecant?.value)) bounds.secantLower = section.lowerSecant.value;
  if (section.upperReason) bounds.upperReason = section.upperReason;
  return bounds;
}

/**
 * Collects the 2-D plots that come with a report or a probe result, keeping only well-formed
 * ones. A plot id that an earlier container already had is skipped, so a caller that passes
 * the report both as the result and as the report gets each plot once.
 */
export function pointPlots(...containers: unknown[]): { plots: PointPlot[]; problems: string[] } {
  const plots: PointPlot[] = [];
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const container of containers) {
    const candidates = (container as { points?: unknown } | undefined)?.points;
    if (!Array.isArray(candidates)) continue;
    for (const plot of candidates) {
      const problem = checkPointPlot(plot);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const { id } = plot as PointPlot;
      if (ids.has(id)) continue;
      ids.add(id);
      plots.push(plot as PointPlot);
    }
  }
  return { plots, problems };
}

export function countBySeverity(report: ProbeReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of report.findings) counts[finding.severity]++;
  return counts;
}

/** Returns the severity of the most severe finding, or undefined for a report without findings. */
export function worstSeverity(report: ProbeReport): Severity | undefined {
  const counts = countBySeverity(report);
  if (counts.error > 0) return 'error';
  if (counts.warning > 0) return 'warning';
  if (counts.info > 0) return 'info';
  return undefined;
}

export function seriesPoint(report: ProbeReport, label: string): CheckpointSeriesPoint {
  const counts = countBySeverity(report);
  const point: CheckpointSeriesPoint = {
    label,
    wasserstein: report.wasserstein.estimate,
    lipschitzLower: lipschitzBounds(report).gradientLower,
    errorCount: counts.error,
    warningCount: counts.warning,
  };
  if (report.source.iteration !== undefined) point.iteration = report.source.iteration;
  if (report.probeSets.interpolates)
    point.interpolatesMedian = report.probeSets.interpolates.gradNorm.median;
  if (report.probeSets.real) point.realMedian = report.probeSets.real.gradNorm.median;
  if (report.probeSets.generated)
    point.generatedMedian = report.probeSets.generated.gradNorm.median;
  if (report.modes) point.modesCaptured = report.modes.modesCaptured;
  return point;
}

/** Builds the Checkpoints tab's rows of compared reports, each labelled with its iteration. */
export function checkpointRows(reports: readonly ProbeReport[]): CheckpointSeriesPoint[] {
  return reports.map((report) =>
    seriesPoint(report, `iteration ${report.source.iteration ?? '?'}`),
  );
}

/** Parses report.json text; throws an error naming the file and the first problem. */
export function parseReport(file: string, text: string): ProbeReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
  const problem = checkReport(value);
  if (problem) throw new Error(`${file} is not a GAN Diagnostics report: ${problem}.`);
  return value as ProbeReport;
}

export const REPORT_JSON = 'report.json';

/**
 * Returns where a probe writes its report: `report.json` in the checkpoint folder of a run (as
 * the CLI's series probe does), or `<critic file name>.report.json` beside a critic file.
 */
export function reportPathFor(
  target: { runDir: string; checkpoint: string } | { critic: string },
): string {
  if ('runDir' in target) return path.join(target.runDir, target.checkpoint, REPORT_JSON);
  const parsed = path.parse(target.critic);
  return path.join(parsed.dir, `${parsed.name}.report.json`);
}
