import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { hostConfig } from './config';
import { closeQuickInput, readJsonIfPresent, startCommand, waitFor } from './helpers';

interface RunJson {
  status: string;
  iteration: number;
  checkpoint: string;
  config: { iterations: number };
}

interface ReportJson {
  findings: { id: string; severity: string }[];
  probeSets: Record<string, { gradNorm: { median: number } } | undefined>;
}

/** How long the train command may take to write run.json before the test gives up. */
const RUN_JSON_TIMEOUT_MS = 60_000;

describe('train command', () => {
  const runDir = () => path.join(hostConfig().workspace, 'runs', 'host-tiny');

  it('trains the tiny preset into a run folder', async () => {
    const command = startCommand('ganDiagnostics.train', {
      dataset: '8gaussians',
      preset: 'tiny',
      runDir: runDir(),
    });
    const runJson = path.join(runDir(), 'run.json');
    try {
      await waitFor(`${runJson}`, () => existsSync(runJson), RUN_JSON_TIMEOUT_MS);
    } catch (error) {
      // A command that ignores its arguments opens its quick picks instead: close them.
      await closeQuickInput();
      throw new Error(
        `ganDiagnostics.train({ dataset, preset, runDir }) wrote no run.json within ` +
          `${RUN_JSON_TIMEOUT_MS / 1000} s; the command may not accept scripting arguments ` +
          `(${(error as Error).message})`,
        { cause: error },
      );
    }
    const manifest = await waitFor(
      'run.json with status completed',
      async () => {
        if (command.error) throw command.error;
        const current = await readJsonIfPresent<RunJson>(runJson);
        if (current && current.status !== 'running' && current.status !== 'completed') {
          throw new Error(`run.json has status ${current.status}`);
        }
        return current?.status === 'completed' ? current : undefined;
      },
      120_000,
    );
    assert.equal(manifest.iteration, manifest.config.iterations);
    assert.ok(manifest.checkpoint, 'run.json names no checkpoint');
    assert.ok(
      existsSync(path.join(runDir(), manifest.checkpoint)),
      `checkpoint folder ${manifest.checkpoint} is missing`,
    );
  });

  it('probes the run into a report', async () => {
    const manifest = await readJsonIfPresent<RunJson>(path.join(runDir(), 'run.json'));
    assert.ok(manifest, 'no run.json: the training test failed');
    await vscode.commands.executeCommand('ganDiagnostics.probe', vscode.Uri.file(runDir()));
    // The extension writes a run's report into the checkpoint folder, as the CLI's series probe does.
    const reportFile = path.join(runDir(), manifest.checkpoint, 'report.json');
    const report = await waitFor(
      reportFile,
      () => readJsonIfPresent<ReportJson>(reportFile),
      10_000,
    );
    assert.ok(Array.isArray(report.findings), 'report has no findings list');
    const interpolates = report.probeSets.interpolates?.gradNorm.median;
    assert.ok(
      typeof interpolates === 'number' && Number.isFinite(interpolates),
      `median gradient norm at interpolates is ${interpolates}`,
    );
  });
});
