import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hostConfig } from './config';

describe('extension', () => {
  it('activates', async () => {
    const extension = vscode.extensions.getExtension(hostConfig().extensionId);
    assert.ok(extension, `extension ${hostConfig().extensionId} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(hostConfig().extensionId);
    assert.ok(extension, `extension ${hostConfig().extensionId} is not installed`);
    await extension.activate();
    const contributed = (
      extension.packageJSON as { contributes: { commands: { command: string }[] } }
    ).contributes.commands.map((entry) => entry.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});
