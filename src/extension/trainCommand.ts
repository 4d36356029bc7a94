import path from 'node:path';
import * as vscode from 'vscode';
import { TOY_DATASET_NAMES, type ToyDatasetName } from '../core/data/toy';
import { PRESET_NAMES, presetConfig, type TrainConfig } from '../core/train/config';
import type { TrainJob } from '../protocol/worker';
import { commandTarget, workspaceRoot } from './pickers';
import { runTitle } from './reportPanels';
import { findRunFolder, readRunJson } from './runFiles';
import type { Services } from './services';
import { trainArguments } from './scriptArguments';
import { defaultRunName, parseIterations } from './trainInputs';

const DATASET_DESCRIPTIONS: Record<ToyDatasetName, string> = {
  '8gaussians': '8 modes on a circle of radius √2 (the WGAN-GP toy data)',
  '25gaussians': '25 modes on a 5 × 5 grid',
  swissroll: 'a 2-D Swiss roll (tangent/normal split is meaningful)',
  circle: 'a circle embedded in 10 dimensions by a random rotation',
};

const PRESET_DESCRIPTIONS: Record<string, string> = {
  small: '3 × 128 networks, 2,000 iterations: modes appear within minutes',
  'paper-toy': "the authors' toy code: λ 0.1, 3 × 512 networks, 100k iterations",
  paper: 'Algorithm 1 defaults: λ 10, Adam(1e-4, 0, 0.9)',
  tiny: '2 × 16 networks, 20 iterations, for a smoke test',
  'wgan-clip': 'the original WGAN with weight clipping, as a baseline',
};

/** Train WGAN-GP…: a new run from quick picks, or a resumed run when invoked on a run folder. */
export async function trainCommand(services: Services, argument?: unknown): Promise<void> {
  const scripted = trainArguments(argument, PRESET_NAMES);
  if (scripted) {
    const config = presetConfig(scripted.preset as (typeof PRESET_NAMES)[number], {
      name: scripted.dataset,
    });
    const iterations = scripted.iterations ?? config.iterations;
    await startTraining(
      services,
      { kind: 'train', runDir: scripted.runDir, config: { ...config, iterations } },
      { scripted: true },
    );
    return;
  }
  const target = commandTarget(argument);
  const existingRun = target ? await runFolderOf(target.fsPath) : undefined;
  const job = existingRun ? await resumeJob(existingRun) : await newRunJob(services);
  if (!job) return;
  await startTraining(services, job);
}

async function runFolderOf(file: string): Promise<string | undefined> {
  if (path.basename(file) === 'run.json') return path.dirname(file);
  return findRunFolder(path.join(file, 'run.json'), 0);
}

async function resumeJob(runDir: string): Promise<TrainJob | undefined> {
  const manifest = await readRunJson(runDir);
  const input = await vscode.window.showInputBox({
    title: `Resume ${path.basename(runDir)} (at iteration ${manifest.iteration})`,
    prompt: 'Generator iterations to reach',
    value: String(Math.max(manifest.config.iterations, manifest.iteration + 1000)),
    validateInput: (text) => parseIterations(text, manifest.iteration + 1).error,
  });
  if (input === undefined) return undefined;
  return {
    kind: 'train',
    runDir,
    iterations: parseIterations(input, manifest.iteration + 1).value,
  };
}

