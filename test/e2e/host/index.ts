/**
 * Entry point of the extension-host tests: VS Code's test hook loads this bundle inside the
 * real extension host (the extensionTestsPath in the workbench URL's payload) and calls run().
 * The workbench turns a resolved promise into exit code 0 and a rejection into 1.
 */
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import { hostConfig, type HostTestResult } from './config';

/** A mocha reporter that stores every test's outcome for the harness and logs one line each. */
class ResultsReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const results: HostTestResult[] = [];
    const record = (test: Mocha.Test, state: HostTestResult['state'], error?: Error) => {
      results.push({
        title: test.fullTitle(),
        state,
        durationMs: test.duration,
        error: error ? (error.stack ?? error.message) : undefined,
      });
      console.log(`[host test] ${state}: ${test.fullTitle()}${error ? `: ${error.message}` : ''}`);
    };
    runner.on('pass', (test) => record(test, 'passed'));
    runner.on('fail', (test, error: Error) => {
      if (test.type === 'test') {
        record(test as Mocha.Test, 'failed', error);
      } else {
        // A failing hook fails the tests it guards without running them: record it as a test.
        results.push({
          title: test.fullTitle(),
          state: 'failed',
          error: error.stack ?? error.message,
        });
      }
    });
    runner.on('pending', (test) => record(test, 'pending'));
    runner.once('end', () => {
      writeFileSync(hostConfig().resultsFile, JSON.stringify(results, null, 2));
    });
  }
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: hostConfig().timeoutMs,
    color: false,
    reporter: ResultsReporter,
  });
  // The test files are bundled into this file (every *.host.ts, in file-name order). They are
  // imported only after mocha has put describe and it on the global object.
  mocha.suite.emit('pre-require', globalThis, 'extension-host', mocha);
  // @ts-expect-error: a module that the bundler plugin in lib/hostTests.ts provides.
  await import('host-tests');
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} extension-host tests failed.`));
      else resolve();
    });
  });
}
