import { parentPort } from 'node:worker_threads';
import { initBackend, type BackendInfo } from '../core/backend/init';
import { describeError, type Logger } from '../core/log';
import {
  checkHostMessage,
  type HostToWorker,
  type LogLevel,
  type WorkerToHost,
} from '../protocol/worker';
import { runJob } from './jobs';

/*
 * Entry point of a compute worker thread. It owns one tfjs instance (and so one wasm instance,
 * which uses one core), runs one job at a time, and reports through messages only.
 */
const port = parentPort;
if (!port) throw new Error('The compute worker must run inside a worker thread.');

const send = (message: WorkerToHost) => port.postMessage(message);
const sendLog = (level: LogLevel) => (message: string, error?: unknown) =>
  send({
    type: 'log',
    level,
    message: error === undefined ? message : `${message}: ${describeError(error)}`,
  });

let verbose = false;
const logger: Logger = {
  debug: (message) => {
    if (verbose) sendLog('debug')(message);
  },
  info: sendLog('info'),
  warn: sendLog('warn'),
  error: sendLog('error'),
};

let backend: BackendInfo | undefined;
const cancelled = new Set<number>();

port.on('message', (raw: unknown) => {
  const problem = checkHostMessage(raw);
  if (problem) {
    logger.error(`compute worker dropped a malformed message: ${problem}`);
    return;
  }
  void handle(raw as HostToWorker);
});

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      verbose = message.verbose;
      try {
        backend = await initBackend({
          request: message.backend,
          nativeSearchPaths: message.nativeSearchPaths,
          wasmDir: message.wasmDir,
          logger,
        });
        send({ type: 'ready', backend });
      } catch (error) {
        send({ type: 'init-failed', message: describeError(error) });
      }
      return;
    case 'cancel':
      cancelled.add(message.jobId);
      return;
    case 'run': {
      if (!backend) {
        send({
          type: 'failed',
          jobId: message.jobId,
          message: 'The compute worker received a job before its backend started.',
        });
        return;
      }
      const signal = {
        get aborted() {
          return cancelled.has(message.jobId);
        },
      };
      try {
        const result = await runJob(message, { backend, logger, signal, send });
        send({ type: 'result', jobId: message.jobId, result });
      } catch (error) {
        logger.debug(error instanceof Error && error.stack ? error.stack : describeError(error));
        const code = (error as { code?: unknown }).code;
        send({
          type: 'failed',
          jobId: message.jobId,
          message: describeError(error),
          ...(typeof code === 'string' ? { code } : {}),
        });
      } finally {
        cancelled.delete(message.jobId);
      }
    }
  }
}
