import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendInfo, BackendRequest } from '../core/backend/init';
import type { Logger } from '../core/log';
import {
  abortCollective,
  createCollectiveBuffers,
  type CollectiveBuffers,
} from '../core/train/collective';
import type { ProgressEvent } from '../core/train/progress';
import {
  checkWorkerMessage,
  type HostToWorker,
  type Job,
  type JobResult,
  type WorkerToHost,
} from '../protocol/worker';
import { collectiveCapacity } from './capacity';

export interface RunnerOptions {
  /** Path of the bundled worker script (dist/worker.js). */
  workerScript: string;
  backend: BackendRequest;
  /** Workers for data-parallel training on backends without their own threads; 'auto' uses up to 2. */
  workers: number | 'auto';
  nativeSearchPaths?: string[];
  logger: Logger;
  verbose?: boolean;
}

export interface JobHandlers {
  onProgress?: (event: ProgressEvent) => void;
  onCheckpoint?: (iteration: number, path: string) => void;
  signal?: AbortSignal;
}

export class JobError extends Error {
  override readonly name = 'JobError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface WorkerSlot {
  worker: Worker;
  listeners: Set<(message: WorkerToHost) => void>;
}

/**
 * Starts compute workers on first use and runs jobs on them, one job at a time. The first worker
 * reports which backend started; on wasm and cpu (one core per tfjs instance) training adds a
 * second worker and splits every batch between them.
 */
export class JobRunner {
  private slots: WorkerSlot[] = [];
  private backendInfo: BackendInfo | undefined;
  private starting: Promise<BackendInfo> | undefined;
  private nextJobId = 1;
  private busy = false;
  private disposed = false;

  constructor(private readonly options: RunnerOptions) {}

  get backend(): BackendInfo | undefined {
    return this.backendInfo;
  }

  /** Starts the first worker and its backend, if not started yet. */
  async start(): Promise<BackendInfo> {
    this.starting ??= this.spawn().then((info) => (this.backendInfo = info));
    return this.starting;
  }

  async run(job: Job, handlers: JobHandlers = {}): Promise<JobResult> {
    if (this.disposed) throw new JobError('The job runner was disposed.');
    if (this.busy)
      throw new JobError('Another job is running; wait for it or cancel it first.', 'busy');
    this.busy = true;
    try {
      const info = await this.start();
      const ranks =
        job.kind === 'inspect' ? 1 : await this.ensureWorkers(this.trainingWorkers(info));
      return await this.dispatch(job, ranks, handlers);
    } finally {
      this.busy = false;
    }
  }

  private trainingWorkers(info: BackendInfo): number {
    if (info.name === 'node' || info.name === 'node-gpu') return 1;
    const requested =
      this.options.workers === 'auto'
        ? Math.min(2, os.availableParallelism())
        : this.options.workers;
    return Math.max(1, Math.min(requested, 16));
  }

  private async ensureWorkers(count: number): Promise<number> {
    while (this.slots.length < count) await this.spawn();
    return count;
  }

  private spawn(): Promise<BackendInfo> {
    const worker = new Worker(this.options.workerScript);
    const slot: WorkerSlot = { worker, listeners: new Set() };
    const index = this.slots.length;
    this.slots.push(slot);
    worker.on('message', (raw: unknown) => {
      const problem = checkWorkerMessage(raw);
      if (problem) {
        this.options.logger.error(
          `dropped a malformed message from compute worker ${index}: ${problem}`,
        );
        return;
      }
      const message = raw as WorkerToHost;
      if (message.type === 'log') this.log(index, message.level, message.message);
      for (const listener of slot.listeners) listener(message);
    });
    worker.on('error', (error) =>
      this.options.logger.error(`compute worker ${index} crashed`, error),
    );
    worker.on('exit', (code) => {
      this.slots = this.slots.filter((s) => s !== slot);
      if (!this.disposed && code !== 0)
        this.options.logger.warn(`compute worker ${index} exited with code ${code}`);
      for (const listener of slot.listeners)
        listener({
          type: 'failed',
          jobId: -1,
          message: `The compute worker stopped (exit code ${code}).`,
        });
    });
    return new Promise<BackendInfo>((resolve, reject) => {
      const listener = (message: WorkerToHost) => {
        if (message.type === 'ready') {
          slot.listeners.delete(listener);
          resolve(message.backend);
        } else if (
          message.type === 'init-failed' ||
          (message.type === 'failed' && message.jobId === -1)
        ) {
          slot.listeners.delete(listener);
          void worker.terminate();
          reject(new JobError(message.message, 'backend'));
        }
      };
      slot.listeners.add(listener);
      worker.on('error', (error) =>
        reject(new JobError(`The compute worker failed to start: ${error.message}`)),
      );
      this.post(slot, {
        type: 'init',
        backend: this.backendInfo?.name ?? this.options.backend,
        nativeSearchPaths: this.options.nativeSearchPaths ?? [],
        verbose: this.options.verbose ?? false,
      });
    });
  }

  private log(index: number, level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    // The second and later workers repeat rank 0's start-up lines; keep only their warnings.
    if (index > 0 && (level === 'info' || level === 'debug')) return;
    this.options.logger[level](message);
  }

  private post(slot: WorkerSlot, message: HostToWorker): void {
    slot.worker.postMessage(message);
  }

  private dispatch(job: Job, ranks: number, handlers: JobHandlers): Promise<JobResult> {
    const jobId = this.nextJobId++;
    const slots = this.slots.slice(0, ranks);
    const collective: CollectiveBuffers | undefined =
      job.kind !== 'inspect' && ranks > 1
        ? createCollectiveBuffers(ranks, collectiveCapacity(job))
        : undefined;
    return new Promise<JobResult>((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        settled = true;
        slots.forEach((slot, rank) => slot.listeners.delete(listeners[rank]));
        handlers.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: JobError) => {
        if (settled) return;
        if (collective) abortCollective(collective);
        cleanup();
        reject(error);
      };
      const pending = new Set(slots.map((_, rank) => rank));
      let primaryResult: JobResult | undefined;
      const listeners = slots.map((_, rank) => (message: WorkerToHost) => {
        if ('jobId' in message && message.jobId !== jobId && message.jobId !== -1) return;
        if (message.type === 'failed') return fail(new JobError(message.message, message.code));
        if (rank !== 0) {
          if (message.type === 'result') finish(rank);
          return;
        }
        if (message.type === 'progress') handlers.onProgress?.(message.event);
        if (message.type === 'checkpoint') handlers.onCheckpoint?.(message.iteration, message.path);
        if (message.type === 'result') {
          primaryResult = message.result;
          finish(rank);
        }
      });
      const finish = (rank: number) => {
        pending.delete(rank);
        if (pending.size === 0 && !settled) {
          cleanup();
          resolve(primaryResult ?? {});
        }
      };
      const onAbort = () => slots.forEach((slot) => this.post(slot, { type: 'cancel', jobId }));
      slots.forEach((slot, rank) => slot.listeners.add(listeners[rank]));
      handlers.signal?.addEventListener('abort', onAbort);
      if (handlers.signal?.aborted) onAbort();
      slots.forEach((slot, rank) =>
        this.post(slot, { type: 'run', jobId, job, rank, ...(collective ? { collective } : {}) }),
      );
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
