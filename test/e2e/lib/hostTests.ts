import { readdirSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { Browser } from 'playwright-core';
import type { HostTestConfig, HostTestResult } from '../host/config';
import type { Artifacts } from './artifacts';
import { newWorkbenchPage, remoteUri, workbenchUrl, type ConsoleLog } from './browser';
import type { Checks } from './checks';
import type { CodeServer } from './codeServer';
import { PROJECT_ROOT } from './paths';

export interface HostTestOptions {
  server: CodeServer;
  browser: Browser;
  consoleLog: ConsoleLog;
  artifacts: Artifacts;
  checks: Checks;
  /** Folder of the run, under which the runner bundle is written. */
  runDir: string;
  workspace: string;
  /** Folder of the installed extension, loaded as the development extension. */
  extensionDir: string;
  extensionId: string;
}

/** Maximum time that the whole extension-host test run may take. */
const HOST_RUN_TIMEOUT_MS = 8 * 60_000;

/**
 * Resolves `import 'host-tests'` in the runner to every `test/e2e/host/*.host.ts` file, found by
 * a glob when the bundle is built, in file-name order: no hand-kept list to forget a file in.
 */
const hostTestList: Plugin = {
  name: 'host-test-list',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^host-tests$/ }, () => ({
      path: 'host-tests',
      namespace: 'host-tests',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'host-tests' }, () => {
      const dir = path.join(PROJECT_ROOT, 'test', 'e2e', 'host');
      const files = readdirSync(dir)
        .filter((name) => name.endsWith('.host.ts'))
        .sort();
      return {
        contents: files.map((name) => `import ${JSON.stringify(path.join(dir, name))};`).join('\n'),
        loader: 'ts',
        resolveDir: dir,
      };
    });
  },
};

/** Bundles the mocha runner and its tests into one file under `outDir`; returns its path. */
async function bundleRunner(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'runner.js');
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'test', 'e2e', 'host', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
    // Mocha's parallel mode resolves its worker files at run time; these tests run serially.
    logOverride: { 'require-resolve-not-external': 'silent' },
    plugins: [hostTestList],
  });
  return outfile;
}

/**
 * Runs the mocha tests in test/e2e/host inside the real extension host, through VS Code's test
 * hook: the workbench URL's payload names the development extension (the installed .vsix's
 * folder, so that the packaged files are what is tested) and the test runner. The workbench
 * reports the runner's outcome by calling window.codeAutomationExit(code). Each mocha test
 * becomes one check.
 */
export async function runHostTests(options: HostTestOptions): Promise<void> {
  const hostDir = path.join(options.runDir, 'host');
  await fs.mkdir(hostDir, { recursive: true });
  const runner = await bundleRunner(hostDir);
  const resultsFile = path.join(hostDir, 'results.json');
  const config: HostTestConfig = {
    resultsFile,
    workspace: options.workspace,
    extensionId: options.extensionId,
    timeoutMs: 180_000,
  };
  await fs.writeFile(path.join(hostDir, 'config.json'), JSON.stringify(config, null, 2));

  const { context, page } = await newWorkbenchPage(options.browser, options.consoleLog);
  let exitCode: number | undefined;
  try {
    const exited = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    const url = workbenchUrl(options.server.url, options.workspace, [
      ['extensionDevelopmentPath', remoteUri(options.extensionDir)],
      ['extensionTestsPath', remoteUri(runner)],
    ]);
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), HOST_RUN_TIMEOUT_MS);
    });
    exitCode = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    await options.artifacts.screenshot(page, 'host-tests-end');
  } finally {
    await recordResults(options, resultsFile, exitCode, page);
    await context.close();
  }
}

async function recordResults(
  options: HostTestOptions,
  resultsFile: string,
  exitCode: number | undefined,
  page: import('playwright-core').Page,
): Promise<void> {
  const { checks } = options;
  let results: HostTestResult[] | undefined;
  try {
    results = JSON.parse(await fs.readFile(resultsFile, 'utf8')) as HostTestResult[];
  } catch {
    results = undefined;
  }
  for (const result of results ?? []) {
    if (result.state === 'pending') continue;
    checks.record({
      name: `host: ${result.title}`,
      passed: result.state === 'passed',
      durationMs: result.durationMs ?? 0,
      error: result.error,
    });
  }
  const failed = (results ?? []).some((result) => result.state === 'failed');
  const consistent = results !== undefined && (exitCode === 0) === !failed;
  if (!consistent) {
    const reason =
      exitCode === undefined
        ? `the extension-host tests did not finish within ${HOST_RUN_TIMEOUT_MS / 60_000} min`
        : results === undefined
          ? `the extension-host run exited with code ${exitCode} and wrote no ${resultsFile}`
          : `the extension-host run exited with code ${exitCode}, but its results say ` +
            `${failed ? 'some tests failed' : 'every test passed'}`;
    checks.record({ name: 'host: test run finished', passed: false, durationMs: 0, error: reason });
    await options.artifacts.saveFailure('host-test-run', page);
  } else if (failed) {
    await options.artifacts.saveFailure('host-tests', page);
  }
}
