/**
 * Runs the penalty-gradient cases on one backend and prints the results as one JSON line.
 *
 *   node --require tsx/cjs test/engine/penaltyGradientRun.ts <cpu|wasm> [fixed|stock]
 *
 * Each case draws a critic and a batch of random points that stand in for interpolates. It
 * computes ∂GP/∂w with the product's `gradientPenalty` inside `tf.variableGrads` (float32) and
 * compares it with central finite differences of the float64 reference penalty. The stock mode
 * must not share a process with the gradient fixes, so the mocha test runs this script in a child
 * process per backend and mode.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { heUniformWeights, Mlp, type ActivationSpec, type MlpSpec } from '../../src/core/nets/mlp';
import { Rng } from '../../src/core/rng';
import { gradientPenalty, type PenaltyConfig } from '../../src/core/train/penalty';
import {
  activationLayer,
  avgPoolLayer,
  conv2dLayer,
  criticParameters,
  denseLayer,
  flattenLayer,
  layerNormLayer,
  minKinkDistance,
  mlpLayers,
  referencePenalty,
  type ReferenceLayer,
  type ReferencePenaltyConfig,
} from '../helpers/float64Reference';
import {
  compareGradients,
  drawAwayFromKinks,
  finiteDifferenceGradient,
} from '../helpers/finiteDifference';
import {
  FIXED_CASES,
  FLAT_CASES,
  LEAKY_SLOPE,
  RESULT_PREFIX,
  encodeRunOutput,
  STOCK_CASES,
  type ActivationName,
  type CaseResult,
  type GradientMode,
  type PenaltyCase,
  type RunOutput,
} from './penaltyGradientCases';

/** Penalty weight of every case (the WGAN-GP paper's default). */
const LAMBDA = 10;
/** Layer-normalisation epsilon, the same in the reference and the tfjs critic. */
const LAYER_NORM_EPSILON = 1e-5;
/**
 * Minimum distance of every pre-activation from its activation's kink, and of every norm/γ from 1
 * for the one-sided penalty. A finite-difference step moves pre-activations by about 1e-6, so
 * 1e-4 leaves a factor of 100, and float32 rounding (about 1e-7 here) cannot flip a mask either.
 */
const KINK_MARGIN = 1e-4;

/** A critic, its penalty settings and the points where the penalty is evaluated, in float64. */
interface Problem {
  layers: ReferenceLayer[];
  x: Float64Array;
  shape: number[];
  config: ReferencePenaltyConfig;
}

interface TfCritic {
  apply: (x: Tensor) => Tensor;
  /** In the order of criticParameters(problem.layers). */
  variables: Variable[];
  dispose(): void;
}

function toActivationSpec(name: ActivationName): ActivationSpec {
  return name === 'leakyRelu' ? { name, alpha: LEAKY_SLOPE } : { name };
}

function uniform64(rng: Rng, n: number, low: number, high: number): Float64Array {
  // Drawn as float32, so the reference and the tfjs critic hold identical values.
  return Float64Array.from(rng.uniforms(n, low, high));
}

function heUniform64(rng: Rng, n: number, fanIn: number): Float64Array {
  const limit = Math.sqrt(6 / fanIn);
  return uniform64(rng, n, -limit, limit);
}

// ---------------------------------------------------------------------------------------------
// Critics: the float64 reference layers for each case

const MLP_INPUT_SIZE = 3;
const MLP_HIDDEN = [16, 16];
const MLP_BATCH = 8;

function mlpSpec(spec: PenaltyCase): MlpSpec {
  return {
    inputShape: [MLP_INPUT_SIZE],
    hidden: spec.hidden ?? MLP_HIDDEN,
    outputSize: 1,
    activation: toActivationSpec(spec.activation ?? 'relu'),
  };
}

function drawMlp(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  const net = mlpSpec(spec);
  const sizes = [MLP_INPUT_SIZE, ...net.hidden, 1];
  // He-uniform kernels from the product's initialiser; biases random too, so their gradients are
  // exercised away from zero.
  const weights = heUniformWeights(net, rng).map((w, i) =>
    i % 2 === 0 ? Float64Array.from(w) : uniform64(rng, w.length, -0.5, 0.5),
  );
  if (spec.flat) weights.forEach((w) => w.fill(0));
  const x = uniform64(rng, MLP_BATCH * MLP_INPUT_SIZE, -1.5, 1.5);
  return {
    layers: mlpLayers(sizes, weights, net.activation),
    x,
    shape: [MLP_BATCH, MLP_INPUT_SIZE],
  };
}

