import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { hostConfig } from './config';
import { findTab, waitFor } from './helpers';

const CHECKPOINT_VIEW_TYPE = 'ganDiagnostics.checkpoint';

describe('checkpoint editor', () => {
  it('opens a fixture critic.onnx', async () => {
    const file = vscode.Uri.file(path.join(hostConfig().workspace, 'cg_8g_gp', 'critic.onnx'));
    await vscode.commands.executeCommand('vscode.openWith', file, CHECKPOINT_VIEW_TYPE);
    // The tab model reaches the extension host asynchronously, so poll for the tab.
    const tab = await waitFor(
      `a ${CHECKPOINT_VIEW_TYPE} tab for ${file.fsPath}`,
      () =>
        findTab(
          (input) =>
            input instanceof vscode.TabInputCustom &&
            input.viewType === CHECKPOINT_VIEW_TYPE &&
            input.uri.fsPath === file.fsPath,
        ),
      10_000,
    );
    assert.equal(tab.label, 'critic.onnx');
  });
});
