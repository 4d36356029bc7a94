import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVscodeMock, installVscodeMock } from '../support/vscodeMock';

const root = path.join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Bundles the extension as scripts/build.mjs does, into a temporary folder. */
async function bundleExtension(outdir: string): Promise<string> {
  const outfile = path.join(outdir, 'extension.js');
  await build({
    entryPoints: [path.join(root, 'src/extension/extension.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

describe('extension activation', function () {
  this.timeout(30_000);
  let outdir: string;
  let bundle: string;

  before(async () => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'gan-activation-'));
    bundle = await bundleExtension(outdir);
  });

  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('registers every contributed command and loads no tfjs', () => {
    const mock = createVscodeMock();
    const uninstall = installVscodeMock(mock);
    const globals = globalThis as { _tfengine?: unknown };
    const engineBefore = globals._tfengine;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const extension = require(bundle) as { activate(context: unknown): void; deactivate(): void };
      const context = {
        subscriptions: [] as { dispose(): void }[],
        extensionPath: root,
        extensionUri: { fsPath: root },
      };
      extension.activate(context);

      const contributed = manifest.contributes.commands
        .map((c: { command: string }) => c.command)
        .sort();
      assert.deepEqual([...mock.commands].sort(), contributed);
      // tfjs-core creates its engine when its module is evaluated.
      assert.equal(globals._tfengine, engineBefore, 'activation evaluated tfjs-core');
      assert.deepEqual(mock.outputChannels, [], 'activation created the log channel');

      extension.deactivate();
      for (const subscription of context.subscriptions) subscription.dispose();
    } finally {
      uninstall();
    }
  });

  it('bundles no tfjs into the extension host', () => {
    const source = readFileSync(bundle, 'utf8');
    // tfjs-core keeps its engine on a global of this name; only the worker bundle may contain it.
    assert.doesNotMatch(source, /_tfengine/);
    assert.doesNotMatch(source, /registerKernel/);
  });
});

describe('package.json manifest', () => {
  it('gives every command the GAN Diagnostics category', () => {
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'GAN Diagnostics', command.command);
      assert.match(command.command, /^ganDiagnostics\.[a-z][A-Za-z]+$/);
    }
  });

  it('declares limited support for untrusted workspaces with a reason', () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.match(untrusted.description, /no jobs/i);
  });

  it('opens binary checkpoints in the checkpoint editor by default', () => {
    const editors = manifest.contributes.customEditors as {
      viewType: string;
      priority: string;
      selector: { filenamePattern: string }[];
    }[];
    const patterns = (viewType: string) =>
      editors.find((e) => e.viewType === viewType)!.selector.map((s) => s.filenamePattern);
    const binary = editors.find((e) => e.viewType === 'ganDiagnostics.checkpoint')!;
    assert.equal(binary.priority, 'default');
    assert.deepEqual(patterns('ganDiagnostics.checkpoint').sort(), [
      '*.onnx',
      '*.pt',
      '*.pth',
      '*.safetensors',
    ]);
    const json = editors.find((e) => e.viewType === 'ganDiagnostics.checkpointJson')!;
    assert.equal(json.priority, 'option');
    assert.deepEqual(patterns('ganDiagnostics.checkpointJson').sort(), [
      '**/model.json',
      '**/run.json',
    ]);
  });
});
