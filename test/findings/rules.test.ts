import assert from 'node:assert/strict';
import { deriveFindings, type RuleContext } from '../../src/core/findings/rules';
import type { ProbeReport } from '../../src/protocol/report';
import { minimalReport, set } from '../support/minimalReport';

const healthy: RuleContext = { criticHasBatchNorm: false, uniqueRealPoints: 100 };
const ids = (r: ProbeReport, context = healthy) => deriveFindings(r, context).map((f) => f.id);

describe('finding rules', () => {
  it('raise nothing for a 1-Lipschitz critic on spread data', () => {
    assert.deepEqual(ids(minimalReport()), []);
  });

  it('flag Adam β2 = 0.999 as optimizer-config', () => {
    const r = minimalReport({
      training: {
        target: 1,
        sources: { optimizer: 'run.json' },
        optimizer: { type: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.999 },
      },
    });
    assert.deepEqual(ids(r), ['optimizer-config']);
  });

  it('flag NaN weights as non-finite-weights', () => {
    const r = minimalReport({
      data: {
        dim: 2,
        realCount: 100,
        perFeatureStd: [1, 1],
        meanPairDistance: 1,
        nonFiniteWeights: [{ name: 'main.0.weight', count: 3 }],
      },
    });
    const finding = deriveFindings(r, healthy)[0];
    assert.equal(finding.id, 'non-finite-weights');
    assert.equal(finding.severity, 'error');
  });

  it('label tangent-starvation a hypothesis', () => {
    const r = minimalReport({ tangent: { meaningful: true, radius: 0.3, dimension: 1 } });
    r.probeSets.real = set(1, {
      tangentFraction: { median: 0.1, mean: 0.12, p05: 0, p95: 0.4, count: 100, excluded: 0 },
    });
    const finding = deriveFindings(r, healthy).find((f) => f.id === 'tangent-starvation');
    assert.equal(finding?.hypothesis, true);
    assert.equal(finding?.severity, 'warning');
  });

  it('skip tangent-starvation where the split is not meaningful', () => {
    const r = minimalReport({ tangent: { meaningful: false, reason: 'flat spectrum' } });
    r.probeSets.real = set(1, {
      tangentFraction: { median: 0.1, mean: 0.12, p05: 0, p95: 0.4, count: 100, excluded: 0 },
    });
    assert.ok(!ids(r).includes('tangent-starvation'));
  });

  it('flag almost no gradient at generated points', () => {
    assert.deepEqual(ids(minimalReport({}, { interpolates: 1, real: 1, generated: 0.01 })), [
      'vanishing-critic-signal',
    ]);
  });

  it('flag norms off by the data scale as target mismatch', () => {
    // Data with per-feature std 0.5 probed in raw units: a critic 1-Lipschitz in normalised units has ‖∇D‖ = 2.
    const r = minimalReport(
      { data: { dim: 2, realCount: 100, perFeatureStd: [0.5, 0.5], meanPairDistance: 1 } },
      { interpolates: 2, real: 2.1, generated: 1.9 },
    );
    assert.ok(ids(r).includes('penalty-target-mismatch'), ids(r).join(', '));
  });

  it('flag a constant real set and batch norm from the context', () => {
    const found = ids(minimalReport(), { criticHasBatchNorm: true, uniqueRealPoints: 1 });
    assert.ok(found.includes('real-data-degenerate'));
    assert.ok(found.includes('batchnorm-in-critic'));
  });

  it('rank errors before warnings', () => {
    const r = minimalReport(
      { training: { target: 1, sources: {}, optimizer: { type: 'adam', beta2: 0.999 } } },
      { interpolates: 5, real: 5, generated: 5 },
    );
    const severities = deriveFindings(r, healthy).map((f) => f.severity);
    const rank = { error: 0, warning: 1, info: 2 };
    assert.deepEqual(
      severities,
      [...severities].sort((a, b) => rank[a] - rank[b]),
    );
    assert.equal(severities[0], 'error');
  });
});
