import * as vscode from 'vscode';
import type { ProgressEvent } from '../core/train/progress';
import type { Finding, ProbeReport } from '../protocol/report';
import type {
  CheckpointSeriesPoint,
  HostToWebview,
  JobStatus,
  PointPlot,
  ReportView,
  WebviewToHost,
} from '../protocol/webview';
import { checkWebviewToHost } from '../protocol/webviewGuards';
import { Disposable } from './disposable';
import type { ChannelLogger } from './log';
import { reportMessage } from './reportModel';
import { setWebviewPage, webviewOptions } from './webviewContent';

export const REPORT_VIEW_TYPE = 'ganDiagnostics.report';

/** Subject of a report panel, which its webview also saves for restoring after a reload. */
export interface PanelSubject {
  /** The run folder, for a run's panel. */
  runDir?: string;
  /** The report file, for a report's panel. */
  reportFile?: string;
}

export type PanelAction = Extract<WebviewToHost, { type: 'action' }>;

const IMAGE_TIMEOUT_MS = 15_000;
const PROGRESS_FLUSH_MS = 100;

interface PendingImage {
  resolve(dataUrl: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One report view. It keeps the last report, plots, series and run it was given and sends them
 * again when its webview reloads (after being hidden, or after a window reload), so the webview
 * never needs retainContextWhenHidden.
 */
export class ReportPanel extends Disposable {
  private ready = false;
  private report: Extract<HostToWebview, { type: 'report' }> | undefined;
  /** The report of the `report` message, with the 2-D points that the message leaves out. */
  private shownReport: { file: string; report: ProbeReport } | undefined;
  private points: Extract<HostToWebview, { type: 'points' }> | undefined;
  private series: Extract<HostToWebview, { type: 'series' }> | undefined;
  private run: Extract<HostToWebview, { type: 'run' }> | undefined;
  private pendingEvents: ProgressEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private nextImageId = 1;
  private readonly images = new Map<number, PendingImage>();
  private readonly disposedEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposedEmitter.event;
  private readonly actionEmitter = this.register(new vscode.EventEmitter<PanelAction>());
  readonly onAction = this.actionEmitter.event;
  private currentView: ReportView | undefined;
  private requestedView: ReportView | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly subject: PanelSubject,
    private readonly extensionUri: vscode.Uri,
    private readonly logger: ChannelLogger,
  ) {
    super();
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(
      panel.onDidChangeViewState(() => {
        // A hidden webview is destroyed; it sends 'ready' again once shown.
        if (!panel.visible) this.ready = false;
      }),
    );
    this.reload();
  }

  get view(): ReportView | undefined {
    return this.currentView;
  }

  get reportId(): string | undefined {
    return this.report?.reportId;
  }

  /** The report shown, whole (with its 2-D points), and the file it was read from. */
  get currentReport(): { file: string; report: ProbeReport } | undefined {
    return this.shownReport;
  }

  get hasRun(): boolean {
    return this.run !== undefined;
  }

  /** Reloads the page; the webview then sends 'ready' and receives everything again. */
  reload(): void {
    this.ready = false;
    setWebviewPage(this.panel.webview, this.extensionUri, this.panel.title, {
      mode: 'report',
      subject: JSON.stringify(this.subject),
    });
  }

  showReport(file: string, report: ProbeReport, title: string): string {
    this.subject.reportFile = file;
    this.shownReport = { file, report };
    this.report = reportMessage(file, report, title);
    this.points = undefined;
    this.series = undefined;
    this.post(this.report);
    return this.report.reportId;
  }

  showPoints(reportIdValue: string, plots: PointPlot[]): void {
    if (this.report?.reportId !== reportIdValue) return;
    this.points = { type: 'points', reportId: reportIdValue, plots };
    this.post(this.points);
  }

  showSeries(
    reportIdValue: string,
    checkpoints: CheckpointSeriesPoint[],
    findings: Finding[] = [],
  ): void {
    if (this.report?.reportId !== reportIdValue) return;
    this.series = { type: 'series', reportId: reportIdValue, checkpoints, findings };
    this.post(this.series);
  }

  showRun(
    runId: string,
    title: string,
    iterations: number,
    history: ProgressEvent[],
    status: JobStatus,
  ): void {
    this.flushProgress();
    this.run = { type: 'run', runId, title, iterations, history: [...history], status };
    this.post(this.run);
  }

  /** Queues a progress event; events are sent in batches at most every 100 ms. */
  addProgress(runId: string, event: ProgressEvent): void {
    if (this.run?.runId !== runId) return;
    this.run.history.push(event);
    this.pendingEvents.push(event);
    this.flushTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_FLUSH_MS);
  }

  setRunStatus(runId: string, status: JobStatus, message?: string): void {
    if (this.run?.runId !== runId) return;
    this.flushProgress();
    this.run.status = status;
    this.post({ type: 'runStatus', runId, status, ...(message ? { message } : {}) });
  }

  /** Selects a tab; a request made before the webview is ready is sent once it is. */
  showView(view: ReportView): void {
    if (!this.ready) {
      this.requestedView = view;
      return;
    }
    this.post({ type: 'showView', view });
  }

  /** Asks the webview for a PNG of its current view; rejects on timeout and on dispose. */
  requestImage(): Promise<string> {
    if (!this.ready)
      return Promise.reject(new Error('The report view is not visible; show it and export again.'));
    const requestId = this.nextImageId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.images.delete(requestId);
        reject(
          new Error(`The report view did not return an image within ${IMAGE_TIMEOUT_MS / 1000} s.`),
        );
      }, IMAGE_TIMEOUT_MS);
      this.images.set(requestId, { resolve, reject, timer });
      this.post({ type: 'exportImage', requestId });
    });
  }

  private flushProgress(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.run || this.pendingEvents.length === 0) return;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    this.post({ type: 'progress', runId: this.run.runId, events });
  }

  private post(message: HostToWebview): void {
    // Before 'ready' the webview would drop messages; replay() sends the state once it is ready.
    if (!this.ready || this.isDisposed) return;
    void this.panel.webview.postMessage(message);
  }

  private replay(): void {
    for (const message of [this.report, this.points, this.series, this.run]) {
      if (message) void this.panel.webview.postMessage(message);
    }
    this.pendingEvents = [];
    if (this.requestedView) {
      // Later reloads restore the tab from the webview's own saved state.
      void this.panel.webview.postMessage({ type: 'showView', view: this.requestedView });
      this.requestedView = undefined;
    }
  }

  private receive(raw: unknown): void {
    const problem = checkWebviewToHost(raw);
    if (problem) {
      this.logger.warn(`report view sent a malformed message, dropped: ${problem}`);
      return;
    }
    const message = raw as WebviewToHost;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.replay();
        return;
      case 'action':
        this.actionEmitter.fire(message);
        return;
      case 'image':
      case 'imageFailed':
        this.settleImage(message);
        return;
      case 'viewChanged':
        this.currentView = message.view;
        return;
      case 'error':
        this.logger.warn(`report view: ${message.message}`);
        return;
    }
  }

  private settleImage(message: Extract<WebviewToHost, { type: 'image' | 'imageFailed' }>): void {
    const pending = this.images.get(message.requestId);
    if (!pending) return;
    this.images.delete(message.requestId);
    clearTimeout(pending.timer);
    if (message.type === 'image') pending.resolve(message.dataUrl);
    else pending.reject(new Error(message.message));
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const pending of this.images.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('The report view was closed.'));
    }
    this.images.clear();
    this.disposedEmitter.fire();
    super.dispose();
    this.panel.dispose();
  }
}
