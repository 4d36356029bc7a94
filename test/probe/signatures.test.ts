import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendInfo } from '../../src/core/backend/init';
import { createMatrix, type Matrix } from '../../src/core/data/matrix';
import { silentLogger } from '../../src/core/log';
import { Mlp } from '../../src/core/nets/mlp';
import { evaluateCritic } from '../../src/core/probe/evaluate';
import { buildReport } from '../../src/core/probe/job';
import { validateProbeRequest } from '../../src/core/probe/request';
import type { ProbeSources } from '../../src/core/probe/sources';
import { Rng } from '../../src/core/rng';
import type { ProbeReport } from '../../src/protocol/report';

/** Builds a linear critic D(x) = w·x: its gradient is w everywhere, so ‖∇D‖ = ‖w‖ exactly. */
function linearCritic(inputShape: number[], norm: number, rng: Rng): Mlp {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const w = rng.normals(size);
  const length = Math.hypot(...w);
  for (let i = 0; i < size; i++) w[i] *= norm / length;
  return new Mlp(
    { inputShape, hidden: [], outputSize: 1, activation: { name: 'relu' } },
    'linear',
    [w, new Float32Array(1)],
  );
}

const gaussian = (rows: number, cols: number, shift: number, rng: Rng): Matrix =>
  createMatrix(
    rows,
    cols,
    Float32Array.from(rng.normals(rows * cols), (v) => v + shift),
  );

function probe(
  critic: Mlp,
  real: Matrix,
  fake: Matrix,
  backend: BackendInfo,
  batchSize?: number,
): ProbeReport {
  const sources: ProbeSources = {
    critic,
    real,
    generated: fake,
    generatedDescription: 'test samples',
    training: { batchSize, sources: {} },
    source: { kind: 'files' },
  };
  const n = real.rows;
  const request = validateProbeRequest({
    critic: 'x',
    fake: 'y',
    real: 'z',
    counts: {
      interpolates: n,
      otInterpolates: Math.min(n, 256),
      real: n,
      generated: n,
      offManifold: n,
      uniform: n,
    },
  });
  return buildReport(request, sources, { backend, logger: silentLogger }, Date.now());
}

const ids = (report: ProbeReport) => report.findings.map((f) => f.id);

