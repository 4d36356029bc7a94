// Bundles the extension host, the compute worker, the CLI and the webview with esbuild,
// and copies the WebAssembly binaries of the tfjs wasm backend next to the bundles.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
const production = process.argv.includes('--production');

// The native tfjs packages stay outside the bundle: they load a compiled addon at run time
// and are optional, so the bundle must resolve them from node_modules only when present.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

mkdirSync(outdir, { recursive: true });

await Promise.all([
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: nodeExternals,
    entryPoints: {
      extension: 'src/extension/extension.ts',
      worker: 'src/worker/main.ts',
    },
    outdir,
  }),
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir,
  }),
  build({
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: { webview: 'webview/src/main.ts' },
    outdir,
  }),
]);

chmodSync(path.join(outdir, 'cli.js'), 0o755);

const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) {
  copyFileSync(path.join(wasmDir, file), path.join(outdir, file));
}
