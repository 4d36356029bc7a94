import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '../../src/protocol/report';
import { ProblemsModel, type Problem, type ProblemSink } from '../../src/extension/problems';
import {
  readCriticReport,
  scanRunFolder,
  type CriticReport,
  type RunFolderScan,
  type RunReport,
  type WorkspaceScan,
} from '../../src/extension/runFiles';
import { finding, sampleReport } from '../support/reportFixture';

/** A sink that keeps what is shown per file and counts the calls. */
class RecordingSink implements ProblemSink {
  readonly problemsByFile = new Map<string, Problem[]>();
  sets = 0;
  deletes = 0;

  set(file: string, problems: Problem[]): void {
    this.sets++;
    this.problemsByFile.set(file, problems);
  }

  delete(file: string): void {
    this.deletes++;
    this.problemsByFile.delete(file);
  }

  codes(file: string): string[] | undefined {
    return this.problemsByFile.get(file)?.map((problem) => problem.code);
  }
}

function runReport(runDir: string, iteration: number, findings: Finding[]): RunReport {
  const checkpoint = `checkpoints/${String(iteration).padStart(7, '0')}`;
  return {
    file: path.join(runDir, checkpoint, 'report.json'),
    report: sampleReport({
      findings,
      source: { kind: 'run', run: runDir, checkpoint, iteration },
    }),
  };
}

function scan(runDir: string, reports: RunReport[]): RunFolderScan {
  const manifest = {} as NonNullable<RunFolderScan['manifest']>;
  return { runDir, manifest, reports, problems: [] };
}

function workspaceScan(runs: RunFolderScan[], criticReports: CriticReport[] = []): WorkspaceScan {
  return { runs, criticReports };
}

function criticReport(critic: string, findings: Finding[]): CriticReport {
  const file = critic.replace(/\.onnx$/, '.report.json');
  return { critic, file, report: sampleReport({ findings, source: { kind: 'files', critic } }) };
}

const runA = path.join('/work', 'runs', 'a');
const runB = path.join('/work', 'runs', 'b');
const runJsonA = path.join(runA, 'run.json');
const runJsonB = path.join(runB, 'run.json');

