/*
 * Draws one 2-D view on a canvas: the critic heatmap, point clouds by role and gradient arrows.
 * Our own renderer, because a chart library has no heatmap-with-arrows view and canvas draws
 * tens of thousands of points without one DOM node each.
 */
import type { PointPlot, PointRole } from '../../../src/protocol/webview';
import { canvasFont, palette, type Palette } from '../theme';
import {
  arrowScale,
  heatmapPixels,
  parseColor,
  pointPixels,
  toPixels,
  type PixelSeries,
  type Rgb,
} from './heatmap';

export const ROLE_COLORS: Record<PointRole, (p: Palette) => string> = {
  real: (p) => p.green,
  generated: (p) => p.purple,
  interpolates: (p) => p.blue,
  offManifold: (p) => p.orange,
  uniform: (p) => p.muted,
  modes: (p) => p.red,
};

const MARGIN = 36;
const MAX_ARROW_PX = 18;

/** Returns the side of the square canvas, in CSS pixels, that a plot gets in `cssWidth`. */
export function plotSize(cssWidth: number): number {
  return Math.max(160, Math.min(cssWidth, 720));
}

/** Draws `plot` onto `canvas`, sized to `cssWidth` CSS pixels with a square data area. */
export function drawPointPlot(canvas: HTMLCanvasElement, plot: PointPlot, cssWidth: number): void {
  const ratio = window.devicePixelRatio || 1;
  const size = plotSize(cssWidth);
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  canvas.width = Math.round(size * ratio);
  canvas.height = Math.round(size * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  const colors = palette();
  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, size, size);

  const inner = size - 2 * MARGIN;
  ctx.save();
  ctx.translate(MARGIN, MARGIN);
  ctx.beginPath();
  ctx.rect(0, 0, inner, inner);
  ctx.clip();
  if (plot.heatmap) drawHeatmap(ctx, plot, inner, colors);
  drawSeries(ctx, plot, inner, ratio, colors);
  if (plot.arrows) drawArrows(ctx, plot, inner, colors.foreground);
  ctx.restore();
  drawAxes(ctx, plot, inner, colors);
}

/** Returns half the side of a point's square in CSS pixels, smaller in dense clouds. */
function pointRadius(series: PointPlot['series'][number]): number {
  if (series.role === 'modes') return 3;
  return series.x.length > 5000 ? 1 : 1.6;
}

/** The canvas that drawSeries fills, shared by all plots because each draw copies it at once. */
let pointLayer: HTMLCanvasElement | undefined;

/**
 * Draws the point clouds. They are rasterized into one image of device pixels that is copied
 * onto the canvas with a single call, because one canvas call per point made 100,000 points too
 * slow to redraw while the view is resized. A theme colour that does not parse as #rgb, #rrggbb
 * or rgb() falls back to one fillRect per point.
 */
function drawSeries(
  ctx: CanvasRenderingContext2D,
  plot: PointPlot,
  inner: number,
  ratio: number,
  colors: Palette,
): void {
  const styles = plot.series.map((series) => ROLE_COLORS[series.role](colors));
  const rgbs = styles.map((style) => parseColor(style));
  if (!rgbs.every((rgb): rgb is Rgb => rgb !== undefined)) {
    drawSeriesPerPoint(ctx, plot, inner, styles);
    return;
  }
  const side = Math.round(inner * ratio);
  if (side <= 0) return;
  const series: PixelSeries[] = plot.series.map((item, index) => ({
    x: item.x,
    y: item.y,
    rgb: rgbs[index],
    side: Math.max(1, Math.round(2 * pointRadius(item) * ratio)),
  }));
  const image = new ImageData(pointPixels(series, plot.bounds, side, side), side, side);
  pointLayer ??= document.createElement('canvas');
  if (pointLayer.width !== side || pointLayer.height !== side) {
    pointLayer.width = side;
    pointLayer.height = side;
  }
  pointLayer.getContext('2d')?.putImageData(image, 0, 0);
  // In device pixels, at a whole-pixel offset, so that the layer is copied without resampling.
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(pointLayer, Math.round(MARGIN * ratio), Math.round(MARGIN * ratio));
  ctx.restore();
}

