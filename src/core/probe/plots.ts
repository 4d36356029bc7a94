import type { ModeLayout } from '../data/toy';
import { createMatrix, row, type Matrix } from '../data/matrix';
import type { DifferentiableModel } from '../nets/model';
import type { Collective } from '../train/collective';
import type { PlotBounds, PointPlot, PointSeries } from '../../protocol/webview';
import { evaluateCritic, type CriticField } from './evaluate';
import type { Manifold } from './manifold';

/** Grid cells per side of the critic heatmap. */
export const HEATMAP_SIZE = 48;
/** Points drawn per cloud and arrows per view: enough to read a field, small enough for report.json. */
export const PLOT_POINTS = 500;
export const PLOT_ARROWS = 150;
/** Margin around the points' bounding box, as a fraction of its width. */
const PLOT_MARGIN = 0.2;

const round = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 1e5) / 1e5);

function column(points: Matrix, c: number, n: number): number[] {
  return round(
    Array.from({ length: Math.min(n, points.rows) }, (_, i) => points.data[i * points.cols + c]),
  );
}

function boundsOf(sets: Matrix[]): PlotBounds {
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const set of sets) {
    for (let i = 0; i < set.rows; i++) {
      xMin = Math.min(xMin, set.data[2 * i]);
      xMax = Math.max(xMax, set.data[2 * i]);
      yMin = Math.min(yMin, set.data[2 * i + 1]);
      yMax = Math.max(yMax, set.data[2 * i + 1]);
    }
  }
  const width = Math.max(xMax - xMin, yMax - yMin, 1e-6);
  return {
    xMin: xMin - PLOT_MARGIN * width,
    xMax: xMax + PLOT_MARGIN * width,
    yMin: yMin - PLOT_MARGIN * width,
    yMax: yMax + PLOT_MARGIN * width,
  };
}

/** Grid cell centres, row-major with row 0 at yMin, as the webview's heatmap expects. */
function gridPoints(bounds: PlotBounds): Matrix {
  const grid = createMatrix(HEATMAP_SIZE * HEATMAP_SIZE, 2);
  for (let r = 0; r < HEATMAP_SIZE; r++) {
    for (let c = 0; c < HEATMAP_SIZE; c++) {
      const k = r * HEATMAP_SIZE + c;
      grid.data[2 * k] = bounds.xMin + ((c + 0.5) * (bounds.xMax - bounds.xMin)) / HEATMAP_SIZE;
      grid.data[2 * k + 1] = bounds.yMin + ((r + 0.5) * (bounds.yMax - bounds.yMin)) / HEATMAP_SIZE;
    }
  }
  return grid;
}

export interface PlotInputs {
  critic: DifferentiableModel;
  real: Matrix;
  generated: Matrix;
  interpolates: { points: Matrix; field: CriticField };
  modes?: ModeLayout;
  manifold: Manifold;
  collective?: Collective;
}

/** Builds the 2-D views of a report: the critic's value and gradient field with the data, and the tangent directions. */
export function pointPlots(inputs: PlotInputs): PointPlot[] {
  const { real, generated } = inputs;
  if (real.cols !== 2) return [];
  const bounds = boundsOf([real, generated]);
  const heat = evaluateCritic(inputs.critic, gridPoints(bounds), inputs.collective);
  const series: PointSeries[] = [
    {
      role: 'real',
      label: 'real',
      x: column(real, 0, PLOT_POINTS),
      y: column(real, 1, PLOT_POINTS),
    },
    {
      role: 'generated',
      label: 'generated',
      x: column(generated, 0, PLOT_POINTS),
      y: column(generated, 1, PLOT_POINTS),
    },
  ];
  if (inputs.modes)
    series.push({
      role: 'modes',
      label: 'mode centres',
      x: column(inputs.modes.centers, 0, Infinity),
      y: column(inputs.modes.centers, 1, Infinity),
    });
  const { points, field } = inputs.interpolates;
  const plots: PointPlot[] = [
    {
      id: 'critic',
      title: 'Critic value D(x) with ∇D at interpolates',
      bounds,
      heatmap: { width: HEATMAP_SIZE, height: HEATMAP_SIZE, values: round(heat.values) },
      arrows: {
        x: column(points, 0, PLOT_ARROWS),
        y: column(points, 1, PLOT_ARROWS),
        dx: column(field.gradients, 0, PLOT_ARROWS),
        dy: column(field.gradients, 1, PLOT_ARROWS),
      },
      series,
    },
  ];
  const tangent = tangentPlot(inputs, bounds);
  if (tangent) plots.push(tangent);
  return plots;
}

/** Estimated tangent directions at real points, as arrows one neighbourhood radius long. */
function tangentPlot(inputs: PlotInputs, bounds: PlotBounds): PointPlot | undefined {
  const scale = inputs.manifold.scale;
  if (!scale.meaningful || scale.dimension !== 1) return undefined;
  const starts = createMatrix(
    Math.min(PLOT_ARROWS, inputs.real.rows),
    2,
    inputs.real.data.slice(0, 2 * Math.min(PLOT_ARROWS, inputs.real.rows)),
  );
  const bases = inputs.manifold.bases(starts);
  const x: number[] = [];
  const y: number[] = [];
  const dx: number[] = [];
  const dy: number[] = [];
  bases.forEach((basis, i) => {
    if (!basis) return;
    const [px, py] = row(starts, i);
    x.push(px);
    y.push(py);
    dx.push(basis[0] * scale.radius);
    dy.push(basis[1] * scale.radius);
  });
  return {
    id: 'tangent',
    title: `Estimated tangent directions (local PCA, radius ${scale.radius.toPrecision(3)})`,
    bounds,
    arrows: { x: round(x), y: round(y), dx: round(dx), dy: round(dy) },
    series: [
      {
        role: 'real',
        label: 'real',
        x: column(inputs.real, 0, PLOT_POINTS),
        y: column(inputs.real, 1, PLOT_POINTS),
      },
    ],
  };
}
