import type { Finding } from '../../../src/protocol/report';
import type { CheckpointSeriesPoint } from '../../../src/protocol/webview';
import { checkpointColumns, type CheckpointSeries } from '../charts/chartData';
import { Plot } from '../charts/plot';
import { el, formatNumber } from '../dom';
import { palette, type Palette } from '../theme';
import { ChartView } from './view';

const CHARTS: {
  id: string;
  title: string;
  yLabel: string;
  series: { key: CheckpointSeries; label: string; color: (p: Palette) => string }[];
}[] = [
  {
    id: 'wasserstein',
    title: 'Wasserstein estimate',
    yLabel: 'W',
    series: [{ key: 'wasserstein', label: 'W', color: (p) => p.green }],
  },
  {
    id: 'medians',
    title: 'Median ‖∇D‖ per probe set',
    yLabel: '‖∇D‖',
    series: [
      { key: 'interpolatesMedian', label: 'interpolates', color: (p) => p.blue },
      { key: 'realMedian', label: 'real', color: (p) => p.green },
      { key: 'generatedMedian', label: 'generated', color: (p) => p.purple },
    ],
  },
  {
    id: 'lipschitz',
    title: 'Lipschitz lower bound (largest ‖∇D‖)',
    yLabel: 'L',
    series: [{ key: 'lipschitzLower', label: 'lower bound', color: (p) => p.orange }],
  },
  {
    id: 'modes',
    title: 'Modes captured',
    yLabel: 'modes',
    series: [{ key: 'modesCaptured', label: 'modes', color: (p) => p.yellow }],
  },
];

/** Headline numbers over a run's checkpoints, filled by Compare Checkpoints. */
export class CheckpointsView extends ChartView {
  private points: CheckpointSeriesPoint[] = [];
  private findings: Finding[] = [];
  private plots: Plot[] = [];

  constructor(private readonly onCompare: () => void) {
    super('checkpoints');
  }

  setSeries(points: CheckpointSeriesPoint[], findings: Finding[]): void {
    this.points = points;
    this.findings = findings;
    this.invalidate();
  }

  canvases(): HTMLCanvasElement[] {
    return this.plots.map((plot) => plot.canvas);
  }

  protected build(): void {
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    if (this.points.length === 0) {
      const button = el('vscode-button', {}, 'Compare Checkpoints…');
      button.addEventListener('click', () => this.onCompare());
      this.element.replaceChildren(
        el(
          'p',
          { class: 'empty' },
          'No series yet. Compare the checkpoints of a run to fill this view.',
        ),
        button,
      );
      return;
    }
    const charts = CHARTS.filter((chart) =>
      chart.series.some((s) => this.points.some((p) => p[s.key] !== undefined)),
    );
    const containers = charts.map((chart) => ({
      chart,
      container: el('div', { class: 'chart', 'data-chart-id': chart.id }),
    }));
    const findings = this.findings.map((finding) =>
      el(
        'article',
        { class: `finding severity-${finding.severity}` },
        el(
          'header',
          {},
          el('span', { class: `severity severity-${finding.severity}` }, finding.severity),
          el('span', { class: 'message' }, finding.message),
        ),
        el('p', { class: 'fix' }, el('strong', {}, 'Fix: '), finding.fix),
      ),
    );
    this.element.replaceChildren(
      ...findings,
      this.table(),
      ...containers.map(({ chart, container }) =>
        el('div', { class: 'chart-block' }, el('h3', {}, chart.title), container),
      ),
    );
    const colors = palette();
    for (const { chart, container } of containers) {
      const series = chart.series.map((s) => ({ label: s.label, color: s.color(colors) }));
      const columns = checkpointColumns(
        this.points,
        chart.series.map((s) => s.key),
      );
      this.plots.push(
        new Plot(
          container,
          { title: '', xLabel: 'iteration', yLabel: chart.yLabel, series, height: 180 },
          columns,
        ),
      );
    }
  }

  private table(): HTMLTableElement {
    const headers = [
      'checkpoint',
      'W',
      'median ‖∇D‖ interpolates',
      'L lower',
      'modes',
      'errors',
      'warnings',
    ];
    return el(
      'table',
      { class: 'grid' },
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
      el(
        'tbody',
        {},
        ...this.points.map((p) =>
          el(
            'tr',
            {},
            el('td', {}, p.label),
            ...[
              p.wasserstein,
              p.interpolatesMedian,
              p.lipschitzLower,
              p.modesCaptured,
              p.errorCount,
              p.warningCount,
            ].map((v) => el('td', { class: 'number' }, formatNumber(v))),
          ),
        ),
      ),
    );
  }
}
