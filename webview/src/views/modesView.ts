import type { ReportWithoutPoints } from '../../../src/protocol/webview';
import { modeColumns } from '../charts/chartData';
import { Plot } from '../charts/plot';
import { el, formatNumber, formatPercent, keyValueTable, present } from '../dom';
import { palette } from '../theme';
import { ChartView } from './view';

/** Mode coverage: captured modes, high-quality share and reverse KL, each next to its floor. */
export class ModesView extends ChartView {
  private report: ReportWithoutPoints | undefined;
  private plot: Plot | undefined;

  constructor() {
    super('modes');
  }

  setReport(report: ReportWithoutPoints | undefined): void {
    this.report = report;
    this.invalidate();
  }

  /** Builds the table of distribution metrics in data space, when the report has them. */
  private distributionTable(): HTMLElement | undefined {
    const d = this.report?.distribution;
    if (!d) return undefined;
    const rows: [string, string][] = [
      ['Precision / recall (k = 3)', `${formatNumber(d.precision)} / ${formatNumber(d.recall)}`],
      ['Density / coverage (k = 5)', `${formatNumber(d.density)} / ${formatNumber(d.coverage)}`],
      [
        'Fréchet distance in data space',
        d.frechet === undefined ? (d.frechetSkipped ?? 'not computed') : formatNumber(d.frechet),
      ],
      [`Exact W1 on ${d.exactW1SampleSize} points`, formatNumber(d.exactW1)],
      ['Real / generated points', `${d.realCount} / ${d.fakeCount}`],
    ];
    return el(
      'div',
      { 'data-chart-id': 'distribution' },
      el('h3', {}, 'Distribution metrics'),
      keyValueTable(rows),
    );
  }

  canvases(): HTMLCanvasElement[] {
    return this.plot ? [this.plot.canvas] : [];
  }

  protected build(): void {
    this.plot?.destroy();
    this.plot = undefined;
    const modes = this.report?.modes;
    const distribution = this.distributionTable();
    if (!modes) {
      this.element.replaceChildren(
        ...present(
          el(
            'p',
            { class: 'empty' },
            'This data set has no known modes, so mode coverage does not apply.',
          ),
          distribution,
        ),
      );
      return;
    }
    const container = el('div', { class: 'chart', 'data-chart-id': 'perMode' });
    this.element.replaceChildren(
      keyValueTable([
        [
          'Modes captured (≥ 1 high-quality sample)',
          `${modes.modesCaptured} of ${modes.modeCount}`,
        ],
        [
          `Modes with ≥ ${formatPercent(modes.massThreshold)} of their share`,
          `${modes.modesCapturedWithMass} of ${modes.modeCount}`,
        ],
        ['Generated samples N', String(modes.sampleCount)],
        [
          'High-quality samples',
          `${formatPercent(modes.highQualityFraction)} (a perfect generator: ${formatPercent(modes.highQualityFloor)})`,
        ],
        [
          'Reverse KL of the mode histogram',
          `${formatNumber(modes.reverseKl)} (finite-sample floor ≈ ${formatNumber(modes.reverseKlFloor)})`,
        ],
      ]),
      el('h3', {}, 'Share of high-quality samples per mode'),
      container,
      ...present(distribution),
    );
    this.plot = new Plot(
      container,
      {
        title: '',
        xLabel: 'mode',
        yLabel: 'share',
        series: [{ label: 'share', color: palette().green }],
        style: 'bars',
        yMarker: { value: 1 / modes.modeCount, label: `uniform 1/${modes.modeCount}` },
        xRange: [0.5, modes.modeCount + 0.5],
      },
      modeColumns(modes.perMode),
    );
  }
}
