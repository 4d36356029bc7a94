import assert from 'node:assert/strict';
import {
  checkHostToWebview,
  checkPointPlot,
  checkReport,
  checkWebviewToHost,
} from '../../src/protocol/webviewGuards';
import { sampleReport } from '../support/reportFixture';

const plot = () => ({
  id: 'critic',
  title: 'Critic',
  bounds: { xMin: -2, xMax: 2, yMin: -2, yMax: 2 },
  heatmap: { width: 2, height: 2, values: new Float32Array([0, 1, 2, 3]) },
  arrows: { x: [0], y: [0], dx: [1], dy: [0] },
  series: [{ role: 'real', label: 'real', x: new Float32Array([0, 1]), y: [0, 1] }],
});

describe('checkHostToWebview', () => {
  it('accepts a report message', () => {
    const message = {
      type: 'report',
      reportId: 'r#1',
      file: '/r.json',
      title: 'T',
      report: sampleReport(),
      lipschitz: { gradientLower: 2.5 },
    };
    assert.equal(checkHostToWebview(message), undefined);
  });

  it('rejects a report that carries its points', () => {
    const report = sampleReport({
      points: [
        {
          id: 'critic',
          title: 'Critic',
          bounds: { xMin: -2, xMax: 2, yMin: -2, yMax: 2 },
          series: [],
        },
      ],
    });
    const message = {
      type: 'report',
      reportId: 'r#1',
      file: '/r.json',
      title: 'T',
      report,
      lipschitz: { gradientLower: 2.5 },
    };
    assert.match(checkHostToWebview(message) ?? '', /carries its 2-D points/);
  });

  it('rejects a report without a file', () => {
    const message = {
      type: 'report',
      reportId: 'r#1',
      title: 'T',
      report: sampleReport(),
      lipschitz: { gradientLower: 1 },
    };
    assert.match(checkHostToWebview(message) ?? '', /reportId, file and title/);
  });

  it('rejects unknown types and non-objects', () => {
    assert.match(checkHostToWebview({ type: 'nope' }) ?? '', /unknown message type 'nope'/);
    assert.match(checkHostToWebview(null) ?? '', /not an object/);
    assert.match(checkHostToWebview([]) ?? '', /not an object/);
  });

  it('accepts points with typed and plain arrays', () => {
    assert.equal(checkHostToWebview({ type: 'points', reportId: 'r', plots: [plot()] }), undefined);
  });

  it('rejects points whose arrays disagree', () => {
    const bad = plot();
    bad.series[0].y = [0];
    assert.match(checkPointPlot(bad) ?? '', /series 0\.y has 1 values, expected 2/);
    const heat = plot();
    heat.heatmap.values = new Float32Array(3);
    assert.match(checkPointPlot(heat) ?? '', /expected width × height = 4/);
    const bounds = plot();
    bounds.bounds.xMax = -3;
    assert.match(checkPointPlot(bounds) ?? '', /xMax is not above xMin/);
  });

  it('rejects an unknown point role', () => {
    const bad = plot();
    (bad.series[0] as { role: string }).role = 'fake';
    assert.match(checkPointPlot(bad) ?? '', /unknown role 'fake'/);
  });

  it('checks progress and run messages', () => {
    const event = { iteration: 5, iterations: 10, gradNorm: { median: 1 } };
    assert.equal(
      checkHostToWebview({ type: 'progress', runId: '/run', events: [event] }),
      undefined,
    );
    assert.match(
      checkHostToWebview({ type: 'progress', runId: '', events: [event] }) ?? '',
      /without a runId/,
    );
    assert.match(
      checkHostToWebview({ type: 'progress', runId: '/run', events: [{}] }) ?? '',
      /progress event 0/,
    );
    assert.equal(
      checkHostToWebview({
        type: 'run',
        runId: '/run',
        title: 't',
        iterations: 10,
        history: [],
        status: 'running',
      }),
      undefined,
    );
    assert.match(
      checkHostToWebview({
        type: 'run',
        runId: '/run',
        title: 't',
        iterations: 10,
        history: [],
        status: 'done',
      }) ?? '',
      /unknown status/,
    );
  });
});

describe('series messages', () => {
  const point = {
    label: 'iteration 10',
    iteration: 10,
    wasserstein: 1,
    errorCount: 0,
    warningCount: 0,
  };

  it('accept points with series findings', () => {
    const findings = sampleReport().findings;
    assert.equal(
      checkHostToWebview({ type: 'series', reportId: 'r', checkpoints: [point], findings }),
      undefined,
    );
  });

  it('reject a missing findings array', () => {
    assert.match(
      checkHostToWebview({ type: 'series', reportId: 'r', checkpoints: [point] }) ?? '',
      /findings is not an array/,
    );
  });
});

describe('checkReport', () => {
  it('accepts the sample report', () => {
    assert.equal(checkReport(sampleReport()), undefined);
  });

  it('rejects a finding with an unknown severity', () => {
    const report = sampleReport();
    (report.findings[0] as { severity: string }).severity = 'fatal';
    assert.match(checkReport(report) ?? '', /unknown severity 'fatal'/);
  });

  it('rejects a histogram with mismatched edges', () => {
    const report = sampleReport();
    report.probeSets.real!.histogram.edges.pop();
    assert.match(checkReport(report) ?? '', /probe set 'real' has 4 histogram edges for 4 counts/);
  });
});

describe('checkWebviewToHost', () => {
  it('accepts the messages a webview sends', () => {
    assert.equal(checkWebviewToHost({ type: 'ready' }), undefined);
    assert.equal(checkWebviewToHost({ type: 'action', action: 'probe', subject: 'x' }), undefined);
    assert.equal(
      checkWebviewToHost({ type: 'image', requestId: 1, dataUrl: 'data:image/png;base64,AAAA' }),
      undefined,
    );
    assert.equal(checkWebviewToHost({ type: 'viewChanged', view: 'modes' }), undefined);
  });

  it('rejects unknown actions, views and non-PNG images', () => {
    assert.match(
      checkWebviewToHost({ type: 'action', action: 'rm', subject: 'x' }) ?? '',
      /unknown action 'rm'/,
    );
    assert.match(checkWebviewToHost({ type: 'viewChanged', view: 'nope' }) ?? '', /unknown view/);
    assert.match(
      checkWebviewToHost({ type: 'image', requestId: 1, dataUrl: 'data:text/html,<b>' }) ?? '',
      /PNG data URL/,
    );
    assert.match(
      checkWebviewToHost({ type: 'image', requestId: -1, dataUrl: 'data:image/png;base64,' }) ?? '',
      /requestId/,
    );
  });
});
