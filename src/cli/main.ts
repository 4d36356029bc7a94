import path from 'node:path';
import { isBackendName, type BackendRequest } from '../core/backend/init';
import { createStderrLogger, describeError, type Logger } from '../core/log';
import { VERSION } from '../core/version';
import { JobRunner } from '../worker/runner';
import { runDemo, runInspect, runProbe, runTrain } from './commands';
import { runCompare } from './compare';
import { CliUsageError, HELP, parseCommandLine } from './args';

/** Runs the command line and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(
      `gan-diagnostics: ${describeError(error)}\nRun 'gan-diagnostics --help' for usage.\n`,
    );
    return 2;
  }
  if (parsed.command === 'help') {
    process.stdout.write(HELP[parsed.topic] ?? HELP.main);
    return 0;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const logger = createStderrLogger({ verbose: parsed.flags.verbose === true });
  let runner: JobRunner;
  try {
    runner = createRunner(parsed.flags, logger);
  } catch (error) {
    process.stderr.write(`gan-diagnostics: ${describeError(error)}\n`);
    return 2;
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      logger.warn('interrupted again: quitting without waiting for the job');
      process.exit(130);
    }
    logger.warn(
      parsed.command === 'train' || parsed.command === 'demo'
        ? 'interrupted: stopping at the next iteration and writing a checkpoint (press Ctrl-C again to quit at once)'
        : 'interrupted: stopping the job (press Ctrl-C again to quit at once)',
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    switch (parsed.command) {
      case 'train':
        return await runTrain(parsed, runner, logger, controller.signal);
      case 'probe':
        return await runProbe(parsed, runner, logger, controller.signal);
      case 'inspect':
        return await runInspect(parsed, runner);
      case 'demo':
        return await runDemo(parsed, runner, logger, controller.signal);
      case 'compare':
        return await runCompare(parsed);
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(
        `gan-diagnostics: ${error.message}\nRun 'gan-diagnostics ${parsed.command} --help' for usage.\n`,
      );
      return 2;
    }
    process.stderr.write(`gan-diagnostics: ${describeError(error).split('\n')[0]}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    await runner.dispose();
  }
}

function createRunner(
  flags: Record<string, string | boolean | undefined>,
  logger: Logger,
): JobRunner {
  const backend =
    (flags.backend as string | undefined) ?? process.env.GAN_DIAGNOSTICS_BACKEND ?? 'auto';
  if (backend !== 'auto' && !isBackendName(backend)) {
    throw new CliUsageError(
      `Invalid --backend '${backend}' (expected auto, node-gpu, node, wasm or cpu).`,
    );
  }
  const workers = flags.workers === undefined ? 'auto' : Number(flags.workers);
  if (workers !== 'auto' && !(Number.isInteger(workers) && workers >= 1 && workers <= 16)) {
    throw new CliUsageError(
      `Invalid --workers '${String(flags.workers)}' (expected an integer in 1..16).`,
    );
  }
  return new JobRunner({
    workerScript: path.join(__dirname, 'worker.js'),
    backend: backend as BackendRequest,
    workers,
    logger,
    verbose: flags.verbose === true,
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
