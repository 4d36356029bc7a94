import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  summarizeInspectResult,
  summarizeRunManifest,
  tooLargeMessage,
} from '../../src/extension/checkpointSummary';
import { checkpointOf, resolveProbeTarget } from '../../src/extension/probeTargets';
import {
  findRunFolder,
  readRunJson,
  readRunReports,
  readSavedSeries,
} from '../../src/extension/runFiles';
import { generatorFor, isWatchedFile, watchTargetFor } from '../../src/extension/watchTargets';
import { sampleReport } from '../support/reportFixture';

const runJson = {
  format: 'gan-diagnostics-run',
  formatVersion: 1,
  status: 'completed',
  createdAt: 'c',
  updatedAt: 'u',
  config: {
    dataset: { name: '8gaussians' },
    penalty: { kind: 'gp', lambda: 10, target: 1 },
    iterations: 20,
    batchSize: 32,
    nCritic: 5,
  },
  networks: {
    critic: { inputShape: [2], hidden: [16, 16], outputSize: 1, activation: { name: 'relu' } },
    generator: { inputShape: [2], hidden: [16], outputSize: 2, activation: { name: 'relu' } },
  },
  iteration: 20,
  checkpoint: 'checkpoints/0000020',
  checkpoints: [{ iteration: 20, path: 'checkpoints/0000020' }],
  backend: 'wasm',
  history: [],
};

