import type { ProbeReport, ProbeSetReport } from '../../src/protocol/report';

/** Builds a probe set whose every gradient-norm statistic is `median`. */
export function set(median: number, extra: Partial<ProbeSetReport> = {}): ProbeSetReport {
  const gradNorm = {
    median,
    p05: median,
    p25: median,
    p75: median,
    p95: median,
    max: median,
    min: median,
    mean: median,
    count: 100,
  };
  return {
    count: 100,
    gradNorm,
    histogram: { edges: [], counts: [] },
    fractionAboveTarget: 0,
    criticValue: { mean: 0, min: 0, max: 0 },
    description: '',
    ...extra,
  };
}

/** Builds a report of a 2-D critic with the given medians, for rules and renderers. */
export function minimalReport(
  overrides: Partial<ProbeReport> = {},
  medians = { interpolates: 1, real: 1, generated: 1 },
): ProbeReport {
  return {
    schemaVersion: 1,
    tool: { name: 'gan-diagnostics', version: '0' },
    createdAt: '',
    source: { kind: 'files' },
    backend: 'cpu',
    training: { target: 1, sources: {} },
    data: { dim: 2, inputShape: [2], realCount: 100, perFeatureStd: [1, 1], meanPairDistance: 1 },
    wasserstein: { estimate: 0 },
    probeSets: {
      interpolates: set(medians.interpolates),
      real: set(medians.real),
      generated: set(medians.generated),
    },
    findings: [],
    timings: { totalMs: 0, gradientMs: 0 },
    ...overrides,
  };
}