function drawSeriesPerPoint(
  ctx: CanvasRenderingContext2D,
  plot: PointPlot,
  inner: number,
  styles: string[],
): void {
  const map = toPixels(plot.bounds, inner, inner);
  plot.series.forEach((series, index) => {
    ctx.fillStyle = styles[index];
    const radius = pointRadius(series);
    for (let i = 0; i < series.x.length; i++) {
      const x = map.x(series.x[i]);
      const y = map.y(series.y[i]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      ctx.fillRect(x - radius, y - radius, 2 * radius, 2 * radius);
    }
  });
}

function drawHeatmap(
  ctx: CanvasRenderingContext2D,
  plot: PointPlot,
  inner: number,
  colors: Palette,
): void {
  const heatmap = plot.heatmap;
  if (!heatmap || heatmap.width === 0 || heatmap.height === 0) return;
  const low: Rgb = parseColor(colors.background) ?? [30, 30, 30];
  const high: Rgb = parseColor(colors.blue) ?? [55, 148, 255];
  const pixels = heatmapPixels(heatmap.values, heatmap.width, heatmap.height, low, high);
  const image = new ImageData(pixels, heatmap.width, heatmap.height);
  const buffer = document.createElement('canvas');
  buffer.width = heatmap.width;
  buffer.height = heatmap.height;
  buffer.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(buffer, 0, 0, inner, inner);
}

function drawArrows(
  ctx: CanvasRenderingContext2D,
  plot: PointPlot,
  inner: number,
  color: string,
): void {
  const arrows = plot.arrows;
  if (!arrows) return;
  const map = toPixels(plot.bounds, inner, inner);
  const pixelsPerUnit = inner / (plot.bounds.xMax - plot.bounds.xMin);
  const scale = arrowScale(arrows.dx, arrows.dy, MAX_ARROW_PX, pixelsPerUnit);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i < arrows.x.length; i++) {
    const x0 = map.x(arrows.x[i]);
    const y0 = map.y(arrows.y[i]);
    const dx = arrows.dx[i] * scale * pixelsPerUnit;
    const dy = -arrows.dy[i] * scale * pixelsPerUnit;
    const length = Math.hypot(dx, dy);
    if (!Number.isFinite(length) || length < 0.5) continue;
    const x1 = x0 + dx;
    const y1 = y0 + dy;
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    const head = Math.min(4, length / 2);
    const angle = Math.atan2(dy, dx);
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.5), y1 - head * Math.sin(angle - 0.5));
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle + 0.5), y1 - head * Math.sin(angle + 0.5));
  }
  ctx.stroke();
}

function drawAxes(
  ctx: CanvasRenderingContext2D,
  plot: PointPlot,
  inner: number,
  colors: Palette,
): void {
  const { bounds } = plot;
  ctx.strokeStyle = colors.grid;
  ctx.strokeRect(MARGIN, MARGIN, inner, inner);
  ctx.fillStyle = colors.foreground;
  ctx.font = canvasFont(11);
  ctx.textAlign = 'center';
  ctx.fillText(plot.title, MARGIN + inner / 2, MARGIN - 14);
  ctx.fillStyle = colors.muted;
  const label = (value: number) => String(Number(value.toPrecision(3)));
  ctx.fillText(label(bounds.xMin), MARGIN, MARGIN + inner + 14);
  ctx.fillText(label(bounds.xMax), MARGIN + inner, MARGIN + inner + 14);
  ctx.textAlign = 'right';
  ctx.fillText(label(bounds.yMin), MARGIN - 4, MARGIN + inner);
  ctx.fillText(label(bounds.yMax), MARGIN - 4, MARGIN + 10);
}
