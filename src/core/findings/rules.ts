import type { Finding, ModesReport, ProbeReport } from '../../protocol/report';
import { formatNumber as fmt } from '../report/format';

/*
 * Rules from measurements to findings. Each threshold is a named constant with its reason. The
 * gradient-norm rules read the interpolates (where the penalty acts) against the target γ.
 */

/** Median ‖∇D(x̂)‖ above this multiple of γ is an error: the penalty is not holding the constraint. */
export const LIPSCHITZ_ERROR_FACTOR = 3;
/** Above this multiple of γ, a warning: a good WGAN-GP critic on the toy data sits within about ±30 %. */
export const LIPSCHITZ_WARNING_FACTOR = 1.5;
/** The 95th percentile below this fraction of γ on every set: the weight-clipping signature (≈0.001). */
export const OVER_CONSTRAINED_FACTOR = 0.1;
/** A median within this relative distance of γ/√B matches the whole-batch-norm bug. */
export const BATCH_NORM_BUG_TOLERANCE = 0.25;
/** Batch sizes tried when the training batch size is unknown. */
export const COMMON_BATCH_SIZES = [16, 32, 50, 64, 100, 128, 200, 256, 512, 1024];
/** Medians within this relative distance of γ·s or γ/s (s the data scale) suggest a target mismatch. */
export const SCALE_MATCH_TOLERANCE = 0.2;
/** Set medians within this factor of each other count as "consistently" off target. */
export const CONSISTENT_SPREAD = 1.5;
/** A ratio to the target beyond this factor (either way) counts as off target. */
export const OFF_TARGET_FACTOR = 1.5;
/** Median ‖∇D‖ at generated points below this fraction of the interpolates' median: a vanishing signal. */
export const VANISHING_SIGNAL_FACTOR = 0.05;
/**
 * Median tangent fraction ‖g_T‖/‖g‖ at real points below this: the gradient there is almost all
 * normal. A random direction in 2-D with a 1-D manifold has a median tangent fraction of 0.71, so
 * 0.2 is far below what chance gives. The link to mode collapse is a hypothesis, not a fact.
 */
export const TANGENT_STARVATION_FRACTION = 0.2;
/** Collapse: at most this fraction of the modes captured (and at most 1 for very few modes). */
export const COLLAPSE_FRACTION = 0.25;

type Rule = (report: ProbeReport, context: RuleContext) => Finding[];

export interface RuleContext {
  /** Whether the critic contains batch normalisation, from its architecture. */
  criticHasBatchNorm: boolean;
  /** Unique rows in the real data. */
  uniqueRealPoints: number;
}

const median = (report: ProbeReport, set: 'interpolates' | 'generated' | 'real') =>
  report.probeSets[set]?.gradNorm.median;

const lipschitz: Rule = (report) => {
  const m = median(report, 'interpolates');
  const target = report.training.target;
  if (m === undefined || !(m > LIPSCHITZ_WARNING_FACTOR * target)) return [];
  const severe = m > LIPSCHITZ_ERROR_FACTOR * target;
  return [
    {
      id: 'lipschitz-violated',
      severity: severe ? 'error' : 'warning',
      message: `The critic's gradient norm at interpolates is ${fmt(m)}, ${fmt(m / target)}× the target ${fmt(target)}: the critic is not ${target === 1 ? '1' : fmt(target)}-Lipschitz there.`,
      evidence: {
        set: 'interpolates',
        median: m,
        p95: report.probeSets.interpolates?.gradNorm.p95 ?? Number.NaN,
        target,
        lambda: report.training.lambda ?? 'unknown',
      },
      fix: 'Raise the penalty weight λ (10 is the paper default), make sure the penalty term is added to the critic loss and differentiated, or train the critic longer.',
      chart: 'histogram:interpolates',
    },
  ];
};

const overConstrained: Rule = (report) => {
  const target = report.training.target;
  const sets = Object.entries(report.probeSets);
  if (
    sets.length === 0 ||
    !sets.every(([, s]) => s.gradNorm.p95 < OVER_CONSTRAINED_FACTOR * target)
  )
    return [];
  const largest = Math.max(...sets.map(([, s]) => s.gradNorm.p95));
  return [
    {
      id: 'critic-over-constrained',
      severity: 'error',
      message: `The critic's gradient norm stays below ${fmt(largest)} on every probe set, far below the target ${fmt(target)}: its capacity is clipped, so its Wasserstein estimate is scaled down and its gradients carry little signal.`,
      evidence: {
        set: 'all',
        largestP95: largest,
        interpolatesMedian: median(report, 'interpolates') ?? Number.NaN,
        target,
        penalty: report.training.penalty ?? 'unknown',
      },
      fix: 'Replace weight clipping with a gradient penalty (WGAN-GP, λ = 10), or check that the penalty target γ matches the data scale.',
      chart: 'histogram:interpolates',
    },
  ];
};

