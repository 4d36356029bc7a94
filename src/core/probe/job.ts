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
import { median } from '../metrics/quantiles';
import { distributionReport } from './distribution';
import { evaluateCritic, type CriticField } from './evaluate';
import { lipschitzReport } from './lipschitz';
import {
  estimateManifold,
  fractionStats,
  normalOffManifoldSet,
  tangentFractions,
  tangentReport,
} from './manifold';
import { pointPlots } from './plots';
import { alignment, otInterpolatesSet } from './transport';
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

/** Rejects a critic that does not return one value per sample or does not take the data's features. */
function checkCriticFits(critic: ProbeSources['critic'], features: number): void {
  if (critic.outputSize !== 1) {
    throw new Error(
      `The critic returns ${critic.outputSize} values per sample, not 1; check that --critic names the critic and not the generator.`,
    );
  }
  const shape = critic.inputShape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.every((dim) => dim > 0) && size !== features) {
    throw new Error(
      `The critic takes samples of shape [${shape.join(', ')}] (${size} features) but the data have ${features}; probe it with data of that size.`,
    );
  }
}

/** Rejects a critic whose input gradient is NaN or ±Infinity at every probe point. */
function checkCriticFinite(
  fields: Partial<Record<ProbeSetName, CriticField>>,
  nonFiniteWeights: ProbeSources['nonFiniteWeights'],
): void {
  const anyFinite = Object.values(fields).some((field) => field.norms.some(Number.isFinite));
  if (anyFinite) return;
  const tensors = nonFiniteWeights?.length
    ? ` (weights with NaN or ±Infinity: ${nonFiniteWeights.map((w) => w.name).join(', ')})`
    : '';
  throw new Error(
    `The critic's gradient is NaN or infinite at every probe point${tensors}, so there is nothing to measure. Probe an earlier checkpoint, or retrain with a lower learning rate.`,
  );
}

export function buildReport(
  request: ProbeRequest,
  sources: ProbeSources,
  context: ProbeContext,
  started: number,
): ProbeReport {
  const counts = { ...DEFAULT_PROBE_COUNTS, ...request.counts };
  const rng = new Rng(request.seed);
  const { real, generated } = sources;
  checkFinite(real, 'The real data set');
  checkFinite(generated, 'The generated sample set');
  if (real.cols !== generated.cols) {
    throw new Error(
      `The real data have ${real.cols} features but the generated samples (${sources.generatedDescription}) have ${generated.cols}; give both sets the same number of columns.`,
    );
  }
  checkCriticFits(sources.critic, real.cols);
  const std = perFeatureStd(real);
  const meanStd = std.reduce((a, b) => a + b, 0) / std.length || 1;
  const manifold = estimateManifold(real);
  const ot = otInterpolatesSet(real, generated, counts.otInterpolates, rng);
  const sets: Partial<Record<ProbeSetName, ProbeSet>> = {
    interpolates: interpolatesSet(real, generated, counts.interpolates, rng),
    otInterpolates: ot,
    real: subsetSet(real, counts.real, 'real data'),
    generated: subsetSet(generated, counts.generated, sources.generatedDescription),
    offManifold: manifold.scale.meaningful
      ? normalOffManifoldSet(real, manifold, counts.offManifold, meanStd, rng)
      : offManifoldSet(real, counts.offManifold, meanStd, rng),
    ...(manifold.scale.meaningful
      ? { offManifoldNoise: offManifoldSet(real, counts.offManifold, meanStd, rng) }
      : {}),
    uniform: uniformSet(real, counts.uniform, rng),
  };

  const gradientStart = Date.now();
  const fields: Partial<Record<ProbeSetName, CriticField>> = {};
  for (const [name, set] of Object.entries(sets) as [ProbeSetName, ProbeSet][]) {
    if (context.signal?.aborted) throw new Error('The probe was cancelled.');
    fields[name] = evaluateCritic(sources.critic, set.points, context.collective);
  }
  const gradientMs = Date.now() - gradientStart;
  checkCriticFinite(fields, sources.nonFiniteWeights);

  const target = request.target ?? sources.training.target ?? 1;
  const probeSets: Partial<Record<ProbeSetName, ProbeSetReport>> = {};
  for (const [name, set] of Object.entries(sets) as [ProbeSetName, ProbeSet][]) {
    const field = fields[name] as CriticField;
    const fractions = manifold.scale.meaningful
      ? tangentFractions(manifold, set.points, field.gradients)
      : undefined;
    probeSets[name] = setReport(set, field, target, fractions);
  }
  probeSets.otInterpolates!.alignment = alignment(fields.otInterpolates!.gradients, ot.directions);
  const realValues = fields.real?.values ?? new Float32Array();
  const generatedValues = fields.generated?.values ?? new Float32Array();
  const distribution = distributionReport(real, generated);

  const report: ProbeReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'gan-diagnostics', version: VERSION },
    createdAt: new Date().toISOString(),
    source: sources.source,
    backend: context.backend.name,
    training: trainingSettings(request, sources, target),
    data: {
      dim: real.cols,
      inputShape: [...sources.critic.inputShape],
      ...(sources.nonFiniteWeights?.length ? { nonFiniteWeights: sources.nonFiniteWeights } : {}),
      realCount: real.rows,
      perFeatureStd: std,
      meanPairDistance: meanPairDistance(real, generated, rng),
      ...(sources.scaleDivisor !== undefined ? { scaleDivisor: sources.scaleDivisor } : {}),
    },
    wasserstein: {
      estimate: meanMinMax(realValues).mean - meanMinMax(generatedValues).mean,
      exactW1: distribution.exactW1,
      exactSampleSize: distribution.exactW1SampleSize,
    },
    probeSets,
    ...(sources.modes ? { modes: modesReport(generated, sources.modes) } : {}),
    tangent: tangentReport(manifold),
    lipschitz: lipschitzReport(
      sources.critic,
      Object.fromEntries(
        Object.entries(fields).map(([name, field]) => [
          name,
          { points: sets[name as ProbeSetName]!.points, ...field },
        ]),
      ),
    ),
    distribution,
    findings: [],
    points: pointPlots({
      critic: sources.critic,
      real,
      generated,
      interpolates: { points: sets.interpolates!.points, field: fields.interpolates! },
      modes: sources.modes,
      manifold,
      collective: context.collective,
    }),
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