/** conv 3×3 stride 2 'same' (8×8×2 → 4×4×4), LeakyReLU, conv 3×3 stride 1 'valid' (→ 2×2×3), LeakyReLU, dense. */
function drawConv(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  const activation = toActivationSpec(spec.activation ?? 'leakyRelu');
  const layers = [
    conv2dLayer(
      heUniform64(rng, 3 * 3 * 2 * 4, 3 * 3 * 2),
      uniform64(rng, 4, -0.1, 0.1),
      [3, 3, 2, 4],
      2,
      'same',
      'conv_0',
    ),
    activationLayer(activation),
    conv2dLayer(
      heUniform64(rng, 3 * 3 * 4 * 3, 3 * 3 * 4),
      uniform64(rng, 3, -0.1, 0.1),
      [3, 3, 4, 3],
      1,
      'valid',
      'conv_1',
    ),
    activationLayer(activation),
    flattenLayer(),
    denseLayer(heUniform64(rng, 12, 12), uniform64(rng, 1, -0.1, 0.1), 12, 1, 'dense'),
  ];
  if (spec.flat) criticParameters(layers).forEach((p) => p.values.fill(0));
  const shape = [3, 8, 8, 2];
  return { layers, x: uniform64(rng, 3 * 8 * 8 * 2, -1, 1), shape };
}

/** conv 3×3 dilation 2 stride 1 'same' (6×6×2 → 6×6×3), LeakyReLU, dense. */
function drawDilatedConv(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  const layers = [
    conv2dLayer(
      heUniform64(rng, 3 * 3 * 2 * 3, 3 * 3 * 2),
      uniform64(rng, 3, -0.1, 0.1),
      [3, 3, 2, 3],
      1,
      'same',
      'conv',
      2,
    ),
    activationLayer(toActivationSpec(spec.activation ?? 'leakyRelu')),
    flattenLayer(),
    denseLayer(heUniform64(rng, 108, 108), uniform64(rng, 1, -0.1, 0.1), 108, 1, 'dense'),
  ];
  return { layers, x: uniform64(rng, 3 * 6 * 6 * 2, -1, 1), shape: [3, 6, 6, 2] };
}

/** dense 4 → 8, layer normalisation, activation, dense 8 → 1. */
function drawLayerNorm(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  const layers = [
    denseLayer(heUniform64(rng, 4 * 8, 4), uniform64(rng, 8, -0.5, 0.5), 4, 8, 'dense_0'),
    layerNormLayer(
      uniform64(rng, 8, 0.5, 1.5),
      uniform64(rng, 8, -0.5, 0.5),
      LAYER_NORM_EPSILON,
      'layerNorm',
    ),
    activationLayer(toActivationSpec(spec.activation ?? 'relu')),
    denseLayer(heUniform64(rng, 8, 8), uniform64(rng, 1, -0.5, 0.5), 8, 1, 'dense_1'),
  ];
  return { layers, x: uniform64(rng, 6 * 4, -1.5, 1.5), shape: [6, 4] };
}

/**
 * conv 3×3 stride 1 'same' (→ n×n×4), activation, 2×2 average pool stride 2 (→ 3×3×4), dense. With
 * 'valid' pooling n is 6. With 'same' pooling n is 5, so the last row and column of windows reach
 * past the border and are divided by 2 or 1 cells instead of 4.
 */
function drawAvgPool(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  const pad = spec.poolPadding ?? 'valid';
  const size = pad === 'same' ? 5 : 6;
  const layers = [
    conv2dLayer(
      heUniform64(rng, 3 * 3 * 2 * 4, 3 * 3 * 2),
      uniform64(rng, 4, -0.1, 0.1),
      [3, 3, 2, 4],
      1,
      'same',
      'conv',
    ),
    activationLayer(toActivationSpec(spec.activation ?? 'elu')),
    avgPoolLayer(2, 2, pad),
    flattenLayer(),
    denseLayer(heUniform64(rng, 36, 36), uniform64(rng, 1, -0.1, 0.1), 36, 1, 'dense'),
  ];
  const shape = [3, size, size, 2];
  return { layers, x: uniform64(rng, 3 * size * size * 2, -1, 1), shape };
}

function drawCritic(
  spec: PenaltyCase,
  rng: Rng,
): { layers: ReferenceLayer[]; x: Float64Array; shape: number[] } {
  switch (spec.critic) {
    case 'mlp':
      return drawMlp(spec, rng);
    case 'conv':
      return drawConv(spec, rng);
    case 'dilatedConv':
      return drawDilatedConv(spec, rng);
    case 'layerNorm':
      return drawLayerNorm(spec, rng);
    case 'avgPool':
      return drawAvgPool(spec, rng);
  }
}

/**
 * Draws the problem for one seed. The one-sided penalty's target γ is put halfway between the two
 * middle norms, so about half the samples lie on each side of its kink.
 */
