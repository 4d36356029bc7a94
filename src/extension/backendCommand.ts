import * as vscode from 'vscode';
import type { BackendRequest } from '../core/backend/init';
import type { Services } from './services';
import { BACKEND_REQUESTS } from './settings';

/** The same descriptions as the `ganDiagnostics.backend` enumDescriptions in package.json. */
export const BACKEND_DESCRIPTIONS: Record<BackendRequest, string> = {
  auto: 'The fastest that starts: node-gpu, then node, then wasm, then cpu.',
  'node-gpu': 'TensorFlow C library with CUDA (needs @tensorflow/tfjs-node-gpu and a CUDA GPU).',
  node: 'TensorFlow C library on the CPU (needs @tensorflow/tfjs-node).',
  wasm: 'WebAssembly with SIMD; works everywhere, one core per worker.',
  cpu: 'Plain JavaScript; slowest, for checking results against the others.',
};

/** Select Compute Backend: writes `ganDiagnostics.backend` and restarts the worker on it. */
export async function selectBackendCommand(services: Services): Promise<void> {
  const current = services.settings().backend;
  const running = services.jobs.backend?.name;
  const choice = await vscode.window.showQuickPick(
    BACKEND_REQUESTS.map((name) => ({
      label: name,
      description: [name === current ? 'selected' : '', name === running ? 'running' : '']
        .filter(Boolean)
        .join(', '),
      detail: BACKEND_DESCRIPTIONS[name],
      name,
    })),
    {
      title: 'Select Compute Backend',
      placeHolder: `Selected: ${current}${running ? `, running: ${running}` : ''}`,
    },
  );
  if (!choice || choice.name === current) return;
  if (services.jobs.isRunning) {
    void vscode.window.showWarningMessage(
      'A job is running; cancel it or wait, then select the backend again.',
    );
    return;
  }
  const target = vscode.workspace.workspaceFolders
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('ganDiagnostics').update('backend', choice.name, target);
  await services.jobs.restartWorker();
  services.logger.info(
    `compute backend set to ${choice.name}; the worker restarts on the next job`,
  );
}
