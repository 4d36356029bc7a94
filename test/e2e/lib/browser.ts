import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './paths';

/**
 * Chromium flags for a headless run that reaches only loopback. Without the resolver rules
 * Chromium still sends DNS queries for Google hosts at start-up.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Console messages of a page and of every frame in it, webviews included, in arrival order. */
export class ConsoleLog {
  readonly lines: string[] = [];

  attach(page: Page): void {
    page.on('console', (message) => {
      const source = message.location().url;
      this.lines.push(`[${message.type()}] ${message.text()}${source ? ` (${source})` : ''}`);
    });
    page.on('pageerror', (error) => this.lines.push(`[pageerror] ${error.stack ?? error.message}`));
  }
}

/** Opens a page in a new browser context sized for readable screenshots, with its console captured. */
export async function newWorkbenchPage(
  browser: Browser,
  consoleLog: ConsoleLog,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  consoleLog.attach(page);
  return { context, page };
}

/** The workbench URL that opens `folder`, with an optional test payload for VS Code's test hook. */
export function workbenchUrl(
  serverUrl: string,
  folder: string,
  payload?: [string, string][],
): string {
  // Slashes stay readable in the printed URL; code-server accepts the folder either way.
  let url = `${serverUrl}?folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** Returns the vscode-remote URI of an absolute path on the machine that code-server runs on. */
export function remoteUri(absolutePath: string): string {
  return `vscode-remote://remote${absolutePath}`;
}