async function newRunJob(services: Services): Promise<TrainJob | undefined> {
  const dataset = await vscode.window.showQuickPick(
    TOY_DATASET_NAMES.map((name) => ({ label: name, description: DATASET_DESCRIPTIONS[name] })),
    { title: 'Train WGAN-GP (1/4): dataset', placeHolder: 'Select the toy dataset' },
  );
  if (!dataset) return undefined;

  const preset = await vscode.window.showQuickPick(
    PRESET_NAMES.map((name) => ({ label: name, description: PRESET_DESCRIPTIONS[name] ?? '' })),
    { title: 'Train WGAN-GP (2/4): preset', placeHolder: 'Select the training preset' },
  );
  if (!preset) return undefined;
  const config: TrainConfig = presetConfig(preset.label as (typeof PRESET_NAMES)[number], {
    name: dataset.label as ToyDatasetName,
  });

  const iterationsText = await vscode.window.showInputBox({
    title: 'Train WGAN-GP (3/4): generator iterations',
    prompt: `Generator iterations (the preset uses ${config.iterations})`,
    value: String(config.iterations),
    validateInput: (text) => parseIterations(text, 1).error,
  });
  if (iterationsText === undefined) return undefined;
  const iterations = parseIterations(iterationsText, 1).value;

  const runDir = await pickOutputFolder(
    services,
    defaultRunName(dataset.label, preset.label, new Date()),
  );
  if (!runDir) return undefined;
  return { kind: 'train', runDir, config: { ...config, iterations } };
}

async function pickOutputFolder(services: Services, name: string): Promise<string | undefined> {
  const root = workspaceRoot();
  const suggested = root ? path.join(root.fsPath, services.settings().runsFolder, name) : undefined;
  const choose = { label: '$(folder-opened) Choose a parent folder…', dir: '' };
  const items = suggested
    ? [
        {
          label: vscode.workspace.asRelativePath(suggested),
          description: 'default',
          dir: suggested,
        },
      ]
    : [];
  const choice = await vscode.window.showQuickPick([...items, choose], {
    title: 'Train WGAN-GP (4/4): output folder',
    placeHolder: 'Where the run folder is created',
  });
  if (!choice) return undefined;
  if (choice.dir) return choice.dir;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: root,
    openLabel: 'Create Run Here',
  });
  return picked?.[0] ? path.join(picked[0].fsPath, name) : undefined;
}

/**
 * Runs a training job, streaming its progress to the run's report view. A scripted run does not
 * wait for the user to dismiss the closing notification.
 */
export async function startTraining(
  services: Services,
  job: TrainJob,
  options: { scripted?: boolean } = {},
): Promise<void> {
  const { panels, jobs, runsTree } = services;
  const view = panels.open({ runDir: job.runDir }, runTitle(job.runDir));
  const iterations = job.iterations ?? job.config?.iterations ?? 0;
  const history = job.config ? [] : (await readRunJson(job.runDir)).history;
  view.showRun(job.runDir, runTitle(job.runDir), iterations, history, 'running');
  view.showView('training');

  const outcome = await jobs.run({
    kind: 'train',
    title: `Training ${path.basename(job.runDir)}`,
    job,
    onProgress: (event) => {
      for (const panel of panels.forRun(job.runDir)) panel.addProgress(job.runDir, event);
    },
    onCheckpoint: () => runsTree.refresh(),
  });
  runsTree.refresh();
  for (const panel of panels.forRun(job.runDir)) {
    panel.setRunStatus(
      job.runDir,
      outcome.status,
      outcome.status === 'failed' ? outcome.message : undefined,
    );
  }

  const answered = notifyOutcome(services, job.runDir, outcome);
  if (!options.scripted) await answered;
  if (options.scripted && outcome.status === 'failed')
    throw new Error(`Training failed: ${outcome.message}`);
}

async function notifyOutcome(
  services: Services,
  runDir: string,
  outcome: { status: string; message?: string },
): Promise<void> {
  if (outcome.status === 'failed') {
    const choice = await vscode.window.showErrorMessage(
      `Training ${runDir} failed: ${outcome.message}`,
      'Show Log',
    );
    if (choice) services.logger.show();
    return;
  }
  const verb =
    outcome.status === 'completed' ? 'finished' : 'was cancelled; its last checkpoint is kept';
  const choice = await vscode.window.showInformationMessage(
    `Training ${path.basename(runDir)} ${verb}.`,
    'Probe Checkpoint',
  );
  if (choice) await vscode.commands.executeCommand('ganDiagnostics.probe', vscode.Uri.file(runDir));
}