describe('ProblemsModel', () => {
  it('shows the latest report of each run on run.json', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    model.showScan(
      workspaceScan([
        scan(runA, [
          runReport(runA, 10, [finding('old-error', 'error')]),
          runReport(runA, 20, [finding('new-error', 'error'), finding('new-warning', 'warning')]),
        ]),
        scan(runB, [runReport(runB, 5, [finding('b-warning', 'warning')])]),
      ]),
    );
    assert.deepEqual(sink.codes(runJsonA), ['new-error', 'new-warning']);
    assert.deepEqual(sink.codes(runJsonB), ['b-warning']);
    assert.equal(sink.problemsByFile.size, 2);
  });

  it('applies the minimum severity to scanned runs', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'error');
    const findings = [finding('e', 'error'), finding('w', 'warning'), finding('i', 'info')];
    model.showScan(workspaceScan([scan(runA, [runReport(runA, 10, findings)])]));
    assert.deepEqual(sink.codes(runJsonA), ['e']);
  });

  it('shows a run without findings as empty', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    model.showScan(workspaceScan([scan(runA, [runReport(runA, 10, [])])]));
    assert.deepEqual(sink.codes(runJsonA), []);
  });

  it('skips runs without a readable report or manifest', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const rejected: RunFolderScan = {
      runDir: runB,
      error: 'run.json is not valid JSON',
      reports: [],
      problems: [],
    };
    model.showScan(workspaceScan([scan(runA, []), rejected]));
    assert.equal(sink.problemsByFile.size, 0);
    assert.equal(sink.sets, 0);
  });

  it('clears run.json files that the next scan drops', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const reportA = runReport(runA, 10, [finding('a', 'error')]);
    const reportB = runReport(runB, 10, [finding('b', 'error')]);
    model.showScan(workspaceScan([scan(runA, [reportA]), scan(runB, [reportB])]));

    // Run a lost its reports and run b is gone.
    model.showScan(workspaceScan([scan(runA, [])]));
    assert.equal(sink.problemsByFile.has(runJsonA), false, 'run a without reports');
    assert.equal(sink.problemsByFile.has(runJsonB), false, 'run b no longer scanned');
    assert.equal(sink.deletes, 2);

    // A later scan that finds a report again shows it again.
    model.showScan(workspaceScan([scan(runA, [reportA])]));
    assert.deepEqual(sink.codes(runJsonA), ['a']);
  });

  it('keeps files shown by a probe that scans do not list', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const critic = path.join('/work', 'models', 'critic.onnx');
    const outside = path.join('/elsewhere', 'run', 'run.json');
    model.show(critic, [finding('lipschitz-violated', 'error')]);
    model.show(outside, [finding('outside', 'warning')]);
    model.showScan(workspaceScan([scan(runA, [runReport(runA, 10, [finding('a', 'error')])])]));
    model.showScan(workspaceScan([]));
    assert.deepEqual(sink.codes(critic), ['lipschitz-violated']);
    assert.deepEqual(sink.codes(outside), ['outside']);
    assert.equal(sink.problemsByFile.has(runJsonA), false);
  });

  it('replaces a probed report with the latest one at the next scan', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const older = runReport(runA, 10, [finding('older', 'error')]);
    const latest = runReport(runA, 20, [finding('latest', 'warning')]);
    model.showScan(workspaceScan([scan(runA, [older, latest])]));
    // A probe of the older checkpoint shows its findings until the scan that follows it.
    model.show(runJsonA, older.report.findings);
    assert.deepEqual(sink.codes(runJsonA), ['older']);
    model.showScan(workspaceScan([scan(runA, [older, latest])]));
    assert.deepEqual(sink.codes(runJsonA), ['latest']);
  });

  it('shows critic reports on their critic files', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const critic = path.join('/work', 'models', 'critic.onnx');
    const other = path.join('/work', 'models', 'other.onnx');
    model.showScan(
      workspaceScan(
        [],
        [
          criticReport(critic, [finding('lipschitz-violated', 'error')]),
          criticReport(other, [finding('note', 'info')]),
        ],
      ),
    );
    assert.deepEqual(sink.codes(critic), ['lipschitz-violated']);
    assert.deepEqual(sink.codes(other), []);

    model.showScan(workspaceScan([], [criticReport(other, [finding('note', 'info')])]));
    assert.equal(sink.problemsByFile.has(critic), false, 'the critic whose report is gone');
    assert.deepEqual(sink.codes(other), []);
  });

  it('shows every file again at a new minimum', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const critic = path.join('/work', 'critic.onnx');
    const findings = [finding('e', 'error'), finding('w', 'warning'), finding('i', 'info')];
    model.show(critic, findings);
    model.showScan(workspaceScan([scan(runA, [runReport(runA, 10, findings)])]));
    assert.deepEqual(sink.codes(critic), ['e', 'w']);

    model.setMinimum('info');
    assert.deepEqual(sink.codes(critic), ['e', 'w', 'i']);
    assert.deepEqual(sink.codes(runJsonA), ['e', 'w', 'i']);

    model.setMinimum('error');
    assert.deepEqual(sink.codes(critic), ['e']);
    assert.deepEqual(sink.codes(runJsonA), ['e']);
  });

  it('ignores an unchanged minimum', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    model.show(path.join('/work', 'critic.onnx'), [finding('e', 'error')]);
    const sets = sink.sets;
    model.setMinimum('warning');
    assert.equal(sink.sets, sets);
  });

  it('forgets cleared files at a new minimum', () => {
    const sink = new RecordingSink();
    const model = new ProblemsModel(sink, 'warning');
    const critic = path.join('/work', 'critic.onnx');
    model.show(critic, [finding('e', 'error')]);
    model.clear(critic);
    model.setMinimum('info');
    assert.equal(sink.problemsByFile.has(critic), false);
  });
});

