import type { LipschitzBounds, ReportWithoutPoints } from '../../../src/protocol/webview';
import { el, formatNumber, keyValueTable, present } from '../dom';
import { ChartView } from './view';

/** The Lipschitz constant's lower bounds from probes and its upper bound from the weights. */
export class LipschitzView extends ChartView {
  private bounds: LipschitzBounds | undefined;
  private report: ReportWithoutPoints | undefined;

  constructor() {
    super('lipschitz');
  }

  setReport(report: ReportWithoutPoints | undefined, bounds: LipschitzBounds | undefined): void {
    this.report = report;
    this.bounds = bounds;
    this.invalidate();
  }

  canvases(): HTMLCanvasElement[] {
    return [];
  }

  protected build(): void {
    const bounds = this.bounds;
    if (!bounds || !this.report) {
      this.element.replaceChildren(el('p', { class: 'empty' }, 'No report yet.'));
      return;
    }
    const target = this.report.training.target;
    const lower = Math.max(bounds.gradientLower, bounds.secantLower ?? 0);
    const rows: [string, string][] = [
      ['Lower bound: largest ‖∇D‖ over the probe points', formatNumber(bounds.gradientLower)],
      [
        'Lower bound: largest secant slope |D(x) − D(y)| / ‖x − y‖',
        bounds.secantLower === undefined ? 'not in this report' : formatNumber(bounds.secantLower),
      ],
      [
        'Upper bound: product of spectral norms × activation constants',
        bounds.upper === undefined
          ? (bounds.upperReason ?? 'not in this report')
          : formatNumber(bounds.upper),
      ],
      ['Penalty target γ', formatNumber(target)],
    ];
    if (bounds.upper !== undefined && lower > 0)
      rows.push(['Gap (upper / best lower)', `${formatNumber(bounds.upper / lower)}×`]);
    this.element.replaceChildren(
      ...present(
        keyValueTable(rows),
        this.scale(lower, bounds.upper, target),
        this.layerTable(bounds.layers ?? []),
        el(
          'p',
          { class: 'note' },
          'The true Lipschitz constant lies between the best lower bound and the upper bound. A lower bound well above γ means the penalty does not hold the critic near γ-Lipschitz.',
        ),
      ),
    );
  }

  /** Builds the table of per-layer constants whose product is the upper bound. */
  private layerTable(layers: NonNullable<LipschitzBounds['layers']>): HTMLElement | undefined {
    if (layers.length === 0) return undefined;
    return el(
      'table',
      { class: 'grid' },
      el(
        'thead',
        {},
        el('tr', {}, ...['layer', 'kind', 'constant', 'method'].map((h) => el('th', {}, h))),
      ),
      el(
        'tbody',
        {},
        ...layers.map((layer) =>
          el(
            'tr',
            {},
            el('td', {}, el('code', {}, layer.name)),
            el('td', {}, layer.kind),
            el('td', { class: 'number' }, formatNumber(layer.constant)),
            el('td', {}, layer.method),
          ),
        ),
      ),
    );
  }

  /** Builds a log-scale strip with the bounds and the target marked. */
  private scale(lower: number, upper: number | undefined, target: number): HTMLElement {
    const values = [lower, upper ?? lower, target].filter((v) => v > 0);
    const min = Math.min(...values) / 2;
    const max = Math.max(...values) * 2;
    const position = (value: number) =>
      `${((Math.log(value) - Math.log(min)) / (Math.log(max) - Math.log(min))) * 100}%`;
    const marker = (value: number, label: string, kind: string) => {
      const span = el(
        'span',
        { class: `marker ${kind}`, title: `${label}: ${formatNumber(value)}` },
        label,
      );
      // CSSOM writes are allowed by the page's policy; style attributes in markup are not.
      span.style.left = position(value);
      return span;
    };
    const strip = el('div', { class: 'lipschitz-scale', 'data-chart-id': 'bounds' });
    if (lower > 0) strip.append(marker(lower, 'lower', 'lower'));
    if (upper !== undefined && upper > 0) strip.append(marker(upper, 'upper', 'upper'));
    strip.append(marker(target, 'γ', 'target'));
    return strip;
  }
}
