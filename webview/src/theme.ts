/** Colours from the VS Code theme's CSS variables, read when a chart is drawn. */
import { parseColor } from './charts/heatmap';

function cssVariable(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

export interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  red: string;
  orange: string;
  yellow: string;
  green: string;
  blue: string;
  purple: string;
}

export function palette(): Palette {
  return {
    foreground: cssVariable('--vscode-foreground', '#cccccc'),
    muted: cssVariable('--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVariable('--vscode-editorWidget-border', '#454545'),
    background: cssVariable('--vscode-editor-background', '#1e1e1e'),
    red: cssVariable('--vscode-charts-red', '#f14c4c'),
    orange: cssVariable('--vscode-charts-orange', '#d18616'),
    yellow: cssVariable('--vscode-charts-yellow', '#cca700'),
    green: cssVariable('--vscode-charts-green', '#89d185'),
    blue: cssVariable('--vscode-charts-blue', '#3794ff'),
    purple: cssVariable('--vscode-charts-purple', '#b180d7'),
  };
}

/** Returns the editor font, for text drawn on canvases. */
export function canvasFont(sizePx: number): string {
  const family = cssVariable('--vscode-font-family', 'sans-serif');
  return `${sizePx}px ${family}`;
}

/** Calls `callback` when the theme changes (VS Code swaps the body's theme class). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, {
    attributes: true,
    attributeFilter: ['class'],
  });
}

/** Returns the colour at 33 % opacity, for filled areas. Unparsable colours come back unchanged. */
export function translucent(color: string): string {
  const rgb = parseColor(color);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, 0.33)` : color;
}