const batchNormalizedPenalty: Rule = (report) => {
  const m = median(report, 'interpolates');
  const target = report.training.target;
  if (m === undefined || m <= 0) return [];
  const fits = (b: number) => Math.abs(m / (target / Math.sqrt(b)) - 1) <= BATCH_NORM_BUG_TOLERANCE;
  const known = report.training.batchSize;
  let candidates: number[];
  if (known === undefined) candidates = COMMON_BATCH_SIZES.filter(fits);
  else candidates = fits(known) ? [known] : [];
  if (candidates.length === 0) return [];
  return [
    {
      id: 'penalty-normalized-over-batch',
      severity: known !== undefined ? 'error' : 'warning',
      message:
        known !== undefined
          ? `The gradient norm at interpolates is ${fmt(m)} ≈ γ/√B = ${fmt(target / Math.sqrt(known))} for the training batch of ${known}: the penalty's norm was taken over the whole batch, not per sample.`
          : `The gradient norm at interpolates is ${fmt(m)}, which matches γ/√B for batch sizes ${candidates.join(', ')}: the penalty's norm may have been taken over the whole batch.`,
      evidence: {
        set: 'interpolates',
        median: m,
        target,
        ...(known !== undefined ? { batchSize: known } : { fittingBatchSizes: candidates }),
      },
      fix: 'Compute the norm per sample over all non-batch axes: grad.flatten(1).norm(2, dim=1), then average (‖g‖-1)² over the batch.',
      chart: 'histogram:interpolates',
    },
  ];
};

const targetMismatch: Rule = (report) => {
  const target = report.training.target;
  const medians = (['interpolates', 'real', 'generated'] as const)
    .map((set) => median(report, set))
    .filter((m): m is number => m !== undefined && m > 0);
  if (medians.length < 2) return [];
  const ratio = (median(report, 'interpolates') ?? medians[0]) / target;
  // Consistently off: every set's median within a factor of CONSISTENT_SPREAD of the others.
  if (Math.max(...medians) / Math.min(...medians) > CONSISTENT_SPREAD) return [];
  if (Math.abs(Math.log(ratio)) < Math.log(OFF_TARGET_FACTOR) || ratio < OVER_CONSTRAINED_FACTOR)
    return [];
  const std = report.data.perFeatureStd;
  const scale = std.reduce((a, b) => a + b, 0) / std.length;
  const declared = report.data.scaleDivisor;
  const candidates = [
    scale,
    1 / scale,
    ...(declared !== undefined && report.training.sources.dataScale === 'command line'
      ? [declared, 1 / declared]
      : []),
  ];
  const matched = candidates.find(
    (s) =>
      Math.abs(Math.log(s)) >= Math.log(OFF_TARGET_FACTOR) &&
      Math.abs(ratio / s - 1) <= SCALE_MATCH_TOLERANCE,
  );
  if (matched === undefined) return [];
  return [
    {
      id: 'penalty-target-mismatch',
      severity: 'warning',
      message: `The critic's gradient norm is consistently ${fmt(ratio)}× the target on every probe set, matching the data scale ${fmt(matched >= 1 ? matched : 1 / matched)}: the data were rescaled for training but the penalty target was left at ${fmt(target)}, or the probe runs in other units than training.`,
      evidence: {
        set: 'interpolates',
        ratio,
        target,
        medians,
        meanPerFeatureStd: scale,
        perFeatureStd: std,
      },
      fix: 'Set the penalty target γ to the scale factor of the normalisation (or scale λ with it), and probe in the units the critic was trained in.',
      chart: 'histogram:interpolates',
    },
  ];
};

const vanishing: Rule = (report) => {
  const generated = median(report, 'generated');
  const interpolates = median(report, 'interpolates');
  if (generated === undefined || interpolates === undefined || !(interpolates > 0)) return [];
  if (!(generated < VANISHING_SIGNAL_FACTOR * interpolates)) return [];
  return [
    {
      id: 'vanishing-critic-signal',
      severity: 'warning',
      message: `The critic's gradient at generated points (median ${fmt(generated)}) is almost zero compared with the interpolates (${fmt(interpolates)}): the generator receives little signal.`,
      evidence: { set: 'generated', median: generated, interpolatesMedian: interpolates },
      fix: 'Check for saturating activations at the critic output, a critic trained far ahead of the generator, or a penalty applied at the wrong points.',
      chart: 'histogram:generated',
    },
  ];
};

