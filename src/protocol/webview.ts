/*
 * Messages between the extension host and its webviews (the report view and the checkpoint
 * editor). One union per direction, each with a literal `type`. Messages about a report carry its
 * `reportId` and messages about a training run carry its `runId`, so that a view drops what
 * belongs to a report or run it no longer shows. Both sides check what they receive with the
 * guards in webviewGuards.ts.
 */
import type { Finding, ProbeReport } from './report';
import type { ProgressEvent } from '../core/train/progress';

/** Numbers sent as a plain array or, cheaper for large plots, as a Float32Array. */
export type NumericArray = number[] | Float32Array;

export interface PlotBounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Critic values on a regular grid over `bounds`, row-major, row 0 at yMin. */
export interface CriticHeatmap {
  width: number;
  height: number;
  /** width × height critic values. */
  values: NumericArray;
}

/** Critic gradients ∇D at sample positions, drawn as arrows. */
export interface GradientArrows {
  x: NumericArray;
  y: NumericArray;
  dx: NumericArray;
  dy: NumericArray;
}

export type PointRole = 'real' | 'generated' | 'interpolates' | 'offManifold' | 'uniform' | 'modes';

export interface PointSeries {
  role: PointRole;
  label: string;
  x: NumericArray;
  y: NumericArray;
}

/** One 2-D view: a critic heatmap with gradient arrows and point clouds, all in data units. */
export interface PointPlot {
  /** Stable name, used by findings' `chart` links as `points:<id>`. */
  id: string;
  title: string;
  bounds: PlotBounds;
  heatmap?: CriticHeatmap;
  arrows?: GradientArrows;
  series: PointSeries[];
}

export interface LipschitzBounds {
  /** Product of the layers' spectral norms times the activations' constants, where known. */
  upper?: number;
  /** Largest ‖∇D‖ over all probe points. */
  gradientLower: number;
  /** Largest secant slope |D(x) − D(y)| / ‖x − y‖ over probe pairs, where known. */
  secantLower?: number;
  /** Why there is no upper bound, when there is none. */
  upperReason?: string;
  /** Each layer's Lipschitz constant and how it was computed. */
  layers?: { name: string; kind: string; constant?: number; method: string }[];
}

/** One checkpoint's headline numbers, for the series over checkpoints. */
export interface CheckpointSeriesPoint {
  label: string;
  iteration?: number;
  wasserstein: number;
  interpolatesMedian?: number;
  realMedian?: number;
  generatedMedian?: number;
  lipschitzLower?: number;
  modesCaptured?: number;
  errorCount: number;
  warningCount: number;
}

/** Summary of one file for the checkpoint editor, built by the host from an inspect result. */
export interface CheckpointSummary {
  file: string;
  sizeBytes: number;
  format: string;
  description: string;
  architecture?: string;
  parameterCount?: number;
  layers: LayerSummary[];
  metadata: Record<string, string>;
  /** True when the file can be probed directly (a run folder's run.json or a critic model). */
  probeable: boolean;
}

export interface LayerSummary {
  name: string;
  /** The operator of the layer the tensor belongs to, such as `Linear`, `Gemm` or `ReLU`. */
  op?: string;
  shape: string;
  parameters: number;
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
  nonFinite?: number;
  /** Largest singular value of the layer's weight matrix, on the layer's first row. */
  spectralNorm?: number;
}

export type JobStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export type ReportView =
  'findings' | 'gradients' | 'modes' | 'training' | 'lipschitz' | 'checkpoints' | 'points';

/**
 * A report as the report view receives it. Its 2-D `points` are left out, because the view draws
 * the plots of the `points` message, which the host checks and sends after the report.
 */
export type ReportWithoutPoints = Omit<ProbeReport, 'points'> & { points?: never };

export type HostToWebview =
  | {
      type: 'report';
      reportId: string;
      /** The report.json file, saved with the view's state so that a reload can read it again. */
      file: string;
      title: string;
      report: ReportWithoutPoints;
      lipschitz: LipschitzBounds;
    }
  | { type: 'points'; reportId: string; plots: PointPlot[] }
  | {
      type: 'series';
      reportId: string;
      checkpoints: CheckpointSeriesPoint[];
      /** Findings over the whole series, such as mode hopping. */
      findings: Finding[];
    }
  | {
      type: 'run';
      /** The run folder. */
      runId: string;
      title: string;
      iterations: number;
      history: ProgressEvent[];
      status: JobStatus;
    }
  | { type: 'progress'; runId: string; events: ProgressEvent[] }
  | { type: 'runStatus'; runId: string; status: JobStatus; message?: string }
  | { type: 'showView'; view: ReportView }
  | { type: 'exportImage'; requestId: number }
  | { type: 'checkpoint'; file: string; summary: CheckpointSummary }
  | { type: 'checkpointError'; file: string; message: string; canReopen: boolean };

export type WebviewAction =
  'probe' | 'compare' | 'exportReport' | 'cancelJob' | 'reopenWithDefault' | 'openRunFolder';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'action'; action: WebviewAction; subject: string }
  | { type: 'image'; requestId: number; dataUrl: string }
  | { type: 'imageFailed'; requestId: number; message: string }
  | { type: 'viewChanged'; view: ReportView }
  | { type: 'error'; message: string };
