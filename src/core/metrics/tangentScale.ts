import { selectRows, type Matrix } from '../data/matrix';
import { buildNeighbourIndex, radiusNeighbours, type NeighbourIndex } from './knn';
import { gapDimension, localPca } from './localPca';
import { median } from './quantiles';
import { radiusLadder } from './radiusLadder';
import { subsampleRows } from './wasserstein';

/**
 * Defaults of the multiscale tangent-space search. Our choices, set on the WGAN-GP Swiss roll
 * (noise std 0.033, arm spacing 0.84 after scaling), a circle in R¹⁰, a sphere in R⁵, and 8 and
 * 25 Gaussians, where the search must find nothing.
 */
export const TANGENT_SCALE_DEFAULTS = {
  /** Radii tried, geometric from minRadius to maxRadius. */
  scaleCount: 12,
  /** Smallest radius: this many median nearest-neighbour distances, so balls see more than noise pairs. */
  minRadiusFactor: 3,
  /** Largest radius: this fraction of the bounding-box diagonal, below the spacing of separate sheets or clusters. */
  maxRadiusFraction: 0.2,
  /** Minimum number of real points in a ball for its spectrum to count. */
  minNeighbours: 10,
  /** λ_d / λ_{d+1} at least this: 10 is far above the 1-4 that isotropic noise blobs show. */
  minGapRatio: 10,
  /** A dimension must hold over at least this many consecutive radii to count as stable. */
  minStableScales: 3,
  /** At a usable radius, at least this fraction of balls must have enough points and agree on d. */
  minAgreement: 0.5,
  /**
   * Within the stable run, the chosen radius is the smallest whose median gap ratio reaches this
   * fraction of the run's best. Small radii keep balls around off-manifold probes from reaching
   * a second sheet, and half the best gap still leaves the top-d axes well separated.
   */
  gapFractionOfBest: 0.5,
  /** Real points used as ball centres during the search (an evenly spread subset). */
  selectionSize: 300,
};

export type TangentScaleOptions = Partial<typeof TANGENT_SCALE_DEFAULTS> & {
  /** Explicit radii, ascending, in place of the geometric ladder. */
  radii?: number[];
};

/** Summary of the local spectra at one radius. */
export interface ScaleSummary {
  radius: number;
  /** Fraction of centres whose ball contains at least minNeighbours points. */
  validFraction: number;
  /** Most frequent d among valid balls (0: no gap). */
  modalDimension: number;
  /** Fraction of valid balls whose d equals modalDimension. */
  agreement: number;
  /** Median λ_d / λ_{d+1} over the balls that chose modalDimension (NaN when it is 0). */
  medianGapRatio: number;
}

export type TangentScale =
  | {
      meaningful: true;
      radius: number;
      dimension: number;
      /** Length of the run of consecutive radii that agree on `dimension`, over scaleCount. */
      scaleStability: number;
      /** Agreement of the balls at the chosen radius. */
      pointAgreement: number;
      ladder: ScaleSummary[];
    }
  | { meaningful: false; reason: string; ladder: ScaleSummary[] };

/**
 * Chooses the intrinsic dimension d and the PCA radius for the real points. At each radius of
 * the ladder, each centre's local spectrum gives d by `gapDimension`. The longest run of
 * consecutive radii with the same non-zero modal d (ties: the larger gap) is the stable gap.
 * Its smallest radius with a median gap ratio of at least gapFractionOfBest × the run's largest
 * is chosen. Returns meaningful: false with a reason when no run reaches minStableScales.
 * Real rows with NaN are never neighbours.
 */
export function chooseTangentScale(real: Matrix, options: TangentScaleOptions = {}): TangentScale {
  const settings = { ...TANGENT_SCALE_DEFAULTS, ...options };
  const index = buildNeighbourIndex(real);
  const centres = selectRows(
    real,
    subsampleRows(real.rows, Math.min(real.rows, settings.selectionSize)),
  );
  const radii = options.radii ?? radiusLadder(real, index, settings);
  const ladder = radii.map((radius) => summarizeScale(index, centres, radius, settings));

  const run = longestRun(ladder, settings);
  if (!run || run.length < settings.minStableScales) {
    const reason =
      `No eigen-gap of at least ${settings.minGapRatio}× holds at ${settings.minStableScales} consecutive radii ` +
      `from ${fmt(radii[0])} to ${fmt(radii[radii.length - 1])}: the local spectrum is flat or unstable, as for ` +
      'isotropic clusters or noise, so a tangent/normal split would be meaningless.';
    return { meaningful: false, reason, ladder };
  }
  const chosen =
    run.scales.find((s) => ladder[s].medianGapRatio >= settings.gapFractionOfBest * run.gap) ??
    run.scales[0];
  return {
    meaningful: true,
    radius: ladder[chosen].radius,
    dimension: ladder[chosen].modalDimension,
    scaleStability: run.length / ladder.length,
    pointAgreement: ladder[chosen].agreement,
    ladder,
  };
}

function fmt(value: number | undefined): string {
  return value === undefined ? 'none' : value.toPrecision(3);
}

function summarizeScale(
  index: NeighbourIndex,
  centres: Matrix,
  radius: number,
  settings: typeof TANGENT_SCALE_DEFAULTS,
): ScaleSummary {
  const neighbourhoods = radiusNeighbours(index, centres, radius);
  const choices = neighbourhoods
    .filter((rows) => rows.length >= settings.minNeighbours)
    .map((rows) => gapDimension(localPca(index.points, rows), settings.minGapRatio));
  const votes = new Map<number, number>();
  for (const { dimension } of choices) votes.set(dimension, (votes.get(dimension) ?? 0) + 1);
  let modalDimension = 0;
  for (const [dimension, count] of votes)
    if (count > (votes.get(modalDimension) ?? 0)) modalDimension = dimension;

  const agreeing = choices.filter((c) => c.dimension === modalDimension);
  return {
    radius,
    validFraction: centres.rows > 0 ? choices.length / centres.rows : 0,
    modalDimension,
    agreement: choices.length > 0 ? agreeing.length / choices.length : 0,
    medianGapRatio: modalDimension > 0 ? median(agreeing.map((c) => c.ratio)) : NaN,
  };
}

/** Finds the longest run of consecutive usable radii with one modal dimension; ties go to the larger gap. */
function longestRun(ladder: ScaleSummary[], settings: typeof TANGENT_SCALE_DEFAULTS) {
  const usable = (s: ScaleSummary) =>
    s.modalDimension > 0 &&
    s.validFraction >= settings.minAgreement &&
    s.agreement >= settings.minAgreement;
  let best: { scales: number[]; length: number; gap: number } | undefined;
  let current: number[] = [];
  ladder.forEach((summary, s) => {
    const continues =
      current.length > 0 && ladder[current[0]].modalDimension === summary.modalDimension;
    if (!usable(summary)) {
      current = [];
      return;
    }
    current = continues ? [...current, s] : [s];
    const gap = Math.max(...current.map((i) => ladder[i].medianGapRatio));
    if (
      !best ||
      current.length > best.length ||
      (current.length === best.length && gap > best.gap)
    ) {
      best = { scales: current, length: current.length, gap };
    }
  });
  return best;
}
