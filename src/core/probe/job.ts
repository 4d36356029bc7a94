import path from 'node:path';
import {
  REPORT_SCHEMA_VERSION,
  type ProbeReport,
  type ProbeSetName,
  type ProbeSetReport,
} from '../../protocol/report';
import type { BackendInfo } from '../backend/init';
import { findNonFinite, type Matrix } from '../data/matrix';
import { deriveFindings } from '../findings/rules';
import { writeFileAtomic } from '../io/atomic';
import type { Logger } from '../log';
import { Rng } from '../rng';
import type { Collective } from '../train/collective';
import { VERSION } from '../version';
import { evaluateCritic, type CriticField } from './evaluate';
import { modesReport } from './modes';
import { validateProbeRequest, type ProbeRequest } from './request';
import {
  DEFAULT_PROBE_COUNTS,
  interpolatesSet,
  meanPairDistance,
  offManifoldSet,
  perFeatureStd,
  subsetSet,
  uniformSet,
  type ProbeSet,
} from './sets';
import { resolveProbeSources, type ProbeSources } from './sources';
import { gradNormStats, histogram, meanMinMax } from './stats';

/** Tolerance on "above the target": a norm counts as above when it exceeds γ·(1 + tolerance). */
export const ABOVE_TARGET_TOLERANCE = 0.1;

export interface ProbeContext {
  backend: BackendInfo;
  logger: Logger;
  signal?: { readonly aborted: boolean };
  /** Ranks that share the gradient evaluations; every rank builds the same report, rank 0 writes it. */
  collective?: Collective;
}

export interface ProbeResult {
  report: ProbeReport;
  reportPath?: string;
}

/** Runs a probe request end to end: load, build probe sets, evaluate, derive findings, write. */
export async function runProbeJob(
  raw: Record<string, unknown>,
  context: ProbeContext,
): Promise<ProbeResult> {
  const request = validateProbeRequest(raw);
  const started = Date.now();
  const sources = await resolveProbeSources(request, context.logger);
  try {
    const report = buildReport(request, sources, context, started);
    let reportPath: string | undefined;
    if (request.output !== undefined && (context.collective?.rank ?? 0) === 0) {
      reportPath = path.resolve(request.output);
      await writeFileAtomic(reportPath, JSON.stringify(report, null, 1));
      context.logger.info(`report written to ${reportPath}`);
    }
    return { report, reportPath };
  } finally {
    sources.critic.dispose();
    sources.dispose?.();
  }
}

function checkFinite(points: Matrix, label: string): void {
  const bad = findNonFinite(points);
  if (bad) {
    throw new Error(
      `${label} has a non-finite value (${bad.value}) at row ${bad.row}, column ${bad.col}; clean the data and probe again.`,
    );
  }
}