const modeRules = (modes: ModesReport | undefined): Finding[] => {
  if (!modes) return [];
  const { modeCount: K, modesCaptured: captured } = modes;
  const evidence = {
    modesCaptured: captured,
    modeCount: K,
    samples: modes.sampleCount,
    highQualityFraction: modes.highQualityFraction,
    highQualityFloor: modes.highQualityFloor,
    reverseKl: modes.reverseKl,
    reverseKlFloor: modes.reverseKlFloor,
  };
  if (captured <= Math.max(1, Math.floor(COLLAPSE_FRACTION * K))) {
    return [
      {
        id: 'mode-collapse',
        severity: 'error',
        message: `The generator covers ${captured} of ${K} modes (${modes.sampleCount} samples): it has collapsed.`,
        evidence,
        fix: "Train longer, lower λ on toy data (0.1 in the authors' toy code), or check the generator learning rate and the critic steps per generator step.",
        chart: 'modes',
      },
    ];
  }
  if (captured < K) {
    return [
      {
        id: 'partial-mode-coverage',
        severity: 'warning',
        message: `The generator covers ${captured} of ${K} modes (${modes.sampleCount} samples).`,
        evidence,
        fix: 'Train longer and watch whether the missing modes appear; compare checkpoints for mode hopping.',
        chart: 'modes',
      },
    ];
  }
  return [];
};

const architecture = (context: RuleContext): Finding[] =>
  context.criticHasBatchNorm
    ? [
        {
          id: 'batchnorm-in-critic',
          severity: 'error',
          message:
            'The critic uses batch normalisation, which couples the samples of a batch, so the per-sample gradient that the penalty assumes does not exist.',
          evidence: { set: 'architecture', batchNorm: true },
          fix: 'Replace BatchNorm in the critic with LayerNorm or no normalisation.',
          chart: 'findings',
        },
      ]
    : [];

const degenerate = (report: ProbeReport, context: RuleContext): Finding[] => {
  const spread = Math.max(...report.data.perFeatureStd);
  if (context.uniqueRealPoints > 1 && spread > 0) return [];
  return [
    {
      id: 'real-data-degenerate',
      severity: 'error',
      message: `The real data have ${context.uniqueRealPoints} unique point(s) and a largest per-feature std of ${fmt(spread)}: there is no distribution to learn.`,
      evidence: { set: 'real', uniquePoints: context.uniqueRealPoints, maxPerFeatureStd: spread },
      fix: 'Check the data loader: a constant batch, a wrong index or a normalisation that divides by zero.',
      chart: 'findings',
    },
  ];
};

/** A median within this relative distance of γ·√(product of all but one input axis) matches the per-axis norm bug. */
export const PER_AXIS_TOLERANCE = 0.25;

const perAxisNorm: Rule = (report) => {
  const shape = report.data.inputShape;
  const m = median(report, 'interpolates');
  const target = report.training.target;
  if (!shape || shape.length < 2 || m === undefined) return [];
  // A norm over one axis leaves one unit-norm gradient per position of the other axes, so the
  // whole gradient has norm √(number of such positions).
  const signatures = shape.map((_, axis) => ({
    axis,
    positions: shape.reduce((p, n, i) => (i === axis ? p : p * n), 1),
  }));
  const match = signatures.find(
    (s) =>
      s.positions > 1 && Math.abs(m / (target * Math.sqrt(s.positions)) - 1) <= PER_AXIS_TOLERANCE,
  );
  if (!match) return [];
  return [
    {
      id: 'penalty-per-axis-norm',
      severity: 'error',
      message: `The gradient norm at interpolates is ${fmt(m)} ≈ γ·√${match.positions}: the penalty's norm was taken over input axis ${match.axis + 1} only, not over each whole sample.`,
      evidence: {
        set: 'interpolates',
        median: m,
        target,
        inputShape: shape,
        axis: match.axis + 1,
        expectedNorm: target * Math.sqrt(match.positions),
      },
      fix: 'Flatten each sample before the norm: grad.view(grad.size(0), -1).norm(2, dim=1). A patch critic that norms per region on purpose can ignore this.',
      chart: 'histogram:interpolates',
    },
  ];
};

/** Adam's β2 above this is the library default (0.999), which WGAN-GP's Algorithm 1 replaces with 0.9. */
export const ADAM_BETA2_MAX = 0.99;
/** Learning rates above this are ten times the 1e-4 of Algorithm 1 (Gulrajani et al. 2017). */
export const LEARNING_RATE_MAX = 1e-3;