function trainingSettings(
  request: ProbeRequest,
  sources: ProbeSources,
  target: number,
): ProbeReport['training'] {
  const batchSize = request.batchSize ?? sources.training.batchSize;
  return {
    target,
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(sources.training.lambda !== undefined ? { lambda: sources.training.lambda } : {}),
    ...(sources.training.penalty !== undefined ? { penalty: sources.training.penalty } : {}),
    ...(sources.training.optimizer !== undefined ? { optimizer: sources.training.optimizer } : {}),
    sources: {
      ...sources.training.sources,
      ...(request.batchSize !== undefined ? { batchSize: 'command line' } : {}),
      ...(request.target !== undefined ? { target: 'command line' } : {}),
    },
  };
}

function setReport(
  set: ProbeSet,
  field: CriticField,
  target: number,
  fractions?: Float64Array,
): ProbeSetReport {
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
  if (fractions) out.tangentFraction = fractionStats(fractions);
  if (set.distances) out.byDistance = mediansByDistance(set.distances, field.norms, fractions);
  return out;
}

/** Bins of the off-manifold distance profile: quintiles of the distances. */
const DISTANCE_BINS = 5;

/** Gradient-norm (and tangent-fraction) medians per distance quintile. */
function mediansByDistance(
  distances: Float32Array,
  norms: Float32Array,
  fractions?: Float64Array,
): NonNullable<ProbeSetReport['byDistance']> {
  const order = Array.from(distances.keys()).sort((a, b) => distances[a] - distances[b]);
  const out: NonNullable<ProbeSetReport['byDistance']> = [];
  for (let b = 0; b < DISTANCE_BINS; b++) {
    const slice = order.slice(
      Math.floor((b * order.length) / DISTANCE_BINS),
      Math.floor(((b + 1) * order.length) / DISTANCE_BINS),
    );
    if (slice.length === 0) continue;
    out.push({
      distance: median(slice.map((i) => distances[i])),
      median: median(slice.map((i) => norms[i])),
      count: slice.length,
      ...(fractions ? { tangentFraction: median(slice.map((i) => fractions[i])) } : {}),
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
