import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy } from '../../src/core/formats/npy';
import type { ProbeReport } from '../../src/protocol/report';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'wgan-gp-toy');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], backend = 'wasm'): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, GAN_DIAGNOSTICS_BACKEND: backend },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('gan-diagnostics CLI', function () {
  this.timeout(240_000);
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-diagnostics-cli-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('prints help and exits 0', async () => {
    const run = await cli(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /gan-diagnostics train/);
    const probeHelp = await cli(['probe', '--help']);
    assert.equal(probeHelp.code, 0);
    assert.match(probeHelp.stdout, /--critic FILE/);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const run = await cli(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Unknown command 'frobnicate'/);
    assert.match(run.stderr, /compare/);
  });

  it('rejects an invalid flag value with exit code 2', async () => {
    const run = await cli(['train', '--iterations', 'many', '--out', path.join(tmp, 'never')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--iterations 'many'/);
    await assert.rejects(fs.stat(path.join(tmp, 'never')));
  });

  it('rejects settings given with --resume', async () => {
    const run = await cli(['train', '--resume', path.join(tmp, 'any-run'), '--lr', '0.1']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--resume keeps the settings in run\.json, so --lr cannot be applied/);
  });

  it('fails on a missing run folder with a one-line reason', async () => {
    const missing = path.join(tmp, 'no-such-run');
    const run = await cli(['probe', missing]);
    assert.equal(run.code, 1);
    const reason = run.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('gan-diagnostics:'));
    assert.equal(reason.length, 1);
    assert.ok(reason[0].includes(missing), reason[0]);
    await assert.rejects(fs.stat(missing));
  });

  it('trains, checkpoints and probes a run end to end', async () => {
    const runDir = path.join(tmp, 'run');
    const train = await cli(
      ['train', '--preset', 'tiny', '--iterations', '12', '--out', runDir, '--json'],
      'auto',
    );
    assert.equal(train.code, 0, train.stderr);
    const result = JSON.parse(train.stdout) as { status: string; iteration: number };
    assert.equal(result.status, 'completed');
    assert.equal(result.iteration, 12);
    // Every backend tried before the one in use is logged with its reason.
    const chosen = /backend: (node-gpu|node|wasm|cpu) /.exec(train.stderr)?.[1];
    assert.ok(chosen, train.stderr);
    const order = ['node-gpu', 'node', 'wasm', 'cpu'];
    for (const skipped of order.slice(0, order.indexOf(chosen))) {
      assert.match(train.stderr, new RegExp(`backend ${skipped} skipped: \\S`));
    }

    const probe = await cli(['probe', runDir, '--count', '300', '--json']);
    assert.equal(probe.code, 0, probe.stderr);
    const report = JSON.parse(probe.stdout) as ProbeReport;
    assert.equal(report.schemaVersion, 1);
    for (const set of ['interpolates', 'real', 'generated', 'offManifold'] as const) {
      const stats = report.probeSets[set]!.gradNorm;
      for (const key of ['median', 'p05', 'p25', 'p75', 'p95', 'max'] as const)
        assert.ok(Number.isFinite(stats[key]), `${set}.${key}`);
      assert.ok(
        stats.p05 <= stats.p25 &&
          stats.p25 <= stats.median &&
          stats.median <= stats.p75 &&
          stats.p75 <= stats.p95 &&
          stats.p95 <= stats.max,
      );
      assert.equal(stats.count, 300);
    }
    assert.equal(report.modes?.modeCount, 8);
    assert.ok(Array.isArray(report.findings));
    for (const finding of report.findings) {
      assert.ok(finding.id, 'finding without an id');
      assert.ok(finding.message, `${finding.id}: no message`);
      assert.ok(finding.evidence, `${finding.id}: no evidence`);
      assert.ok(finding.fix, `${finding.id}: no fix`);
      assert.ok(['error', 'warning', 'info'].includes(finding.severity));
    }
    const written = JSON.parse(
      await fs.readFile(path.join(runDir, 'report.json'), 'utf8'),
    ) as ProbeReport;
    assert.deepEqual(written.probeSets.real?.gradNorm, report.probeSets.real?.gradNorm);
  });

  it('starts each embedded backend from the bundle', async () => {
    for (const backend of ['wasm', 'cpu']) {
      const runDir = path.join(tmp, `backend-${backend}`);
      const run = await cli(
        ['train', '--preset', 'tiny', '--iterations', '2', '--workers', '1', '--out', runDir],
        backend,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, new RegExp(`backend: ${backend} `));
    }
  });

  it('probes a PyTorch checkpoint with real data files', async () => {
    const dir = path.join(FIXTURES, 'cg_8g_lambda0');
    const out = path.join(tmp, 'lambda0.json');
    const run = await cli([
      'probe',
      '--critic',
      path.join(dir, 'critic.pt'),
      '--fake',
      path.join(dir, 'gen_2000.npy'),
      '--real',
      path.join(dir, 'real_2000.npy'),
      '--json',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(await fs.readFile(out, 'utf8')) as ProbeReport;
    assert.ok(report.findings.some((f) => f.id === 'lipschitz-violated'));
  });

  it('rejects NaN data with a clear error and writes nothing', async () => {
    const dir = path.join(FIXTURES, 'cg_8g_gp');
    const values = new Float32Array(200).fill(0.5);
    values[37] = Number.NaN;
    const bad = path.join(tmp, 'nan.npy');
    await fs.writeFile(bad, encodeNpy(values, [100, 2]));
    const out = path.join(tmp, 'nan-report.json');
    const before = await listTree(tmp);
    const run = await cli([
      'probe',
      '--critic',
      path.join(dir, 'critic.pt'),
      '--fake',
      path.join(dir, 'gen_2000.npy'),
      '--real',
      bad,
      '--out',
      out,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /non-finite value \(NaN\) at row 18, column 1/);
    assert.deepEqual(await listTree(tmp), before);
  });

  it('rejects a critic with NaN weights by name', async () => {
    const dir = path.join(FIXTURES, 'cg_8g_gp');
    const bytes = await fs.readFile(path.join(dir, 'critic.safetensors'));
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      { data_offsets: [number, number] }
    >;
    bytes.writeFloatLE(Number.NaN, 8 + headerLength + header['main.2.weight'].data_offsets[0]);
    const bad = path.join(tmp, 'nan-critic.safetensors');
    await fs.writeFile(bad, bytes);
    const out = path.join(tmp, 'nan-critic-report.json');
    const before = await listTree(tmp);
    const run = await cli([
      'probe',
      '--critic',
      bad,
      '--fake',
      path.join(dir, 'gen_2000.npy'),
      '--real',
      path.join(dir, 'real_2000.npy'),
      '--out',
      out,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /gradient is NaN or infinite at every probe point/);
    assert.match(run.stderr, /main\.2\.weight/);
    assert.deepEqual(await listTree(tmp), before);
  });

  it('rejects data or a critic that do not fit', async () => {
    const dir = path.join(FIXTURES, 'cg_8g_gp');
    const threeColumns = path.join(tmp, 'three-columns.npy');
    await fs.writeFile(threeColumns, encodeNpy(new Float32Array(300).fill(0.5), [100, 3]));
    const wideData = await cli([
      'probe',
      '--critic',
      path.join(dir, 'critic.pt'),
      '--fake',
      threeColumns,
      '--real',
      threeColumns,
      '--out',
      path.join(tmp, 'never.json'),
    ]);
    assert.equal(wideData.code, 1);
    assert.match(
      wideData.stderr,
      /critic takes samples of shape \[2\] \(2 features\) but the data have 3/,
    );

    const generatorAsCritic = await cli([
      'probe',
      '--critic',
      path.join(dir, 'generator.pt'),
      '--fake',
      path.join(dir, 'gen_2000.npy'),
      '--real',
      path.join(dir, 'real_2000.npy'),
      '--out',
      path.join(tmp, 'never.json'),
    ]);
    assert.equal(generatorAsCritic.code, 1);
    assert.match(generatorAsCritic.stderr, /critic returns 2 values per sample, not 1/);
    await assert.rejects(fs.access(path.join(tmp, 'never.json')));
  });

  it('quits at once on a second interrupt', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'train', '--preset', 'small', '--iterations', '1000', '--out', path.join(tmp, 'twice')],
      { env: { ...process.env, GAN_DIAGNOSTICS_BACKEND: 'wasm' } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const stderrMatches = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (pattern.test(stderr)) resolve();
        };
        child.stderr.on('data', check);
        check();
      });
    await stderrMatches(/iteration 0 of 1000/);
    child.kill('SIGINT');
    // A second signal sent before the first is handled would merge with it.
    await stderrMatches(/interrupted: /);
    child.kill('SIGINT');
    assert.equal(await closed, 130);
    assert.match(stderr, /interrupted: stopping at the next iteration/);
    assert.match(stderr, /interrupted again: quitting without waiting for the job/);
  });

  it('inspects a checkpoint without running it', async () => {
    const run = await cli(['inspect', path.join(FIXTURES, 'cg_8g_gp', 'critic.pt'), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as {
      parameters: number;
      layers: { kind: string; spectralNorm?: number }[];
    };
    // Linear(2,256) + Linear(256,256) ×2 + Linear(256,1): weights plus biases.
    assert.equal(summary.parameters, 2 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1);
    assert.ok(
      summary.layers.filter((l) => l.kind === 'dense').every((l) => (l.spectralNorm ?? 0) > 0),
    );
  });
});
