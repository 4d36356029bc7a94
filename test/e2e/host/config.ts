import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Settings of one host test run, written by the harness as config.json beside the bundle. */
export interface HostTestConfig {
  /** Where the runner writes its HostTestResult[] as JSON. */
  resultsFile: string;
  /** The workspace folder the window has open. */
  workspace: string;
  /** `publisher.name` of the extension under test. */
  extensionId: string;
  /** Mocha's per-test timeout, in milliseconds. */
  timeoutMs: number;
}

/** The outcome of one mocha test, as the harness reads it back. */
export interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

let cached: HostTestConfig | undefined;

/** Reads config.json from the bundle's folder (the bundle is one file, so __dirname is that folder). */
export function hostConfig(): HostTestConfig {
  cached ??= JSON.parse(
    readFileSync(path.join(__dirname, 'config.json'), 'utf8'),
  ) as HostTestConfig;
  return cached;
}
