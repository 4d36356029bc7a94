import type { Finding } from '../../../src/protocol/report';
import type { ReportView, ReportWithoutPoints } from '../../../src/protocol/webview';
import { el, formatNumber } from '../dom';
import { chartLink } from '../links';
import { ChartView } from './view';

const SEVERITY_LABEL = { error: 'Error', warning: 'Warning', info: 'Info' } as const;

/** The findings list: severity, message, evidence, fix, and a link to the chart with the evidence. */
export class FindingsView extends ChartView {
  private report: ReportWithoutPoints | undefined;

  constructor(private readonly openChart: (view: ReportView, anchor?: string) => void) {
    super('findings');
  }

  setReport(report: ReportWithoutPoints | undefined): void {
    this.report = report;
    this.invalidate();
  }

  canvases(): HTMLCanvasElement[] {
    return [];
  }

  protected build(): void {
    const report = this.report;
    if (!report) {
      this.element.replaceChildren(
        el('p', { class: 'empty' }, 'No report yet. Probe a checkpoint to see findings.'),
      );
      return;
    }
    if (report.findings.length === 0) {
      this.element.replaceChildren(el('p', { class: 'empty' }, 'No findings: every check passed.'));
      return;
    }
    const order = { error: 0, warning: 1, info: 2 };
    const findings = [...report.findings].sort((a, b) => order[a.severity] - order[b.severity]);
    this.element.replaceChildren(...findings.map((finding) => this.card(finding)));
  }

  private card(finding: Finding): HTMLElement {
    const link = chartLink(finding.chart);
    const evidence = Object.entries(finding.evidence).map(([key, value]) =>
      el('tr', {}, el('th', { scope: 'row' }, key), el('td', {}, evidenceText(value))),
    );
    const chartButton = link
      ? el('vscode-button', { secondary: true, class: 'chart-link' }, 'Show chart')
      : undefined;
    chartButton?.addEventListener('click', () => link && this.openChart(link.view, link.anchor));
    return el(
      'article',
      { class: `finding severity-${finding.severity}`, 'data-finding': finding.id },
      el(
        'header',
        {},
        el(
          'span',
          { class: `severity severity-${finding.severity}` },
          SEVERITY_LABEL[finding.severity],
        ),
        el('span', { class: 'message' }, finding.message),
        finding.hypothesis
          ? el(
              'span',
              { class: 'hypothesis', title: 'This finding rests on an unvalidated hypothesis.' },
              'hypothesis',
            )
          : undefined,
      ),
      evidence.length > 0
        ? el('table', { class: 'kv evidence' }, el('tbody', {}, ...evidence))
        : undefined,
      el('p', { class: 'fix' }, el('strong', {}, 'Fix: '), finding.fix),
      el('footer', {}, el('code', {}, finding.id), chartButton),
    );
  }
}

function evidenceText(value: number | string | number[] | boolean): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.map((item) => formatNumber(item)).join(', ');
  return String(value);
}
