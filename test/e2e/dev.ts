/**
 * Starts code-server on 127.0.0.1 with the freshly packaged extension installed and a workspace
 * of fixtures, prints the URL to open in a browser, and stops code-server on Ctrl-C. State
 * (settings, open editors, trained runs) is kept under .tmp/dev between starts; delete that
 * folder to start clean. Run it with `npm run dev`, or `npm run dev -- --port=8080`.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from './lib/browser';
import { CodeServer, codeServerFolders, freePort, installExtension } from './lib/codeServer';
import { PROJECT_ROOT } from './lib/paths';
import { buildAndPackage, ensureCodeServer, ensureDebianPackages } from './lib/setup';
import { createWorkspace, writeUserSettings } from './lib/workspace';

const DEV_DIR = path.join(PROJECT_ROOT, '.tmp', 'dev');

function parsePort(argv: string[]): number | undefined {
  for (const argument of argv) {
    const match = /^--port=(\d+)$/.exec(argument);
    if (match) return Number(match[1]);
    throw new Error(`Unknown option ${argument}; expected --port=N.`);
  }
  return undefined;
}

async function main(): Promise<void> {
  const requestedPort = parsePort(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  await ensureDebianPackages(log);
  await ensureCodeServer(log);
  const vsix = await buildAndPackage(() => undefined);

  const folders = await codeServerFolders(path.join(DEV_DIR, 'code-server'));
  const settingsFile = path.join(folders.userDataDir, 'User', 'settings.json');
  if (!existsSync(settingsFile)) await writeUserSettings(folders.userDataDir);
  const manifest = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const extensionDir = await installExtension(
    folders,
    vsix,
    `${manifest.publisher}.${manifest.name}`,
  );
  const workspace = path.join(DEV_DIR, 'workspace');
  if (!existsSync(workspace)) await createWorkspace(workspace);

  const server = await CodeServer.start(folders, requestedPort ?? (await freePort()), {
    testHook: false,
  });
  console.log(`installed ${path.relative(PROJECT_ROOT, extensionDir)}`);
  console.log(`code-server log: ${path.relative(PROJECT_ROOT, folders.logFile)}`);
  console.log(`\nOpen ${workbenchUrl(server.url, workspace)}\n`);
  console.log('Press Ctrl-C to stop code-server.');
  // Ctrl-C ends code-server through its cleanup handlers; until then this process only waits.
  const code = await server.exit;
  throw new Error(`code-server exited with code ${code}; see ${folders.logFile}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
