/*
 * Measures the extension's activation in plain Node: each run starts a fresh `node` process,
 * installs the vscode stand-in from test/support, requires dist/extension.js and calls
 * activate(). Prints the median and maximum of the require and activate times, and whether
 * tfjs-core was evaluated. Run `npm run build` first, then `npx tsx bench/activation.ts [runs]`.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'extension.js');
const runs = Number(process.argv[2] ?? 15);

interface Sample {
  requireMs: number;
  activateMs: number;
  tfjsLoaded: boolean;
  commands: number;
}

// Runs inside each child process; MOCK and BUNDLE are replaced before it is written.
const child = `
const { createVscodeMock, installVscodeMock } = require(MOCK);
const mock = createVscodeMock();
installVscodeMock(mock);
const t0 = process.hrtime.bigint();
const extension = require(BUNDLE);
const t1 = process.hrtime.bigint();
extension.activate({ subscriptions: [], extensionPath: ROOT, extensionUri: { fsPath: ROOT } });
const t2 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({
  requireMs: Number(t1 - t0) / 1e6,
  activateMs: Number(t2 - t1) / 1e6,
  tfjsLoaded: globalThis._tfengine !== undefined,
  commands: mock.commands.length,
}));
process.exit(0);
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(bundle)) throw new Error(`${bundle} not found; run npm run build first.`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gan-activation-bench-'));
  try {
    const mock = path.join(dir, 'vscodeMock.js');
    await build({
      entryPoints: [path.join(root, 'test/support/vscodeMock.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: mock,
      logLevel: 'error',
    });
    const script = path.join(dir, 'run.js');
    writeFileSync(
      script,
      child
        .replace('MOCK', JSON.stringify(mock))
        .replace('BUNDLE', JSON.stringify(bundle))
        .replace(/ROOT/g, JSON.stringify(root)),
    );

    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      samples.push(
        JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })) as Sample,
      );
    }
    const requireMs = samples.map((s) => s.requireMs);
    const activateMs = samples.map((s) => s.activateMs);
    const totals = samples.map((s) => s.requireMs + s.activateMs);
    console.log(
      `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${runs} runs`,
    );
    console.log(
      `require dist/extension.js: median ${median(requireMs).toFixed(1)} ms, max ${Math.max(...requireMs).toFixed(1)} ms`,
    );
    console.log(
      `activate():                median ${median(activateMs).toFixed(1)} ms, max ${Math.max(...activateMs).toFixed(1)} ms`,
    );
    console.log(`total:                     median ${median(totals).toFixed(1)} ms`);
    console.log(
      `tfjs-core evaluated during activation: ${samples.some((s) => s.tfjsLoaded) ? 'yes' : 'no'}`,
    );
    console.log(`commands registered: ${samples[0]?.commands ?? 0}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
