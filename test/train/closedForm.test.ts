/*
 * The closed-form critic and generator gradients of ReLU and LeakyReLU MLPs against central
 * finite differences of a float64 reference loss written without tfjs, and against the generic
 * tape path (tf.variableGrads over a nested tf.grad), on both embedded backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D } from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend, type BackendName } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import {
  heUniformWeights,
  layerSizes,
  Mlp,
  type ActivationSpec,
  type MlpSpec,
} from '../../src/core/nets/mlp';
import { createMatrix } from '../../src/core/data/matrix';
import { evaluateCritic } from '../../src/core/probe/evaluate';
import { Rng } from '../../src/core/rng';
import { SINGLE_PROCESS } from '../../src/core/train/collective';
import type { PenaltyConfig } from '../../src/core/train/penalty';
import { criticGradients, generatorGradients, type GradientPath } from '../../src/core/train/step';
import {
  criticForward,
  criticParameters,
  minKinkDistance,
  mlpLayers,
  perSampleNorm64,
  criticInputGradient as referenceInputGradient,
  type ReferenceLayer,
} from '../helpers/float64Reference';
import {
  compareGradients,
  drawAwayFromKinks,
  finiteDifferenceGradient,
} from '../helpers/finiteDifference';

/** Float32 gradients against float64 central differences (as in the penalty-gradient tests). */
const RELATIVE_TOLERANCE = 1e-3;
/** The two float32 paths differ only in summation order. */
const PATH_TOLERANCE = 1e-5;
/** Minimum distance of pre-activations (and of norm/γ - 1 when one-sided) from a kink, as in drawAwayFromKinks. */
const KINK_MARGIN = 1e-4;
const ROWS = 5;
/** The full batch, larger than ROWS as on one rank of several, so every sum is divided by it. */
const BATCH_SIZE = 8;
const DIM = 3;
const LATENT = 2;

const ACTIVATIONS: ActivationSpec[] = [{ name: 'relu' }, { name: 'leakyRelu', alpha: 0.2 }];
const PENALTIES: PenaltyConfig[] = [
  { kind: 'gp', lambda: 10, target: 1 },
  { kind: 'gp', lambda: 3, target: 0.6 },
  { kind: 'lp', lambda: 10, target: 0.8 },
  { kind: 'none', lambda: 10, target: 1 },
];

interface Problem {
  criticWeights: Float32Array[];
  generatorWeights: Float32Array[];
  real: Float32Array;
  fake: Float32Array;
  epsilon: Float32Array;
  latent: Float32Array;
}

function criticSpec(activation: ActivationSpec): MlpSpec {
  return { inputShape: [DIM], hidden: [6, 5], outputSize: 1, activation };
}

function generatorSpec(activation: ActivationSpec): MlpSpec {
  return { inputShape: [LATENT], hidden: [7], outputSize: DIM, activation };
}

function drawProblem(seed: number, activation: ActivationSpec): Problem {
  const rng = new Rng(seed);
  return {
    criticWeights: heUniformWeights(criticSpec(activation), rng),
    generatorWeights: heUniformWeights(generatorSpec(activation), rng),
    real: rng.normals(ROWS * DIM),
    fake: rng.normals(ROWS * DIM),
    epsilon: rng.uniforms(ROWS),
    latent: rng.normals(ROWS * LATENT),
  };
}

const to64 = (values: Float32Array) => Float64Array.from(values);

function interpolates64(problem: Problem): Float64Array {
  const x = new Float64Array(ROWS * DIM);
  for (let i = 0; i < ROWS; i++) {
    const e = problem.epsilon[i];
    for (let j = 0; j < DIM; j++) {
      const k = i * DIM + j;
      x[k] = e * problem.real[k] + (1 - e) * problem.fake[k];
    }
  }
  return x;
}

