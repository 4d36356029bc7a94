/*
 * Entry point of the webview bundle, shared by the report view and the checkpoint editor; the
 * page's `data-mode` attribute selects which one starts.
 */
import 'uplot/dist/uPlot.min.css';
import './elements';
import { onHostMessage, post, reportPolicyViolations } from './api';
import { CheckpointApp } from './checkpointApp';
import { ReportApp } from './reportApp';

declare global {
  interface Window {
    /** Read by lit when it has to add style elements; must match the page's style nonce. */
    litNonce?: string;
  }
}

const nonce = document.querySelector('meta[property="csp-nonce"]')?.getAttribute('nonce');
if (nonce) window.litNonce = nonce;
reportPolicyViolations();

const root = document.getElementById('app') ?? document.body;
const app =
  root.dataset.mode === 'checkpoint'
    ? new CheckpointApp(root, root.dataset.file ?? '')
    : new ReportApp(root);
onHostMessage((message) => app.handle(message));
post({ type: 'ready' });