describe('run folders on disk', () => {
  let root: string;
  let run: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gan-ext-'));
    run = path.join(root, 'run');
    mkdirSync(path.join(run, 'checkpoints', '0000020', 'critic'), { recursive: true });
    writeFileSync(path.join(run, 'run.json'), JSON.stringify(runJson));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('readRunJson reads a manifest and rejects others', async () => {
    assert.equal((await readRunJson(run)).iteration, 20);
    writeFileSync(path.join(run, 'run.json'), '{"format":"other"}');
    await assert.rejects(
      readRunJson(run),
      /is not a GAN Diagnostics run manifest \(format 'other'\)/,
    );
    await assert.rejects(readRunJson(root), /not found: .* is not a run folder/);
  });

  it('resolveProbeTarget finds the run and the checkpoint', async () => {
    assert.deepEqual(await resolveProbeTarget(path.join(run, 'run.json')), {
      kind: 'run',
      runDir: run,
    });
    assert.deepEqual(await resolveProbeTarget(run), { kind: 'run', runDir: run });
    const model = path.join(run, 'checkpoints', '0000020', 'critic', 'model.json');
    assert.deepEqual(await resolveProbeTarget(model), {
      kind: 'run',
      runDir: run,
      checkpoint: path.join('checkpoints', '0000020'),
    });
  });

  it('resolveProbeTarget treats a model outside a run as a critic', async () => {
    const critic = path.join(root, 'critic.onnx');
    assert.deepEqual(await resolveProbeTarget(critic), { kind: 'critic', critic });
    const other = await resolveProbeTarget(path.join(root, 'notes.txt'));
    assert.equal(other.kind, 'unknown');
  });

  it('checkpointOf needs a folder below checkpoints', () => {
    assert.equal(checkpointOf(run, path.join(run, 'checkpoints')), undefined);
    assert.equal(checkpointOf(run, path.join(run, 'run.json')), undefined);
  });

  it('findRunFolder stops at the depth limit', async () => {
    const deep = path.join(run, 'checkpoints', '0000020', 'critic', 'model.json');
    assert.equal(await findRunFolder(deep), run);
    assert.equal(await findRunFolder(deep, 1), undefined);
  });

  it('readRunReports finds top-level and checkpoint reports', async () => {
    const later = sampleReport({
      source: { kind: 'run', run, checkpoint: 'checkpoints/0000020', iteration: 20 },
    });
    const earlier = sampleReport({
      source: { kind: 'run', run, checkpoint: 'checkpoints/0000010', iteration: 10 },
    });
    mkdirSync(path.join(run, 'checkpoints', '0000010'));
    mkdirSync(path.join(run, 'checkpoints', '0000030'));
    writeFileSync(path.join(run, 'checkpoints', '0000020', 'report.json'), JSON.stringify(later));
    writeFileSync(path.join(run, 'report.json'), JSON.stringify(earlier));
    writeFileSync(path.join(run, 'checkpoints', '0000030', 'report.json'), 'not json');
    const { reports, problems } = await readRunReports(run);
    assert.deepEqual(
      reports.map((r) => r.report.source.iteration),
      [10, 20],
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0], /0000030\/report\.json is not valid JSON/);
  });

  describe('readSavedSeries', () => {
    const reportAt = (iteration: number) =>
      sampleReport({
        source: {
          kind: 'run',
          run,
          checkpoint: `checkpoints/${String(iteration).padStart(7, '0')}`,
          iteration,
        },
      });
    const reportFile = (iteration: number) =>
      path.join(run, 'checkpoints', String(iteration).padStart(7, '0'), 'report.json');
    const seriesFile = () => path.join(run, 'series.json');
    const modeHopping = {
      id: 'mode-hopping',
      severity: 'warning',
      message: 'm',
      evidence: {},
      fix: 'f',
    };

    beforeEach(() => {
      for (const iteration of [10, 20, 30]) {
        mkdirSync(path.dirname(reportFile(iteration)), { recursive: true });
        writeFileSync(reportFile(iteration), JSON.stringify(reportAt(iteration)));
      }
      // Compare Checkpoints chose 10 and 20, on Windows separators.
      const points = [10, 20].map((iteration) => ({
        iteration,
        checkpoint: `checkpoints\\${String(iteration).padStart(7, '0')}`,
      }));
      writeFileSync(seriesFile(), JSON.stringify({ run, points, findings: [modeHopping] }));
      const later = new Date(Date.now() + 10_000);
      utimesSync(seriesFile(), later, later);
    });

    it('rebuilds the rows of the compared checkpoints', async () => {
      const series = await readSavedSeries(run, reportFile(20), reportAt(20));
      assert.deepEqual(
        series?.points.map((point) => point.label),
        ['iteration 10', 'iteration 20'],
      );
      assert.deepEqual(
        series?.findings.map((finding) => finding.id),
        ['mode-hopping'],
      );
    });

    it('skips a series that ends at another checkpoint', async () => {
      assert.equal(await readSavedSeries(run, reportFile(30), reportAt(30)), undefined);
      assert.equal(await readSavedSeries(run, reportFile(10), reportAt(10)), undefined);
    });

    it('skips a series older than the report', async () => {
      const earlier = new Date(Date.now() - 60_000);
      utimesSync(seriesFile(), earlier, earlier);
      assert.equal(await readSavedSeries(run, reportFile(20), reportAt(20)), undefined);
    });

    it('skips a missing or invalid series file', async () => {
      writeFileSync(seriesFile(), 'not json');
      assert.equal(await readSavedSeries(run, reportFile(20), reportAt(20)), undefined);
      rmSync(seriesFile());
      assert.equal(await readSavedSeries(run, reportFile(20), reportAt(20)), undefined);
    });
  });

  it('watchTargetFor pairs a critic with its generator and real data', async () => {
    const exports = path.join(root, 'exports', 'step_100');
    mkdirSync(exports, { recursive: true });
    const critic = path.join(exports, 'critic.onnx');
    writeFileSync(critic, '');
    const missing = await watchTargetFor(critic, root);
    assert.equal(missing.kind, 'incomplete');
    writeFileSync(path.join(exports, 'generator.onnx'), '');
    const noData = await watchTargetFor(critic, root);
    assert.equal(noData.kind, 'incomplete');
    assert.match(
      noData.kind === 'incomplete' ? noData.reason : '',
      /save the training data as real\.npy/,
    );
    writeFileSync(path.join(root, 'real.npy'), '');
    assert.deepEqual(await watchTargetFor(critic, root), {
      kind: 'files',
      critic,
      generator: path.join(exports, 'generator.onnx'),
      real: path.join(root, 'real.npy'),
    });
  });

  it('summarizeRunManifest counts the MLP parameters', () => {
    const summary = summarizeRunManifest(path.join(run, 'run.json'), 100, runJson as never);
    // critic 2·16+16 + 16·16+16 + 16·1+1 = 337; generator 2·16+16 + 16·2+2 = 82
    assert.equal(summary.parameterCount, 337 + 82);
    assert.equal(summary.architecture, 'critic 2→16→16→1 (relu); generator 2→16→2 (relu)');
    assert.equal(summary.probeable, true);
  });
});