describe('penalty bug signatures', function () {
  this.timeout(120_000);
  let backend: BackendInfo;
  before(async () => {
    backend = await initBackend({ request: 'wasm', logger: silentLogger });
  });

  it('whole-batch norm: ‖∇D‖ = 1/√B with B known is an error', () => {
    const rng = new Rng(1);
    const critic = linearCritic([2], 1 / Math.sqrt(64), rng);
    const report = probe(critic, gaussian(500, 2, 1, rng), gaussian(500, 2, -1, rng), backend, 64);
    critic.dispose();
    const finding = report.findings.find((f) => f.id === 'penalty-normalized-over-batch');
    assert.equal(finding?.severity, 'error', ids(report).join(', '));
    assert.ok(!ids(report).includes('critic-over-constrained'));
  });

  it('whole-batch norm without B lists the batch sizes that fit', () => {
    const rng = new Rng(2);
    const critic = linearCritic([2], 1 / Math.sqrt(64), rng);
    const report = probe(critic, gaussian(500, 2, 1, rng), gaussian(500, 2, -1, rng), backend);
    critic.dispose();
    const finding = report.findings.find((f) => f.id === 'penalty-normalized-over-batch');
    assert.equal(finding?.severity, 'warning');
    assert.ok((finding?.evidence.fittingBatchSizes as number[]).includes(64));
  });

  it('norm over one image axis: ‖∇D‖ = √(H·W) on [1, 28, 28] inputs', () => {
    const rng = new Rng(3);
    const critic = linearCritic([1, 28, 28], 28, rng);
    const report = probe(
      critic,
      gaussian(300, 784, 0.5, rng),
      gaussian(300, 784, -0.5, rng),
      backend,
    );
    critic.dispose();
    assert.ok(ids(report).includes('penalty-per-axis-norm'), ids(report).join(', '));
    assert.ok(!ids(report).includes('lipschitz-violated'));
  });

  it('a 1-Lipschitz linear critic: no gradient findings and matching bounds', () => {
    const rng = new Rng(4);
    const critic = linearCritic([2], 1, rng);
    const report = probe(critic, gaussian(500, 2, 1, rng), gaussian(500, 2, -1, rng), backend, 256);
    critic.dispose();
    for (const id of [
      'lipschitz-violated',
      'critic-over-constrained',
      'penalty-normalized-over-batch',
      'penalty-target-mismatch',
      'penalty-per-axis-norm',
    ]) {
      assert.ok(!ids(report).includes(id), id);
    }
    for (const set of Object.values(report.probeSets))
      assert.ok(Math.abs(set.gradNorm.median - 1) < 1e-5);
    assert.ok(Math.abs(report.lipschitz!.upper! - 1) < 1e-5);
    assert.ok(Math.abs(report.lipschitz!.lowerGradient.value - 1) < 1e-5);
    // Secant slopes of a linear map never exceed ‖w‖.
    assert.ok(report.lipschitz!.lowerSecant.value <= 1 + 1e-5);
  });

  it('2-D plots: the heatmap is w·x at cell centres and arrows are w', () => {
    const rng = new Rng(7);
    const critic = linearCritic([2], 1, rng);
    const [w0, w1] = critic.weights()[0];
    const report = probe(critic, gaussian(300, 2, 1, rng), gaussian(300, 2, -1, rng), backend);
    critic.dispose();
    const plot = report.points!.find((p) => p.id === 'critic')!;
    const { width, height, values } = plot.heatmap!;
    const { xMin, xMax, yMin, yMax } = plot.bounds;
    for (const [r, c] of [
      [0, 0],
      [height - 1, width - 1],
      [17, 31],
    ]) {
      const x = xMin + ((c + 0.5) * (xMax - xMin)) / width;
      const y = yMin + ((r + 0.5) * (yMax - yMin)) / height;
      assert.ok(Math.abs(Number(values[r * width + c]) - (w0 * x + w1 * y)) < 1e-4);
    }
    const arrows = plot.arrows!;
    for (let i = 0; i < arrows.dx.length; i++) {
      assert.ok(
        Math.abs(Number(arrows.dx[i]) - w0) < 1e-4 && Math.abs(Number(arrows.dy[i]) - w1) < 1e-4,
      );
    }
  });
});

describe('probe evaluation', () => {
  before(async () => {
    await initBackend({ request: 'wasm', logger: silentLogger });
  });

  it('gives each point the same gradient whatever its batch', () => {
    const rng = new Rng(5);
    const spec = {
      inputShape: [3],
      hidden: [16, 16],
      outputSize: 1,
      activation: { name: 'leakyRelu' as const, alpha: 0.2 },
    };
    const weights = [
      rng.normals(48),
      rng.normals(16),
      rng.normals(256),
      rng.normals(16),
      rng.normals(16),
      rng.normals(1),
    ];
    const critic = new Mlp(spec, 'critic', weights);
    const points = createMatrix(100, 3, rng.normals(300));
    const whole = evaluateCritic(critic, points);
    const inSevens = evaluateCritic(critic, points, undefined, 7);
    critic.dispose();
    assert.deepEqual(inSevens.values, whole.values);
    assert.deepEqual(inSevens.gradients.data, whole.gradients.data);
  });

  it('leaks no tensors over 200 evaluations', () => {
    const rng = new Rng(6);
    const spec = {
      inputShape: [2],
      hidden: [32, 32],
      outputSize: 1,
      activation: { name: 'relu' as const },
    };
    const critic = new Mlp(spec, 'critic', [
      rng.normals(64),
      rng.normals(32),
      rng.normals(1024),
      rng.normals(32),
      rng.normals(32),
      rng.normals(1),
    ]);
    const points = createMatrix(64, 2, rng.normals(128));
    evaluateCritic(critic, points);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) evaluateCritic(critic, points);
    assert.equal(tf.memory().numTensors, before);
    critic.dispose();
  });
});
