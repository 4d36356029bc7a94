import type { ProgressEvent } from '../../../src/core/train/progress';
import type { JobStatus } from '../../../src/protocol/webview';
import { thinHistory, trainingColumns, type TrainingSeries } from '../charts/chartData';
import { Plot, type SeriesSpec } from '../charts/plot';
import { el, formatNumber } from '../dom';
import { palette, type Palette } from '../theme';
import { ChartView } from './view';

/** Points per chart beyond which the history is thinned evenly (the last event is always kept). */
const MAX_POINTS = 50_000;

interface ChartSpec {
  id: string;
  title: string;
  yLabel: string;
  series: { key: TrainingSeries; label: string; color: (p: Palette) => string; dash?: number[] }[];
  target?: boolean;
}

const CHARTS: ChartSpec[] = [
  {
    id: 'losses',
    title: 'Losses',
    yLabel: 'loss',
    series: [
      { key: 'criticLoss', label: 'critic', color: (p) => p.blue },
      { key: 'generatorLoss', label: 'generator', color: (p) => p.purple },
    ],
  },
  {
    id: 'wasserstein',
    title: 'Wasserstein estimate E[D(real)] − E[D(fake)]',
    yLabel: 'W',
    series: [{ key: 'wasserstein', label: 'W', color: (p) => p.green }],
  },
  {
    id: 'penalty',
    title: 'Gradient penalty',
    yLabel: 'GP',
    series: [{ key: 'penalty', label: 'penalty', color: (p) => p.orange }],
  },
  {
    id: 'gradNorm',
    title: '‖∇D(x̂)‖ at interpolates',
    yLabel: '‖∇D‖',
    target: true,
    series: [
      { key: 'gradNormP05', label: 'p05', color: (p) => p.muted, dash: [4, 3] },
      { key: 'gradNormMedian', label: 'median', color: (p) => p.blue },
      { key: 'gradNormP95', label: 'p95', color: (p) => p.muted, dash: [4, 3] },
    ],
  },
  {
    id: 'modes',
    title: 'Modes captured',
    yLabel: 'modes',
    series: [{ key: 'modesCaptured', label: 'modes', color: (p) => p.yellow }],
  },
];

/** Live training curves; progress batches update the charts in place while the run trains. */
export class TrainingView extends ChartView {
  private history: ProgressEvent[] = [];
  private iterations = 0;
  private status: JobStatus | undefined;
  private statusMessage: string | undefined;
  private target = 1;
  private plots = new Map<string, Plot>();
  private readonly statusLine = el('p', { class: 'status' });

  constructor(private readonly onCancel: () => void) {
    super('training');
  }

  setRun(iterations: number, history: ProgressEvent[], status: JobStatus): void {
    this.iterations = iterations;
    this.history = [...history];
    this.status = status;
    this.statusMessage = undefined;
    this.invalidate();
  }

  setTarget(target: number): void {
    if (target === this.target) return;
    this.target = target;
    this.invalidate();
  }

  append(events: ProgressEvent[]): void {
    this.history.push(...events);
    const last = events.at(-1);
    if (last) this.iterations = last.iterations;
    if (this.plots.size === 0) {
      this.invalidate();
      return;
    }
    for (const chart of CHARTS) this.plots.get(chart.id)?.setData(this.columns(chart));
    this.updateStatus();
  }

  setStatus(status: JobStatus, message?: string): void {
    this.status = status;
    this.statusMessage = message;
    this.updateStatus();
  }

  canvases(): HTMLCanvasElement[] {
    return [...this.plots.values()].map((plot) => plot.canvas);
  }

  private columns(chart: ChartSpec) {
    return trainingColumns(
      thinHistory(this.history, MAX_POINTS),
      chart.series.map((s) => s.key),
    );
  }

  private updateStatus(): void {
    const last = this.history.at(-1);
    const parts = [`${this.status ?? 'no run'}`];
    if (last) {
      parts.push(`iteration ${last.iteration} of ${this.iterations}`);
      parts.push(`W ≈ ${formatNumber(last.wasserstein)}`);
      if (last.msPerIteration > 0)
        parts.push(`${formatNumber(last.msPerIteration)} ms per iteration`);
    }
    if (this.statusMessage) parts.push(this.statusMessage);
    this.statusLine.textContent = parts.join(' · ');
    this.statusLine.className = `status status-${this.status ?? 'none'}`;
    this.element.querySelector('.cancel')?.toggleAttribute('hidden', this.status !== 'running');
  }

  protected build(): void {
    for (const plot of this.plots.values()) plot.destroy();
    this.plots.clear();
    if (this.history.length === 0 && this.status === undefined) {
      this.element.replaceChildren(
        el(
          'p',
          { class: 'empty' },
          'No training history. Train a run, or open a run folder that has one.',
        ),
      );
      return;
    }

    const cancel = el('vscode-button', { secondary: true, class: 'cancel' }, 'Cancel training');
    cancel.addEventListener('click', () => this.onCancel());
    const hasModes = this.history.some((event) => event.modesCaptured !== undefined);
    const charts = CHARTS.filter((chart) => chart.id !== 'modes' || hasModes);
    const containers = charts.map((chart) => ({
      chart,
      container: el('div', { class: 'chart', 'data-chart-id': chart.id }),
    }));
    this.element.replaceChildren(
      el('div', { class: 'toolbar' }, this.statusLine, cancel),
      ...containers.map(({ chart, container }) =>
        el('div', { class: 'chart-block' }, el('h3', {}, chart.title), container),
      ),
    );

    const colors = palette();
    for (const { chart, container } of containers) {
      const series: SeriesSpec[] = chart.series.map((s) => ({
        label: s.label,
        color: s.color(colors),
        ...(s.dash ? { dash: s.dash } : {}),
      }));
      const spec = { title: '', xLabel: 'iteration', yLabel: chart.yLabel, series, height: 180 };
      const withTarget = chart.target
        ? { ...spec, yMarker: { value: this.target, label: `γ = ${formatNumber(this.target)}` } }
        : spec;
      this.plots.set(chart.id, new Plot(container, withTarget, this.columns(chart)));
    }
    this.updateStatus();
  }
}
