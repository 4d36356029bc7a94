import type { PointPlot } from '../../../src/protocol/webview';
import { drawPointPlot, plotSize, ROLE_COLORS } from '../charts/pointsRenderer';
import { el } from '../dom';
import { palette } from '../theme';
import { ChartView } from './view';

/** The 2-D views: critic heatmaps with gradient arrows and the probe points. */
export class PointsView extends ChartView {
  private plots: PointPlot[] = [];
  private drawn: {
    canvas: HTMLCanvasElement;
    plot: PointPlot;
    container: HTMLElement;
    /** The plot size and device pixel ratio of the last draw; 0 before the first. */
    size: number;
    ratio: number;
  }[] = [];
  private readonly observer = new ResizeObserver(() => this.redraw());

  constructor() {
    super('points');
  }

  setPlots(plots: PointPlot[]): void {
    this.plots = plots;
    this.invalidate();
  }

  canvases(): HTMLCanvasElement[] {
    return this.drawn.map(({ canvas }) => canvas);
  }

  protected build(): void {
    this.observer.disconnect();
    this.drawn = [];
    if (this.plots.length === 0) {
      this.element.replaceChildren(
        el(
          'p',
          { class: 'empty' },
          'No 2-D views in this report. They appear for two-dimensional data.',
        ),
      );
      return;
    }
    const colors = palette();
    const blocks = this.plots.map((plot) => {
      const canvas = el('canvas', { 'aria-label': plot.title });
      const container = el('div', { class: 'points-plot', 'data-chart-id': plot.id }, canvas);
      const legend = el(
        'ul',
        { class: 'legend' },
        ...plot.series.map((series) => {
          const swatch = el('span', { class: 'swatch' });
          swatch.style.background = ROLE_COLORS[series.role](colors);
          return el('li', {}, swatch, `${series.label} (${series.x.length})`);
        }),
        plot.arrows ? el('li', {}, '→ ∇D, length proportional to ‖∇D‖') : undefined,
        plot.heatmap ? el('li', {}, 'shading: critic value D(x), brighter is higher') : undefined,
      );
      this.drawn.push({ canvas, plot, container, size: 0, ratio: 0 });
      return el('div', { class: 'chart-block' }, container, legend);
    });
    this.element.replaceChildren(...blocks);
    this.redraw();
    this.observer.observe(this.element);
  }

  /**
   * Draws each plot whose size or pixel ratio changed. The others are skipped, because the
   * observer also fires when only the view's height changed.
   */
  private redraw(): void {
    const ratio = window.devicePixelRatio || 1;
    for (const entry of this.drawn) {
      const width = entry.container.clientWidth;
      if (width <= 0) continue;
      const size = plotSize(width);
      if (size === entry.size && ratio === entry.ratio) continue;
      drawPointPlot(entry.canvas, entry.plot, width);
      entry.size = size;
      entry.ratio = ratio;
    }
  }
}
