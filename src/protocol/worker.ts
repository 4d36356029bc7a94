/*
 * Messages between a job's host (the CLI or the extension) and its compute workers. One union
 * per direction; every message carries a literal `type`, and job messages carry the `jobId` they
 * belong to so that messages of a finished or cancelled job can be dropped. Both sides validate
 * what they receive with the guards below.
 */
import type { BackendInfo, BackendRequest } from '../core/backend/init';
import type { CollectiveBuffers } from '../core/train/collective';
import type { TrainConfig } from '../core/train/config';
import type { ProgressEvent } from '../core/train/progress';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface TrainJob {
  kind: 'train';
  runDir: string;
  /** A new run's configuration; omitted to resume the run in `runDir`. */
  config?: TrainConfig;
  iterations?: number;
}

export interface ProbeJob {
  kind: 'probe';
  /** Options of the probe request, validated by the worker (see src/core/probe/request.ts). */
  request: Record<string, unknown>;
}

export interface InspectJob {
  kind: 'inspect';
  file: string;
}

export type Job = TrainJob | ProbeJob | InspectJob;

export type HostToWorker =
  | {
      type: 'init';
      backend: BackendRequest;
      nativeSearchPaths: string[];
      wasmDir?: string;
      verbose: boolean;
    }
  | { type: 'run'; jobId: number; job: Job; rank: number; collective?: CollectiveBuffers }
  | { type: 'cancel'; jobId: number };

export type JobResult = Record<string, unknown>;

export type WorkerToHost =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'init-failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'progress'; jobId: number; event: ProgressEvent }
  | { type: 'checkpoint'; jobId: number; iteration: number; path: string }
  | { type: 'result'; jobId: number; result: JobResult }
  | { type: 'failed'; jobId: number; message: string; code?: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isJobId = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0;

/** Checks a message from a worker; returns a reason when it is malformed. */
export function checkWorkerMessage(value: unknown): string | undefined {
  if (!isObject(value) || typeof value.type !== 'string') return 'not an object with a string type';
  switch (value.type) {
    case 'ready':
      return isObject(value.backend) && typeof value.backend.name === 'string'
        ? undefined
        : 'ready without a backend';
    case 'init-failed':
      return typeof value.message === 'string' ? undefined : 'init-failed without a message';
    case 'log':
      return ['debug', 'info', 'warn', 'error'].includes(value.level as string) &&
        typeof value.message === 'string'
        ? undefined
        : 'log without a level and message';
    case 'progress':
      return isJobId(value.jobId) &&
        isObject(value.event) &&
        typeof value.event.iteration === 'number'
        ? undefined
        : 'progress without a job id and event';
    case 'checkpoint':
      return isJobId(value.jobId) &&
        typeof value.iteration === 'number' &&
        typeof value.path === 'string'
        ? undefined
        : 'checkpoint without a job id, iteration and path';
    case 'result':
      return isJobId(value.jobId) && isObject(value.result)
        ? undefined
        : 'result without a job id and result';
    case 'failed':
      return isJobId(value.jobId) && typeof value.message === 'string'
        ? undefined
        : 'failed without a job id and message';
    default:
      return `unknown message type '${value.type}'`;
  }
}

/** Checks a message from the host; returns a reason when it is malformed. */
export function checkHostMessage(value: unknown): string | undefined {
  if (!isObject(value) || typeof value.type !== 'string') return 'not an object with a string type';
  switch (value.type) {
    case 'init':
      return typeof value.backend === 'string' && Array.isArray(value.nativeSearchPaths)
        ? undefined
        : 'init without a backend';
    case 'run': {
      if (!isJobId(value.jobId) || !isObject(value.job) || !Number.isInteger(value.rank))
        return 'run without a job id, job and rank';
      const kind = value.job.kind;
      if (kind === 'train')
        return typeof value.job.runDir === 'string' ? undefined : 'train job without runDir';
      if (kind === 'probe')
        return isObject(value.job.request) ? undefined : 'probe job without a request';
      if (kind === 'inspect')
        return typeof value.job.file === 'string' ? undefined : 'inspect job without a file';
      return `unknown job kind '${String(kind)}'`;
    }
    case 'cancel':
      return isJobId(value.jobId) ? undefined : 'cancel without a job id';
    default:
      return `unknown message type '${value.type}'`;
  }
}
