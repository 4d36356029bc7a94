import type { LipschitzReport, ProbeSetName } from '../../protocol/report';
import { row } from '../data/matrix';
import type { DifferentiableModel } from '../nets/model';
import type { CriticField } from './evaluate';
import type { ProbeSet } from './sets';
import { spectralNorm } from './spectral';

/** Upper bound: the product of each layer's Lipschitz constant (dense layers by their spectral norm). */
function upperBound(
  model: DifferentiableModel,
): Pick<LipschitzReport, 'upper' | 'upperReason' | 'layers'> {
  const layers: LipschitzReport['layers'] = [];
  let product = 1;
  let reason: string | undefined;
  for (const layer of model.layers) {
    if (layer.linear?.type === 'dense') {
      const [rows, cols] = layer.linear.kernel.shape;
      const constant = spectralNorm(layer.linear.kernel.values, rows, cols);
      layers.push({
        name: layer.name,
        kind: layer.kind,
        constant,
        method: 'spectral norm (power iteration)',
      });
      product *= constant;
    } else if (layer.lipschitz !== undefined) {
      layers.push({
        name: layer.name,
        kind: layer.kind,
        constant: layer.lipschitz,
        method: 'closed form',
      });
      product *= layer.lipschitz;
    } else if (layer.kind === 'reshape') {
      layers.push({ name: layer.name, kind: layer.kind, constant: 1, method: 'isometry' });
    } else {
      layers.push({ name: layer.name, kind: layer.kind, method: 'unknown' });
      reason ??= `no Lipschitz constant for ${layer.kind} layer '${layer.name}'`;
    }
  }
  return reason === undefined ? { upper: product, layers } : { upperReason: reason, layers };
}

/** Secant pairs per set: consecutive points, and real with generated points, in order. */
const SECANT_PAIRS = 2000;

function largestSecant(
  a: CriticField,
  pa: ProbeSet,
  b: CriticField,
  pb: ProbeSet,
  pairs: number,
): number {
  let best = 0;
  const n = Math.min(pairs, pa.points.rows, pb.points.rows);
  for (let i = 0; i < n; i++) {
    const j = pa === pb ? (i + 1) % pa.points.rows : i;
    const x = row(pa.points, i);
    const y = row(pb.points, j);
    let squared = 0;
    for (let c = 0; c < x.length; c++) squared += (x[c] - y[c]) ** 2;
    if (squared > 0)
      best = Math.max(best, Math.abs(a.values[i] - b.values[j]) / Math.sqrt(squared));
  }
  return best;
}

/**
 * Lipschitz bounds of the critic: the upper bound from its layers, the lower bounds from the
 * largest gradient norm over all probe points and the largest secant slope over probe pairs.
 */
export function lipschitzReport(
  model: DifferentiableModel,
  sets: Partial<Record<ProbeSetName, ProbeSet>>,
  fields: Partial<Record<ProbeSetName, CriticField>>,
): LipschitzReport {
  let lowerGradient = { value: 0, set: 'none', index: -1 };
  let lowerSecant = { value: 0, set: 'none' };
  for (const [name, field] of Object.entries(fields) as [ProbeSetName, CriticField][]) {
    field.norms.forEach((norm, index) => {
      if (norm > lowerGradient.value) lowerGradient = { value: norm, set: name, index };
    });
    const set = sets[name] as ProbeSet;
    const slope = largestSecant(field, set, field, set, SECANT_PAIRS);
    if (slope > lowerSecant.value) lowerSecant = { value: slope, set: name };
  }
  if (fields.real && fields.generated) {
    const slope = largestSecant(
      fields.real,
      sets.real!,
      fields.generated,
      sets.generated!,
      SECANT_PAIRS,
    );
    if (slope > lowerSecant.value) lowerSecant = { value: slope, set: 'real-generated pairs' };
  }
  const upper = upperBound(model);
  const lower = Math.max(lowerGradient.value, lowerSecant.value);
  return {
    ...upper,
    lowerGradient,
    lowerSecant,
    ...(upper.upper !== undefined && lower > 0 ? { gap: upper.upper / lower } : {}),
  };
}
