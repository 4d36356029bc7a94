import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { buildSeries } from '../core/report/series';
import { commandTarget, pickRunFolder, workspaceRoot } from './pickers';
import { probeAndShow, showReport } from './probeService';
import { reportToMarkdown } from './reportMarkdown';
import { checkpointRows, reportPathFor } from './reportModel';
import { readReportFile, reportTitle } from './reportPanels';
import {
  exists,
  latestRunReport,
  normaliseCheckpoint,
  readRunJson,
  readRunReports,
  SERIES_JSON,
} from './runFiles';
import type { Services } from './services';

/** Open Report: a report file, a run folder's latest report, or one chosen from the workspace. */
export async function openReportCommand(services: Services, argument?: unknown): Promise<void> {
  let file = commandTarget(argument)?.fsPath;
  if (file && (path.basename(file) === 'run.json' || !file.endsWith('.json'))) {
    const runDir = path.basename(file) === 'run.json' ? path.dirname(file) : file;
    file = (await latestRunReport(runDir))?.file;
    if (!file) {
      const choice = await vscode.window.showInformationMessage(
        `${path.basename(runDir)} has no report yet.`,
        'Probe Checkpoint',
      );
      if (choice)
        await vscode.commands.executeCommand('ganDiagnostics.probe', vscode.Uri.file(runDir));
      return;
    }
  }
  file ??= await pickReportFile();
  if (!file) return;
  try {
    const report = await readReportFile(file);
    showReport(services, file, report, report);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
  }
}

async function pickReportFile(): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles(
    '{**/report.json,**/*.report.json}',
    '**/node_modules/**',
    200,
  );
  const browse = { label: '$(folder-opened) Browse…', file: '' };
  const items = found
    .map((uri) => ({
      label: path.basename(uri.fsPath),
      description: vscode.workspace.asRelativePath(uri),
      file: uri.fsPath,
    }))
    .sort((a, b) => a.description.localeCompare(b.description));
  const choice = await vscode.window.showQuickPick([...items, browse], {
    title: 'Open Report',
    placeHolder: 'Select a report',
  });
  if (!choice) return undefined;
  if (choice.file) return choice.file;
  const picked = await vscode.window.showOpenDialog({
    filters: { Reports: ['json'] },
    defaultUri: workspaceRoot(),
  });
  return picked?.[0]?.fsPath;
}

/**
 * Compare Checkpoints…: probes the chosen checkpoints of a run that have no report yet, then
 * shows the latest one with the series over all chosen checkpoints.
 */
export async function compareCommand(services: Services, argument?: unknown): Promise<void> {
  const target = commandTarget(argument)?.fsPath;
  const runDir = target
    ? path.basename(target) === 'run.json'
      ? path.dirname(target)
      : target
    : await pickRunFolder('Compare Checkpoints: run folder');
  if (!runDir) return;
  let manifest;
  try {
    manifest = await readRunJson(runDir);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return;
  }
  if (manifest.checkpoints.length < 2) {
    void vscode.window.showInformationMessage(
      `${path.basename(runDir)} has ${manifest.checkpoints.length} checkpoint(s); comparing needs at least 2.`,
    );
    return;
  }
  const picked = await vscode.window.showQuickPick(
    manifest.checkpoints.map((checkpoint) => ({
      label: `iteration ${checkpoint.iteration}`,
      description: checkpoint.path,
      picked: true,
      checkpoint,
    })),
    {
      title: `Compare checkpoints of ${path.basename(runDir)}`,
      canPickMany: true,
      placeHolder: 'Select two or more checkpoints',
    },
  );
  if (!picked || picked.length < 2) return;

  for (const { checkpoint } of picked) {
    if (await exists(reportPathFor({ runDir, checkpoint: checkpoint.path }))) continue;
    const outcome = await probeAndShow(
      services,
      { kind: 'run', runDir, checkpoint: checkpoint.path },
      { show: false },
    );
    if (!outcome) return;
  }

  const chosen = new Set(picked.map(({ checkpoint }) => normaliseCheckpoint(checkpoint.path)));
  const { reports } = await readRunReports(runDir);
  const selected = reports.filter((entry) =>
    chosen.has(normaliseCheckpoint(entry.report.source.checkpoint ?? '')),
  );
  const latest = selected.at(-1);
  if (!latest) return;

  // The same series (and mode-hopping check) as the CLI's series probe, saved beside run.json,
  // where a restored report view also reads it.
  const series = buildSeries(
    runDir,
    selected.map((entry) => entry.report),
  );
  await fs.writeFile(path.join(runDir, SERIES_JSON), JSON.stringify(series, null, 1));
  for (const finding of series.findings)
    services.logger.info(`${runDir}: ${finding.id}: ${finding.message}`);

  showReport(services, latest.file, latest.report, latest.report);
  const view = services.panels.find({ runDir });
  const points = checkpointRows(selected.map((entry) => entry.report));
  if (view?.reportId) {
    view.showSeries(view.reportId, points, series.findings);
    view.showView('checkpoints');
  }
}

/** Export Report: the active report view's report as JSON or Markdown, or its current view as PNG. */
export async function exportReportCommand(services: Services): Promise<void> {
  const view = services.panels.active;
  const current = view?.currentReport;
  if (!view || !current) {
    void vscode.window.showInformationMessage(
      'Open a report first (GAN Diagnostics: Open Report), then export it.',
    );
    return;
  }
  const format = await vscode.window.showQuickPick(
    [
      { label: 'JSON', description: 'the report as written by the probe', extension: 'json' },
      {
        label: 'Markdown',
        description: 'findings, gradient norms, bounds and modes',
        extension: 'md',
      },
      { label: 'PNG', description: 'an image of the current view', extension: 'png' },
    ],
    { title: `Export ${reportTitle(current.file, current.report)}` },
  );
  if (!format) return;
  const parsed = path.parse(current.file);
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(path.join(parsed.dir, `${parsed.name}.${format.extension}`)),
    filters: { [format.label]: [format.extension] },
  });
  if (!target) return;
  try {
    const bytes = await exportBytes(format.extension, view, current.report);
    await fs.writeFile(target.fsPath, bytes);
    services.logger.info(`exported ${current.file} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(
      `Exported the report to ${vscode.workspace.asRelativePath(target)}.`,
    );
  } catch (error) {
    services.logger.error(`export of ${current.file} to ${target.fsPath} failed`, error);
    void vscode.window.showErrorMessage(
      `Export to ${target.fsPath} failed: ${(error as Error).message}`,
    );
  }
}

async function exportBytes(
  extension: string,
  view: NonNullable<Services['panels']['active']>,
  report: Parameters<typeof reportToMarkdown>[0],
): Promise<Uint8Array> {
  if (extension === 'json') return Buffer.from(`${JSON.stringify(report, null, 1)}\n`, 'utf8');
  if (extension === 'md') return Buffer.from(reportToMarkdown(report), 'utf8');
  const dataUrl = await view.requestImage();
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}
