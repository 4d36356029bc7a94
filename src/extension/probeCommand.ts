import path from 'node:path';
import * as vscode from 'vscode';
import { TOY_DATASET_NAMES } from '../core/data/toy';
import {
  activeCheckpointFile,
  commandTarget,
  MODEL_FILTERS,
  pickFile,
  pickRunFolder,
  SAMPLE_FILTERS,
} from './pickers';
import { resolveProbeTarget } from './probeTargets';
import { probeArguments } from './scriptArguments';
import { probeAndShow, type ProbeTarget } from './probeService';
import type { Services } from './services';

/** Probe Checkpoint…: on a run folder, a checkpoint or a critic file, or chosen by quick picks. */
export async function probeCommand(services: Services, argument?: unknown): Promise<void> {
  const target = await chooseTarget(argument);
  if (target) await probeAndShow(services, target);
}

async function chooseTarget(argument: unknown): Promise<ProbeTarget | undefined> {
  const scripted = probeArguments(argument);
  if (scripted) return scripted;
  const uri = commandTarget(argument) ?? activeCheckpointFile();
  if (uri) {
    const resolved = await resolveProbeTarget(uri.fsPath);
    if (resolved.kind === 'run') return resolved;
    if (resolved.kind === 'critic') return completeFileTarget(resolved.critic);
    void vscode.window.showErrorMessage(resolved.reason);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    [
      {
        label: '$(folder) Run folder',
        description: 'a run trained by GAN Diagnostics',
        source: 'run' as const,
      },
      {
        label: '$(file-binary) Critic file',
        description: '.onnx, .pt/.pth, .safetensors or model.json, with samples and real data',
        source: 'files' as const,
      },
    ],
    { title: 'Probe Checkpoint', placeHolder: 'What to probe' },
  );
  if (!choice) return undefined;
  if (choice.source === 'run') {
    const runDir = await pickRunFolder('Probe Checkpoint: run folder');
    return runDir ? { kind: 'run', runDir } : undefined;
  }
  const critic = await pickFile('Probe Checkpoint: critic file', MODEL_FILTERS);
  return critic ? completeFileTarget(critic) : undefined;
}

/** Asks for what a critic file needs besides itself: generated samples and real data. */
async function completeFileTarget(critic: string): Promise<ProbeTarget | undefined> {
  const name = path.basename(critic);
  const generatedChoice = await vscode.window.showQuickPick(
    [
      {
        label: 'Generator file',
        description: 'draws samples from z ~ N(0, I)',
        source: 'generator' as const,
      },
      {
        label: 'Samples file',
        description: '.npy or .csv of generated points',
        source: 'fake' as const,
      },
    ],
    {
      title: `Probe ${name} (1/2): generated samples`,
      placeHolder: 'Where the generated points come from',
    },
  );
  if (!generatedChoice) return undefined;
  const generated =
    generatedChoice.source === 'generator'
      ? await pickFile(`Probe ${name}: generator file`, MODEL_FILTERS)
      : await pickFile(`Probe ${name}: generated samples`, SAMPLE_FILTERS);
  if (!generated) return undefined;

  const realChoice = await vscode.window.showQuickPick(
    [
      { label: '$(file) Real data file…', description: '.npy or .csv', dataset: '' },
      ...TOY_DATASET_NAMES.map((dataset) => ({
        label: dataset,
        description: 'toy dataset',
        dataset,
      })),
    ],
    { title: `Probe ${name} (2/2): real data`, placeHolder: 'The data the critic was trained on' },
  );
  if (!realChoice) return undefined;
  const base = { kind: 'files' as const, critic, [generatedChoice.source]: generated };
  if (realChoice.dataset) return { ...base, dataset: realChoice.dataset };
  const real = await pickFile(`Probe ${name}: real data`, SAMPLE_FILTERS);
  return real ? { ...base, real } : undefined;
}
