/*
 * UI checks of the report view's saved state. The view has no retainContextWhenHidden, so VS Code
 * destroys its page when the tab is hidden and when the window reloads. Then the page reads the
 * selected tab and the scroll offset back with getState, and the host sends the content again:
 * on a reload, the extension's WebviewPanelSerializer restores the panel and loads the run and
 * report from disk. After a reload the Problems panel must list as many findings as before.
 */
import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import type { UiCheckOptions } from './uiChecks';
import { sleep, waitFor } from './process';
import {
  activeEditorTab,
  editorTab,
  readProblemsStatus,
  reloadWindow,
  visibleWebview,
} from './workbench';

/** Label of the editor tab of the trained run's report view. */
const RUN_TAB = 'GAN run:';
/** Label of the report view's tab that the checks select, and so save with setState. */
const SAVED_TAB = '2-D view';
const RESTORE_TIMEOUT_MS = 60_000;
/**
 * How long a check waits after scrolling the view before it hides or reloads it: longer than
 * SCROLL_SAVE_INTERVAL_MS (200 ms) in webview/src/scrollState.ts, after which the page has saved
 * the offset.
 */
const SCROLL_SAVE_WAIT_MS = 1_000;
/** Minimum scroll range, in CSS pixels, that makes the scroll offset worth checking. */
const MIN_SCROLL_RANGE = 100;
/**
 * Window size of both checks. The tiny run's 2-D view has one plot, which fits the default
 * 1600 × 1000 window, so the checks use a shorter window in which the view scrolls.
 */
const SHORT_WINDOW = { width: 1600, height: 640 };

/** What the checks compare before and after: the selected tab and what the host's messages drew. */
interface ReportViewState {
  title: string;
  facts: string;
  tab: string;
  /** data-chart-id of each 2-D plot, in order. */
  plots: string[];
  /** The legends of the 2-D plots, with their point counts. */
  legend: string[];
  /** The page's vertical scroll offset, in CSS pixels. */
  scrollY: number;
}

/** The parts of a canvas that the checks read, typed here because test/e2e has no DOM types. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(type: '2d'): {
    getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> };
  } | null;
}

/** The parts of a webview's window that the scroll checks read, typed as CanvasLike is. */
interface WindowLike {
  scrollY: number;
  innerHeight: number;
  scrollTo(x: number, y: number): void;
  document: { documentElement: { scrollHeight: number } };
}

async function scrollOffset(webview: FrameLocator): Promise<number> {
  return webview.locator('body').evaluate(() => (globalThis as unknown as WindowLike).scrollY);
}

/**
 * Scrolls the visible webview to half its scroll range and waits until the page has saved the
 * offset. Fails when the page is too short to scroll, because the checks would then compare 0
 * with 0.
 */
