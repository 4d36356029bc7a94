import path from 'node:path';
import * as vscode from 'vscode';
import { RUN_JSON } from './runFiles';

/** Returns the first workspace folder, or undefined when no folder is open. */
export function workspaceRoot(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/**
 * Returns the URI a command was invoked on: an explorer or editor-title URI, or a runs-tree node.
 * A command run from the palette has none.
 */
export function commandTarget(argument: unknown): vscode.Uri | undefined {
  if (argument instanceof vscode.Uri) return argument;
  const resourcePath = (argument as { path?: unknown } | undefined)?.path;
  if (typeof resourcePath === 'string') return vscode.Uri.file(resourcePath);
  return undefined;
}

/** Returns the file of the active tab when it is a checkpoint editor or a run.json. */
export function activeCheckpointFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (
    input instanceof vscode.TabInputCustom &&
    input.viewType.startsWith('ganDiagnostics.checkpoint')
  )
    return input.uri;
  if (input instanceof vscode.TabInputText && path.basename(input.uri.fsPath) === RUN_JSON)
    return input.uri;
  return undefined;
}

/** Lets the user pick a run folder from the workspace, or browse for one. */
export async function pickRunFolder(title: string): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(`**/${RUN_JSON}`, '**/node_modules/**', 200);
  const browse = '$(folder-opened) Browse…';
  const items = files
    .map((file) => path.dirname(file.fsPath))
    .sort()
    .map((dir) => ({
      label: path.basename(dir),
      description: vscode.workspace.asRelativePath(dir),
      dir,
    }));
  const choice = await vscode.window.showQuickPick(
    [...items, { label: browse, description: '', dir: '' }],
    {
      title,
      placeHolder:
        items.length > 0
          ? 'Select a run folder'
          : 'No run folders in this workspace; browse for one',
    },
  );
  if (!choice) return undefined;
  if (choice.label !== browse) return choice.dir;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFolders: true,
    canSelectFiles: false,
    defaultUri: workspaceRoot(),
    openLabel: 'Select Run Folder',
  });
  return picked?.[0]?.fsPath;
}

/** Asks for one file; `filters` maps a label to extensions without the dot. */
export async function pickFile(
  title: string,
  filters: Record<string, string[]>,
): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: workspaceRoot(),
    filters,
    openLabel: 'Select',
  });
  return picked?.[0]?.fsPath;
}

export const MODEL_FILTERS = { 'Model files': ['onnx', 'pt', 'pth', 'safetensors', 'json'] };
export const SAMPLE_FILTERS = { 'Samples (.npy, .csv)': ['npy', 'csv'] };
