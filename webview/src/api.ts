/*
 * The webview's side of the host connection: typed posting, validated receiving, and the saved
 * state that survives the webview being hidden or reloaded.
 */
import type { HostToWebview, ReportView, WebviewToHost } from '../../src/protocol/webview';
import { checkHostToWebview } from '../../src/protocol/webviewGuards';

/** The state kept with setState; the host's serializer reads runDir and reportFile from it. */
export interface SavedState {
  runDir?: string;
  reportFile?: string;
  view?: ReportView;
  /** The page's vertical scroll offset, in CSS pixels. */
  scrollY?: number;
}

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export function loadState(): SavedState {
  return api.getState() ?? {};
}

export function saveState(update: Partial<SavedState>): void {
  api.setState({ ...loadState(), ...update });
}

/** Calls `handler` with every well-formed host message; malformed ones are reported and dropped. */
export function onHostMessage(handler: (message: HostToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const problem = checkHostToWebview(event.data);
    if (problem) {
      post({ type: 'error', message: `dropped a malformed message from the host: ${problem}` });
      return;
    }
    try {
      handler(event.data as HostToWebview);
    } catch (error) {
      post({
        type: 'error',
        message: `failed to show a '${(event.data as HostToWebview).type}' message: ${String(error)}`,
      });
    }
  });
}

/** Reports Content-Security-Policy violations to the host's log, where they can be seen. */
export function reportPolicyViolations(): void {
  document.addEventListener('securitypolicyviolation', (event) => {
    post({
      type: 'error',
      message: `Content-Security-Policy blocked ${event.blockedURI || 'an inline resource'} (${event.violatedDirective})`,
    });
  });
}