function buildReport(
  request: ProbeRequest,
  sources: ProbeSources,
  context: ProbeContext,
  started: number,
): ProbeReport {
  const counts = { ...DEFAULT_PROBE_COUNTS, ...request.counts };
  const rng = new Rng(request.seed);
  const { real, generated } = sources;
  checkFinite(real, 'The real data');
  checkFinite(generated, 'The generated samples');
  if (real.cols !== generated.cols) {
    throw new Error(
      `Real data have ${real.cols} features but generated samples have ${generated.cols}.`,
    );
  }
  const std = perFeatureStd(real);
  const meanStd = std.reduce((a, b) => a + b, 0) / std.length;
  const sets: Partial<Record<ProbeSetName, ProbeSet>> = {
    interpolates: interpolatesSet(real, generated, counts.interpolates, rng),
    real: subsetSet(real, counts.real, 'real data'),
    generated: subsetSet(generated, counts.generated, sources.generatedDescription),
    offManifold: offManifoldSet(real, counts.offManifold, meanStd > 0 ? meanStd : 1, rng),
    uniform: uniformSet(real, counts.uniform, rng),
  };

  const gradientStart = Date.now();
  const fields: Partial<Record<ProbeSetName, CriticField>> = {};
  for (const [name, set] of Object.entries(sets) as [ProbeSetName, ProbeSet][]) {
    if (context.signal?.aborted) throw new Error('The probe was cancelled.');
    fields[name] = evaluateCritic(sources.critic, set.points, context.collective);
  }
  const gradientMs = Date.now() - gradientStart;

  const target = request.target ?? sources.training.target ?? 1;
  const probeSets: Partial<Record<ProbeSetName, ProbeSetReport>> = {};
  for (const [name, set] of Object.entries(sets) as [ProbeSetName, ProbeSet][]) {
    probeSets[name] = setReport(set, fields[name] as CriticField, target);
  }
  const realValues = fields.real?.values ?? new Float32Array();
  const generatedValues = fields.generated?.values ?? new Float32Array();

  const report: ProbeReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'gan-diagnostics', version: VERSION },
    createdAt: new Date().toISOString(),
    source: sources.source,
    backend: context.backend.name,
    training: {
      target,
      ...(request.batchSize !== undefined
        ? { batchSize: request.batchSize }
        : sources.training.batchSize !== undefined
          ? { batchSize: sources.training.batchSize }
          : {}),
      ...(sources.training.lambda !== undefined ? { lambda: sources.training.lambda } : {}),
      ...(sources.training.penalty !== undefined ? { penalty: sources.training.penalty } : {}),
      sources: {
        ...sources.training.sources,
        ...(request.batchSize !== undefined ? { batchSize: 'command line' } : {}),
        ...(request.target !== undefined ? { target: 'command line' } : {}),
      },
    },
    data: {
      dim: real.cols,
      realCount: real.rows,
      perFeatureStd: std,
      meanPairDistance: meanPairDistance(real, generated, rng),
      ...(sources.scaleDivisor !== undefined ? { scaleDivisor: sources.scaleDivisor } : {}),
    },
    wasserstein: { estimate: meanMinMax(realValues).mean - meanMinMax(generatedValues).mean },
    probeSets,
    ...(sources.modes ? { modes: modesReport(generated, sources.modes) } : {}),
    findings: [],
    ...(sources.history ? { history: sources.history } : {}),
    timings: { totalMs: 0, gradientMs },
  };
  report.findings = deriveFindings(report, {
    criticHasBatchNorm: sources.critic.layers.some((l) => l.kind === 'batchNorm'),
    uniqueRealPoints: countUnique(real),
  });
  report.timings.totalMs = Date.now() - started;
  return report;
}

function setReport(set: ProbeSet, field: CriticField, target: number): ProbeSetReport {
  let above = 0;
  for (const n of field.norms) if (n > target * (1 + ABOVE_TARGET_TOLERANCE)) above++;
  const out: ProbeSetReport = {
    count: set.points.rows,
    gradNorm: gradNormStats(field.norms),
    histogram: histogram(field.norms),
    fractionAboveTarget: field.norms.length > 0 ? above / field.norms.length : Number.NaN,
    criticValue: meanMinMax(field.values),
    description: set.description,
  };
  if (set.distances) out.byDistance = mediansByDistance(set.distances, field.norms);
  return out;
}

/** Gradient-norm medians in distance bins (quintiles of the distances). */
function mediansByDistance(
  distances: Float32Array,
  norms: Float32Array,
): { distance: number; median: number; count: number }[] {
  const order = Array.from(distances.keys()).sort((a, b) => distances[a] - distances[b]);
  const bins = 5;
  const out = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(
      Math.floor((b * order.length) / bins),
      Math.floor(((b + 1) * order.length) / bins),
    );
    if (slice.length === 0) continue;
    const values = slice.map((i) => norms[i]).sort((x, y) => x - y);
    out.push({
      distance: distances[slice[Math.floor(slice.length / 2)]],
      median: values[Math.floor(values.length / 2)],
      count: slice.length,
    });
  }
  return out;
}

/** Counts distinct rows, stopping at 2 (all a finding needs to know). */
function countUnique(points: Matrix): number {
  if (points.rows === 0) return 0;
  for (let i = 1; i < points.rows; i++) {
    for (let c = 0; c < points.cols; c++) {
      if (points.data[i * points.cols + c] !== points.data[c]) return 2;
    }
  }
  return 1;
}
