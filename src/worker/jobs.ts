import type { BackendInfo } from '../core/backend/init';
import { silentLogger, type Logger } from '../core/log';
import { SharedMemoryCollective, SINGLE_PROCESS } from '../core/train/collective';
import { train } from '../core/train/trainer';
import type { HostToWorker, JobResult, WorkerToHost } from '../protocol/worker';
import { runProbeJob } from '../core/probe/job';
import { inspectFile } from '../core/formats/inspect';
import { countCapturedModes } from '../core/probe/modes';

export interface JobContext {
  backend: BackendInfo;
  logger: Logger;
  signal: { readonly aborted: boolean };
  send: (message: WorkerToHost) => void;
}

/** Runs one job in this worker and returns its result. */
export async function runJob(
  message: Extract<HostToWorker, { type: 'run' }>,
  context: JobContext,
): Promise<JobResult> {
  const { job, jobId } = message;
  switch (job.kind) {
    case 'train': {
      const collective = message.collective
        ? new SharedMemoryCollective(message.rank, message.collective)
        : SINGLE_PROCESS;
      const result = await train({
        runDir: job.runDir,
        config: job.config,
        iterations: job.iterations,
        signal: context.signal,
        collective,
        backend: context.backend.name,
        logger: context.logger,
        countModes: countCapturedModes,
        onProgress: (event) => context.send({ type: 'progress', jobId, event }),
        onCheckpoint: (iteration, path) =>
          context.send({ type: 'checkpoint', jobId, iteration, path }),
      });
      return { ...result };
    }
    case 'probe':
      return (await runProbeJob(job.request, {
        backend: context.backend,
        logger: message.rank === 0 ? context.logger : silentLogger,
        signal: context.signal,
        collective: message.collective
          ? new SharedMemoryCollective(message.rank, message.collective)
          : SINGLE_PROCESS,
      })) as unknown as JobResult;
    case 'inspect':
      return (await inspectFile(job.file)) as unknown as JobResult;
  }
}
