import assert from 'node:assert/strict';
import path from 'node:path';
import {
  countBySeverity,
  lipschitzBounds,
  parseReport,
  pointPlots,
  reportId,
  reportMessage,
  reportPathFor,
  seriesPoint,
  worstSeverity,
} from '../../src/extension/reportModel';
import { reportToMarkdown } from '../../src/extension/reportMarkdown';
import { findingsToProblems } from '../../src/extension/problems';
import { checkHostToWebview } from '../../src/protocol/webviewGuards';
import { finding, sampleReport } from '../support/reportFixture';

describe('reportModel', () => {
  it('lipschitzBounds takes the largest norm over all sets', () => {
    assert.deepEqual(lipschitzBounds(sampleReport()), { gradientLower: 2.5 });
  });

  it('lipschitzBounds reads the lipschitz section', () => {
    const layers = [{ name: 'main.0', kind: 'dense', constant: 4, method: 'power iteration' }];
    const report = sampleReport({
      lipschitz: {
        upper: 40,
        layers,
        lowerGradient: { value: 2.7, set: 'real', index: 3 },
        lowerSecant: { value: 1.9, set: 'real' },
      },
    });
    assert.deepEqual(lipschitzBounds(report), {
      gradientLower: 2.7,
      upper: 40,
      secantLower: 1.9,
      layers,
    });
  });

  it('lipschitzBounds keeps the reason for a missing upper bound', () => {
    const report = sampleReport({
      lipschitz: {
        upperReason: 'layer 3 has no known constant',
        layers: [],
        lowerGradient: { value: 1, set: 'real', index: 0 },
        lowerSecant: { value: 0.5, set: 'real' },
      },
    });
    const bounds = lipschitzBounds(report);
    assert.equal(bounds.upper, undefined);
    assert.equal(bounds.upperReason, 'layer 3 has no known constant');
    assert.equal(bounds.gradientLower, 2.5);
  });

  it('counts findings by severity', () => {
    assert.deepEqual(countBySeverity(sampleReport()), { error: 1, warning: 1, info: 1 });
    assert.equal(worstSeverity(sampleReport()), 'error');
    assert.equal(worstSeverity(sampleReport({ findings: [finding('a', 'info')] })), 'info');
    assert.equal(worstSeverity(sampleReport({ findings: [] })), undefined);
  });

  it('seriesPoint carries the headline numbers', () => {
    const point = seriesPoint(sampleReport(), 'iteration 1000');
    assert.equal(point.iteration, 1000);
    assert.equal(point.wasserstein, 0.42);
    assert.equal(point.interpolatesMedian, 0.125);
    assert.equal(point.modesCaptured, 6);
    assert.equal(point.lipschitzLower, 2.5);
    assert.equal(point.errorCount, 1);
    assert.equal(point.warningCount, 1);
  });

  it('reportId changes with the creation time', () => {
    const a = reportId('/r.json', sampleReport());
    const b = reportId('/r.json', sampleReport({ createdAt: '2026-12-05T00:00:00.000Z' }));
    assert.notEqual(a, b);
  });

  it('reportPathFor uses the checkpoint folder', () => {
    assert.equal(
      reportPathFor({ runDir: '/runs/a', checkpoint: 'checkpoints/0001000' }),
      path.join('/runs/a', 'checkpoints', '0001000', 'report.json'),
    );
    assert.equal(
      reportPathFor({ critic: '/x/critic.onnx' }),
      path.join('/x', 'critic.report.json'),
    );
  });

  it('parseReport names the file and the problem', () => {
    assert.throws(() => parseReport('/r.json', '{'), /\/r\.json is not valid JSON/);
    assert.throws(
      () => parseReport('/r.json', '{"schemaVersion":1}'),
      /\/r\.json is not a GAN Diagnostics report: report without probeSets/,
    );
    assert.equal(parseReport('/r.json', JSON.stringify(sampleReport())).wasserstein.estimate, 0.42);
  });

  it('pointPlots keeps well-formed plots and lists the rest', () => {
    const good = {
      id: 'p',
      title: 'P',
      bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 },
      series: [],
    };
    const bad = { id: 'q', title: 'Q', bounds: { xMin: 0, xMax: 0, yMin: 0, yMax: 1 }, series: [] };
    const { plots, problems } = pointPlots({ points: [good, bad] }, undefined, { points: 'no' });
    assert.deepEqual(
      plots.map((plot) => plot.id),
      ['p'],
    );
    assert.equal(problems.length, 1);
  });

  it('pointPlots keeps the first plot of each id', () => {
    const plot = (title: string) => ({
      id: 'critic',
      title,
      bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 },
      series: [],
    });
    const result = { points: [plot('from the probe result')] };
    const report = { points: [plot('from the report')] };
    assert.deepEqual(
      pointPlots(result, report).plots.map((p) => p.title),
      ['from the probe result'],
    );
    assert.equal(pointPlots(report, report).plots.length, 1);
  });
});

