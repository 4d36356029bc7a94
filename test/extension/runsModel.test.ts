import assert from 'node:assert/strict';
import path from 'node:path';
import type { RunManifest } from '../../src/core/train/runFolder';
import { buildRunNode, invalidRunNode } from '../../src/extension/runsModel';
import { finding, sampleReport } from '../support/reportFixture';

function manifest(): RunManifest {
  return {
    format: 'gan-diagnostics-run',
    formatVersion: 1,
    createdAt: '',
    updatedAt: '',
    status: 'completed',
    config: {
      dataset: { name: '8gaussians' },
      penalty: { kind: 'gp', lambda: 10, target: 1 },
      iterations: 2000,
    },
    iteration: 2000,
    checkpoint: 'checkpoints/0002000',
    checkpoints: [
      { iteration: 1000, path: 'checkpoints/0001000' },
      { iteration: 2000, path: 'checkpoints/0002000' },
    ],
    history: [],
  } as unknown as RunManifest;
}

describe('buildRunNode', () => {
  it('lists checkpoints newest first with their report severity', () => {
    const reports = [{ file: '/runs/a/reports/0001000.json', report: sampleReport() }];
    const node = buildRunNode('/runs/a', manifest(), reports);
    assert.equal(node.label, 'a');
    assert.equal(node.description, '8gaussians · gp · 2000/2000 · completed');
    assert.deepEqual(
      node.children.map((c) => c.label),
      ['iteration 2000', 'iteration 1000'],
    );
    assert.equal(node.children[0].severity, undefined);
    assert.equal(node.children[0].description, 'not probed');
    assert.equal(node.children[1].severity, 'error');
    assert.equal(node.children[1].reportFile, '/runs/a/reports/0001000.json');
    assert.equal(node.children[1].path, path.join('/runs/a', 'checkpoints/0001000'));
  });

  it('gives the run the severity of its latest report', () => {
    const clean = sampleReport({
      findings: [],
      source: { kind: 'run', run: '/runs/a', checkpoint: 'checkpoints/0002000', iteration: 2000 },
    });
    const reports = [
      { file: '/r1.json', report: sampleReport() },
      { file: '/r2.json', report: clean },
    ];
    const node = buildRunNode('/runs/a', manifest(), reports);
    assert.equal(node.severity, 'clean');
    assert.equal(node.reportFile, '/r2.json');
    assert.equal(node.children[0].severity, 'clean');
  });

  it('marks a run without reports as not probed', () => {
    const node = buildRunNode('/runs/a', manifest(), []);
    assert.equal(node.severity, undefined);
    assert.match(node.tooltip, /Not probed yet/);
  });

  it('matches checkpoints written with backslashes', () => {
    const report = sampleReport({
      findings: [finding('w', 'warning')],
      source: { kind: 'run', checkpoint: 'checkpoints\\0001000', iteration: 1000 },
    });
    const node = buildRunNode('/runs/a', manifest(), [{ file: '/r.json', report }]);
    assert.equal(node.children[1].severity, 'warning');
  });
});

describe('invalidRunNode', () => {
  it('shows the reason as its tooltip', () => {
    const node = invalidRunNode('/runs/b', 'run.json is not valid JSON');
    assert.equal(node.kind, 'invalidRun');
    assert.equal(node.tooltip, 'run.json is not valid JSON');
    assert.equal(node.path, path.join('/runs/b', 'run.json'));
  });
});
