import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunManifest } from '../core/train/runFolder';
import type { ProbeReport } from '../protocol/report';
import type { ReportView } from '../protocol/webview';
import { Disposable } from './disposable';
import type { ChannelLogger } from './log';
import { parseReport, pointPlots } from './reportModel';
import { REPORT_VIEW_TYPE, ReportPanel, type PanelAction, type PanelSubject } from './reportPanel';
import { readRunJson, readSavedSeries } from './runFiles';
import { webviewOptions } from './webviewContent';

/** The state a report view's webview saves with setState. */
type SavedState = PanelSubject & { view?: ReportView };

/**
 * The open report views, one per run folder or report file. Registers the serializer that
 * restores them after a window reload.
 */
export class ReportPanels extends Disposable implements vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, ReportPanel>();
  private lastActive: ReportPanel | undefined;
  private readonly actionEmitter = this.register(
    new vscode.EventEmitter<{ panel: ReportPanel; action: PanelAction }>(),
  );
  readonly onAction = this.actionEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: ChannelLogger,
  ) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, this));
  }

  /** The report view that was focused last, if it is still open. */
  get active(): ReportPanel | undefined {
    return this.lastActive && !this.lastActive.isDisposed ? this.lastActive : undefined;
  }

  /** Opens (or reveals) the view of a run folder or a report file. */
  open(subject: PanelSubject, title: string): ReportPanel {
    const key = keyOf(subject);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      REPORT_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(this.extensionUri),
    );
    return this.adopt(panel, subject);
  }

  find(subject: PanelSubject): ReportPanel | undefined {
    return this.panels.get(keyOf(subject));
  }

  /** Returns every open view that shows this run folder, by run or by one of its reports. */
  forRun(runDir: string): ReportPanel[] {
    return [...this.panels.values()].filter((panel) => panel.subject.runDir === runDir);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = (state ?? {}) as SavedState;
    const subject: PanelSubject = {};
    if (typeof saved.runDir === 'string') subject.runDir = saved.runDir;
    if (typeof saved.reportFile === 'string') subject.reportFile = saved.reportFile;
    if (!subject.runDir && !subject.reportFile) {
      this.logger.warn('closed a restored report view without a saved run folder or report file');
      panel.dispose();
      return;
    }
    const view = this.adopt(panel, subject);
    await this.load(view).catch((error: unknown) => {
      this.logger.error(`could not restore the report view of ${keyOf(subject)}`, error);
    });
  }

  /**
   * Loads a view's content from disk: the run's history, and its report with the report's 2-D
   * views and the series that Compare Checkpoints saved with it, where they exist.
   */
  async load(view: ReportPanel): Promise<void> {
    const { runDir, reportFile } = view.subject;
    if (runDir) {
      const manifest = await readRunJson(runDir);
      view.showRun(
        runDir,
        runTitle(runDir),
        manifest.config.iterations,
        manifest.history,
        statusOf(manifest),
      );
    }
    if (!reportFile) return;
    const report = await readReportFile(reportFile);
    const id = view.showReport(reportFile, report, reportTitle(reportFile, report));
    const { plots, problems } = pointPlots(report);
    for (const problem of problems)
      this.logger.warn(`dropped a 2-D plot of ${reportFile}: ${problem}`);
    if (plots.length > 0) view.showPoints(id, plots);
    const series = runDir ? await readSavedSeries(runDir, reportFile, report) : undefined;
    if (series) view.showSeries(id, series.points, series.findings);
  }

  private adopt(panel: vscode.WebviewPanel, subject: PanelSubject): ReportPanel {
    const key = keyOf(subject);
    const view = new ReportPanel(panel, subject, this.extensionUri, this.logger);
    this.panels.set(key, view);
    this.lastActive = view;
    view.onAction((action) => this.actionEmitter.fire({ panel: view, action }));
    panel.onDidChangeViewState(() => {
      if (panel.active) this.lastActive = view;
    });
    view.onDidDispose(() => {
      if (this.panels.get(key) === view) this.panels.delete(key);
      if (this.lastActive === view) this.lastActive = undefined;
    });
    return view;
  }

  override dispose(): void {
    for (const view of [...this.panels.values()]) view.dispose();
    this.panels.clear();
    super.dispose();
  }
}

function keyOf(subject: PanelSubject): string {
  return subject.runDir ? `run:${subject.runDir}` : `report:${subject.reportFile ?? ''}`;
}

export async function readReportFile(file: string): Promise<ProbeReport> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`Could not read the report ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseReport(file, text);
}

export function runTitle(runDir: string): string {
  return `GAN run: ${path.basename(runDir)}`;
}

export function reportTitle(file: string, report: ProbeReport): string {
  const iteration = report.source.iteration;
  const name = report.source.run ? path.basename(report.source.run) : path.basename(file);
  return iteration === undefined ? `GAN report: ${name}` : `GAN report: ${name} @ ${iteration}`;
}

function statusOf(manifest: RunManifest): 'running' | 'completed' | 'cancelled' | 'failed' {
  return manifest.status;
}