function drawProblem(spec: PenaltyCase, seed: number): Problem {
  const { layers, x, shape } = drawCritic(spec, new Rng(seed));
  if (spec.penalty === 'gp')
    return { layers, x, shape, config: { kind: 'gp', lambda: LAMBDA, target: 1 } };
  const norms = [
    ...referencePenalty(layers, x, shape, { kind: 'gp', lambda: LAMBDA, target: 1 }).norms,
  ].sort((a, b) => a - b);
  const middle = Math.floor(norms.length / 2);
  const target = (norms[middle - 1] + norms[middle]) / 2;
  return { layers, x, shape, config: { kind: 'lp', lambda: LAMBDA, target } };
}

function kinkDistance(problem: Problem): number {
  let distance = minKinkDistance(problem.layers, problem.x, problem.shape);
  if (problem.config.kind === 'lp') {
    const { norms } = referencePenalty(problem.layers, problem.x, problem.shape, problem.config);
    for (const norm of norms)
      distance = Math.min(distance, Math.abs(norm / problem.config.target - 1));
  }
  return distance;
}

// ---------------------------------------------------------------------------------------------
// The same critics in tfjs

let variableCount = 0;

function variablesFor(problem: Problem): Variable[] {
  variableCount += 1;
  const prefix = `penaltyCase${variableCount}`;
  // tidy releases each initial tensor; the variable keeps its own reference to the data.
  return criticParameters(problem.layers).map((p) =>
    tf.tidy(() =>
      tf.variable(tf.tensor(Float32Array.from(p.values), p.shape), true, `${prefix}/${p.name}`),
    ),
  );
}

function disposeAll(variables: Variable[]): void {
  for (const v of variables) v.dispose();
}

function leakyRelu(x: Tensor): Tensor {
  return tf.leakyRelu(x, LEAKY_SLOPE);
}

function activationOp(name: ActivationName): (x: Tensor) => Tensor {
  switch (name) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'leakyRelu':
      return leakyRelu;
    case 'tanh':
      return (x) => tf.tanh(x);
    case 'sigmoid':
      return (x) => tf.sigmoid(x);
    case 'elu':
      return (x) => tf.elu(x);
  }
}

function buildTfCritic(spec: PenaltyCase, problem: Problem): TfCritic {
  if (spec.critic === 'mlp') {
    const net = mlpSpec(spec);
    variableCount += 1;
    const weights = criticParameters(problem.layers).map((p) => Float32Array.from(p.values));
    const mlp = new Mlp(net, `penaltyMlp${variableCount}`, weights);
    return { apply: (x) => mlp.apply(x), variables: mlp.variables, dispose: () => mlp.dispose() };
  }
  const variables = variablesFor(problem);
  const v = variables;
  const act = activationOp(spec.activation ?? 'relu');
  let apply: (x: Tensor) => Tensor;
  switch (spec.critic) {
    case 'conv':
      apply = (x) => {
        let h = act(tf.add(tf.conv2d(x as Tensor4D, v[0] as Tensor4D, 2, 'same'), v[1]));
        h = act(tf.add(tf.conv2d(h as Tensor4D, v[2] as Tensor4D, 1, 'valid'), v[3]));
        h = tf.reshape(h, [x.shape[0], -1]);
        return tf.reshape(tf.add(tf.matMul(h, v[4]), v[5]), [-1]);
      };
      break;
    case 'dilatedConv':
      apply = (x) => {
        const h = act(
          tf.add(tf.conv2d(x as Tensor4D, v[0] as Tensor4D, 1, 'same', 'NHWC', 2), v[1]),
        );
        return tf.reshape(tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), v[2]), v[3]), [-1]);
      };
      break;
    case 'layerNorm':
      apply = (x) => {
        const h = tf.add(tf.matMul(x, v[0]), v[1]);
        const { mean, variance } = tf.moments(h, -1, true);
        const normalised = tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON)));
        const scaled = act(tf.add(tf.mul(normalised, v[2]), v[3]));
        return tf.reshape(tf.add(tf.matMul(scaled, v[4]), v[5]), [-1]);
      };
      break;
    case 'avgPool':
      apply = (x) => {
        let h = act(tf.add(tf.conv2d(x as Tensor4D, v[0] as Tensor4D, 1, 'same'), v[1]));
        h = tf.avgPool(h as Tensor4D, 2, 2, spec.poolPadding ?? 'valid');
        h = tf.reshape(h, [x.shape[0], -1]);
        return tf.reshape(tf.add(tf.matMul(h, v[2]), v[3]), [-1]);
      };
      break;
  }
  return { apply, variables, dispose: () => disposeAll(variables) };
}

