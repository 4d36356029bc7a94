import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { hostConfig } from './config';
import { readJsonIfPresent, startCommand, waitFor } from './helpers';

describe('extension host during training', () => {
  it('answers other commands while a job runs', async () => {
    const runDir = path.join(hostConfig().workspace, 'runs', 'host-responsive');
    const command = startCommand('ganDiagnostics.train', {
      dataset: '8gaussians',
      preset: 'small',
      runDir,
      iterations: 100_000,
    });
    // The worker creates the run folder when training starts.
    await waitFor(
      'the long run to start',
      () => existsSync(runDir) || command.error !== undefined,
      60_000,
    );
    assert.equal(command.error, undefined);
    // Each round trip through the extension host must finish while training keeps the workers busy.
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const commands = await vscode.commands.getCommands(true);
      await vscode.commands.executeCommand('ganDiagnostics.showLog');
      assert.ok(commands.includes('ganDiagnostics.cancelJob'));
      assert.ok(
        Date.now() - started < 2_000,
        `a command round trip took ${Date.now() - started} ms`,
      );
    }
    await vscode.commands.executeCommand('ganDiagnostics.cancelJob');
    const manifest = await waitFor(
      'run.json with status cancelled',
      async () => {
        const parsed = await readJsonIfPresent<{ status: string }>(path.join(runDir, 'run.json'));
        return parsed?.status === 'cancelled' ? parsed : undefined;
      },
      60_000,
    );
    assert.equal(manifest.status, 'cancelled');
  });
});