function sum(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Returns (Σ D(fake) - Σ D(real)) / B + λ Σ penalty(‖∇D(x̂)‖/γ) / B in float64. */
function referenceCriticLoss(
  layers: ReferenceLayer[],
  problem: Problem,
  penalty: PenaltyConfig,
): number {
  const shape = [ROWS, DIM];
  const real = criticForward(layers, to64(problem.real), shape).output;
  const fake = criticForward(layers, to64(problem.fake), shape).output;
  let loss = (sum(fake) - sum(real)) / BATCH_SIZE;
  if (penalty.kind === 'gp' || penalty.kind === 'lp') {
    const norms = perSampleNorm64(
      referenceInputGradient(layers, interpolates64(problem), shape),
      shape,
    );
    for (const norm of norms) {
      const excess = norm / penalty.target - 1;
      const clipped = penalty.kind === 'lp' ? Math.max(0, excess) : excess;
      loss += (penalty.lambda * clipped * clipped) / BATCH_SIZE;
    }
  }
  return loss;
}

/** Returns the smallest distance from a kink over the critic's pre-activations and the one-sided clip. */
function criticKinkDistance(
  problem: Problem,
  activation: ActivationSpec,
  penalty: PenaltyConfig,
): number {
  const layers = mlpLayers(
    layerSizes(criticSpec(activation)),
    problem.criticWeights.map(to64),
    activation,
  );
  const shape = [ROWS, DIM];
  const xHat = interpolates64(problem);
  let distance = Math.min(
    minKinkDistance(layers, to64(problem.real), shape),
    minKinkDistance(layers, to64(problem.fake), shape),
    minKinkDistance(layers, xHat, shape),
  );
  if (penalty.kind === 'lp') {
    const norms = perSampleNorm64(referenceInputGradient(layers, xHat, shape), shape);
    for (const norm of norms) distance = Math.min(distance, Math.abs(norm / penalty.target - 1));
  }
  return distance;
}

function productCriticGradients(
  problem: Problem,
  activation: ActivationSpec,
  penalty: PenaltyConfig,
  path: GradientPath,
): { gradients: Float32Array[]; loss: number; norms: Float32Array } {
  const critic = new Mlp(criticSpec(activation), 'critic', problem.criticWeights);
  const real = tf.tensor2d(problem.real, [ROWS, DIM]);
  const fake = tf.tensor2d(problem.fake, [ROWS, DIM]);
  const epsilon = tf.tensor1d(problem.epsilon) as Tensor1D;
  try {
    const { gradients, metrics } = criticGradients(
      critic,
      { real, fake, epsilon, batchSize: BATCH_SIZE },
      penalty,
      SINGLE_PROCESS,
      path,
    );
    return { gradients, loss: metrics.criticLoss, norms: metrics.norms };
  } finally {
    tf.dispose([real, fake, epsilon]);
    critic.dispose();
  }
}

function productGeneratorGradients(
  problem: Problem,
  activation: ActivationSpec,
  path: GradientPath,
): { gradients: Float32Array[]; loss: number } {
  const critic = new Mlp(criticSpec(activation), 'critic', problem.criticWeights);
  const generator = new Mlp(generatorSpec(activation), 'generator', problem.generatorWeights);
  const latent = tf.tensor2d(problem.latent, [ROWS, LATENT]);
  try {
    const { gradients, loss } = generatorGradients(
      critic,
      generator,
      latent,
      BATCH_SIZE,
      SINGLE_PROCESS,
      path,
    );
    return { gradients, loss };
  } finally {
    latent.dispose();
    generator.dispose();
    critic.dispose();
  }
}

function maxRelativeDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => {
    let scale = 0;
    let error = 0;
    for (let k = 0; k < values.length; k++) {
      scale = Math.max(scale, Math.abs(b[i][k]));
      error = Math.max(error, Math.abs(values[k] - b[i][k]));
    }
    worst = Math.max(worst, error / Math.max(scale, 1e-12));
  });
  return worst;
}

function penaltyLabel(p: PenaltyConfig): string {
  return p.kind === 'none' ? 'no penalty' : `${p.kind}, λ ${p.lambda}, γ ${p.target}`;
}

const BACKENDS: BackendName[] = ['cpu', 'wasm'];

