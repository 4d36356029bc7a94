/**
 * The penalty-gradient cases shared by the mocha test and the script it runs once per backend.
 * This module contains plain data only, so the test process loads no tfjs backend.
 */

export type CriticKind = 'mlp' | 'conv' | 'dilatedConv' | 'layerNorm' | 'avgPool';
export type ActivationName = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'elu';
export type PenaltyKindUnderTest = 'gp' | 'lp';

export interface PenaltyCase {
  name: string;
  critic: CriticKind;
  /** Activation of the MLP's hidden layers; raw-op critics fix their own. */
  activation?: ActivationName;
  penalty: PenaltyKindUnderTest;
  /** All weights zero: the input gradient is 0 and only finiteness is checked. */
  flat?: boolean;
  /** Hidden widths of an MLP critic. */
  hidden?: number[];
  /** Padding of the average-pool critic's pooling layer; 'valid' when absent. */
  poolPadding?: 'same' | 'valid';
  /** Size of the seeded random subset checked per weight array; every entry when absent. */
  maxEntriesPerArray?: number;
}

/** Slope of LeakyReLU's negative side in every case that uses it. */
export const LEAKY_SLOPE = 0.2;

/** Tolerance on the relative error of float32 weight gradients against float64 differences. */
export const RELATIVE_TOLERANCE = 1e-3;

export const ACTIVATIONS: ActivationName[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'elu'];

const PENALTY_LABEL: Record<PenaltyKindUnderTest, string> = { gp: 'two-sided', lp: 'one-sided' };

function penaltyCases(base: Omit<PenaltyCase, 'name' | 'penalty'>, label: string): PenaltyCase[] {
  return (['gp', 'lp'] as const).map((penalty) => ({
    ...base,
    penalty,
    name: `${label}, ${PENALTY_LABEL[penalty]}`,
  }));
}

/** Cases that must match finite differences once the gradient fixes are installed. */
export const FIXED_CASES: PenaltyCase[] = [
  ...ACTIVATIONS.flatMap((activation) =>
    penaltyCases({ critic: 'mlp', activation }, `${activation} MLP`),
  ),
  ...penaltyCases(
    { critic: 'mlp', activation: 'relu', hidden: [64, 64], maxEntriesPerArray: 48 },
    'wide relu MLP, sampled weights',
  ),
  ...penaltyCases({ critic: 'conv', activation: 'leakyRelu' }, 'conv2d critic'),
  ...penaltyCases({ critic: 'dilatedConv', activation: 'leakyRelu' }, 'dilated conv2d critic'),
  ...penaltyCases({ critic: 'layerNorm', activation: 'relu' }, 'layer-norm critic'),
  ...penaltyCases({ critic: 'avgPool', activation: 'elu' }, 'average-pool critic'),
  ...penaltyCases(
    { critic: 'avgPool', activation: 'elu', poolPadding: 'same' },
    "average-pool critic, 'same' padding",
  ),
];

/** Flat critics (all weights zero), whose penalty gradient must be finite. */
export const FLAT_CASES: PenaltyCase[] = [
  ...ACTIVATIONS.map((activation) => ({
    name: `flat ${activation} MLP`,
    critic: 'mlp' as const,
    activation,
    penalty: 'gp' as const,
    flat: true,
  })),
  {
    name: 'flat conv2d critic',
    critic: 'conv',
    activation: 'leakyRelu',
    penalty: 'gp',
    flat: true,
  },
];

/**
 * Cases run on the cpu backend with tfjs's stock gradients only, where tfjs 4.22 is known to
 * fail. `relu MLP` is the control: stock tfjs gets it right, so the harness itself is not what fails.
 */
export const STOCK_CASES: PenaltyCase[] = [
  { name: 'relu MLP', critic: 'mlp', activation: 'relu', penalty: 'gp' },
  { name: 'tanh MLP', critic: 'mlp', activation: 'tanh', penalty: 'gp' },
  { name: 'sigmoid MLP', critic: 'mlp', activation: 'sigmoid', penalty: 'gp' },
  { name: 'leakyRelu MLP', critic: 'mlp', activation: 'leakyRelu', penalty: 'gp' },
  { name: 'elu MLP', critic: 'mlp', activation: 'elu', penalty: 'gp' },
  { name: 'average-pool critic', critic: 'avgPool', activation: 'relu', penalty: 'gp' },
];

/** `fixed`: through initBackend, which installs the gradient fixes; `stock`: without them. */
export type GradientMode = 'fixed' | 'stock';

export interface VariableError {
  name: string;
  relativeError: number;
  worstIndex: number;
  actual: number;
  expected: number;
}

export interface CaseResult {
  name: string;
  /** Set when the product threw; the other numbers are then absent or zero. */
  error?: string;
  maxRelativeError: number;
  perVariable: VariableError[];
  /** Entries compared, over all weight arrays. */
  checkedEntries: number;
  /** Max |∂GP/∂w| of the product, over all weights. */
  maxAbsGradient: number;
  /** Whether every product gradient entry and the penalty are finite. */
  finite: boolean;
  penalty32: number;
  penalty64: number;
  /** Seed of the accepted draw, and how many seeds before it lay too close to a kink. */
  seed: number;
  rejectedSeeds: number;
  /** Tensors alive after the case minus before it; 0 unless something leaks. */
  leakedTensors: number;
}

export interface RunOutput {
  backend: string;
  mode: GradientMode;
  tfjsBackend: string;
  results: CaseResult[];
  elapsedMs: number;
}

/** Prefix of the one stdout line that carries the JSON results. */
export const RESULT_PREFIX = 'PENALTY_GRADIENT_RESULTS ';

/** Serialises a run for the result line; NaN and ±Infinity become strings, which JSON lacks. */
export function encodeRunOutput(output: RunOutput): string {
  return JSON.stringify(output, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}

export function decodeRunOutput(text: string): RunOutput {
  return JSON.parse(text, (_key, value: unknown) =>
    value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value,
  ) as RunOutput;
}
