import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TOY_FIXTURES } from './paths';

/** Fixture files copied into each workspace, relative to test/fixtures/wgan-gp-toy. */
export const WORKSPACE_FIXTURES = [
  'cg_8g_gp/critic.onnx',
  'cg_8g_gp/generator.onnx',
  'cg_8g_gp/real_2000.npy',
  'cg_8g_gp/gen_2000.npy',
  'cg_8g_lambda0/critic.onnx',
  'cg_8g_lambda0/real_2000.npy',
  'cg_8g_lambda0/gen_2000.npy',
];

/**
 * Workbench settings that keep the window predictable: no welcome page, tips, walkthroughs or
 * chat panels opening by themselves, and no git scan of the fixtures.
 */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'window.confirmBeforeClose': 'never',
};

/** Writes the user settings of a code-server user-data folder. */
export async function writeUserSettings(userDataDir: string): Promise<void> {
  const userDir = path.join(userDataDir, 'User');
  await fs.mkdir(userDir, { recursive: true });
  await fs.writeFile(
    path.join(userDir, 'settings.json'),
    `${JSON.stringify(USER_SETTINGS, null, 2)}\n`,
  );
}

/**
 * Creates a workspace folder with writable copies of the fixtures (the originals are read-only,
 * and a probe writes its report beside the critic) and the given workspace settings.
 */
export async function createWorkspace(
  folder: string,
  settings: Record<string, unknown> = {},
): Promise<string> {
  for (const relative of WORKSPACE_FIXTURES) {
    const target = path.join(folder, relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(path.join(TOY_FIXTURES, relative), target);
    await fs.chmod(target, 0o644);
  }
  await fs.mkdir(path.join(folder, '.vscode'), { recursive: true });
  await fs.writeFile(
    path.join(folder, '.vscode', 'settings.json'),
    `${JSON.stringify(settings, null, 2)}\n`,
  );
  return folder;
}
