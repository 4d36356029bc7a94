import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/log';
import type { HostToWebview, WebviewToHost } from '../protocol/webview';
import { checkWebviewToHost } from '../protocol/webviewGuards';
import { summarizeInspectResult, summarizeRunManifest, tooLargeMessage } from './checkpointSummary';
import { Disposable } from './disposable';
import { readRunJson } from './runFiles';
import type { Services } from './services';
import { setWebviewPage, webviewOptions } from './webviewContent';

/** The editor for binary checkpoints (.pt, .pth, .onnx, .safetensors): the default for them. */
export const CHECKPOINT_VIEW_TYPE = 'ganDiagnostics.checkpoint';
/** The same editor for model.json and run.json, offered with "Open With" beside the text editor. */
export const CHECKPOINT_JSON_VIEW_TYPE = 'ganDiagnostics.checkpointJson';

/**
 * The read-only checkpoint editor: what a model file is, its architecture, parameter counts,
 * per-layer statistics and metadata, from an inspect job in the compute worker.
 */
export class CheckpointEditorProvider
  extends Disposable
  implements vscode.CustomReadonlyEditorProvider
{
  constructor(private readonly services: Services) {
    super();
    for (const viewType of [CHECKPOINT_VIEW_TYPE, CHECKPOINT_JSON_VIEW_TYPE]) {
      this.register(
        vscode.window.registerCustomEditorProvider(viewType, this, {
          supportsMultipleEditorsPerDocument: true,
        }),
      );
    }
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const extensionUri = this.services.context.extensionUri;
    panel.webview.options = webviewOptions(extensionUri);
    const file = document.uri.fsPath;
    let content: HostToWebview | undefined;
    const post = (message: HostToWebview) => {
      content = message;
      void panel.webview.postMessage(message);
    };

    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
      const problem = checkWebviewToHost(raw);
      if (problem) {
        this.services.logger.warn(
          `checkpoint editor sent a malformed message, dropped: ${problem}`,
        );
        return;
      }
      const message = raw as WebviewToHost;
      if (message.type === 'ready') {
        // The page reloads after being hidden; send what it showed again, or start loading.
        if (content) void panel.webview.postMessage(content);
        else void this.load(document.uri).then(post);
      } else if (message.type === 'action') {
        this.act(message.action, document.uri);
      } else if (message.type === 'error') {
        this.services.logger.warn(`checkpoint editor: ${message.message}`);
      }
    });
    panel.onDidDispose(() => subscription.dispose());
    setWebviewPage(panel.webview, extensionUri, path.basename(file), { mode: 'checkpoint', file });
  }

  private act(action: string, uri: vscode.Uri): void {
    if (action === 'probe') void vscode.commands.executeCommand('ganDiagnostics.probe', uri);
    if (action === 'reopenWithDefault')
      void vscode.commands.executeCommand('vscode.openWith', uri, 'default');
  }

  /** Reads the file's summary; every failure becomes a checkpointError message with the reason. */
  private async load(uri: vscode.Uri): Promise<HostToWebview> {
    const file = uri.fsPath;
    const fail = (message: string): HostToWebview => ({
      type: 'checkpointError',
      file,
      message,
      canReopen: true,
    });
    if (!vscode.workspace.isTrusted) {
      return fail(
        'This workspace is not trusted, so GAN Diagnostics does not parse its checkpoint files. Trust the workspace to inspect this file.',
      );
    }
    let size: number;
    try {
      size = (await fs.stat(file)).size;
    } catch (error) {
      return fail(`Could not read ${file}: ${describeError(error)}`);
    }
    const limit = this.services.settings().maxCheckpointBytes;
    if (size > limit) return fail(tooLargeMessage(file, size, limit));

    const outcome = await this.services.jobs.run({
      kind: 'inspect',
      title: `Inspecting ${path.basename(file)}`,
      job: { kind: 'inspect', file },
      notify: false,
    });
    if (outcome.status === 'completed') {
      return {
        type: 'checkpoint',
        file,
        summary: summarizeInspectResult(file, size, outcome.result),
      };
    }
    if (path.basename(file) === 'run.json') {
      // run.json is plain JSON, so it can be summarised without the worker.
      try {
        return {
          type: 'checkpoint',
          file,
          summary: summarizeRunManifest(file, size, await readRunJson(path.dirname(file))),
        };
      } catch (error) {
        return fail(describeError(error));
      }
    }
    const reason = outcome.status === 'failed' ? outcome.message : 'the inspection was cancelled.';
    return fail(`GAN Diagnostics cannot read ${path.basename(file)}: ${reason}`);
  }
}
