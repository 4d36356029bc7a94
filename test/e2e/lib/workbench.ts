import type { FrameLocator, Locator, Page } from 'playwright-core';
import { sleep, waitFor } from './process';

/**
 * Waits until the workbench has rendered and the explorer lists `entryName`, a file or folder at
 * the top of the workspace. (The workspace folder itself is the explorer's title, not a row.)
 */
export async function waitForWorkbench(page: Page, entryName: string): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page
    .locator(`.explorer-folders-view .monaco-list-row[aria-label="${entryName}"]`)
    .waitFor({ state: 'visible', timeout: 60_000 });
}

function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/** Returns the rows of the open quick pick whose text contains `label`. */
function quickPickRows(page: Page, label: string): Locator {
  return quickInput(page).locator('.monaco-list-row', { hasText: label });
}

/**
 * Runs a command from the command palette: F1, its title, Enter. The palette can open before
 * the extension has registered its commands and then lists nothing without refreshing, so it
 * is closed and opened again until the command is listed.
 */
export async function runFromPalette(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = quickInput(page).locator('input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = quickPickRows(page, title).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`the command palette never listed "${title}"`, { cause: error });
      }
      await sleep(1_000);
    }
  }
}

/**
 * Waits for a quick pick or input box whose title, or else whose placeholder, contains `text`.
 * (Pickers that VS Code opens itself, such as Open With, have only a placeholder.)
 */
export async function waitForQuickInput(page: Page, text: string): Promise<void> {
  const widget = quickInput(page);
  await waitFor(
    `a quick input titled "${text}"`,
    async () => {
      if (!(await widget.isVisible())) return false;
      const title = await widget.locator('.quick-input-title').innerText();
      const placeholder = (await widget.locator('input').getAttribute('placeholder')) ?? '';
      return title.includes(text) || placeholder.includes(text);
    },
    30_000,
  );
}

/** Filters the quick input titled `title` by `label` and accepts the item with that label. */
export async function pickQuickItem(page: Page, title: string, label: string): Promise<void> {
  await waitForQuickInput(page, title);
  await quickInput(page).locator('input').fill(label);
  const focused = quickInput(page).locator('.monaco-list-row.focused', { hasText: label });
  await focused.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Accepts the value in the input box, or the first item of the quick pick, titled `title`. */
export async function acceptQuickInput(page: Page, title: string): Promise<void> {
  await waitForQuickInput(page, title);
  await page.keyboard.press('Enter');
}

/**
 * Returns the document of the visible webview. A webview is two nested iframes: the outer
 * `iframe.webview.ready` hosts the page's own `#active-frame`. Hidden webviews stay in the DOM
 * but are not visible.
 */
export function visibleWebview(page: Page): FrameLocator {
  return page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .first()
    .contentFrame()
    .locator('#active-frame')
    .contentFrame();
}

/** Clicks the explorer row labelled `name`, the first one when several match. */
export async function explorerRow(page: Page, name: string): Promise<Locator> {
  const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  await waitFor(`explorer row ${name}`, async () => (await row.count()) > 0, 15_000);
  return row.first();
}

/**
 * Chooses an entry of the open context menu. The menu can ignore a click that comes right after
 * it opened, so the entry is hovered first and chosen with Enter when the menu stays open.
 */
export async function clickContextMenuItem(page: Page, label: string): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(300);
  await item.hover();
  await item.click();
  await sleep(500);
  if (await menu.isVisible()) await page.keyboard.press('Enter');
}

/**
 * Collapses every folder in the explorer, so that a file name such as critic.onnx matches only
 * the row in the folder expanded next.
 */
export async function collapseExplorer(page: Page): Promise<void> {
  await runFromPalette(page, 'Collapse Folders in Explorer');
}

/**
 * Chooses a file in the dialog that a command opened with showOpenDialog. In the browser it is
 * VS Code's simple file dialog, a quick input titled like the request, whose path is typed in.
 * The dialog fills in its start folder once that folder is listed, which can overwrite a path
 * typed earlier, so the path is typed again until the dialog closes with it.
 */
export async function chooseFileInDialog(page: Page, title: string, file: string): Promise<void> {
  await waitForQuickInput(page, title);
  const widget = quickInput(page);
  const input = widget.locator('input');
  // The ".." row appears once the start folder is listed.
  await widget.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 10_000 });
  for (let attempt = 1; ; attempt++) {
    await input.fill(file);
    await sleep(300);
    if ((await input.inputValue()) === file) {
      await page.keyboard.press('Enter');
      const closed = await waitFor(
        `the file dialog "${title}" to close`,
        async () => !(await widget.isVisible()) || !(await widget.innerText()).includes(title),
        5_000,
      ).catch(() => false);
      if (closed) return;
    }
    if (attempt === 3) {
      throw new Error(`the file dialog "${title}" did not accept ${file} after 3 attempts`);
    }
  }
}

/** Returns the tab of the open editor whose label contains `label`, the first when several do. */
export function editorTab(page: Page, label: string): Locator {
  return page.locator('.tabs-container .tab', { hasText: label }).first();
}

/** Returns the label of the active editor's tab, or '' when no editor is open. */
export async function activeEditorTab(page: Page): Promise<string> {
  const active = page.locator('.tabs-container .tab.active');
  return (await active.count()) > 0 ? active.first().innerText() : '';
}

/**
 * Reloads the window with Developer: Reload Window, as a person would, and waits for the new
 * workbench to list `entryName` in the explorer.
 */
export async function reloadWindow(page: Page, entryName: string): Promise<void> {
  const reloaded = page.waitForEvent('load', { timeout: 60_000 });
  await runFromPalette(page, 'Developer: Reload Window');
  await reloaded;
  await waitForWorkbench(page, entryName);
}

/** What the status bar's Problems item shows. */
export interface ProblemsStatus {
  /** Its accessible label, such as "No Problems" or one that lists the errors and warnings. */
  label: string;
  /** The sum of the counts in the label. */
  total: number;
}

/** Reads the status bar's Problems item, which VS Code updates when any diagnostics change. */
export async function readProblemsStatus(page: Page): Promise<ProblemsStatus> {
  const item = page.locator('.statusbar-item[id="status.problems"]');
  const label = (await item.getAttribute('aria-label', { timeout: 10_000 })) ?? '';
  const total = (label.match(/\d+/g) ?? []).reduce((sum, count) => sum + Number(count), 0);
  return { label, total };
}
