import type { FileSummary } from '../core/formats/inspect';
import type { ProbeReport } from '../protocol/report';
import type { JobResult } from '../protocol/worker';
import { formatNumber as fmt } from '../core/report/format';

/** Renders a report for a terminal: findings, gradient-norm medians, modes. */
export function renderSummary(report: ProbeReport): string {
  const lines = [
    `Probe of ${report.source.run ?? report.source.critic} (target γ = ${fmt(report.training.target)})`,
    '',
  ];
  lines.push('Gradient norm ‖∇D‖ by probe set (median [p05, p95]):');
  for (const [name, set] of Object.entries(report.probeSets)) {
    lines.push(
      `  ${name.padEnd(14)} ${fmt(set.gradNorm.median).padStart(9)}  [${fmt(set.gradNorm.p05)}, ${fmt(set.gradNorm.p95)}]  n=${set.count}`,
    );
  }
  lines.push(`Wasserstein estimate: ${fmt(report.wasserstein.estimate)}`);
  if (report.modes) {
    const m = report.modes;
    lines.push(
      `Modes captured: ${m.modesCaptured}/${m.modeCount} (N=${m.sampleCount}); high quality ${fmt(100 * m.highQualityFraction)} % (floor ${fmt(100 * m.highQualityFloor)} %); reverse KL ${fmt(m.reverseKl)} (floor ${fmt(m.reverseKlFloor)})`,
    );
  }
  lines.push('', report.findings.length === 0 ? 'Findings: none.' : 'Findings:');
  for (const f of report.findings) {
    lines.push(
      `  [${f.severity}] ${f.id}${f.hypothesis ? ' (hypothesis)' : ''}: ${f.message}`,
      `      fix: ${f.fix}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Renders an inspected file's description for a terminal. */
export function renderInspection(result: JobResult): string {
  const summary = result as unknown as FileSummary;
  const lines = [
    `${summary.file}`,
    `  ${summary.description}`,
    `  parameters: ${summary.parameters}`,
  ];
  if (summary.inputShape)
    lines.push(
      `  input: [batch, ${summary.inputShape.join(', ')}] → ${summary.outputSize} output(s)`,
    );
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  lines.push('', '  layer                kind          params   spectral norm   weight mean / std');
  for (const layer of summary.layers) {
    const kernel = layer.weights[0];
    lines.push(
      `  ${layer.name.padEnd(20)} ${layer.kind.padEnd(12)} ${String(layer.parameters).padStart(8)}   ${fmt(layer.spectralNorm).padStart(13)}   ${kernel ? `${fmt(kernel.mean)} / ${fmt(kernel.std)} ${JSON.stringify(kernel.shape)}` : ''}`,
    );
  }
  return lines.join('\n') + '\n';
}
