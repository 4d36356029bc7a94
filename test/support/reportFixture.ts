import type { Finding, ProbeReport, ProbeSetReport } from '../../src/protocol/report';

/** Builds a probe set whose histogram has `bins` bins of width 0.1 starting at `start`. */
export function probeSet(median: number, max: number, bins = 4, start = 0.8): ProbeSetReport {
  const edges = Array.from({ length: bins + 1 }, (_, i) => start + i * 0.1);
  return {
    count: 100,
    gradNorm: {
      p05: median * 0.5,
      p25: median * 0.8,
      median,
      p75: median * 1.2,
      p95: median * 1.5,
      max,
      min: 0,
      mean: median,
      count: 100,
    },
    histogram: { edges, counts: Array.from({ length: bins }, (_, i) => 10 + i) },
    fractionAboveTarget: 0.25,
    criticValue: { mean: 0, min: -1, max: 1 },
    description: 'test set',
  };
}

export function finding(
  id: string,
  severity: Finding['severity'],
  extra: Partial<Finding> = {},
): Finding {
  return {
    id,
    severity,
    message: `${id} message.`,
    evidence: { median: 0.125, set: 'interpolates' },
    fix: `${id} fix.`,
    ...extra,
  };
}

/** Builds a small but complete report of a run at iteration 1000. */
export function sampleReport(overrides: Partial<ProbeReport> = {}): ProbeReport {
  return {
    schemaVersion: 1,
    tool: { name: 'gan-diagnostics', version: '0.1.0' },
    createdAt: '2026-12-04T12:00:00.000Z',
    source: {
      kind: 'run',
      run: '/runs/a',
      checkpoint: 'checkpoints/0001000',
      iteration: 1000,
      dataset: '8gaussians',
    },
    backend: 'wasm',
    training: { target: 1, batchSize: 64, lambda: 10, penalty: 'gp', sources: {} },
    data: { dim: 2, realCount: 2000, perFeatureStd: [1, 1], meanPairDistance: 1.5 },
    wasserstein: { estimate: 0.42 },
    probeSets: {
      interpolates: probeSet(0.125, 0.3),
      real: probeSet(0.9, 1.7),
      generated: probeSet(1.1, 2.5),
    },
    modes: {
      modeCount: 8,
      sampleCount: 2000,
      modesCaptured: 6,
      modesCapturedWithMass: 5,
      massThreshold: 0.1,
      highQualityFraction: 0.9,
      highQualityFloor: 0.9889,
      reverseKl: 0.3,
      reverseKlFloor: 0.00175,
      perMode: Array.from({ length: 8 }, (_, i) => ({
        highQuality: i < 6 ? 100 : 0,
        nearest: 100,
      })),
    },
    findings: [
      finding('whole-batch-norm', 'error', { chart: 'gradients:interpolates' }),
      finding('low-coverage', 'warning'),
      finding('note', 'info'),
    ],
    timings: { totalMs: 10, gradientMs: 5 },
    ...overrides,
  };
}
