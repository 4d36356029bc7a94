import type { HostToWebview, ReportView, WebviewAction } from '../../src/protocol/webview';
import { REPORT_VIEWS } from '../../src/protocol/webviewGuards';
import { loadState, post, saveState } from './api';
import { el, formatNumber } from './dom';
import { composeImage } from './exportImage';
import { ScrollState } from './scrollState';
import { onThemeChange } from './theme';
import { CheckpointsView } from './views/checkpointsView';
import { FindingsView } from './views/findingsView';
import { GradientsView } from './views/gradientsView';
import { LipschitzView } from './views/lipschitzView';
import { ModesView } from './views/modesView';
import { PointsView } from './views/pointsView';
import { TrainingView } from './views/trainingView';
import type { ChartView } from './views/view';

interface ReportViews extends Record<ReportView, ChartView> {
  findings: FindingsView;
  gradients: GradientsView;
  modes: ModesView;
  training: TrainingView;
  lipschitz: LipschitzView;
  checkpoints: CheckpointsView;
  points: PointsView;
}

const TAB_TITLES: Record<ReportView, string> = {
  findings: 'Findings',
  gradients: 'Gradient norms',
  modes: 'Modes',
  training: 'Training',
  lipschitz: 'Lipschitz bounds',
  checkpoints: 'Checkpoints',
  points: '2-D view',
};

/**
 * The report view: a header with the report's headline numbers and actions, and one tab per
 * view. It shows one report and one run at a time; messages stamped with another report or run
 * id are stale and dropped.
 */
export class ReportApp {
  private reportId: string | undefined;
  private runId: string | undefined;
  private title = 'GAN Diagnostics';
  private current: ReportView;
  private readonly tabs: HTMLElement;
  private readonly header = el('header', { class: 'report-header' });
  private readonly views: ReportViews;
  private readonly scroll: ScrollState;

  constructor(root: HTMLElement) {
    const act = (action: WebviewAction) =>
      post({ type: 'action', action, subject: this.reportId ?? this.runId ?? '' });
    this.views = {
      findings: new FindingsView((view, anchor) => this.show(view, anchor)),
      gradients: new GradientsView(),
      modes: new ModesView(),
      training: new TrainingView(() => act('cancelJob')),
      lipschitz: new LipschitzView(),
      checkpoints: new CheckpointsView(() => act('compare')),
      points: new PointsView(),
    };
    const saved = loadState();
    this.current = saved.view && REPORT_VIEWS.includes(saved.view) ? saved.view : 'findings';
    this.tabs = el(
      'vscode-tabs',
      { 'selected-index': String(REPORT_VIEWS.indexOf(this.current)) },
      ...REPORT_VIEWS.flatMap((view) => [
        el('vscode-tab-header', { slot: 'header', id: `tab-${view}` }, TAB_TITLES[view]),
        el('vscode-tab-panel', {}, this.views[view].element),
      ]),
    );
    this.tabs.addEventListener('vsc-tabs-select', (event) => {
      const index = (event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      this.select(REPORT_VIEWS[index] ?? 'findings');
    });
    this.renderHeader(undefined);
    root.replaceChildren(this.header, this.tabs);
    onThemeChange(() => Object.values(this.views).forEach((view) => view.invalidate()));
    this.select(this.current);
    this.scroll = new ScrollState(saved.scrollY, (scrollY) => saveState({ scrollY }));
  }

  handle(message: HostToWebview): void {
    this.apply(message);
    // The saved scroll offset waits until the host's content makes the page tall enough.
    this.scroll.restore();
  }

  private apply(message: HostToWebview): void {
    switch (message.type) {
      case 'report':
        this.reportId = message.reportId;
        this.title = message.title;
        saveState({ reportFile: message.file });
        this.views.findings.setReport(message.report);
        this.views.gradients.setReport(message.report);
        this.views.modes.setReport(message.report);
        this.views.lipschitz.setReport(message.report, message.lipschitz);
        this.views.training.setTarget(message.report.training.target);
        this.views.points.setPlots([]);
        this.views.checkpoints.setSeries([], []);
        if (!this.runId && message.report.history) {
          const history = message.report.history;
          this.views.training.setRun(history.at(-1)?.iterations ?? 0, history, 'completed');
        }
        this.renderHeader(message);
        return;
      case 'points':
        if (message.reportId === this.reportId) this.views.points.setPlots(message.plots);
        return;
      case 'series':
        if (message.reportId === this.reportId)
          this.views.checkpoints.setSeries(message.checkpoints, message.findings);
        return;
      case 'run':
        this.runId = message.runId;
        if (!this.reportId) this.title = message.title;
        saveState({ runDir: message.runId });
        this.views.training.setRun(message.iterations, message.history, message.status);
        if (!this.reportId) this.renderHeader(undefined);
        return;
      case 'progress':
        if (message.runId === this.runId) this.views.training.append(message.events);
        return;
      case 'runStatus':
        if (message.runId === this.runId)
          this.views.training.setStatus(message.status, message.message);
        return;
      case 'showView':
        this.show(message.view);
        return;
      case 'exportImage':
        this.exportImage(message.requestId);
        return;
      default:
        return;
    }
  }

  private show(view: ReportView, anchor?: string): void {
    this.tabs.setAttribute('selected-index', String(REPORT_VIEWS.indexOf(view)));
    this.select(view);
    if (anchor) {
      const target = this.views[view].element.querySelector(
        `[data-chart-id="${CSS.escape(anchor)}"]`,
      );
      target?.scrollIntoView({ block: 'start' });
    }
  }

  private select(view: ReportView): void {
    this.current = view;
    for (const name of REPORT_VIEWS) this.views[name].setVisible(name === view);
    saveState({ view });
    post({ type: 'viewChanged', view });
  }

  private exportImage(requestId: number): void {
    try {
      const view = this.views[this.current];
      const dataUrl = composeImage(
        `${this.title}: ${TAB_TITLES[this.current]}`,
        view.element,
        view.canvases(),
      );
      post({ type: 'image', requestId, dataUrl });
    } catch (error) {
      post({ type: 'imageFailed', requestId, message: String(error) });
    }
  }

  private renderHeader(message: Extract<HostToWebview, { type: 'report' }> | undefined): void {
    const probe = el('vscode-button', {}, 'Probe');
    probe.addEventListener('click', () =>
      post({ type: 'action', action: 'probe', subject: this.reportId ?? this.runId ?? '' }),
    );
    const exportButton = el('vscode-button', { secondary: true, disabled: !message }, 'Export…');
    exportButton.addEventListener('click', () =>
      post({ type: 'action', action: 'exportReport', subject: this.reportId ?? '' }),
    );
    const facts: string[] = [];
    if (message) {
      const { report } = message;
      const counts = { error: 0, warning: 0, info: 0 };
      for (const finding of report.findings) counts[finding.severity]++;
      facts.push(`${counts.error} errors, ${counts.warning} warnings, ${counts.info} notes`);
      facts.push(`W ≈ ${formatNumber(report.wasserstein.estimate)}`);
      facts.push(`γ = ${formatNumber(report.training.target)}`);
      facts.push(`backend ${report.backend}`);
      facts.push(new Date(report.createdAt).toLocaleString());
    }
    this.header.replaceChildren(
      el('h1', {}, this.title),
      el('p', { class: 'facts' }, facts.join(' · ')),
      el('div', { class: 'actions' }, probe, exportButton),
    );
  }
}
