/*
 * Composes the PNG of the current view: its title, then each chart canvas top to bottom, on the
 * theme's background. A view without charts (findings, Lipschitz) is drawn as its text.
 */
import { canvasFont, palette } from './theme';

const PADDING = 16;
const LINE_HEIGHT = 18;
const MAX_TEXT_LINES = 400;

export function composeImage(
  title: string,
  view: HTMLElement,
  canvases: HTMLCanvasElement[],
): string {
  const colors = palette();
  const ratio = window.devicePixelRatio || 1;
  const sources = canvases.filter((canvas) => canvas.width > 0 && canvas.height > 0);
  const lines = sources.length === 0 ? textLines(view) : [];
  const width =
    Math.max(640 * ratio, ...sources.map((canvas) => canvas.width)) + 2 * PADDING * ratio;
  const contentHeight =
    sources.reduce((sum, canvas) => sum + canvas.height + PADDING * ratio, 0) +
    lines.length * LINE_HEIGHT * ratio;
  const out = document.createElement('canvas');
  out.width = Math.ceil(width);
  out.height = Math.ceil(contentHeight + (2 * PADDING + LINE_HEIGHT * 2) * ratio);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('The browser did not provide a 2-D canvas context.');

  ctx.fillStyle = colors.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = colors.foreground;
  ctx.font = canvasFont(14 * ratio);
  ctx.fillText(title, PADDING * ratio, (PADDING + 14) * ratio);
  let y = (PADDING + LINE_HEIGHT * 2) * ratio;
  for (const canvas of sources) {
    ctx.drawImage(canvas, PADDING * ratio, y);
    y += canvas.height + PADDING * ratio;
  }
  ctx.font = canvasFont(12 * ratio);
  for (const line of lines) {
    ctx.fillText(line, PADDING * ratio, y);
    y += LINE_HEIGHT * ratio;
  }
  return out.toDataURL('image/png');
}

/** Collects the visible text of a view, one line per block element, cut to a maximum line count. */
function textLines(view: HTMLElement): string[] {
  const lines: string[] = [];
  for (const block of view.querySelectorAll('header, p, tr, h3, li')) {
    const text = (block.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (text) lines.push(text.length > 140 ? `${text.slice(0, 139)}…` : text);
    if (lines.length >= MAX_TEXT_LINES) break;
  }
  return lines;
}
