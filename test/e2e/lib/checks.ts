import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface CheckResult {
  name: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

/**
 * The list of checks of one run, printed as they finish. A failed check calls `onFailure` to
 * save its screenshot and logs, and the run goes on with the next check.
 */
export class Checks {
  readonly results: CheckResult[] = [];

  constructor(private readonly resultsDir: string) {}

  /** Runs one check; returns whether it passed. */
  async run(
    name: string,
    body: () => Promise<void>,
    onFailure?: (slug: string) => Promise<void>,
  ): Promise<boolean> {
    const started = Date.now();
    try {
      await body();
      this.record({ name, passed: true, durationMs: Date.now() - started });
      return true;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.record({ name, passed: false, durationMs: Date.now() - started, error: message });
      if (onFailure) {
        try {
          await onFailure(slugOf(name));
        } catch (artifactError) {
          console.log(`  could not save the artifacts of "${name}": ${String(artifactError)}`);
        }
      }
      return false;
    }
  }

  /**
   * Runs a group of checks that records its own results; only an exception that escapes it is
   * recorded, as a failed check called `name`.
   */
  async runGroup(
    name: string,
    body: () => Promise<void>,
    onFailure?: (slug: string) => Promise<void>,
  ): Promise<void> {
    const started = Date.now();
    try {
      await body();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.record({ name, passed: false, durationMs: Date.now() - started, error: message });
      await onFailure?.(slugOf(name)).catch((artifactError: unknown) =>
        console.log(`  could not save the artifacts of "${name}": ${String(artifactError)}`),
      );
    }
  }

  record(result: CheckResult): void {
    this.results.push(result);
    const seconds = (result.durationMs / 1000).toFixed(1);
    console.log(`${result.passed ? 'PASS' : 'FAIL'} ${result.name} (${seconds} s)`);
    if (result.error) console.log(indent(result.error));
  }

  get failed(): number {
    return this.results.filter((result) => !result.passed).length;
  }

  get passed(): number {
    return this.results.filter((result) => result.passed).length;
  }

  async writeSummary(): Promise<void> {
    await fs.mkdir(this.resultsDir, { recursive: true });
    await fs.writeFile(
      path.join(this.resultsDir, 'results.json'),
      `${JSON.stringify(this.results, null, 2)}\n`,
    );
  }
}

/** Turns a check's name into a slug that is safe in file names. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
