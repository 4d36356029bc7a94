import * as vscode from 'vscode';
import { createNonce, renderWebviewHtml } from './webviewHtml';

/** Webview options shared by the report view and the checkpoint editor. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** Sets a webview's page: the bundled script and styles, a fresh nonce, and the initial state. */
export function setWebviewPage(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  title: string,
  data: Record<string, string>,
): void {
  const asUri = (...segments: string[]) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  webview.html = renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: asUri('dist', 'webview.js'),
    styleUris: [asUri('dist', 'webview.css'), asUri('media', 'webview.css')],
    title,
    data,
  });
}
