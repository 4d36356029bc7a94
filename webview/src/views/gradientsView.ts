import { PROBE_SET_NAMES } from '../../../src/protocol/report';
import type { ReportWithoutPoints } from '../../../src/protocol/webview';
import { histogramColumns, sharedRange } from '../charts/chartData';
import { Plot } from '../charts/plot';
import { el, formatNumber, formatPercent } from '../dom';
import { palette } from '../theme';
import { ChartView } from './view';

/** Histograms of ‖∇D‖ per probe set, on one shared x range, with the penalty target marked. */
export class GradientsView extends ChartView {
  private report: ReportWithoutPoints | undefined;
  private plots: Plot[] = [];

  constructor() {
    super('gradients');
  }

  setReport(report: ReportWithoutPoints | undefined): void {
    this.report = report;
    this.invalidate();
  }

  canvases(): HTMLCanvasElement[] {
    return this.plots.map((plot) => plot.canvas);
  }

  protected build(): void {
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    const report = this.report;
    if (!report) {
      this.element.replaceChildren(el('p', { class: 'empty' }, 'No report yet.'));
      return;
    }
    const target = report.training.target;
    const sets = PROBE_SET_NAMES.flatMap((name) => {
      const set = report.probeSets[name];
      return set ? [{ name, set }] : [];
    });
    const range = sharedRange(
      sets.map(({ set }) => set.histogram),
      target,
    );
    const colors = palette();
    const summary = el(
      'table',
      { class: 'grid' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...[
            'probe set',
            'count',
            'p05',
            'median',
            'p95',
            'max',
            `above γ = ${formatNumber(target)}`,
          ].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        ...sets.map(({ name, set }) =>
          el(
            'tr',
            {},
            el('td', {}, name),
            ...[
              set.count,
              set.gradNorm.p05,
              set.gradNorm.median,
              set.gradNorm.p95,
              set.gradNorm.max,
            ].map((v) => el('td', { class: 'number' }, formatNumber(v))),
            el('td', { class: 'number' }, formatPercent(set.fractionAboveTarget)),
          ),
        ),
      ),
    );
    const charts = sets.map(({ name, set }) => {
      const container = el('div', { class: 'chart', 'data-chart-id': name });
      const block = el(
        'div',
        { class: 'chart-block' },
        el('h3', {}, `${name}: ${set.description}`),
        container,
      );
      return { block, container, name, set };
    });
    this.element.replaceChildren(
      el(
        'p',
        { class: 'note' },
        `‖∇D‖ of the critic at each probe set. The dashed line is the penalty target γ = ${formatNumber(target)}.`,
      ),
      summary,
      ...charts.map(({ block }) => block),
    );
    for (const { container, name, set } of charts) {
      this.plots.push(
        new Plot(
          container,
          {
            title: '',
            xLabel: '‖∇D‖',
            yLabel: 'points',
            series: [{ label: name, color: colors.blue }],
            style: 'histogram',
            xMarker: { value: target, label: `γ = ${formatNumber(target)}` },
            xRange: range,
            height: 160,
          },
          histogramColumns(set.histogram),
        ),
      );
    }
  }
}
