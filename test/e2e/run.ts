/**
 * End-to-end test of the packaged extension in a real VS Code (code-server) driven by headless
 * Chromium: mocha tests inside the extension host, then the UI through the command palette,
 * webviews and the explorer. Run it with `npm run test:e2e`; options:
 *   --keep       keep the temporary run folder (code-server state, workspaces) afterwards
 *   --only=host  run only the extension-host tests; --only=ui runs only the UI checks
 * It prints "N passed, N failed" last and exits 1 when any check failed.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { Artifacts } from './lib/artifacts';
import { ConsoleLog, launchChromium } from './lib/browser';
import { Checks } from './lib/checks';
import { CodeServer, codeServerFolders, freePort, installExtension } from './lib/codeServer';
import { runHostTests } from './lib/hostTests';
import { PROJECT_ROOT, RESULTS_DIR } from './lib/paths';
import { buildAndPackage, ensureCodeServer, ensureDebianPackages } from './lib/setup';
import { runUiChecks } from './lib/uiChecks';
import { createWorkspace, writeUserSettings } from './lib/workspace';

interface Options {
  keep: boolean;
  host: boolean;
  ui: boolean;
}

function parseOptions(argv: string[]): Options {
  const options = { keep: false, host: true, ui: true };
  for (const argument of argv) {
    if (argument === '--keep') options.keep = true;
    else if (argument === '--only=host') options.ui = false;
    else if (argument === '--only=ui') options.host = false;
    else throw new Error(`Unknown option ${argument}; expected --keep, --only=host or --only=ui.`);
  }
  return options;
}

const started = Date.now();
function log(line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[${seconds} s] ${line}`);
}

async function extensionId(): Promise<string> {
  const manifest = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  return `${manifest.publisher}.${manifest.name}`;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const checks = new Checks(RESULTS_DIR);
  await fs.rm(RESULTS_DIR, { recursive: true, force: true });
  await fs.mkdir(RESULTS_DIR, { recursive: true });

  const setupOk = await checks.run('setup: Debian packages and code-server', async () => {
    await ensureDebianPackages(log);
    await ensureCodeServer(log);
  });
  let vsix = '';
  const packageOk =
    setupOk &&
    (await checks.run('setup: build and package the .vsix', async () => {
      vsix = await buildAndPackage(log);
      log(`packaged ${path.relative(PROJECT_ROOT, vsix)}`);
    }));
  if (!packageOk) return finish(checks);

  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gan-e2e-'));
  log(`run folder ${runDir}`);
  const folders = await codeServerFolders(path.join(runDir, 'code-server'));
  const consoleLog = new ConsoleLog();
  const artifacts = new Artifacts(RESULTS_DIR, folders.userDataDir, consoleLog);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    const id = await extensionId();
    await writeUserSettings(folders.userDataDir);
    const extensionDir = await installExtension(folders, vsix, id);
    log(`installed ${path.basename(extensionDir)}`);
    // Each part gets its own workspace, so that the editors one leaves open and the runs it
    // trains do not show up in the other.
    const hostWorkspace = await createWorkspace(path.join(runDir, 'workspace-host'));
    const uiWorkspace = await createWorkspace(path.join(runDir, 'workspace-ui'));

    const startedServer = await CodeServer.start(folders, await freePort());
    server = startedServer;
    log(`code-server ${startedServer.url} (pid ${startedServer.pid})`);
    const startedBrowser = await launchChromium();
    browser = startedBrowser;

    if (options.host) {
      log('extension-host tests');
      await checks.runGroup(
        'host: extension-host tests',
        () =>
          runHostTests({
            server: startedServer,
            browser: startedBrowser,
            consoleLog,
            artifacts,
            checks,
            runDir,
            workspace: hostWorkspace,
            extensionDir,
            extensionId: id,
          }),
        (slug) => artifacts.saveFailure(slug, undefined),
      );
    }
    if (options.ui) {
      log('UI checks');
      await checks.runGroup(
        'ui: checks',
        () =>
          runUiChecks({
            server: startedServer,
            browser: startedBrowser,
            consoleLog,
            artifacts,
            checks,
            workspace: uiWorkspace,
          }),
        (slug) => artifacts.saveFailure(slug, undefined),
      );
    }
  } finally {
    await artifacts.saveConsole().catch(() => undefined);
    if (checks.failed > 0)
      await artifacts.copyLogs(path.join(RESULTS_DIR, 'logs')).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    log('code-server stopped');
    if (options.keep) log(`kept ${runDir}`);
    else await fs.rm(runDir, { recursive: true, force: true });
  }
  return finish(checks);
}

async function finish(checks: Checks): Promise<number> {
  await checks.writeSummary();
  log(`screenshots and logs in ${path.relative(PROJECT_ROOT, RESULTS_DIR)}/`);
  console.log(`${checks.passed} passed, ${checks.failed} failed`);
  return checks.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
