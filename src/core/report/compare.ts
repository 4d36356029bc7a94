import type { Finding, ProbeReport, ProbeSetName } from '../../protocol/report';
import { formatNumber as fmt } from './format';

export interface ComparedValue {
  name: string;
  a: number | undefined;
  b: number | undefined;
  /** b / a where both are finite and a ≠ 0. */
  ratio?: number;
}

export interface ReportComparison {
  values: ComparedValue[];
  findingsAdded: Finding[];
  findingsRemoved: Finding[];
  findingsKept: string[];
}

const SETS: ProbeSetName[] = [
  'interpolates',
  'otInterpolates',
  'real',
  'generated',
  'offManifold',
  'uniform',
];

function keyNumbers(report: ProbeReport): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const set of SETS) out.set(`${set} ‖∇D‖ median`, report.probeSets[set]?.gradNorm.median);
  out.set('interpolates ‖∇D‖ p95', report.probeSets.interpolates?.gradNorm.p95);
  out.set('OT alignment (mean cosine)', report.probeSets.otInterpolates?.alignment?.meanCosine);
  out.set('real tangent fraction (median)', report.probeSets.real?.tangentFraction?.median);
  out.set('Wasserstein estimate', report.wasserstein.estimate);
  out.set('exact W1', report.wasserstein.exactW1);
  out.set('modes captured', report.modes?.modesCaptured);
  out.set('high-quality fraction', report.modes?.highQualityFraction);
  out.set('reverse KL', report.modes?.reverseKl);
  out.set('precision', report.distribution?.precision);
  out.set('recall', report.distribution?.recall);
  out.set('density', report.distribution?.density);
  out.set('coverage', report.distribution?.coverage);
  out.set('Fréchet distance', report.distribution?.frechet);
  out.set('Lipschitz upper bound', report.lipschitz?.upper);
  out.set('Lipschitz lower bound (gradient)', report.lipschitz?.lowerGradient.value);
  return out;
}

/** Compares report `a` with report `b`: key numbers side by side, findings added and removed. */
export function compareReports(a: ProbeReport, b: ProbeReport): ReportComparison {
  const numbersA = keyNumbers(a);
  const numbersB = keyNumbers(b);
  const values: ComparedValue[] = [];
  for (const [name, valueA] of numbersA) {
    const valueB = numbersB.get(name);
    if (valueA === undefined && valueB === undefined) continue;
    const ratio =
      valueA !== undefined &&
      valueB !== undefined &&
      valueA !== 0 &&
      Number.isFinite(valueA) &&
      Number.isFinite(valueB)
        ? valueB / valueA
        : undefined;
    values.push({ name, a: valueA, b: valueB, ...(ratio !== undefined ? { ratio } : {}) });
  }
  const idsA = new Set(a.findings.map((f) => f.id));
  const idsB = new Set(b.findings.map((f) => f.id));
  return {
    values,
    findingsAdded: b.findings.filter((f) => !idsA.has(f.id)),
    findingsRemoved: a.findings.filter((f) => !idsB.has(f.id)),
    findingsKept: [...idsB].filter((id) => idsA.has(id)),
  };
}

export function renderComparison(
  comparison: ReportComparison,
  labelA: string,
  labelB: string,
): string {
  const lines = [`| quantity | ${labelA} | ${labelB} | ratio |`, '|---|---|---|---|'];
  for (const v of comparison.values)
    lines.push(
      `| ${v.name} | ${fmt(v.a)} | ${fmt(v.b)} | ${v.ratio === undefined ? '—' : `${fmt(v.ratio)}×`} |`,
    );
  lines.push('');
  for (const f of comparison.findingsAdded) lines.push(`+ [${f.severity}] ${f.id}: ${f.message}`);
  for (const f of comparison.findingsRemoved) lines.push(`- [${f.severity}] ${f.id}: ${f.message}`);
  if (comparison.findingsKept.length > 0)
    lines.push(`= still present: ${comparison.findingsKept.join(', ')}`);
  if (
    comparison.findingsAdded.length +
      comparison.findingsRemoved.length +
      comparison.findingsKept.length ===
    0
  )
    lines.push('No findings in either report.');
  return lines.join('\n') + '\n';
}
