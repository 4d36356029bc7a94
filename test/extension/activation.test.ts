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

  it('puts the runner and presets behind dynamic imports', () => {
    const source = readFileSync(bundle, 'utf8');
    // esbuild wraps modules reached only through import() in lazy initialisers.
    assert.match(source, /init_runner|runner_exports/);
    assert.match(source, /init_config|config_exports/);
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

  it('offers the checkpoint editor as an option for model files', () => {
    const [editor] = manifest.contributes.customEditors;
    assert.equal(editor.viewType, 'ganDiagnostics.checkpoint');
    assert.equal(editor.priority, 'option');
    const patterns = editor.selector.map((s: { filenamePattern: string }) => s.filenamePattern);
    for (const pattern of [
      '*.pt',
      '*.pth',
      '*.onnx',
      '*.safetensors',
      '**/model.json',
      '**/run.json',
    ]) {
      assert.ok(patterns.includes(pattern), pattern);
    }
  });
});