describe('scanRunFolder', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gan-scan-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const manifest = {
    format: 'gan-diagnostics-run',
    status: 'completed',
    config: { iterations: 20 },
    history: [],
  };

  it('reads the manifest and the reports', async () => {
    const run = path.join(root, 'run');
    mkdirSync(path.join(run, 'checkpoints', '0000020'), { recursive: true });
    writeFileSync(path.join(run, 'run.json'), JSON.stringify(manifest));
    const report = sampleReport({
      source: { kind: 'run', run, checkpoint: 'checkpoints/0000020', iteration: 20 },
    });
    writeFileSync(path.join(run, 'checkpoints', '0000020', 'report.json'), JSON.stringify(report));
    writeFileSync(path.join(run, 'report.json'), '{');

    const result = await scanRunFolder(run);
    assert.equal(result.error, undefined);
    assert.equal(result.manifest?.status, 'completed');
    assert.deepEqual(
      result.reports.map((entry) => entry.report.source.iteration),
      [20],
    );
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0], /report\.json is not valid JSON/);
  });

  it('returns a rejected run.json as an error', async () => {
    const run = path.join(root, 'other');
    mkdirSync(run);
    writeFileSync(path.join(run, 'run.json'), '{"format":"other"}');
    writeFileSync(path.join(run, 'report.json'), JSON.stringify(sampleReport()));

    const result = await scanRunFolder(run);
    assert.equal(result.manifest, undefined);
    assert.match(result.error ?? '', /not a GAN Diagnostics run manifest/);
    assert.deepEqual(result.reports, [], 'reports of a rejected run folder');
    assert.deepEqual(result.problems, []);
  });

  it('returns a missing run.json as an error', async () => {
    const result = await scanRunFolder(path.join(root, 'missing'));
    assert.match(result.error ?? '', /not found/);
  });
});

describe('readCriticReport', () => {
  let root: string;
  let critic: string;
  let reportFile: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gan-critic-'));
    critic = path.join(root, 'critic.onnx');
    reportFile = path.join(root, 'critic.report.json');
    writeFileSync(critic, 'model bytes');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const writeReport = (file: string, source: Record<string, unknown>) =>
    writeFileSync(
      file,
      JSON.stringify(sampleReport({ source: source as never, findings: [finding('e', 'error')] })),
    );

  it('returns the critic beside its report', async () => {
    writeReport(reportFile, { kind: 'files', critic });
    const entry = await readCriticReport(reportFile);
    assert.equal(entry?.critic, critic);
    assert.equal(entry?.file, reportFile);
    assert.deepEqual(
      entry?.report.findings.map((item) => item.id),
      ['e'],
    );
  });

  it('skips reports that belong elsewhere', async () => {
    const copy = path.join(root, 'copy.report.json');
    writeReport(copy, { kind: 'files', critic });
    assert.equal(await readCriticReport(copy), undefined, 'a report copied to another name');

    writeReport(reportFile, { kind: 'run', run: root, checkpoint: 'checkpoints/0000010' });
    assert.equal(await readCriticReport(reportFile), undefined, 'a report of a run');

    writeReport(reportFile, { kind: 'files', critic });
    rmSync(critic);
    assert.equal(await readCriticReport(reportFile), undefined, 'a report of a deleted critic');

    assert.equal(await readCriticReport(path.join(root, 'missing.report.json')), undefined);
  });

  it('rejects an unreadable report with its file name', async () => {
    writeFileSync(reportFile, '[]');
    await assert.rejects(
      readCriticReport(reportFile),
      /critic\.report\.json is not a GAN Diagnostics report/,
    );
  });
});