describe('watched files', () => {
  it('isWatchedFile reacts to run.json and critic exports only', () => {
    assert.equal(isWatchedFile('/a/run.json'), true);
    assert.equal(isWatchedFile('/a/critic_0100.onnx'), true);
    assert.equal(isWatchedFile('/a/generator_0100.onnx'), false);
    assert.equal(isWatchedFile('/a/checkpoints/0001000/report.json'), false);
  });

  it('generatorFor swaps the role in the name', () => {
    assert.equal(generatorFor('/a/critic_0100.onnx'), path.join('/a', 'generator_0100.onnx'));
    assert.equal(generatorFor('/a/netCritic.onnx'), path.join('/a', 'netgenerator.onnx'));
  });
});

describe('summarizeInspectResult', () => {
  it('reads layers, counts and metadata from an ONNX summary', () => {
    const summary = summarizeInspectResult('/m.onnx', 2048, {
      format: 'onnx',
      producerName: 'pytorch',
      irVersion: 8,
      initializers: [
        { name: 'w', dtype: 'float', shape: [2, 16], parameters: 32 },
        { name: 'b', dtype: 'float', shape: [16], parameters: 16 },
      ],
      opHistogram: { Gemm: 2 },
    });
    assert.equal(summary.format, 'onnx');
    assert.equal(summary.parameterCount, 48);
    assert.deepEqual(
      summary.layers.map((l) => l.shape),
      ['2 × 16', '16'],
    );
    assert.equal(summary.metadata.producerName, 'pytorch');
    assert.equal(summary.metadata.irVersion, '8');
    assert.equal(summary.metadata.opHistogram, '{"Gemm":2}');
  });

  it('reads the layers of a worker inspect result', () => {
    const summary = summarizeInspectResult('/critic.pt', 10, {
      format: 'torch-zip',
      description: 'torch-zip model, 3 layers',
      parameters: 9,
      inputShape: [2],
      outputSize: 1,
      optimizers: [],
      layers: [
        {
          name: 'main.0',
          op: 'Linear',
          parameters: 6,
          spectralNorm: 2,
          weights: [
            {
              name: 'main.0.weight',
              shape: [2, 2],
              mean: 0,
              std: 1,
              min: -1,
              max: 1,
              nonFinite: 0,
            },
            { name: 'main.0.bias', shape: [2], mean: 0, std: 0, min: 0, max: 0, nonFinite: 0 },
          ],
        },
        { name: 'layers[1]', op: 'ReLU', parameters: 0, weights: [] },
        {
          name: 'main.2',
          op: 'Linear',
          parameters: 3,
          spectralNorm: 1.5,
          weights: [
            { name: 'main.2.weight', shape: [1, 2] },
            { name: 'main.2.bias', shape: [1] },
          ],
        },
      ],
    });
    assert.equal(summary.parameterCount, 9);
    assert.equal(summary.architecture, '[2] → Linear → ReLU → Linear → 1');
    assert.deepEqual(
      summary.layers.map((l) => [l.name, l.op, l.shape, l.parameters, l.spectralNorm]),
      [
        ['main.0.weight', 'Linear', '2 × 2', 4, 2],
        ['main.0.bias', 'Linear', '2', 2, undefined],
        ['layers[1]', 'ReLU', '–', 0, undefined],
        ['main.2.weight', 'Linear', '1 × 2', 2, 1.5],
        ['main.2.bias', 'Linear', '1', 1, undefined],
      ],
    );
    assert.equal(summary.metadata['Lipschitz upper bound (product of spectral norms)'], '3');
    assert.equal(summary.metadata.inputShape, '[2]');
    assert.equal(summary.metadata.optimizers, undefined);
  });

  it('keeps per-layer statistics', () => {
    const summary = summarizeInspectResult('/m.pt', 1, {
      format: 'torch-zip',
      parameterCount: 5,
      layers: [
        {
          name: 'fc.weight',
          shape: [5],
          stats: { mean: 0.1, std: 0.2, min: -1, max: 1, nonFinite: 0 },
        },
      ],
    });
    assert.deepEqual(summary.layers[0], {
      name: 'fc.weight',
      shape: '5',
      parameters: 5,
      mean: 0.1,
      std: 0.2,
      min: -1,
      max: 1,
      nonFinite: 0,
    });
  });

  it('tooLargeMessage names the size, the limit and the setting', () => {
    assert.equal(
      tooLargeMessage('/a/big.pt', 3 * 1024 * 1024, 1024 * 1024),
      'big.pt is 3 MB, above the limit of 1 MB set by ganDiagnostics.maxCheckpointSizeMB. Raise the setting to open it here.',
    );
  });
});
