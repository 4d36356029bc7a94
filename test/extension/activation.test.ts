import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVscodeMock, installVscodeMock, type VscodeMock } from '../support/vscodeMock';
import { finding, sampleReport } from '../support/reportFixture';

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

interface ExtensionModule {
  activate(context: unknown): void;
  deactivate(): void;
}

/** Loads a fresh copy of the bundle, so that it binds to the mock installed now. */
function loadBundle(bundle: string): ExtensionModule {
  delete require.cache[require.resolve(bundle)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(bundle) as ExtensionModule;
}

/** Polls `condition` every 20 ms until it holds; fails with `description` after `timeoutMs`. */
async function until(description: string, condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const RUN_MANIFEST = {
  format: 'gan-diagnostics-run',
  status: 'completed',
  config: { iterations: 20 },
  checkpoints: [],
  history: [],
};

/** Writes a run folder with run.json, and returns the path of run.json. */
function writeRun(runDir: string): string {
  mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
  const file = path.join(runDir, 'run.json');
  writeFileSync(file, JSON.stringify(RUN_MANIFEST));
  return file;
}

/** Writes the report of a run's checkpoint at `iteration`, and returns its path. */
function writeCheckpointReport(
  runDir: string,
  iteration: number,
  findings: ReturnType<typeof finding>[],
): string {
  const checkpoint = `checkpoints/${String(iteration).padStart(7, '0')}`;
  mkdirSync(path.join(runDir, checkpoint), { recursive: true });
  const file = path.join(runDir, checkpoint, 'report.json');
  const report = sampleReport({
    findings,
    source: { kind: 'run', run: runDir, checkpoint, iteration },
  });
  writeFileSync(file, JSON.stringify(report));
  return file;
}

const codesOn = (mock: VscodeMock, file: string) =>
  mock.diagnostics.get(file)?.map((diagnostic) => diagnostic.code);

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
      const extension = loadBundle(bundle);
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

  describe('Problems after activation', () => {
    let workspace: string;
    let mock: VscodeMock;
    let uninstall: () => void;
    let extension: ExtensionModule;
    let context: {
      subscriptions: { dispose(): void }[];
      extensionPath: string;
      extensionUri: unknown;
    };

    beforeEach(() => {
      workspace = mkdtempSync(path.join(os.tmpdir(), 'gan-workspace-'));
      mock = createVscodeMock();
      uninstall = installVscodeMock(mock);
      extension = loadBundle(bundle);
      context = { subscriptions: [], extensionPath: root, extensionUri: { fsPath: root } };
    });

    afterEach(() => {
      try {
        extension.deactivate();
        for (const subscription of context.subscriptions) subscription.dispose();
      } finally {
        uninstall();
        rmSync(workspace, { recursive: true, force: true });
      }
    });

    it('publishes the latest reports of runs and critics', async () => {
      const runA = path.join(workspace, 'runs', 'a');
      const runB = path.join(workspace, 'runs', 'b');
      const runJsonA = writeRun(runA);
      const runJsonB = writeRun(runB);
      writeCheckpointReport(runA, 10, [finding('old-error', 'error')]);
      writeCheckpointReport(runA, 20, [finding('new-error', 'error'), finding('note', 'info')]);
      writeFileSync(path.join(runB, 'report.json'), '{ not json');
      const critic = path.join(workspace, 'models', 'critic.onnx');
      const criticReport = path.join(workspace, 'models', 'critic.report.json');
      mkdirSync(path.dirname(critic));
      writeFileSync(critic, 'model bytes');
      const report = sampleReport({
        findings: [finding('lipschitz-violated', 'error')],
        source: { kind: 'files', critic },
      });
      writeFileSync(criticReport, JSON.stringify(report));
      mock.files.push(runJsonA, runJsonB, critic, criticReport);

      const globals = globalThis as { _tfengine?: unknown };
      const engineBefore = globals._tfengine;
      extension.activate(context);
      assert.equal(mock.diagnostics.size, 0, 'activation published findings synchronously');
      await until('findings on run a', () => mock.diagnostics.has(runJsonA));
      await until('findings on the critic', () => mock.diagnostics.has(critic));

      assert.deepEqual(codesOn(mock, runJsonA), ['new-error']);
      assert.equal(mock.diagnostics.get(runJsonA)?.[0]?.source, 'GAN Diagnostics');
      assert.equal(mock.diagnostics.has(runJsonB), false, 'run b has no readable report');
      assert.deepEqual(codesOn(mock, critic), ['lipschitz-violated']);
      assert.equal(mock.diagnostics.size, 2);
      assert.equal(globals._tfengine, engineBefore, 'the scan evaluated tfjs-core');
      const skipped = mock.logLines.filter((line) => line.includes('skipped a report'));
      assert.equal(skipped.length, 1, mock.logLines.join('\n'));
      assert.match(skipped[0], /^\[warn\] skipped a report: .*report\.json is not valid JSON/);
    });

    it('follows report changes and logs a bad report once', async function () {
      // Each file event waits for the runs tree's 1 s quiet time before the rescan.
      this.timeout(20_000);
      const run = path.join(workspace, 'runs', 'a');
      const runJson = writeRun(run);
      writeCheckpointReport(run, 10, [finding('first', 'warning')]);
      writeFileSync(path.join(run, 'report.json'), '{ not json');
      mock.files.push(runJson);
      extension.activate(context);
      await until('the first findings', () => codesOn(mock, runJson)?.[0] === 'first');

      const watcher = mock.watchers.find((entry) => String(entry.pattern).includes('report.json'));
      assert.ok(watcher, 'no file watcher for report.json');
      const created = writeCheckpointReport(run, 20, [finding('second', 'error')]);
      watcher.fire('create', created);
      await until('the new report', () => codesOn(mock, runJson)?.[0] === 'second', 10_000);

      rmSync(path.join(run, 'checkpoints'), { recursive: true });
      watcher.fire('delete', created);
      await until('the cleared findings', () => !mock.diagnostics.has(runJson), 10_000);

      const skipped = mock.logLines.filter((line) => line.includes('skipped a report'));
      assert.equal(skipped.length, 1, 'the unreadable report was logged more than once');
    });

    it('applies the minimum severity setting', async () => {
      const run = path.join(workspace, 'run');
      const runJson = writeRun(run);
      writeCheckpointReport(run, 10, [
        finding('e', 'error'),
        finding('w', 'warning'),
        finding('i', 'info'),
      ]);
      mock.files.push(runJson);
      mock.configuration['problems.minimumSeverity'] = 'info';
      extension.activate(context);
      await until('findings on run.json', () => mock.diagnostics.has(runJson));
      assert.deepEqual(codesOn(mock, runJson), ['e', 'w', 'i']);
    });
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
