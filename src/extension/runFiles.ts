/*
 * Reads run folders and reports with plain fs, without the trainer's modules (they load tfjs).
 * No vscode imports, so tests can run these on temporary folders.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunManifest } from '../core/train/runFolder';
import type { Finding, ProbeReport } from '../protocol/report';
import type { CheckpointSeriesPoint } from '../protocol/webview';
import { checkpointRows, parseReport, REPORT_JSON, reportPathFor } from './reportModel';

export const RUN_JSON = 'run.json';
/** The series over checkpoints that Compare Checkpoints writes beside run.json. */
export const SERIES_JSON = 'series.json';
const RUN_FORMAT = 'gan-diagnostics-run';

/** Reads and checks a run folder's run.json; errors name the file and what is wrong. */
export async function readRunJson(runDir: string): Promise<RunManifest> {
  const file = path.join(runDir, RUN_JSON);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new Error(
      `${file} not found: ${runDir} is not a run folder. Train one with "GAN Diagnostics: Train WGAN-GP…".`,
    );
  }
  let value: Partial<RunManifest>;
  try {
    value = JSON.parse(text) as Partial<RunManifest>;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
  if (value?.format !== RUN_FORMAT || !value.config || !Array.isArray(value.history)) {
    throw new Error(
      `${file} is not a GAN Diagnostics run manifest (format '${String(value?.format)}').`,
    );
  }
  if (!Array.isArray(value.checkpoints)) value.checkpoints = [];
  return value as RunManifest;
}

export interface RunReport {
  file: string;
  report: ProbeReport;
}

/**
 * Reads every report of a run folder, oldest checkpoint first: `checkpoints/<name>/report.json`
 * and a `report.json` at the run's top level (the CLI's single probe). Unreadable files are
 * skipped and listed in `problems`.
 */
export async function readRunReports(
  runDir: string,
): Promise<{ reports: RunReport[]; problems: string[] }> {
  const files = [path.join(runDir, REPORT_JSON)];
  const checkpoints = path.join(runDir, 'checkpoints');
  const names = await fs.readdir(checkpoints).catch(() => [] as string[]);
  for (const name of names.sort()) files.push(path.join(checkpoints, name, REPORT_JSON));

  const reports: RunReport[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    try {
      reports.push({ file, report: parseReport(file, text) });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  reports.sort((a, b) => (a.report.source.iteration ?? 0) - (b.report.source.iteration ?? 0));
  return { reports, problems };
}

/** The result of reading one run folder, for the runs tree and the Problems panel. */
export interface RunFolderScan {
  runDir: string;
  /** The run manifest; undefined when run.json is missing or not a run manifest. */
  manifest?: RunManifest;
  /** The reason run.json was rejected, when it was. */
  error?: string;
  /** The readable reports, oldest checkpoint first; empty when run.json was rejected. */
  reports: RunReport[];
  /** One message per report file that could not be read. */
  problems: string[];
}

/**
 * Reads a run folder's run.json and, when it is a run manifest, its reports. A rejected run.json
 * is returned as `error` instead of thrown, so one bad folder does not hide the others.
 */
export async function scanRunFolder(runDir: string): Promise<RunFolderScan> {
  let manifest: RunManifest;
  try {
    manifest = await readRunJson(runDir);
  } catch (error) {
    return { runDir, error: (error as Error).message, reports: [], problems: [] };
  }
  const { reports, problems } = await readRunReports(runDir);
  return { runDir, manifest, reports, problems };
}

/** A report that a probe of a critic file wrote beside the critic. */
export interface CriticReport {
  critic: string;
  file: string;
  report: ProbeReport;
}

/**
 * Reads a `<name>.report.json` file and returns it with its critic file. Returns undefined when
 * the report is not the one that a probe of an existing critic writes at this path: the report
 * of a run, a report copied elsewhere, or one whose critic was deleted. Throws an error naming
 * the file when it is not a readable report.
 */
export async function readCriticReport(file: string): Promise<CriticReport | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const report = parseReport(file, text);
  const critic = report.source.critic;
  if (report.source.kind !== 'files' || !critic) return undefined;
  if (path.resolve(reportPathFor({ critic })) !== path.resolve(file)) return undefined;
  if (!(await exists(critic))) return undefined;
  return { critic, file, report };
}

/** The result of one scan of the workspace: its run folders and the reports beside critics. */
export interface WorkspaceScan {
  runs: RunFolderScan[];
  criticReports: CriticReport[];
}

/** Returns the report of the latest probed checkpoint of a run, if any. */
export async function latestRunReport(runDir: string): Promise<RunReport | undefined> {
  const { reports } = await readRunReports(runDir);
  return reports.at(-1);
}

/** Returns a checkpoint folder relative to its run with `/` separators and no empty parts. */
export function normaliseCheckpoint(relative: string): string {
  return relative
    .split(/[\\/]+/)
    .filter(Boolean)
    .join('/');
}

/**
 * Reads the series that Compare Checkpoints saved for a run and rebuilds the Checkpoints tab of
 * the view that shows `reportFile`, from the compared checkpoints' reports. Compare shows the
 * series with the latest compared report, and a later probe of that checkpoint replaces the
 * report and drops the series. So it returns undefined unless the series ends at this report's
 * checkpoint and was written after the report, and also when series.json is missing or invalid.
 */
export async function readSavedSeries(
  runDir: string,
  reportFile: string,
  report: ProbeReport,
): Promise<{ points: CheckpointSeriesPoint[]; findings: Finding[] } | undefined> {
  if (!report.source.checkpoint) return undefined;
  const file = path.join(runDir, SERIES_JSON);
  let saved: { points?: { checkpoint?: unknown }[]; findings?: unknown };
  try {
    const [text, seriesStat, reportStat] = await Promise.all([
      fs.readFile(file, 'utf8'),
      fs.stat(file),
      fs.stat(reportFile),
    ]);
    if (seriesStat.mtimeMs < reportStat.mtimeMs) return undefined;
    saved = JSON.parse(text) as typeof saved;
  } catch {
    return undefined;
  }
  if (!Array.isArray(saved.points)) return undefined;
  const compared = saved.points.flatMap((point) =>
    typeof point?.checkpoint === 'string' ? [normaliseCheckpoint(point.checkpoint)] : [],
  );
  if (compared.at(-1) !== normaliseCheckpoint(report.source.checkpoint)) return undefined;
  const chosen = new Set(compared);
  const { reports } = await readRunReports(runDir);
  const selected = reports.filter((entry) =>
    chosen.has(normaliseCheckpoint(entry.report.source.checkpoint ?? '')),
  );
  const findings = Array.isArray(saved.findings) ? (saved.findings as Finding[]) : [];
  return { points: checkpointRows(selected.map((entry) => entry.report)), findings };
}

/** Finds the run folder that contains a file, by looking for run.json in its parent folders. */
export async function findRunFolder(file: string, maxDepth = 4): Promise<string | undefined> {
  let dir = path.dirname(file);
  for (let depth = 0; depth <= maxDepth; depth++) {
    if (await exists(path.join(dir, RUN_JSON))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
