import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Artifacts } from './artifacts';
import { newWorkbenchPage, workbenchUrl, type ConsoleLog } from './browser';
import type { Checks } from './checks';
import type { CodeServer } from './codeServer';
import { waitFor } from './process';
import {
  acceptQuickInput,
  chooseFileInDialog,
  clickContextMenuItem,
  collapseExplorer,
  explorerRow,
  pickQuickItem,
  runFromPalette,
  visibleWebview,
  waitForWorkbench,
} from './workbench';
import { checkStateAfterHideAndShow, checkStateAfterReload } from './viewStateChecks';

export interface UiCheckOptions {
  server: CodeServer;
  browser: Browser;
  consoleLog: ConsoleLog;
  artifacts: Artifacts;
  checks: Checks;
  workspace: string;
}

/** How long the tiny preset may train, probe and render before a check gives up. */
const TRAIN_TIMEOUT_MS = 180_000;
const PROBE_TIMEOUT_MS = 180_000;

/**
 * Parameters of the cg_8g_gp critic, Linear(2,256) ReLU Linear(256,256) ReLU Linear(256,256)
 * ReLU Linear(256,1): (2+1)·256 + 2·(256+1)·256 + 257.
 */
const CG_8G_GP_CRITIC_PARAMETERS = 132_609;

/**
 * Drives the workbench as a person would. It trains the tiny preset from the command palette,
 * probes the run with the report's Probe button, and reads the findings and a chart in the
 * report webview. Then it probes a fixture critic and opens another in the checkpoint editor,
 * both from the explorer. Last, it checks that the run's report view keeps its state when hidden
 * and after a window reload. Each step is one check, and a step that needs a failed one is
 * skipped.
 */
export async function runUiChecks(options: UiCheckOptions): Promise<void> {
  const { checks, artifacts } = options;
  const { context, page } = await newWorkbenchPage(options.browser, options.consoleLog);
  const onFailure = (slug: string) => artifacts.saveFailure(slug, page);
  try {
    const opened = await checks.run(
      'ui: workbench opens the workspace',
      async () => {
        await page.goto(workbenchUrl(options.server.url, options.workspace));
        await waitForWorkbench(page, 'cg_8g_gp');
        await artifacts.screenshot(page, 'ui-1-workbench');
      },
      onFailure,
    );
    if (!opened) return;

    const trained = await checks.run(
      'ui: train the tiny preset from the command palette',
      () => trainTinyFromPalette(page, options),
      onFailure,
    );
    const probed =
      trained &&
      (await checks.run(
        'ui: probe the run and show its findings',
        () => probeAndReadFindings(page, options),
        onFailure,
      ));
    if (probed) {
      await checks.run(
        'ui: report draws a gradient chart',
        () => checkChart(page, options),
        onFailure,
      );
    }
    await checks.run(
      'ui: probe a critic file from the explorer',
      () => probeCriticFromExplorer(page, options),
      onFailure,
    );
    await checks.run(
      'ui: checkpoint editor shows the architecture',
      () => openCheckpointFromExplorer(page, options),
      onFailure,
    );
    if (probed) {
      // Last, because the reload leaves a new workbench page behind.
      await checks.run(
        'ui: report view keeps its state when hidden and shown',
        () => checkStateAfterHideAndShow(page, options),
        onFailure,
      );
      await checks.run(
        'ui: report view is restored after a window reload',
        () => checkStateAfterReload(page, options),
        onFailure,
      );
    }
  } finally {
    await context.close();
  }
}

async function trainTinyFromPalette(page: Page, options: UiCheckOptions): Promise<void> {
  await runFromPalette(page, 'GAN Diagnostics: Train WGAN-GP');
  await pickQuickItem(page, 'Train WGAN-GP (1/4)', '8gaussians');
  await pickQuickItem(page, 'Train WGAN-GP (2/4)', 'tiny');
  await acceptQuickInput(page, 'Train WGAN-GP (3/4)');
  await acceptQuickInput(page, 'Train WGAN-GP (4/4)');
  // The report view opens on its Training tab as soon as the job starts, and its status line
  // reads "completed · iteration 20 of 20 · …" at the end.
  const webview = visibleWebview(page);
  await webview.locator('vscode-tabs').waitFor({ state: 'attached', timeout: 30_000 });
  await webview
    .getByText(/^completed · iteration (\d+) of \1\b/)
    .waitFor({ state: 'visible', timeout: TRAIN_TIMEOUT_MS });
  await options.artifacts.screenshot(page, 'ui-2-training');

  const runs = path.join(options.workspace, 'runs');
  const created = await fs.readdir(runs);
  if (created.length !== 1) {
    throw new Error(`expected one run folder in ${runs}, found: ${created.join(', ') || 'none'}`);
  }
  const manifest = JSON.parse(
    await fs.readFile(path.join(runs, created[0]!, 'run.json'), 'utf8'),
  ) as { status: string };
  if (manifest.status !== 'completed') throw new Error(`run.json has status ${manifest.status}`);
}