for (const backend of BACKENDS) {
  describe(`closed-form training gradients on ${backend}`, function () {
    this.timeout(60_000);

    before(async () => {
      await initBackend({ request: backend, logger: silentLogger });
    });

    for (const activation of ACTIVATIONS) {
      for (const penalty of PENALTIES) {
        const label = `${activation.name} critic, ${penaltyLabel(penalty)}`;

        it(`critic finite differences: ${label}`, () => {
          const { value: problem } = drawAwayFromKinks(
            (seed) => drawProblem(seed, activation),
            (p) => criticKinkDistance(p, activation, penalty),
            { seed: 11, margin: KINK_MARGIN },
          );
          const layers = mlpLayers(
            layerSizes(criticSpec(activation)),
            problem.criticWeights.map(to64),
            activation,
          );
          const parameters = criticParameters(layers);
          const expected = finiteDifferenceGradient(
            () => referenceCriticLoss(layers, problem, penalty),
            parameters,
          );
          const actual = productCriticGradients(problem, activation, penalty, 'closed-form');
          const byName = new Map(parameters.map((p, i) => [p.name, actual.gradients[i]]));
          const comparison = compareGradients((name) => byName.get(name), expected);
          assert.ok(
            comparison.maxRelativeError < RELATIVE_TOLERANCE,
            JSON.stringify(comparison.perArray),
          );
          const referenceLoss = referenceCriticLoss(layers, problem, penalty);
          assert.ok(
            Math.abs(actual.loss - referenceLoss) <= 1e-5 * Math.max(1, Math.abs(referenceLoss)),
          );
        });

        it(`critic tape agreement: ${label}`, () => {
          const problem = drawProblem(23, activation);
          const closed = productCriticGradients(problem, activation, penalty, 'closed-form');
          const tape = productCriticGradients(problem, activation, penalty, 'tape');
          assert.ok(maxRelativeDifference(closed.gradients, tape.gradients) < PATH_TOLERANCE);
          assert.ok(maxRelativeDifference([closed.norms], [tape.norms]) < PATH_TOLERANCE);
          assert.ok(
            Math.abs(closed.loss - tape.loss) <= PATH_TOLERANCE * Math.max(1, Math.abs(tape.loss)),
          );
        });
      }

      it(`generator finite differences: ${activation.name}`, () => {
        const criticSizes = layerSizes(criticSpec(activation));
        const generatorSizes = layerSizes(generatorSpec(activation));
        const build = (p: Problem) => {
          const generatorLayers = mlpLayers(
            generatorSizes,
            p.generatorWeights.map(to64),
            activation,
          );
          const criticLayers = mlpLayers(criticSizes, p.criticWeights.map(to64), activation);
          return { generatorLayers, chain: [...generatorLayers, ...criticLayers] };
        };
        const { value: problem } = drawAwayFromKinks(
          (seed) => drawProblem(seed, activation),
          (p) => minKinkDistance(build(p).chain, to64(p.latent), [ROWS, LATENT]),
          { seed: 31, margin: KINK_MARGIN },
        );
        const { generatorLayers, chain } = build(problem);
        const loss = () =>
          -sum(criticForward(chain, to64(problem.latent), [ROWS, LATENT]).output) / BATCH_SIZE;
        const parameters = criticParameters(generatorLayers);
        const expected = finiteDifferenceGradient(loss, parameters);
        const actual = productGeneratorGradients(problem, activation, 'closed-form');
        const byName = new Map(parameters.map((p, i) => [p.name, actual.gradients[i]]));
        const comparison = compareGradients((name) => byName.get(name), expected);
        assert.ok(
          comparison.maxRelativeError < RELATIVE_TOLERANCE,
          JSON.stringify(comparison.perArray),
        );
        const tape = productGeneratorGradients(problem, activation, 'tape');
        assert.ok(maxRelativeDifference(actual.gradients, tape.gradients) < PATH_TOLERANCE);
        assert.ok(Math.abs(actual.loss - loss()) <= 1e-6);
      });
    }

    for (const activation of [...ACTIVATIONS, { name: 'tanh' } as ActivationSpec]) {
      it(`probe values and gradients: ${activation.name}`, () => {
        const problem = drawProblem(41, activation);
        const critic = new Mlp(criticSpec(activation), 'critic', problem.criticWeights);
        const before = tf.memory().numTensors;
        const field = evaluateCritic(critic, createMatrix(ROWS, DIM, problem.real));
        const leaked = tf.memory().numTensors - before;
        critic.dispose();
        const layers = mlpLayers(
          layerSizes(criticSpec(activation)),
          problem.criticWeights.map(to64),
          activation,
        );
        const x = to64(problem.real);
        const values = criticForward(layers, x, [ROWS, DIM]).output;
        const gradients = referenceInputGradient(layers, x, [ROWS, DIM]);
        assert.ok(
          maxRelativeDifference([field.values], [Float32Array.from(values)]) < PATH_TOLERANCE,
        );
        assert.ok(
          maxRelativeDifference([field.gradients.data], [Float32Array.from(gradients)]) <
            PATH_TOLERANCE,
        );
        assert.equal(leaked, 0);
      });
    }

    it('rejects tanh for closed form', () => {
      assert.throws(
        () =>
          productCriticGradients(
            drawProblem(1, { name: 'tanh' }),
            { name: 'tanh' },
            PENALTIES[0],
            'closed-form',
          ),
        /ReLU or LeakyReLU/,
      );
    });

    it('releases every tensor', () => {
      const problem = drawProblem(5, ACTIVATIONS[1]);
      productCriticGradients(problem, ACTIVATIONS[1], PENALTIES[0], 'closed-form');
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        productCriticGradients(problem, ACTIVATIONS[1], PENALTIES[0], 'closed-form');
        productGeneratorGradients(problem, ACTIVATIONS[1], 'closed-form');
      }
      assert.equal(tf.memory().numTensors, before);
    });
  });
}