const optimizerConfig: Rule = (report) => {
  const optimizer = report.training.optimizer;
  if (!optimizer) return [];
  const problems: string[] = [];
  if (optimizer.beta2 !== undefined && optimizer.beta2 > ADAM_BETA2_MAX)
    problems.push(`Adam β2 = ${optimizer.beta2} (WGAN-GP uses 0.9)`);
  if (optimizer.beta1 !== undefined && optimizer.beta1 > 0.5)
    problems.push(`Adam β1 = ${optimizer.beta1} (WGAN-GP uses 0 or 0.5)`);
  if (optimizer.lr !== undefined && optimizer.lr > LEARNING_RATE_MAX)
    problems.push(`learning rate ${optimizer.lr} (WGAN-GP uses 1e-4)`);
  if (problems.length === 0) return [];
  return [
    {
      id: 'optimizer-config',
      severity: 'warning',
      message: `The critic optimizer differs from the WGAN-GP settings: ${problems.join('; ')}.`,
      evidence: {
        set: 'configuration',
        type: optimizer.type,
        lr: optimizer.lr ?? Number.NaN,
        beta1: optimizer.beta1 ?? Number.NaN,
        beta2: optimizer.beta2 ?? Number.NaN,
        from: report.training.sources.optimizer ?? 'unknown',
      },
      fix: 'Use Adam with lr 1e-4 and betas (0, 0.9) as in Algorithm 1 of Gulrajani et al. (2017), or (0.5, 0.9) as in their toy code.',
      chart: 'findings',
    },
  ];
};

const nonFiniteWeights: Rule = (report) => {
  const bad = report.data.nonFiniteWeights;
  if (!bad || bad.length === 0) return [];
  return [
    {
      id: 'non-finite-weights',
      severity: 'error',
      message: `The critic has NaN or infinite weights in ${bad.length} tensor(s) (${bad.map((b) => `${b.name}: ${b.count}`).join(', ')}): training diverged before this checkpoint.`,
      evidence: {
        set: 'weights',
        tensors: bad.map((b) => b.name).join(', '),
        counts: bad.map((b) => b.count),
      },
      fix: 'Go back to an earlier checkpoint, lower the learning rate, and check the loss for NaN each step.',
      chart: 'findings',
    },
  ];
};

const tangentStarvation: Rule = (report) => {
  const fraction = report.probeSets.real?.tangentFraction;
  if (
    !report.tangent?.meaningful ||
    !fraction ||
    !(fraction.median < TANGENT_STARVATION_FRACTION)
  ) {
    return [];
  }
  return [
    {
      id: 'tangent-starvation',
      severity: 'warning',
      hypothesis: true,
      message: `Hypothesis: at real points the critic's gradient is almost entirely normal to the data manifold (median tangent fraction ${fmt(fraction.median)}), so the generator may get little signal to spread along it.`,
      evidence: {
        set: 'real',
        medianTangentFraction: fraction.median,
        points: fraction.count,
        radius: report.tangent.radius ?? Number.NaN,
        dimension: report.tangent.dimension ?? Number.NaN,
      },
      fix: 'Unvalidated: compare with the coverage and mode metrics over checkpoints (probe --all-checkpoints); if coverage stalls while this persists, try a one-sided penalty or penalising at real points too.',
      chart: 'tangent',
    },
  ];
};

const RULES: Rule[] = [
  nonFiniteWeights,
  perAxisNorm,
  optimizerConfig,
  lipschitz,
  overConstrained,
  batchNormalizedPenalty,
  targetMismatch,
  vanishing,
  tangentStarvation,
];

/** Applies every rule and returns the findings, errors first. */
export function deriveFindings(report: ProbeReport, context: RuleContext): Finding[] {
  const findings = [
    ...degenerate(report, context),
    ...architecture(context),
    ...RULES.flatMap((rule) => rule(report, context)),
    ...modeRules(report.modes),
  ];
  // A whole-batch norm with a known batch size explains small norms better than clipping does.
  const batchBug = findings.some(
    (f) => f.id === 'penalty-normalized-over-batch' && f.severity === 'error',
  );
  const perAxis = findings.some((f) => f.id === 'penalty-per-axis-norm');
  const kept = findings.filter(
    (f) =>
      !(batchBug && f.id === 'critic-over-constrained') &&
      !(perAxis && f.id === 'lipschitz-violated'),
  );
  const order = { error: 0, warning: 1, info: 2 };
  return kept.sort((a, b) => order[a.severity] - order[b.severity]);
}
