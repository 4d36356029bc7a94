/*
 * The nodes of the "GAN Runs" tree, built from run.json and the run's reports. No vscode
 * imports, so tests can build trees from plain objects.
 */
import path from 'node:path';
import type { RunManifest } from '../core/train/runFolder';
import type { ProbeReport, Severity } from '../protocol/report';
import { worstSeverity } from './reportModel';

export type RunNodeKind = 'run' | 'checkpoint' | 'invalidRun';

export interface RunNode {
  kind: RunNodeKind;
  label: string;
  description: string;
  tooltip: string;
  /** The run folder, a checkpoint folder, or the unreadable run.json. */
  path: string;
  runDir: string;
  /** The severity of the most severe finding of the node's latest report. */
  severity?: Severity | 'clean';
  /** The report shown when the node is opened, if one exists. */
  reportFile?: string;
  children: RunNode[];
}

export interface RunReportEntry {
  file: string;
  report: ProbeReport;
}

/** Builds a run's node, with one child per checkpoint, newest first. */
export function buildRunNode(
  runDir: string,
  manifest: RunManifest,
  reports: readonly RunReportEntry[],
): RunNode {
  const byCheckpoint = new Map<string, RunReportEntry>();
  for (const entry of reports) {
    const checkpoint = entry.report.source.checkpoint;
    if (checkpoint) byCheckpoint.set(normalise(checkpoint), entry);
  }
  const children = [...manifest.checkpoints].reverse().map((checkpoint) => {
    const entry = byCheckpoint.get(normalise(checkpoint.path));
    return checkpointNode(runDir, checkpoint, entry);
  });
  const latest = reports.at(-1);
  const severity = latest ? (worstSeverity(latest.report) ?? 'clean') : undefined;
  const dataset = manifest.config.dataset.name;
  const penalty = manifest.config.penalty.kind;
  return {
    kind: 'run',
    label: path.basename(runDir),
    description: `${dataset} · ${penalty} · ${manifest.iteration}/${manifest.config.iterations} · ${manifest.status}`,
    tooltip: [
      runDir,
      `Dataset ${dataset}, penalty ${penalty} (λ ${manifest.config.penalty.lambda})`,
      `Iteration ${manifest.iteration} of ${manifest.config.iterations}, ${manifest.status}`,
      latest ? `Last report: ${severityText(severity)}` : 'Not probed yet',
    ].join('\n'),
    path: runDir,
    runDir,
    ...(severity ? { severity } : {}),
    ...(latest ? { reportFile: latest.file } : {}),
    children,
  };
}

function checkpointNode(
  runDir: string,
  checkpoint: { iteration: number; path: string },
  entry: RunReportEntry | undefined,
): RunNode {
  const severity = entry ? (worstSeverity(entry.report) ?? 'clean') : undefined;
  return {
    kind: 'checkpoint',
    label: `iteration ${checkpoint.iteration}`,
    description: entry ? severityText(severity) : 'not probed',
    tooltip: path.join(runDir, checkpoint.path),
    path: path.join(runDir, checkpoint.path),
    runDir,
    ...(severity ? { severity } : {}),
    ...(entry ? { reportFile: entry.file } : {}),
    children: [],
  };
}

/** Builds the node of a run.json that could not be read, with the reason as its tooltip. */
export function invalidRunNode(runDir: string, reason: string): RunNode {
  return {
    kind: 'invalidRun',
    label: path.basename(runDir),
    description: 'unreadable run.json',
    tooltip: reason,
    path: path.join(runDir, 'run.json'),
    runDir,
    children: [],
  };
}

function severityText(severity: Severity | 'clean' | undefined): string {
  switch (severity) {
    case 'error':
      return 'errors found';
    case 'warning':
      return 'warnings found';
    case 'info':
      return 'notes only';
    case 'clean':
      return 'no findings';
    default:
      return 'not probed';
  }
}

function normalise(relative: string): string {
  return relative
    .split(/[\\/]+/)
    .filter(Boolean)
    .join('/');
}
