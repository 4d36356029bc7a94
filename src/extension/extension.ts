import * as vscode from 'vscode';
import { ChannelLogger } from './log';

let logger: ChannelLogger | undefined;

/**
 * Activates the extension: registers commands, views and providers. Nothing here loads tfjs or
 * starts a worker; the compute worker starts on the first job.
 */
export function activate(context: vscode.ExtensionContext): void {
  logger = new ChannelLogger();
  context.subscriptions.push(logger);
  context.subscriptions.push(
    vscode.commands.registerCommand('ganDiagnostics.showLog', () => logger?.show()),
  );
}

export function deactivate(): void {
  logger = undefined;
}
