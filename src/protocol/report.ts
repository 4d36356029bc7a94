/*
 * The probe report: written as report.json, printed by the CLI, shown by the webview. Field names
 * are a public interface; docs/report-schema.md documents each one. Bump REPORT_SCHEMA_VERSION on
 * any change that removes or renames a field.
 */
import type { NormQuantiles, ProgressEvent } from './progress';
import type { PointPlot } from './webview';

export const REPORT_SCHEMA_VERSION = 1;

export const PROBE_SET_NAMES = [
  'interpolates',
  'real',
  'generated',
  'offManifold',
  'uniform',
  'otInterpolates',
] as const;
export type ProbeSetName = (typeof PROBE_SET_NAMES)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface GradNormStats extends NormQuantiles {
  min: number;
  mean: number;
  count: number;
}

export interface Histogram {
  /** Bin edges, one more than counts. */
  edges: number[];
  counts: number[];
}

export interface ProbeSetReport {
  count: number;
  gradNorm: GradNormStats;
  histogram: Histogram;
  /** Fraction of points with ‖∇D‖ > target·(1 + tolerance). */
  fractionAboveTarget: number;
  criticValue: { mean: number; min: number; max: number };
  /** Construction of the set, in words (for example "real + N(0, 0.3²) noise"). */
  description: string;
  /** For otInterpolates: mean cosine between ∇D and the direction to the coupled real point. */
  alignment?: { meanCosine: number; medianCosine: number };
  /** For offManifold: the gradient-norm median at each distance from the data. */
  byDistance?: { distance: number; median: number; count: number; tangentFraction?: number }[];
  /** ‖g_T‖/‖g‖ over the set's points, where the tangent/normal split is meaningful. */
  tangentFraction?: {
    median: number;
    mean: number;
    p05: number;
    p95: number;
    count: number;
    excluded: number;
  };
}

export interface TangentReport {
  meaningful: boolean;
  /** Reason the split is not meaningful, present only then. */
  reason?: string;
  /** Neighbourhood radius of the local PCA, in data units. */
  radius?: number;
  /** Intrinsic dimension chosen from the stable eigen-gap. */
  dimension?: number;
  /** Fraction of the radius ladder over which the chosen dimension held. */
  scaleStability?: number;
  /** Fraction of probe balls that agree with the chosen dimension. */
  pointAgreement?: number;
}

export interface LipschitzReport {
  /** Product of the layers' Lipschitz constants; absent when a layer's constant is unknown. */
  upper?: number;
  upperReason?: string;
  layers: { name: string; kind: string; constant?: number; method: string }[];
  /** Largest ‖∇D‖ over all probe points. */
  lowerGradient: { value: number; set: string; index: number };
  /** Largest |D(x)-D(y)|/‖x-y‖ over the probe pairs. */
  lowerSecant: { value: number; set: string };
  /** upper / max(lower bounds). */
  gap?: number;
}

export interface DistributionReport {
  /** Improved precision and recall (Kynkäänniemi et al. 2019), k = 3. */
  precision?: number;
  recall?: number;
  /** Density and coverage (Naeem et al. 2020), k = 5. */
  density?: number;
  coverage?: number;
  /** Reason the k-NN metrics are missing (too few points), present only then. */
  knnSkipped?: string;
  /** Fréchet distance between Gaussian fits in data space (absent above FRECHET_MAX_DIM). */
  frechet?: number;
  frechetSkipped?: string;
  /** Exact W1 between subsamples of real and generated points (optimal assignment). */
  exactW1: number;
  exactW1SampleSize: number;
  realCount: number;
  fakeCount: number;
}

export interface Finding {
  /** Stable identifier, for example `lipschitz-violated`. */
  id: string;
  severity: Severity;
  message: string;
  /** The numbers behind the finding and the probe set they come from. */
  evidence: Record<string, number | string | number[] | boolean>;
  fix: string;
  /** True for findings that rest on an unvalidated hypothesis. */
  hypothesis?: boolean;
  /** The view of the report that shows the evidence. */
  chart?: string;
}

export interface ModesReport {
  modeCount: number;
  sampleCount: number;
  /** Modes that are the nearest mode of at least one high-quality sample. */
  modesCaptured: number;
  /** Modes holding at least `massThreshold` of the expected share of high-quality samples. */
  modesCapturedWithMass: number;
  massThreshold: number;
  highQualityFraction: number;
  /** Score of a perfect generator: P(χ²_d ≤ threshold). */
  highQualityFloor: number;
  /** log K - H(q) of the nearest-mode histogram q of all samples. */
  reverseKl: number;
  /** The same for the high-quality samples only (NaN when there are none). */
  reverseKlHighQuality?: number;
  /** Finite-sample reverse-KL floor ≈ (K-1)/(2N). */
  reverseKlFloor: number;
  medianDistanceToNearestMode?: number;
  perMode: { highQuality: number; nearest: number }[];
}

export interface ProbeReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  createdAt: string;
  source: {
    kind: 'run' | 'files';
    run?: string;
    checkpoint?: string;
    iteration?: number;
    critic?: string;
    generator?: string;
    fake?: string;
    real?: string;
    dataset?: string;
  };
  backend: string;
  /** The training settings the findings rely on, where known, and where each came from. */
  training: {
    batchSize?: number;
    lambda?: number;
    target: number;
    /** The critic optimizer's settings, from run.json or a checkpoint's optimizer state. */
    optimizer?: { type: string; lr?: number; beta1?: number; beta2?: number };
    penalty?: string;
    sources: Record<string, string>;
  };
  data: {
    dim: number;
    /** Shape of one critic input sample, without the batch axis. */
    inputShape?: number[];
    /** Critic weight tensors with NaN or infinite values. */
    nonFiniteWeights?: { name: string; count: number }[];
    realCount: number;
    perFeatureStd: number[];
    meanPairDistance: number;
    scaleDivisor?: number;
  };
  wasserstein: { estimate: number; exactW1?: number; exactSampleSize?: number };
  probeSets: Partial<Record<ProbeSetName, ProbeSetReport>>;
  modes?: ModesReport;
  tangent?: TangentReport;
  lipschitz?: LipschitzReport;
  distribution?: DistributionReport;
  findings: Finding[];
  /** 2-D data only: the critic's value and gradient field with the data, and the tangent directions. */
  points?: PointPlot[];
  history?: ProgressEvent[];
  timings: { totalMs: number; gradientMs: number };
}
