import assert from 'node:assert/strict';
import path from 'node:path';
import { hostConfig } from './config';
import { closeQuickInput, readJsonIfPresent, startCommand, waitFor } from './helpers';

interface ReportJson {
  findings: { id: string; severity: string }[];
}

/** How long a probe of a 2,000-point fixture may take before the test gives up. */
const PROBE_TIMEOUT_MS = 120_000;

describe('probe command', () => {
  it('finds lipschitz-violated on cg_8g_lambda0', async () => {
    const folder = path.join(hostConfig().workspace, 'cg_8g_lambda0');
    const critic = path.join(folder, 'critic.onnx');
    // The extension writes the report of a critic file beside it, as <name>.report.json.
    const reportFile = path.join(folder, 'critic.report.json');
    const command = startCommand('ganDiagnostics.probe', {
      kind: 'files',
      critic,
      fake: path.join(folder, 'gen_2000.npy'),
      real: path.join(folder, 'real_2000.npy'),
    });
    let report: ReportJson;
    try {
      report = await waitFor(
        reportFile,
        () => {
          if (command.error) throw command.error;
          return readJsonIfPresent<ReportJson>(reportFile);
        },
        PROBE_TIMEOUT_MS,
      );
    } catch (error) {
      // A command that ignores its arguments opens a quick pick for the samples, so close it.
      await closeQuickInput();
      throw new Error(
        `ganDiagnostics.probe({ critic, fake, real }) wrote no ${path.basename(reportFile)}; ` +
          `the command may not accept scripting arguments (${(error as Error).message})`,
        { cause: error },
      );
    }
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    assert.ok(
      errors.some((finding) => finding.id === 'lipschitz-violated'),
      `error findings: ${errors.map((finding) => finding.id).join(', ') || 'none'}`,
    );
  });
});
