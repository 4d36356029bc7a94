import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  CODE_SERVER_DIR,
  CODE_SERVER_ENTRY,
  NODE24_BIN,
  NODE24_DIR,
  NODE24_PACKAGE,
  PROJECT_ROOT,
  VSIX_PATH,
} from './paths';
import { runCommand } from './process';

/** Debian packages the run needs: the browser, and the Kerberos headers a VS Code module builds against. */
export const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev'];

const INSTALL_STAMP = path.join(CODE_SERVER_DIR, 'node_modules', '.gan-e2e-install-stamp');

/** Installs the Debian packages that are missing, with apt-get; it needs root. */
export async function ensureDebianPackages(log: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const name of DEBIAN_PACKAGES) {
    const query = await runCommand('dpkg-query', ['-W', '-f=${Status}', name], {
      allowFailure: true,
    });
    if (!query.output.includes('install ok installed')) missing.push(name);
  }
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Debian packages missing: ${missing.join(', ')}. Install them with ` +
        `"sudo apt-get install -y ${missing.join(' ')}" and run again.`,
    );
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand('apt-get', ['update', '-qq'], { env });
  await runCommand('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

/** Finds the CLI script of the npm that runs this process, so that another Node can run it. */
function npmCliScript(): string {
  const fromEnvironment = process.env.npm_execpath;
  if (fromEnvironment && fromEnvironment.endsWith('.js')) return fromEnvironment;
  const bundled = path.join(
    path.dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'bin',
    'npm-cli.js',
  );
  if (existsSync(bundled)) return bundled;
  throw new Error(
    'Could not find npm-cli.js: run this through "npm run test:e2e" so that npm_execpath is set.',
  );
}

async function lockfileHash(folder: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of ['package.json', 'package-lock.json']) {
    hash.update(await fs.readFile(path.join(folder, name)));
  }
  return hash.digest('hex');
}

/**
 * Installs Node 24 into tools/node24 and code-server into tools/vscode from their lockfiles,
 * skipping each when it is already installed from the same lockfile. Returns true when it
 * installed anything.
 */
export async function ensureCodeServer(log: (line: string) => void): Promise<boolean> {
  let installed = false;
  const nodeVersion = existsSync(NODE24_BIN)
    ? (await runCommand(NODE24_BIN, ['--version'], { allowFailure: true })).output.trim()
    : '';
  if (!nodeVersion.startsWith('v24.')) {
    log('installing Node 24 into tools/node24');
    await runCommand('npm', ['ci', '--no-audit', '--no-fund'], { cwd: NODE24_DIR });
    installed = true;
  }

  const expected = await lockfileHash(CODE_SERVER_DIR);
  const stamp = existsSync(INSTALL_STAMP) ? (await fs.readFile(INSTALL_STAMP, 'utf8')).trim() : '';
  if (stamp === expected && existsSync(CODE_SERVER_ENTRY)) return installed;

  log('installing code-server into tools/vscode (a few minutes, about 800 MB)');
  const started = Date.now();
  // code-server's postinstall builds native modules against Node 24 and runs npm again inside
  // its own folders, so Node 24 comes first on PATH and node-gyp takes headers from the package.
  // Its postinstall refuses to run as root unless unsafe-perm is set.
  // The npm_* variables of an enclosing `npm run` (npm_config_user_agent names Node 20) would
  // override the inner npm's own, and the postinstall reads the Node version from that agent.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  const env = {
    ...inherited,
    PATH: `${path.dirname(NODE24_BIN)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: NODE24_PACKAGE,
    npm_config_unsafe_perm: 'true',
  };
  await runCommand(NODE24_BIN, [npmCliScript(), 'ci', '--no-audit', '--no-fund'], {
    cwd: CODE_SERVER_DIR,
    env,
  });
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server installed, but ${CODE_SERVER_ENTRY} is missing.`);
  }
  await fs.writeFile(INSTALL_STAMP, `${expected}\n`);
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return true;
}

/** Builds the bundles and packages them into the .vsix with `npm run package`. */
export async function buildAndPackage(log: (line: string) => void): Promise<string> {
  await runCommand('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT });
  const packaged = await runCommand('npm', ['run', 'package', '--silent'], { cwd: PROJECT_ROOT });
  // vsce prints the file tree of the .vsix and its size; keep them in the run's log.
  for (const line of packaged.output.split('\n')) {
    if (line.trim()) log(`vsce: ${line}`);
  }
  if (!existsSync(VSIX_PATH)) throw new Error(`npm run package wrote no ${VSIX_PATH}.`);
  return VSIX_PATH;
}
