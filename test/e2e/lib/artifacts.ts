import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { ConsoleLog } from './browser';

/** Saves screenshots, logs and console output of a run under one folder. */
export class Artifacts {
  constructor(
    readonly dir: string,
    private readonly userDataDir: string,
    private readonly consoleLog: ConsoleLog,
  ) {}

  async screenshot(page: Page, name: string): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${name}.png`);
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /**
   * Saves what explains a failed check: a screenshot of the page (when there is one), the
   * extension's and code-server's log files, and the console of the workbench and its webviews.
   */
  async saveFailure(slug: string, page: Page | undefined): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    if (page && !page.isClosed()) await this.screenshot(page, `FAILED-${slug}`);
    await this.copyLogs(path.join(this.dir, `FAILED-${slug}-logs`));
    await fs.writeFile(
      path.join(this.dir, `FAILED-${slug}-console.log`),
      `${this.consoleLog.lines.join('\n')}\n`,
    );
  }

  /** Saves the console of the whole run, failed or not. */
  async saveConsole(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await fs.writeFile(path.join(this.dir, 'console.log'), `${this.consoleLog.lines.join('\n')}\n`);
  }

  /**
   * Copies VS Code's log folder: the output channels (the "GAN Diagnostics" channel among them)
   * and the extension host's log are files under <user-data-dir>/logs.
   */
  async copyLogs(target: string): Promise<void> {
    const logs = path.join(this.userDataDir, 'logs');
    if (!existsSync(logs)) return;
    await fs.cp(logs, target, { recursive: true });
  }
}
