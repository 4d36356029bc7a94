import path from 'node:path';
import * as vscode from 'vscode';
import type { BackendInfo, BackendRequest } from '../core/backend/init';
import { describeError } from '../core/log';
import type { ProgressEvent } from '../core/train/progress';
import type { Job, JobResult } from '../protocol/worker';
import type { JobRunner } from '../worker/runner';
import { Disposable } from './disposable';
import {
  progressIncrement,
  progressMessage,
  statusBarText,
  statusBarTooltip,
  type JobKind,
  type JobState,
} from './jobStatus';
import type { ChannelLogger } from './log';
import type { Settings } from './settings';

export interface JobOptions {
  kind: JobKind;
  title: string;
  job: Job;
  onProgress?: (event: ProgressEvent) => void;
  onCheckpoint?: (iteration: number, file: string) => void;
  /** Show the job in a notification; inspect jobs of the checkpoint editor run without one. */
  notify?: boolean;
}

export type JobOutcome =
  | { status: 'completed'; result: JobResult }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string };

/**
 * Runs jobs in the compute worker, one at a time, with a cancellable notification and a status
 * bar item. The worker, and with it tfjs, starts on the first job. The runner module itself is
 * imported then too, so that activation loads none of it.
 */
export class JobService extends Disposable {
  private runner: JobRunner | undefined;
  private runnerBackend: BackendRequest | undefined;
  private current: (JobState & { controller: AbortController }) | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly extensionPath: string,
    private readonly logger: ChannelLogger,
    private readonly settings: () => Settings,
  ) {
    super();
    this.statusItem = this.register(
      vscode.window.createStatusBarItem('ganDiagnostics.job', vscode.StatusBarAlignment.Left, 10),
    );
    this.statusItem.name = 'GAN Diagnostics';
    this.updateStatus();
    this.statusItem.show();
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  get backend(): BackendInfo | undefined {
    return this.runner?.backend;
  }

  /** Cancels the running job; returns false when none runs. */
  cancel(): boolean {
    if (!this.current) return false;
    this.logger.info(`cancelling ${this.current.title}`);
    this.current.controller.abort();
    return true;
  }

  /** Drops the worker so that the next job starts one on the backend now set. */
  async restartWorker(): Promise<void> {
    if (this.current)
      throw new Error('A job is running; cancel it before changing the compute backend.');
    const runner = this.runner;
    this.runner = undefined;
    this.runnerBackend = undefined;
    await runner?.dispose();
    this.updateStatus();
  }

  /** Runs a job; never rejects, so a failing job leaves the extension usable. */
  async run(options: JobOptions): Promise<JobOutcome> {
    if (!vscode.workspace.isTrusted) {
      const message =
        'GAN Diagnostics runs no jobs in an untrusted workspace, because jobs parse checkpoint files. Trust the workspace to continue.';
      void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return { status: 'failed', message };
    }
    if (this.current) {
      const message = `${this.current.title} is still running; wait for it or cancel it first.`;
      void vscode.window.showWarningMessage(message, 'Cancel Job').then((choice) => {
        if (choice) this.cancel();
      });
      return { status: 'failed', message };
    }

    const controller = new AbortController();
    this.current = { kind: options.kind, title: options.title, controller };
    this.updateStatus();
    try {
      if (options.notify === false) return await this.execute(options, controller.signal);
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return this.execute(options, controller.signal, progress);
        },
      );
    } finally {
      this.current = undefined;
      this.updateStatus();
    }
  }

  private async execute(
    options: JobOptions,
    signal: AbortSignal,
    progress?: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<JobOutcome> {
    const started = Date.now();
    this.logger.info(`${options.title}: started`);
    let previous: ProgressEvent | undefined;
    try {
      progress?.report({ message: 'starting the compute worker…' });
      const runner = await this.getRunner();
      this.updateStatus();
      const result = await runner.run(options.job, {
        signal,
        onProgress: (event) => {
          progress?.report({
            message: progressMessage(event),
            increment: progressIncrement(previous, event),
          });
          previous = event;
          if (this.current) this.current.last = event;
          this.updateStatus();
          options.onProgress?.(event);
        },
        onCheckpoint: (iteration, file) => {
          this.logger.info(`${options.title}: checkpoint at iteration ${iteration} in ${file}`);
          options.onCheckpoint?.(iteration, file);
        },
      });
      if (signal.aborted) {
        this.logger.info(`${options.title}: cancelled after ${Date.now() - started} ms`);
        return { status: 'cancelled' };
      }
      this.logger.info(`${options.title}: completed in ${Date.now() - started} ms`);
      return { status: 'completed', result };
    } catch (error) {
      if (signal.aborted) {
        this.logger.info(`${options.title}: cancelled (${describeError(error)})`);
        return { status: 'cancelled' };
      }
      this.logger.error(`${options.title}: failed`, error);
      return { status: 'failed', message: describeError(error) };
    }
  }

  private async getRunner(): Promise<JobRunner> {
    const settings = this.settings();
    if (this.runner && this.runnerBackend === settings.backend) return this.runner;
    await this.runner?.dispose();

    const { JobRunner } = await import('../worker/runner');
    const runner = new JobRunner({
      workerScript: path.join(this.extensionPath, 'dist', 'worker.js'),
      backend: settings.backend,
      workers: settings.trainingWorkers,
      nativeSearchPaths: [path.join(this.extensionPath, 'node_modules')],
      logger: this.logger,
    });
    this.runner = runner;
    this.runnerBackend = settings.backend;
    try {
      const info = await runner.start();
      const skipped = info.skipped.map((s) => `${s.name} (${s.reason})`).join('; ');
      this.logger.info(
        `compute backend ${info.name} started${skipped ? `; skipped ${skipped}` : ''}`,
      );
    } catch (error) {
      this.runner = undefined;
      this.runnerBackend = undefined;
      await runner.dispose();
      throw error;
    }
    return runner;
  }

  private updateStatus(): void {
    const backend = this.runner?.backend?.name;
    this.statusItem.text = statusBarText(this.current, backend);
    this.statusItem.tooltip = statusBarTooltip(this.current, backend);
    this.statusItem.command = this.current
      ? 'ganDiagnostics.cancelJob'
      : 'ganDiagnostics.selectBackend';
    void vscode.commands.executeCommand(
      'setContext',
      'ganDiagnostics.jobRunning',
      this.current !== undefined,
    );
    this.changed.fire();
  }

  override dispose(): void {
    this.current?.controller.abort();
    void this.runner?.dispose();
    this.runner = undefined;
    super.dispose();
  }
}