async function scrollHalfway(webview: FrameLocator): Promise<number> {
  const { range, offset } = await webview.locator('body').evaluate(() => {
    const view = globalThis as unknown as WindowLike;
    const scrollRange = view.document.documentElement.scrollHeight - view.innerHeight;
    view.scrollTo(0, Math.round(scrollRange / 2));
    return { range: scrollRange, offset: view.scrollY };
  });
  if (range < MIN_SCROLL_RANGE || offset <= 0) {
    throw new Error(
      `the report view scrolls by ${range} px (to ${offset} px), under the ${MIN_SCROLL_RANGE} px that the check needs`,
    );
  }
  await sleep(SCROLL_SAVE_WAIT_MS);
  return offset;
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

/**
 * Waits until the visible webview shows a report with a drawn 2-D plot, and reads its state.
 * With `scrollY`, it also waits for the page to restore that scroll offset. It does not fail
 * when the page never does, because the caller's comparison of the states shows both offsets.
 */
async function readViewState(
  page: Page,
  description: string,
  scrollY?: number,
): Promise<ReportViewState> {
  const webview = visibleWebview(page);
  await waitFor(
    `${description}: a report with a drawn 2-D plot`,
    async () =>
      (await webview.locator('header.report-header .facts').innerText({ timeout: 1_000 })) !== '' &&
      (await drawnPixels(webview)) > 0,
    RESTORE_TIMEOUT_MS,
  );
  if (scrollY !== undefined) {
    await waitFor(
      `${description}: the scroll offset of ${scrollY} px`,
      async () => (await scrollOffset(webview)) === scrollY,
      10_000,
    ).catch(() => undefined);
  }
  return {
    title: await webview.locator('header.report-header h1').innerText(),
    facts: await webview.locator('header.report-header .facts').innerText(),
    tab: await webview.locator('vscode-tab-header[active]').innerText(),
    plots: await webview
      .locator('section.points .points-plot')
      .evaluateAll((plots) => plots.map((plot) => plot.getAttribute('data-chart-id') ?? '')),
    legend: await webview.locator('section.points .legend li').allInnerTexts(),
    scrollY: await scrollOffset(webview),
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

/**
 * Shortens the window, brings the run's report view to the front, selects its 2-D view tab and
 * scrolls the page half way down. The window stays short for the rest of the checks.
 */
async function showRunReportTab(page: Page): Promise<ReportViewState> {
  await page.setViewportSize(SHORT_WINDOW);
  await editorTab(page, RUN_TAB).click();
  const webview = visibleWebview(page);
  await webview.locator('vscode-tab-header', { hasText: SAVED_TAB }).click();
  await readViewState(page, `the ${SAVED_TAB} tab`);
  const offset = await scrollHalfway(webview);
  const state = await readViewState(page, `the ${SAVED_TAB} tab scrolled to ${offset} px`);
  assert.equal(state.tab, SAVED_TAB, 'the selected tab of the report view');
  assert.equal(state.scrollY, offset, 'the scroll offset of the report view');
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
  const after = await readViewState(page, 'the report view shown again', before.scrollY);
  assert.equal(
    await isMarkedPage(visibleWebview(page)),
    false,
    'VS Code kept the hidden page, so the check did not test getState',
  );
  assert.deepEqual(after, before, 'the report view after it was hidden and shown again');
  console.log(
    `  shown again on "${after.tab}" at ${after.scrollY} px: ${after.plots.join(', ')}; ${after.legend.join('; ')}`,
  );
  await options.artifacts.screenshot(page, 'ui-7-shown-again');
}

/**
 * Selects the run report's 2-D view and reloads the window with Developer: Reload Window. The
 * serializer must restore the view with the same tab, scroll offset, header, 2-D plots and
 * findings. The status bar must count as many problems as before the reload. They are the
 * findings of the run's report on run.json and those of the critic probed from the explorer.
 */
export async function checkStateAfterReload(page: Page, options: UiCheckOptions): Promise<void> {
  await editorTab(page, RUN_TAB).click();
  const findings = await readFindings(page);
  const before = await showRunReportTab(page);
  const problemsBefore = await readProblemsStatus(page);
  assert.ok(
    problemsBefore.total > 0,
    `the status bar counts no problems before the reload ("${problemsBefore.label}"), so the check cannot tell whether the reload keeps them`,
  );

  await reloadWindow(page, 'cg_8g_gp');
  await waitFor(
    `the ${RUN_TAB} editor tab to be active again`,
    async () => (await activeEditorTab(page)).includes(RUN_TAB),
    RESTORE_TIMEOUT_MS,
  );
  const after = await readViewState(page, 'the report view after the reload', before.scrollY);
  assert.deepEqual(after, before, 'the report view after the window reload');
  console.log(
    `  restored on "${after.tab}" at ${after.scrollY} px: ${after.title} · ${after.facts}`,
  );

  // The extension publishes the findings once it has scanned the workspace after activation.
  const problemsAfter = await waitFor(
    `the status bar to count ${problemsBefore.total} problems again`,
    async () => {
      const status = await readProblemsStatus(page);
      return status.total === problemsBefore.total ? status : undefined;
    },
    RESTORE_TIMEOUT_MS,
  ).catch(() => readProblemsStatus(page));
  assert.deepEqual(problemsAfter, problemsBefore, 'the Problems count after the window reload');
  console.log(`  problems after the reload: ${problemsAfter.label}`);
  await options.artifacts.screenshot(page, 'ui-8-restored');
  assert.deepEqual(await readFindings(page), findings, 'the findings after the window reload');
}
