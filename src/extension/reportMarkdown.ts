/** Renders a probe report as Markdown for the Export Report command. No vscode imports. */
import { PROBE_SET_NAMES, type ProbeReport } from '../protocol/report';
import { formatNumber } from './jobStatus';
import { lipschitzBounds } from './reportModel';

const SEVERITY_LABEL = { error: 'Error', warning: 'Warning', info: 'Info' } as const;

export function reportToMarkdown(report: ProbeReport): string {
  const lines: string[] = [];
  const source = report.source;
  const subject = source.run ?? source.critic ?? 'files';
  lines.push(`# GAN Diagnostics report: ${subject}`, '');
  lines.push(
    `- Created: ${report.createdAt} by ${report.tool.name} ${report.tool.version} on ${report.backend}`,
  );
  if (source.iteration !== undefined)
    lines.push(`- Checkpoint: ${source.checkpoint ?? ''} (iteration ${source.iteration})`);
  lines.push(`- Penalty target γ: ${formatNumber(report.training.target)}`);
  lines.push(`- Wasserstein estimate: ${formatNumber(report.wasserstein.estimate)}`);
  if (report.wasserstein.exactW1 !== undefined) {
    lines.push(
      `- Exact W1 on ${report.wasserstein.exactSampleSize ?? '?'} points: ${formatNumber(report.wasserstein.exactW1)}`,
    );
  }
  lines.push('', '## Findings', '');
  if (report.findings.length === 0) lines.push('No findings.');
  for (const finding of report.findings) {
    const hypothesis = finding.hypothesis ? ' (unvalidated hypothesis)' : '';
    lines.push(`### ${SEVERITY_LABEL[finding.severity]}: ${finding.message}${hypothesis}`, '');
    lines.push(`Fix: ${finding.fix}`, '');
    const evidence = Object.entries(finding.evidence).map(
      ([key, value]) => `${key} = ${formatEvidence(value)}`,
    );
    if (evidence.length > 0) lines.push(`Evidence: ${evidence.join(', ')}`, '');
  }

  lines.push('## Gradient norms ‖∇D‖', '');
  lines.push(
    '| probe set | count | p05 | median | p95 | max | above target |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const name of PROBE_SET_NAMES) {
    const set = report.probeSets[name];
    if (!set) continue;
    const q = set.gradNorm;
    const cells = [q.p05, q.median, q.p95, q.max].map(formatNumber);
    lines.push(
      `| ${name} | ${set.count} | ${cells.join(' | ')} | ${formatNumber(set.fractionAboveTarget * 100)} % |`,
    );
  }

  const bounds = lipschitzBounds(report);
  lines.push(
    '',
    '## Lipschitz bounds',
    '',
    `- Lower (largest ‖∇D‖): ${formatNumber(bounds.gradientLower)}`,
  );
  if (bounds.secantLower !== undefined)
    lines.push(`- Lower (largest secant slope): ${formatNumber(bounds.secantLower)}`);
  if (bounds.upper !== undefined)
    lines.push(`- Upper (product of spectral norms): ${formatNumber(bounds.upper)}`);

  if (report.modes) {
    const modes = report.modes;
    lines.push('', '## Mode coverage', '');
    lines.push(
      `- Modes captured: ${modes.modesCaptured} of ${modes.modeCount} (N = ${modes.sampleCount})`,
    );
    lines.push(
      `- High-quality samples: ${formatNumber(modes.highQualityFraction * 100)} % (a perfect generator: ${formatNumber(modes.highQualityFloor * 100)} %)`,
    );
    lines.push(
      `- Reverse KL: ${formatNumber(modes.reverseKl)} (finite-sample floor ≈ ${formatNumber(modes.reverseKlFloor)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function formatEvidence(value: number | string | number[] | boolean): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return `[${value.map(formatNumber).join(', ')}]`;
  return String(value);
}
