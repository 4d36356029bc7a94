import * as vscode from 'vscode';
import { describeError, type Logger } from '../core/log';

/**
 * The extension's Logger: one LogOutputChannel, created on the first message or on Show Log, so
 * that activation creates no output channel. VS Code's log level setting filters what is shown.
 */
export class ChannelLogger implements Logger, vscode.Disposable {
  private channel: vscode.LogOutputChannel | undefined;

  private get output(): vscode.LogOutputChannel {
    this.channel ??= vscode.window.createOutputChannel('GAN Diagnostics', { log: true });
    return this.channel;
  }

  debug(message: string): void {
    this.output.debug(message);
  }

  info(message: string): void {
    this.output.info(message);
  }

  warn(message: string): void {
    this.output.warn(message);
  }

  error(message: string, error?: unknown): void {
    if (error === undefined) {
      this.output.error(message);
    } else {
      this.output.error(`${message}: ${describeError(error)}`);
      if (error instanceof Error && error.stack) this.output.debug(error.stack);
    }
  }

  show(): void {
    this.output.show(true);
  }

  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}
