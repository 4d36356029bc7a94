/*
 * A thin wrapper around uPlot for the report's line charts and histograms: theme colours, a
 * reference line (the penalty target, the expected share of a mode), and resizing with its
 * container.
 */
import uPlot from 'uplot';
import { palette, translucent } from '../theme';
import type { Columns } from './chartData';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: SeriesSpec[];
  /** Draw series as a step line with a filled area (histograms) or as bars (per-mode counts). */
  style?: 'line' | 'histogram' | 'bars';
  /** A vertical line at this x value, such as the penalty target γ. */
  xMarker?: { value: number; label: string };
  /** A horizontal line at this y value. */
  yMarker?: { value: number; label: string };
  xRange?: [number, number];
  height?: number;
}

export class Plot {
  private readonly chart: uPlot;
  private readonly observer: ResizeObserver;
  /** True after a drag selected an x range to zoom to, until a double click zooms out. */
  private zoomed = false;

  constructor(
    readonly container: HTMLElement,
    private readonly spec: PlotSpec,
    data: Columns,
  ) {
    this.chart = new uPlot(
      this.options(Math.max(200, container.clientWidth)),
      data as uPlot.AlignedData,
      container,
    );
    this.observer = new ResizeObserver(() => {
      const width = container.clientWidth;
      if (width > 0 && Math.abs(width - this.chart.width) > 1)
        this.chart.setSize({ width, height: this.chart.height });
    });
    this.observer.observe(container);
    // A capture listener runs before uPlot's own, which zooms out to the full range.
    this.chart.over.addEventListener(
      'dblclick',
      () => {
        this.zoomed = false;
      },
      { capture: true },
    );
  }

  setData(data: Columns): void {
    this.chart.setData(data as uPlot.AlignedData);
  }

  get canvas(): HTMLCanvasElement {
    return this.chart.ctx.canvas;
  }

  destroy(): void {
    this.observer.disconnect();
    this.chart.destroy();
  }

  private options(width: number): uPlot.Options {
    const colors = palette();
    const spec = this.spec;
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: colors.foreground,
      grid: { stroke: colors.grid, width: 1 },
      ticks: { stroke: colors.grid, width: 1 },
    });
    const paths =
      spec.style === 'histogram'
        ? uPlot.paths.stepped?.({ align: 1 })
        : spec.style === 'bars'
          ? uPlot.paths.bars?.({ size: [0.7, 60] })
          : undefined;
    return {
      title: spec.title,
      width,
      height: spec.height ?? 220,
      scales: {
        // A fixed range array would also override the range that a drag selects, so zooming
        // would do nothing. This function keeps the fixed range only until the user zooms.
        x: {
          time: false,
          ...(spec.xRange ? { range: (_chart, min, max) => this.xRange(min, max) } : {}),
        },
        // Counts and shares start at zero, so bar heights compare honestly.
        ...(paths
          ? {
              y: {
                range: (_chart: uPlot, _min: number, max: number): uPlot.Range.MinMax => [
                  0,
                  max > 0 ? max * 1.05 : 1,
                ],
              },
            }
          : {}),
      },
      axes: [
        {
          ...axis(spec.xLabel),
          ...(spec.style === 'bars' ? { incrs: [1, 2, 5, 10, 20, 50, 100] } : {}),
        },
        axis(spec.yLabel),
      ],
      legend: { show: spec.series.length > 1 },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: spec.xLabel },
        ...spec.series.map((series) => ({
          label: series.label,
          stroke: series.color,
          width: 1.5,
          ...(series.dash ? { dash: series.dash } : {}),
          ...(paths ? { paths, fill: translucent(series.color) } : {}),
          points: { show: false },
          spanGaps: true,
        })),
      ],
      hooks: {
        draw: [(chart: uPlot) => this.drawMarkers(chart)],
        setSelect: [
          (chart: uPlot) => {
            if (chart.select.width > 0) this.zoomed = true;
          },
        ],
      },
    };
  }

  private xRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    const fixed = this.spec.xRange;
    if (fixed && !(this.zoomed && min !== null && max !== null)) return fixed;
    return [min, max];
  }

  private drawMarkers(chart: uPlot): void {
    const { ctx, bbox } = chart;
    const colors = palette();
    ctx.save();
    ctx.strokeStyle = colors.orange;
    ctx.fillStyle = colors.orange;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.font = `${11 * devicePixelRatio}px sans-serif`;

    const { xMarker, yMarker } = this.spec;
    if (xMarker) {
      const x = chart.valToPos(xMarker.value, 'x', true);
      if (x >= bbox.left && x <= bbox.left + bbox.width) {
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        ctx.fillText(xMarker.label, x + 4 * devicePixelRatio, bbox.top + 12 * devicePixelRatio);
      }
    }

    if (yMarker) {
      const y = chart.valToPos(yMarker.value, 'y', true);
      if (y >= bbox.top && y <= bbox.top + bbox.height) {
        ctx.beginPath();
        ctx.moveTo(bbox.left, y);
        ctx.lineTo(bbox.left + bbox.width, y);
        ctx.stroke();
        ctx.fillText(yMarker.label, bbox.left + 4 * devicePixelRatio, y - 4 * devicePixelRatio);
      }
    }
    ctx.restore();
  }
}
