import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { initBackend, type BackendInfo } from '../../src/core/backend/init';
import { silentLogger } from '../../src/core/log';
import { loadModelFile } from '../../src/core/formats/loadModel';
import { quantile } from '../../src/core/metrics/quantiles';
import { evaluateCritic } from '../../src/core/probe/evaluate';
import { readPoints } from '../../src/core/probe/fileSources';
import { runProbeJob } from '../../src/core/probe/job';
import type { ProbeReport } from '../../src/protocol/report';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'wgan-gp-toy');

interface Expected {
  expected: {
    interpolates: { grad_norm: { median: number } };
    real: { grad_norm: { median: number } };
    generated: { grad_norm: { median: number } };
    modes_generated: {
      modes_covered: number;
      n_modes: number;
      pct_samples_within_3std: number;
      within_3std_per_mode: number[];
      nearest_mode_counts: number[];
    };
  };
  hyper: { BATCH_SIZE: number };
}

async function probeFixture(
  run: string,
  backend: BackendInfo,
): Promise<{ report: ProbeReport; meta: Expected }> {
  const dir = path.join(FIXTURES, run);
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8')) as Expected;
  const { report } = await runProbeJob(
    {
      critic: path.join(dir, 'critic.pt'),
      fake: path.join(dir, 'gen_2000.npy'),
      real: path.join(dir, 'real_2000.npy'),
      dataset: run.includes('25g') ? '25gaussians' : '8gaussians',
      batchSize: meta.hyper.BATCH_SIZE,
    },
    { backend, logger: silentLogger },
  );
  return { report, meta };
}

const ids = (report: ProbeReport, severity?: string) =>
  report.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.id);

describe('probe findings on real PyTorch checkpoints', () => {
  let backend: BackendInfo;
  before(async () => {
    backend = await initBackend({ request: 'wasm', logger: silentLogger });
  });

  it('cg_8g_lambda0 raises lipschitz-violated', async () => {
    const { report } = await probeFixture('cg_8g_lambda0', backend);
    assert.ok(ids(report, 'error').includes('lipschitz-violated'), ids(report).join(', '));
  });

  it('cg_8g_wclip raises critic-over-constrained', async () => {
    const { report } = await probeFixture('cg_8g_wclip', backend);
    assert.ok(ids(report, 'error').includes('critic-over-constrained'), ids(report).join(', '));
  });

  it('cg_8g_gp_lambda10 raises mode-collapse with clean critic checks', async () => {
    const { report } = await probeFixture('cg_8g_gp_lambda10', backend);
    assert.ok(ids(report).includes('mode-collapse'), ids(report).join(', '));
    for (const id of [
      'lipschitz-violated',
      'critic-over-constrained',
      'penalty-normalized-over-batch',
      'penalty-target-mismatch',
    ]) {
      assert.ok(!ids(report).includes(id), `unexpected ${id}`);
    }
  });

  it('cg_8g_gp raises no error-level finding', async () => {
    const { report } = await probeFixture('cg_8g_gp', backend);
    assert.deepEqual(ids(report, 'error'), []);
  });

  for (const run of [
    'cg_8g_gp',
    'cg_8g_gp_lambda10',
    'cg_8g_lambda0',
    'cg_8g_early',
    'cg_8g_wclip',
    'cg_25g_gp',
  ]) {
    it(`${run} reproduces the recorded medians and mode coverage`, async () => {
      const { report, meta } = await probeFixture(run, backend);
      // The stored real and generated sets are probed as given (first 2,000 rows), so their medians
      // must match the recorded ones; interpolates are redrawn, so only the stored sets are exact.
      for (const set of ['real', 'generated'] as const) {
        const expected = meta.expected[set].grad_norm.median;
        const actual = report.probeSets[set]!.gradNorm.median;
        assert.ok(Math.abs(actual / expected - 1) < 1e-4, `${set}: ${actual} vs ${expected}`);
      }
      const modes = report.modes!;
      const recorded = meta.expected.modes_generated;
      assert.equal(modes.modesCaptured, recorded.modes_covered);
      assert.equal(modes.modeCount, recorded.n_modes);
      assert.ok(
        Math.abs(100 * modes.highQualityFraction - recorded.pct_samples_within_3std) < 1e-9,
      );
      assert.deepEqual(
        modes.perMode.map((m) => m.highQuality),
        recorded.within_3std_per_mode,
      );
      assert.deepEqual(
        modes.perMode.map((m) => m.nearest),
        recorded.nearest_mode_counts,
      );
    });
  }

  const STORED_SETS: [string, string][] = [
    ['interp_2000.npy', 'interpolates'],
    ['real_2000.npy', 'real'],
    ['gen_2000.npy', 'generated'],
    ['offmanifold_2000.npy', 'offmanifold_noise0.3'],
    ['uniform_2000.npy', 'uniform_box3'],
  ];

  for (const run of ['cg_8g_gp', 'cg_8g_lambda0', 'cg_8g_wclip']) {
    it(`${run}: the median ‖∇D‖ of every stored point set matches`, async () => {
      const dir = path.join(FIXTURES, run);
      const meta = JSON.parse(await fs.readFile(path.join(dir, 'metadata.json'), 'utf8')) as {
        expected: Record<string, { grad_norm: { median: number } }>;
      };
      const critic = await loadModelFile(path.join(dir, 'critic.onnx'), { role: 'critic' });
      try {
        for (const [file, key] of STORED_SETS) {
          const field = evaluateCritic(critic.model, await readPoints(path.join(dir, file)));
          const actual = quantile(field.norms, 0.5);
          const expected = meta.expected[key].grad_norm.median;
          assert.ok(Math.abs(actual / expected - 1) < 1e-4, `${file}: ${actual} vs ${expected}`);
        }
      } finally {
        critic.model.dispose();
      }
    });
  }
});
