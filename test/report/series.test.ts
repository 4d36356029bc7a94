import assert from 'node:assert/strict';
import { compareReports } from '../../src/core/report/compare';
import { modeHopping, type SeriesPoint } from '../../src/core/report/series';
import type { Finding, ProbeReport } from '../../src/protocol/report';
import { minimalReport } from '../support/minimalReport';

const point = (iteration: number, coveredModes: number[]): SeriesPoint => ({
  iteration,
  checkpoint: `checkpoints/${iteration}`,
  wasserstein: 0,
  modesCaptured: coveredModes.length,
  coveredModes,
  findings: [],
});

describe('mode hopping over checkpoints', () => {
  it('is raised when coverage moves between disjoint subsets', () => {
    const findings = modeHopping(
      [point(1000, [0, 1]), point(2000, [4, 5]), point(3000, [2, 7])],
      8,
    );
    assert.equal(findings.length, 1);
    assert.equal(findings[0].id, 'mode-hopping');
    assert.equal(findings[0].evidence.unionOfModes, 6);
    assert.equal(findings[0].evidence.hops, 2);
  });

  it('is not raised when coverage grows steadily', () => {
    assert.deepEqual(
      modeHopping([point(1000, [0]), point(2000, [0, 1]), point(3000, [0, 1, 2])], 8),
      [],
    );
  });

  it('ignores checkpoints that cover every mode', () => {
    const all = [0, 1, 2, 3, 4, 5, 6, 7];
    assert.deepEqual(modeHopping([point(1000, all), point(2000, all), point(3000, all)], 8), []);
  });
});

// The rules' minimal report, with one median on every set.
const report = (median: number, findings: Finding[]): ProbeReport => ({
  ...minimalReport({}, { interpolates: median, real: median, generated: median }),
  findings,
});

const finding = (id: string): Finding => ({
  id,
  severity: 'error',
  message: id,
  evidence: {},
  fix: '',
});

describe('compareReports', () => {
  it('lists changed numbers and findings added and removed', () => {
    const comparison = compareReports(
      report(2, [finding('lipschitz-violated'), finding('mode-collapse')]),
      report(1, [finding('mode-collapse'), finding('vanishing-critic-signal')]),
    );
    const median = comparison.values.find((v) => v.name === 'interpolates ‖∇D‖ median');
    assert.deepEqual(median, { name: 'interpolates ‖∇D‖ median', a: 2, b: 1, ratio: 0.5 });
    assert.deepEqual(
      comparison.findingsAdded.map((f) => f.id),
      ['vanishing-critic-signal'],
    );
    assert.deepEqual(
      comparison.findingsRemoved.map((f) => f.id),
      ['lipschitz-violated'],
    );
    assert.deepEqual(comparison.findingsKept, ['mode-collapse']);
  });
});