async function probeAndReadFindings(page: Page, options: UiCheckOptions): Promise<void> {
  const webview = visibleWebview(page);
  await webview.locator('header.report-header vscode-button', { hasText: 'Probe' }).click();
  const finding = webview.locator('article.finding');
  const noFindings = webview.locator('p.empty', { hasText: 'No findings' });
  await waitFor(
    'findings in the report view',
    async () => (await finding.count()) > 0 || (await noFindings.count()) > 0,
    PROBE_TIMEOUT_MS,
  );
  const ids = await finding.evaluateAll((articles) =>
    articles.map((article) => `${article.getAttribute('data-finding')}: ${article.className}`),
  );
  const header = await webview.locator('header.report-header .facts').innerText();
  await fs.writeFile(
    path.join(options.artifacts.dir, 'ui-findings.txt'),
    `${header}\n${ids.join('\n') || 'No findings'}\n`,
  );
  console.log(`  report: ${header}`);
  console.log(`  findings: ${ids.join('; ') || 'none'}`);
  if (!/\d+ errors, \d+ warnings, \d+ notes/.test(header)) {
    throw new Error(`the report header shows no finding counts: "${header}"`);
  }
  await options.artifacts.screenshot(page, 'ui-3-findings');
}

async function checkChart(page: Page, options: UiCheckOptions): Promise<void> {
  const webview = visibleWebview(page);
  await webview.locator('vscode-tab-header', { hasText: 'Gradient norms' }).click();
  const canvas = webview.locator('canvas').filter({ visible: true }).first();
  const box = await waitFor(
    'a visible canvas on the Gradient norms tab',
    async () => {
      const current = await canvas.boundingBox();
      return current && current.width > 0 && current.height > 0 ? current : undefined;
    },
    30_000,
  );
  console.log(`  gradient chart canvas: ${Math.round(box.width)} × ${Math.round(box.height)} px`);
  await options.artifacts.screenshot(page, 'ui-4-gradient-chart');
}

/**
 * Probes cg_8g_lambda0/critic.onnx (trained with λ = 0, so its critic is unconstrained) with its
 * generated and real samples, choosing them in the quick picks and file dialogs as a person
 * would, and expects the lipschitz-violated error.
 */
async function probeCriticFromExplorer(page: Page, options: UiCheckOptions): Promise<void> {
  const folder = path.join(options.workspace, 'cg_8g_lambda0');
  await collapseExplorer(page);
  await (await explorerRow(page, 'cg_8g_lambda0')).click();
  await (await explorerRow(page, 'critic.onnx')).click({ button: 'right' });
  await clickContextMenuItem(page, 'Probe Checkpoint');
  await pickQuickItem(page, 'Probe critic.onnx (1/2)', 'Samples file');
  await chooseFileInDialog(page, 'generated samples', path.join(folder, 'gen_2000.npy'));
  await pickQuickItem(page, 'Probe critic.onnx (2/2)', 'Real data file');
  await chooseFileInDialog(page, 'real data', path.join(folder, 'real_2000.npy'));

  const webview = visibleWebview(page);
  const title = webview.locator('h1', { hasText: 'critic' });
  await title.waitFor({ state: 'visible', timeout: PROBE_TIMEOUT_MS });
  const finding = webview.locator('article.finding[data-finding="lipschitz-violated"]');
  await finding.waitFor({ state: 'visible', timeout: 30_000 });
  const ids = await webview
    .locator('article.finding')
    .evaluateAll((articles) => articles.map((article) => article.getAttribute('data-finding')));
  console.log(`  cg_8g_lambda0 findings: ${ids.join(', ')}`);
  await options.artifacts.screenshot(page, 'ui-5-critic-findings');
}

async function openCheckpointFromExplorer(page: Page, options: UiCheckOptions): Promise<void> {
  await collapseExplorer(page);
  await (await explorerRow(page, 'cg_8g_gp')).click();
  const critic = await explorerRow(page, 'critic.onnx');
  await critic.click({ button: 'right' });
  await clickContextMenuItem(page, 'Open With');
  await pickQuickItem(page, "Select editor for 'critic.onnx'", 'GAN Checkpoint');

  const webview = visibleWebview(page);
  const heading = webview.locator('h2', { hasText: /^Layers \(\d+\)$/ });
  await heading.waitFor({ state: 'visible', timeout: 60_000 });

  const layerNames = await webview.locator('table tbody tr td:first-child code').allInnerTexts();
  const parameters = await webview.locator('tr', { hasText: 'Parameters' }).first().innerText();
  console.log(`  ${await heading.innerText()}: ${layerNames.join(', ')}`);
  // The editor lists each Linear layer's weight as a kernel row, named after the state-dict key.
  const kernels = layerNames.filter((name) => name.endsWith('(kernel)'));
  const expectedKernels = ['main.0', 'main.2', 'main.4', 'main.6'].map(
    (prefix) => `${prefix}.weight (kernel)`,
  );
  if (kernels.join(', ') !== expectedKernels.join(', ')) {
    throw new Error(
      `expected kernels ${expectedKernels.join(', ')}, the editor lists: ${layerNames.join(', ')}`,
    );
  }
  const architecture = await webview.locator('tr', { hasText: 'Architecture' }).first().innerText();
  console.log(`  ${architecture.replace(/\s+/, ': ')}`);
  const gemmCount = architecture.split('Gemm').length - 1;
  if (!architecture.includes('[2]') || gemmCount !== 4) {
    throw new Error(`expected a [2] input and 4 Gemm nodes, the editor shows "${architecture}"`);
  }
  const count = Number(parameters.replace(/[^0-9]/g, ''));
  if (count !== CG_8G_GP_CRITIC_PARAMETERS) {
    throw new Error(
      `expected ${CG_8G_GP_CRITIC_PARAMETERS} parameters, the editor shows "${parameters}"`,
    );
  }
  await options.artifacts.screenshot(page, 'ui-6-checkpoint-editor');
}
