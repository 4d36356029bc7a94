import type { ProbeReport, ProbeSetName } from '../../protocol/report';
import { formatNumber as fmt } from './format';

const SET_ORDER: ProbeSetName[] = [
  'interpolates',
  'otInterpolates',
  'real',
  'generated',
  'offManifold',
  'uniform',
];

/** Renders a report as Markdown: findings first, then the numbers behind them. */
export function renderMarkdown(report: ProbeReport): string {
  const lines: string[] = [];
  const source = report.source.run ?? report.source.critic ?? 'critic';
  lines.push(`# GAN Diagnostics report: ${source}`, '');
  const where =
    report.source.iteration !== undefined ? `iteration ${report.source.iteration}, ` : '';
  lines.push(
    `${where}backend ${report.backend}, target γ = ${fmt(report.training.target)}${report.training.batchSize ? `, batch ${report.training.batchSize}` : ''}${report.training.lambda !== undefined ? `, λ = ${fmt(report.training.lambda)}` : ''}`,
    '',
  );

  lines.push('## Findings', '');
  if (report.findings.length === 0) lines.push('No problems found.', '');
  for (const finding of report.findings) {
    const tag = finding.hypothesis ? ' (hypothesis)' : '';
    lines.push(`- **${finding.severity}** \`${finding.id}\`${tag}: ${finding.message}`);
    const evidence = Object.entries(finding.evidence).map(
      ([k, v]) =>
        `${k} ${Array.isArray(v) ? v.map((x) => fmt(x)).join('/') : typeof v === 'number' ? fmt(v) : String(v)}`,
    );
    lines.push(`  - evidence: ${evidence.join(', ')}`);
    lines.push(`  - fix: ${finding.fix}`);
  }
  lines.push('');

  lines.push('## Gradient norms ‖∇D(x)‖', '');
  lines.push('| set | count | p05 | p25 | median | p75 | p95 | max | above target |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const name of SET_ORDER) {
    const set = report.probeSets[name];
    if (!set) continue;
    const g = set.gradNorm;
    lines.push(
      `| ${name} | ${g.count} | ${fmt(g.p05)} | ${fmt(g.p25)} | ${fmt(g.median)} | ${fmt(g.p75)} | ${fmt(g.p95)} | ${fmt(g.max)} | ${fmt(100 * set.fractionAboveTarget)} % |`,
    );
  }
  lines.push('');
  lines.push(
    `Wasserstein estimate E[D(real)] - E[D(generated)]: ${fmt(report.wasserstein.estimate)}${report.wasserstein.exactW1 !== undefined ? ` (exact W1 on ${report.wasserstein.exactSampleSize} points: ${fmt(report.wasserstein.exactW1)})` : ''}`,
    '',
  );

  if (report.modes) {
    const m = report.modes;
    lines.push('## Modes', '');
    lines.push(
      `- modes captured: ${m.modesCaptured} of ${m.modeCount} (${m.modesCapturedWithMass} with at least ${100 * m.massThreshold} % of a fair share), N = ${m.sampleCount}`,
    );
    lines.push(
      `- high-quality samples: ${fmt(100 * m.highQualityFraction)} % (a perfect generator: ${fmt(100 * m.highQualityFloor)} %)`,
    );
    lines.push(
      `- reverse KL of the mode histogram: ${fmt(m.reverseKl)} (finite-sample floor ≈ ${fmt(m.reverseKlFloor)})`,
      '',
    );
  }
  lines.push(
    `Data: ${report.data.dim}-D, ${report.data.realCount} real points, per-feature std ${report.data.perFeatureStd.slice(0, 4).map(fmt).join(', ')}${report.data.dim > 4 ? ', …' : ''}, mean real-generated distance ${fmt(report.data.meanPairDistance)}.`,
  );
  return lines.join('\n') + '\n';
}
