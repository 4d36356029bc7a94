import type { Browser } from 'playwright-core';
import type { Artifacts } from './artifacts';
import type { ConsoleLog } from './browser';
import type { Checks } from './checks';
import type { CodeServer } from './codeServer';

export interface UiCheckOptions {
  server: CodeServer;
  browser: Browser;
  consoleLog: ConsoleLog;
  artifacts: Artifacts;
  checks: Checks;
  workspace: string;
}

export async function runUiChecks(_options: UiCheckOptions): Promise<void> {}
