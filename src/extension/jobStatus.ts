/*
 * The text of the status bar item and the progress notification, kept apart from vscode so that
 * tests can check it.
 */
import type { ProgressEvent } from '../core/train/progress';

export type JobKind = 'train' | 'probe' | 'inspect' | 'compare';

export interface JobState {
  kind: JobKind;
  title: string;
  /** The latest progress event of a training job. */
  last?: ProgressEvent;
}

/** Formats the status bar text: the running job, if any, and the compute backend. */
export function statusBarText(job: JobState | undefined, backend: string | undefined): string {
  const backendText = backend ?? 'not started';
  if (!job) return `$(pulse) GAN: ${backendText}`;
  const step = job.last ? ` ${job.last.iteration}/${job.last.iterations}` : '';
  return `$(sync~spin) GAN: ${job.kind}${step} · ${backendText}`;
}

export function statusBarTooltip(job: JobState | undefined, backend: string | undefined): string {
  const backendLine = `Compute backend: ${backend ?? 'starts with the first job'}`;
  if (!job) return `${backendLine}\nClick to select the compute backend.`;
  return `${job.title}\n${backendLine}\nClick to cancel the job.`;
}

/** Formats one progress event for the notification. */
export function progressMessage(event: ProgressEvent): string {
  const parts = [
    `iteration ${event.iteration}/${event.iterations}`,
    `W ≈ ${formatNumber(event.wasserstein)}`,
    `‖∇D‖ median ${formatNumber(event.gradNorm.median)}`,
  ];
  if (event.modesCaptured !== undefined) parts.push(`${event.modesCaptured} modes`);
  if (event.msPerIteration > 0) parts.push(`${formatNumber(event.msPerIteration)} ms/it`);
  return parts.join(' · ');
}

/**
 * Returns the increment, in percent of the whole job, between two progress events, as
 * window.withProgress expects it.
 */
export function progressIncrement(
  previous: ProgressEvent | undefined,
  event: ProgressEvent,
): number {
  if (!(event.iterations > 0)) return 0;
  const before = previous ? previous.iteration : 0;
  const delta = ((event.iteration - before) / event.iterations) * 100;
  return Math.max(0, Math.min(100, delta));
}

/** Formats a number with 3 significant digits, or in exponent form outside 1e-3..1e5. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}