// ---------------------------------------------------------------------------------------------
// One case

function penaltyConfig(config: ReferencePenaltyConfig): PenaltyConfig {
  return { kind: config.kind, lambda: config.lambda, target: config.target };
}

interface TfGradients {
  penalty: number;
  gradients: Float32Array[];
}

/** ∂GP/∂w from the product's penalty inside tf.variableGrads, in variable order. */
function tfPenaltyGradients(critic: TfCritic, problem: Problem): TfGradients {
  const result = tf.tidy(() => {
    const x = tf.tensor(Float32Array.from(problem.x), problem.shape);
    const config = penaltyConfig(problem.config);
    return tf.variableGrads(
      () => gradientPenalty(critic.apply, x, config).penalty,
      critic.variables,
    );
  });
  const penalty = result.value.dataSync()[0];
  // tfjs leaves out variables that the penalty does not depend on; they count as zero.
  const gradients = critic.variables.map((v) => {
    const g = result.grads[v.name];
    return g === undefined
      ? new Float32Array(v.size)
      : Float32Array.from(g.dataSync() as Float32Array);
  });
  result.value.dispose();
  tf.dispose(Object.values(result.grads));
  return { penalty, gradients };
}

function runCase(spec: PenaltyCase): CaseResult {
  const draw = drawAwayFromKinks((seed) => drawProblem(spec, seed), kinkDistance, {
    seed: 1000,
    margin: spec.flat ? -1 : KINK_MARGIN,
  });
  const problem = draw.value;
  const parameters = criticParameters(problem.layers);
  const base: CaseResult = {
    name: spec.name,
    maxRelativeError: Number.NaN,
    perVariable: [],
    checkedEntries: 0,
    maxAbsGradient: Number.NaN,
    finite: false,
    penalty32: Number.NaN,
    penalty64: referencePenalty(problem.layers, problem.x, problem.shape, problem.config).penalty,
    seed: draw.seed,
    rejectedSeeds: draw.rejected,
    leakedTensors: 0,
  };
  const tensorsBefore = tf.memory().numTensors;
  const critic = buildTfCritic(spec, problem);
  let tfResult: TfGradients;
  try {
    tfResult = tfPenaltyGradients(critic, problem);
  } catch (error) {
    critic.dispose();
    return { ...base, error: error instanceof Error ? error.message : String(error) };
  }
  critic.dispose();
  const leakedTensors = tf.memory().numTensors - tensorsBefore;

  const expected = finiteDifferenceGradient(
    () => referencePenalty(problem.layers, problem.x, problem.shape, problem.config).penalty,
    parameters,
    { maxEntriesPerArray: spec.maxEntriesPerArray, seed: draw.seed },
  );
  const byName = new Map(parameters.map((p, i) => [p.name, tfResult.gradients[i]]));
  const comparison = compareGradients((name) => byName.get(name), expected);
  const all = tfResult.gradients.flatMap((g) => [...g]);
  return {
    ...base,
    maxRelativeError: comparison.maxRelativeError,
    perVariable: comparison.perArray,
    checkedEntries: expected.reduce((n, g) => n + g.indices.length, 0),
    maxAbsGradient: all.reduce((m, g) => Math.max(m, Math.abs(g)), 0),
    finite: Number.isFinite(tfResult.penalty) && all.every((g) => Number.isFinite(g)),
    penalty32: tfResult.penalty,
    leakedTensors,
  };
}

async function selectBackend(backend: string, mode: GradientMode): Promise<void> {
  if (backend !== 'cpu' && backend !== 'wasm')
    throw new Error(`Unknown backend '${backend}': use cpu or wasm.`);
  if (mode === 'fixed') {
    await initBackend({ request: backend, logger: silentLogger });
    return;
  }
  // The stock gradients only: initBackend would install the fixes, and registrations cannot be
  // undone, so this mode selects the backend directly and must run in a process of its own.
  if (!(await tf.setBackend(backend)))
    throw new Error(`The ${backend} backend failed to initialise.`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const backend = process.argv[2] ?? 'cpu';
  const mode = (process.argv[3] ?? 'fixed') as GradientMode;
  if (mode !== 'fixed' && mode !== 'stock')
    throw new Error(`Unknown mode '${String(mode)}': use fixed or stock.`);
  await selectBackend(backend, mode);
  const cases = mode === 'fixed' ? [...FIXED_CASES, ...FLAT_CASES] : STOCK_CASES;
  const results = cases.map(runCase);
  const output: RunOutput = {
    backend,
    mode,
    tfjsBackend: tf.getBackend(),
    results,
    elapsedMs: Date.now() - started,
  };
  process.stdout.write(`${RESULT_PREFIX}${encodeRunOutput(output)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
