import type { Finding, ProbeReport } from '../../protocol/report';

/** One checkpoint's row of a series. */
export interface SeriesPoint {
  iteration: number;
  checkpoint: string;
  interpolatesMedian?: number;
  realMedian?: number;
  generatedMedian?: number;
  wasserstein: number;
  modesCaptured?: number;
  /** Indices of the modes with at least one high-quality sample. */
  coveredModes?: number[];
  coverage?: number;
  realTangentFraction?: number;
  findings: string[];
}

export interface Series {
  run: string;
  points: SeriesPoint[];
  findings: Finding[];
}

/** Partial-coverage checkpoints needed before mode hopping is called. */
export const MODE_HOPPING_MIN_CHECKPOINTS = 3;
/** Consecutive covered sets with a Jaccard similarity below this count as a hop. */
export const MODE_HOPPING_JACCARD = 0.5;
/** Hops needed for the finding. */
export const MODE_HOPPING_MIN_HOPS = 2;

export function seriesPoint(report: ProbeReport): SeriesPoint {
  return {
    iteration: report.source.iteration ?? 0,
    checkpoint: report.source.checkpoint ?? '',
    interpolatesMedian: report.probeSets.interpolates?.gradNorm.median,
    realMedian: report.probeSets.real?.gradNorm.median,
    generatedMedian: report.probeSets.generated?.gradNorm.median,
    wasserstein: report.wasserstein.estimate,
    modesCaptured: report.modes?.modesCaptured,
    coveredModes: report.modes?.perMode.flatMap((m, k) => (m.highQuality > 0 ? [k] : [])),
    coverage: report.distribution?.coverage,
    realTangentFraction: report.probeSets.real?.tangentFraction?.median,
    findings: report.findings.map((f) => f.id),
  };
}

const jaccard = (a: number[], b: number[]): number => {
  const setB = new Set(b);
  const intersection = a.filter((x) => setB.has(x)).length;
  const union = new Set([...a, ...b]).size;
  return union === 0 ? 1 : intersection / union;
};

/**
 * `mode-hopping`: over checkpoints that each cover only some modes, the covered sets keep
 * changing (consecutive Jaccard similarity below the bound at least twice) while their union is
 * larger than any single checkpoint's coverage: the generator moves between modes instead of
 * spreading over them.
 */
export function modeHopping(points: SeriesPoint[], modeCount: number | undefined): Finding[] {
  const partial = points.filter(
    (p) =>
      p.coveredModes !== undefined && modeCount !== undefined && p.coveredModes.length < modeCount,
  );
  if (partial.length < MODE_HOPPING_MIN_CHECKPOINTS) return [];
  let hops = 0;
  for (let i = 1; i < partial.length; i++) {
    if (jaccard(partial[i - 1].coveredModes!, partial[i].coveredModes!) < MODE_HOPPING_JACCARD)
      hops++;
  }
  const union = new Set(partial.flatMap((p) => p.coveredModes!)).size;
  const largest = Math.max(...partial.map((p) => p.coveredModes!.length));
  if (hops < MODE_HOPPING_MIN_HOPS || union <= largest) return [];
  return [
    {
      id: 'mode-hopping',
      severity: 'warning',
      message: `Across ${partial.length} checkpoints the generator covers different subsets of modes (${hops} large changes), ${union} modes in all but at most ${largest} at once: it hops between modes instead of covering them.`,
      evidence: {
        set: 'series',
        checkpoints: partial.length,
        hops,
        unionOfModes: union,
        largestCoverage: largest,
        iterations: partial.map((p) => p.iteration),
      },
      fix: 'Give the critic more steps per generator step or a larger penalty weight, lower the generator learning rate, or average generator weights over iterations.',
      chart: 'series',
    },
  ];
}

export function buildSeries(run: string, reports: ProbeReport[]): Series {
  const points = reports.map(seriesPoint).sort((a, b) => a.iteration - b.iteration);
  return { run, points, findings: modeHopping(points, reports[0]?.modes?.modeCount) };
}
