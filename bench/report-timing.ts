/**
 * Times a full probe report (every probe set, tangent estimation, Lipschitz bounds, distribution
 * metrics, findings) in one process on one tfjs instance:
 * `node --require tsx/cjs bench/report-timing.ts [BACKEND]`. Prints a Markdown table.
 */
import { initBackend, type BackendName } from '../src/core/backend/init';
import { createDataset } from '../src/core/data/toy';
import { createMatrix } from '../src/core/data/matrix';
import { silentLogger } from '../src/core/log';
import { heUniformWeights, Mlp } from '../src/core/nets/mlp';
import { buildReport } from '../src/core/probe/job';
import { validateProbeRequest } from '../src/core/probe/request';
import { Rng } from '../src/core/rng';

async function main(): Promise<void> {
  const backend = await initBackend({ request: (process.argv[2] ?? 'wasm') as BackendName, logger: silentLogger });
  const rng = new Rng(1);
  const cases = [
    { name: '2-D, 8 Gaussians, critic 2→512×3→1', dim: 2, real: createDataset({ name: '8gaussians' }).sample(2000, rng) },
    { name: '2-D, Swiss roll (tangent split meaningful), critic 2→512×3→1', dim: 2, real: createDataset({ name: 'swissroll' }).sample(2000, rng) },
    { name: '784-D Gaussian data, critic 784→512×3→1', dim: 784, real: createMatrix(2000, 784, rng.normals(2000 * 784)) },
  ];
  const lines = ['| case | points per set | total s | gradients s |', '|---|---|---|---|'];
  for (const c of cases) {
    const spec = { inputShape: [c.dim], hidden: [512, 512, 512], outputSize: 1, activation: { name: 'relu' as const } };
    const critic = new Mlp(spec, 'critic', heUniformWeights(spec, rng));
    const generated = createMatrix(2000, c.dim, Float32Array.from(c.real.data, (v) => v + 0.1 * rng.normal()));
    const request = validateProbeRequest({ critic: 'x', real: 'y', fake: 'z' });
    const started = Date.now();
    const report = buildReport(request, { critic, real: c.real, generated, generatedDescription: 'shifted copy', training: { sources: {} }, source: { kind: 'files' } }, { backend, logger: silentLogger }, started);
    lines.push(`| ${c.name} | 2000 | ${(report.timings.totalMs / 1000).toFixed(2)} | ${(report.timings.gradientMs / 1000).toFixed(2)} |`);
    critic.dispose();
  }
  process.stdout.write(`backend ${backend.name}, one instance\n\n${lines.join('\n')}\n`);
}

void main();
