import { existsSync, promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../lib/process';

export { waitFor };

/** Reads a JSON file, or returns undefined while it does not exist or is not complete JSON yet. */
export async function readJsonIfPresent<T>(file: string): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command without awaiting it, because commands that end with a notification resolve only
 * when it is dismissed. A rejection is kept so that the test can report it.
 */
export function startCommand(command: string, ...args: unknown[]): { error?: unknown } {
  const outcome: { error?: unknown } = {};
  vscode.commands.executeCommand(command, ...args).then(undefined, (error: unknown) => {
    outcome.error = error;
  });
  return outcome;
}

/**
 * Closes a quick pick or input box that a command opened, so that a command that ignored its
 * arguments returns instead of waiting for input until the run ends.
 */
export async function closeQuickInput(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
}

/** Finds the first tab, in any group, whose input matches. */
export function findTab(matches: (input: unknown) => boolean): vscode.Tab | undefined {
  for (const group of vscode.window.tabGroups.all) {
    const tab = group.tabs.find((each) => matches(each.input));
    if (tab) return tab;
  }
  return undefined;
}