describe('reportMessage', () => {
  const plot = {
    id: 'critic',
    title: 'Critic',
    bounds: { xMin: 0, xMax: 1, yMin: 0, yMax: 1 },
    series: [{ role: 'real' as const, label: 'real', x: [0.5], y: [0.5] }],
  };

  it('leaves the 2-D points out', () => {
    const report = sampleReport({ points: [plot] });
    const message = reportMessage('/r.json', report, 'GAN report: r');
    assert.equal('points' in message.report, false);
    assert.equal(message.report.findings, report.findings, 'the other sections are shared');
    assert.deepEqual(report.points, [plot], 'the report passed in was changed');
  });

  it('carries the id, file, title and bounds', () => {
    const report = sampleReport({ points: [plot] });
    const message = reportMessage('/r.json', report, 'GAN report: r');
    assert.equal(message.type, 'report');
    assert.equal(message.reportId, reportId('/r.json', report));
    assert.equal(message.file, '/r.json');
    assert.equal(message.title, 'GAN report: r');
    assert.deepEqual(message.lipschitz, lipschitzBounds(report));
  });

  it('passes the webview check', () => {
    const message = reportMessage('/r.json', sampleReport({ points: [plot] }), 'T');
    assert.equal(checkHostToWebview(message), undefined);
  });
});

describe('findingsToProblems', () => {
  it('filters by the minimum severity, most severe first', () => {
    const findings = [finding('n', 'info'), finding('w', 'warning'), finding('e', 'error')];
    assert.deepEqual(
      findingsToProblems(findings, 'warning').map((p) => p.code),
      ['e', 'w'],
    );
    assert.equal(findingsToProblems(findings, 'info').length, 3);
    assert.equal(findingsToProblems(findings, 'error').length, 1);
  });

  it('puts the fix and the hypothesis mark in the message', () => {
    const [problem] = findingsToProblems([finding('h', 'warning', { hypothesis: true })], 'info');
    assert.equal(problem.message, 'h message. (unvalidated hypothesis) Fix: h fix.');
  });
});

describe('reportToMarkdown', () => {
  it('lists findings, norms, bounds and modes', () => {
    const text = reportToMarkdown(sampleReport());
    assert.match(text, /^# GAN Diagnostics report: \/runs\/a/);
    assert.match(text, /### Error: whole-batch-norm message\./);
    assert.match(text, /Evidence: median = 0\.125, set = interpolates/);
    assert.match(text, /\| interpolates \| 100 \| 0\.0625 \| 0\.125 \| 0\.188 \| 0\.3 \| 25 % \|/);
    assert.match(text, /Lower \(largest ‖∇D‖\): 2\.5/);
    assert.match(text, /Modes captured: 6 of 8 \(N = 2000\)/);
  });

  it('says when there are no findings', () => {
    assert.match(reportToMarkdown(sampleReport({ findings: [] })), /No findings\./);
  });
});
