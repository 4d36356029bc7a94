import { checkHostToWebview } from '../../src/protocol/webviewGuards';
import type { HostToWebview } from '../../src/protocol/webview';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const problem = checkHostToWebview(event.data);
  if (problem) {
    vscode.postMessage({ type: 'error', message: `dropped a malformed message: ${problem}` });
    return;
  }
  const message = event.data as HostToWebview;
  if (message.type === 'report') {
    root.replaceChildren(
      ...message.report.findings.map((finding) => {
        const item = document.createElement('p');
        item.textContent = `${finding.severity}: ${finding.message} — ${finding.fix}`;
        return item;
      }),
    );
  }
});

vscode.postMessage({ type: 'ready' });
