/*
 * UI checks of the report view's saved state. The view has no retainContextWhenHidden, so VS Code
 * destroys its page when the tab is hidden and when the window reloads. Then the page reads the
 * selected tab back with getState, and the host sends the content again: on a reload, the
 * extension's WebviewPanelSerializer restores the panel and loads the run and report from disk.
 */
import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import type { UiCheckOptions } from './uiChecks';
import { waitFor } from './process';
import { activeEditorTab, editorTab, reloadWindow, visibleWebview } from './workbench';

/** Label of the editor tab of the trained run's report view. */
const RUN_TAB = 'GAN run:';
/** Label of the report view's tab that the checks select, and so save with setState. */
const SAVED_TAB = '2-D view';
const RESTORE_TIMEOUT_MS = 60_000;

/** What the checks compare before and after: the selected tab and what the host's messages drew. */
interface ReportViewState {
  title: string;
  facts: string;
  tab: string;
  /** data-chart-id of each 2-D plot, in order. */
  plots: string[];
  /** The legends of the 2-D plots, with their point counts. */
  legend: string[];
}

/** The parts of a canvas that the checks read, typed here because test/e2e has no DOM types. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(type: '2d'): {
    getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> };
  } | null;
}

/** Marks the page of the visible webview, so that a check can tell a new page from the same one. */
async function markPage(webview: FrameLocator): Promise<void> {
  await webview.locator('body').evaluate(() => {
    (globalThis as { e2ePageMark?: boolean }).e2ePageMark = true;
  });
}

async function isMarkedPage(webview: FrameLocator): Promise<boolean> {
  return webview
    .locator('body')
    .evaluate(() => (globalThis as { e2ePageMark?: boolean }).e2ePageMark === true);
}

/** Counts the pixels of the first 2-D plot that differ from its top-left (background) pixel. */
async function drawnPixels(webview: FrameLocator): Promise<number> {
  const canvas = webview.locator('section.points canvas').first();
  if ((await canvas.count()) === 0) return 0;
  return canvas.evaluate((element) => {
    const target = element as unknown as CanvasLike;
    if (target.width === 0 || target.height === 0) return 0;
    const context = target.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, target.width, target.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) count++;
    }
    return count;
  });
}

/** Waits until the visible webview shows a report with a drawn 2-D plot, and reads its state. */
async function readViewState(page: Page, description: string): Promise<ReportViewState> {
  const webview = visibleWebview(page);
  await waitFor(
    `${description}: a report with a drawn 2-D plot`,
    async () =>
      (await webview.locator('header.report-header .facts').innerText({ timeout: 1_000 })) !== '' &&
      (await drawnPixels(webview)) > 0,
    RESTORE_TIMEOUT_MS,
  );
  return {
    title: await webview.locator('header.report-header h1').innerText(),
    facts: await webview.locator('header.report-header .facts').innerText(),
    tab: await webview.locator('vscode-tab-header[active]').innerText(),
    plots: await webview
      .locator('section.points .points-plot')
      .evaluateAll((plots) => plots.map((plot) => plot.getAttribute('data-chart-id') ?? '')),
    legend: await webview.locator('section.points .legend li').allInnerTexts(),
  };
}

/** Reads the finding ids on the Findings tab, which selects that tab. */
async function readFindings(page: Page): Promise<string[]> {
  const webview = visibleWebview(page);
  await webview.locator('vscode-tab-header', { hasText: 'Findings' }).click();
  const findings = webview.locator('section.findings article.finding');
  const noFindings = webview.locator('section.findings p.empty', { hasText: 'No findings' });
  await waitFor(
    'the Findings tab',
    async () => (await findings.count()) > 0 || (await noFindings.count()) > 0,
    RESTORE_TIMEOUT_MS,
  );
  return findings.evaluateAll((articles) =>
    articles.map((article) => article.getAttribute('data-finding') ?? ''),
  );
}

/** Brings the run's report view to the front and selects its 2-D view tab. */
async function showRunReportTab(page: Page): Promise<ReportViewState> {
  await editorTab(page, RUN_TAB).click();
  const webview = visibleWebview(page);
  await webview.locator('vscode-tab-header', { hasText: SAVED_TAB }).click();
  const state = await readViewState(page, `the ${SAVED_TAB} tab`);
  assert.equal(state.tab, SAVED_TAB, 'the selected tab of the report view');
  return state;
}

/**
 * Selects the run report's 2-D view, hides the view behind another open editor and shows it
 * again. The page must be a new one (VS Code discarded the hidden page) with the same tab and
 * content.
 */
export async function checkStateAfterHideAndShow(
  page: Page,
  options: UiCheckOptions,
): Promise<void> {
  const before = await showRunReportTab(page);
  await markPage(visibleWebview(page));
  const otherTab = page.locator('.tabs-container .tab').filter({ hasNotText: RUN_TAB }).first();
  if ((await otherTab.count()) === 0)
    throw new Error('no other editor tab is open to hide the view');
  await otherTab.click();
  await waitFor(
    `an editor tab other than ${RUN_TAB} to be active`,
    async () => !(await activeEditorTab(page)).includes(RUN_TAB),
    10_000,
  );

  await editorTab(page, RUN_TAB).click();
  const after = await readViewState(page, 'the report view shown again');
  assert.equal(
    await isMarkedPage(visibleWebview(page)),
    false,
    'VS Code kept the hidden page, so the check did not test getState',
  );
  assert.deepEqual(after, before, 'the report view after it was hidden and shown again');
  console.log(
    `  shown again on "${after.tab}": ${after.plots.join(', ')}; ${after.legend.join('; ')}`,
  );
  await options.artifacts.screenshot(page, 'ui-7-shown-again');
}

/**
 * Selects the run report's 2-D view and reloads the window with Developer: Reload Window. The
 * serializer must restore the view with the same tab, header, 2-D plots and findings.
 */
export async function checkStateAfterReload(page: Page, options: UiCheckOptions): Promise<void> {
  await editorTab(page, RUN_TAB).click();
  const findings = await readFindings(page);
  const before = await showRunReportTab(page);

  await reloadWindow(page, 'cg_8g_gp');
  await waitFor(
    `the ${RUN_TAB} editor tab to be active again`,
    async () => (await activeEditorTab(page)).includes(RUN_TAB),
    RESTORE_TIMEOUT_MS,
  );
  const after = await readViewState(page, 'the report view after the reload');
  assert.deepEqual(after, before, 'the report view after the window reload');
  console.log(`  restored on "${after.tab}": ${after.title} · ${after.facts}`);
  await options.artifacts.screenshot(page, 'ui-8-restored');
  assert.deepEqual(await readFindings(page), findings, 'the findings after the window reload');
}
