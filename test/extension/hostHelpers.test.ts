import assert from 'node:assert/strict';
import type { ProgressEvent } from '../../src/core/train/progress';
import { Disposable, disposeAll, toDisposable } from '../../src/extension/disposable';
import {
  formatNumber,
  progressIncrement,
  progressMessage,
  statusBarText,
} from '../../src/extension/jobStatus';
import { defaultRunName, parseIterations } from '../../src/extension/trainInputs';
import { createNonce, escapeAttribute, renderWebviewHtml } from '../../src/extension/webviewHtml';

const event = (iteration: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
  iteration,
  iterations: 200,
  criticLoss: -1,
  generatorLoss: 0.5,
  wasserstein: 1.234,
  penalty: 0.01,
  gradNorm: { p05: 0.5, p25: 0.8, median: 0.97, p75: 1.1, p95: 1.3, max: 2 },
  msPerIteration: 12.5,
  ...extra,
});

describe('jobStatus', () => {
  it('statusBarText shows the job and backend', () => {
    assert.equal(statusBarText(undefined, undefined), '$(pulse) GAN: not started');
    assert.equal(statusBarText(undefined, 'wasm'), '$(pulse) GAN: wasm');
    assert.equal(
      statusBarText({ kind: 'train', title: 't', last: event(50) }, 'wasm'),
      '$(sync~spin) GAN: train 50/200 · wasm',
    );
  });

  it('progressIncrement adds up to 100 %', () => {
    assert.equal(progressIncrement(undefined, event(50)), 25);
    assert.equal(progressIncrement(event(50), event(200)), 75);
    assert.equal(progressIncrement(event(100), event(50)), 0);
    assert.equal(progressIncrement(undefined, event(10, { iterations: 0 })), 0);
  });

  it('progressMessage includes modes when known', () => {
    assert.equal(
      progressMessage(event(50)),
      'iteration 50/200 · W ≈ 1.23 · ‖∇D‖ median 0.97 · 12.5 ms/it',
    );
    assert.match(progressMessage(event(50, { modesCaptured: 7 })), /7 modes/);
  });

  it('formatNumber keeps 3 significant digits', () => {
    assert.equal(formatNumber(0.123456), '0.123');
    assert.equal(formatNumber(123456), '1.23e+5');
    assert.equal(formatNumber(0.0001234), '1.23e-4');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(Number.NaN), 'NaN');
  });
});

describe('trainInputs', () => {
  it('parseIterations accepts separators', () => {
    assert.equal(parseIterations('2,000', 1).value, 2000);
    assert.equal(parseIterations(' 2_000 ', 1).error, undefined);
  });

  it('parseIterations rejects fractions, text and small counts', () => {
    assert.match(parseIterations('1.5', 1).error ?? '', /not a whole number/);
    assert.match(parseIterations('abc', 1).error ?? '', /not a whole number/);
    assert.match(parseIterations('', 1).error ?? '', /not a whole number/);
    assert.match(parseIterations('5', 10).error ?? '', /from 10 to 10000000/);
  });

  it('defaultRunName stamps UTC time', () => {
    assert.equal(
      defaultRunName('8gaussians', 'small', new Date('2026-12-04T16:30:05Z')),
      '8gaussians-small-20261204-163005',
    );
  });
});

describe('webviewHtml', () => {
  const page = (data: Record<string, string> = {}) =>
    renderWebviewHtml({
      cspSource: 'vscode-resource:',
      nonce: 'abc123',
      scriptUri: 'https://x/webview.js',
      styleUris: ['https://x/a.css'],
      title: 'T <1>',
      data,
    });

  it('sets a strict policy with the nonce', () => {
    const html = page();
    const attribute =
      /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
    const csp = attribute.replace(/&#39;/g, "'");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/webview\.js"><\/script>/);
  });

  it('escapes the initial state and the title', () => {
    const html = page({ file: '/a/"b"<c>.json' });
    assert.match(html, /data-file="\/a\/&quot;b&quot;&lt;c&gt;\.json"/);
    assert.match(html, /<title>T &lt;1&gt;<\/title>/);
    assert.equal(escapeAttribute(`&'`), '&amp;&#39;');
  });

  it('createNonce gives 128 random bits each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    assert.equal(Buffer.from(createNonce(), 'base64').length, 16);
  });
});

describe('Disposable', () => {
  it('disposes owned resources in reverse order, once', () => {
    const order: string[] = [];
    class Owner extends Disposable {
      constructor() {
        super();
        this.register(toDisposable(() => order.push('a')));
        this.register(toDisposable(() => order.push('b')));
      }
    }
    const owner = new Owner();
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['b', 'a']);
    assert.equal(owner.isDisposed, true);
  });

  it('disposeAll disposes every resource before rethrowing', () => {
    const order: string[] = [];
    const failing = {
      dispose: () => {
        throw new Error('boom');
      },
    };
    const resources = [failing, toDisposable(() => order.push('ok')), failing];
    assert.throws(
      () => disposeAll(resources),
      (error: unknown) => error instanceof AggregateError && error.errors.length === 2,
    );
    assert.deepEqual(order, ['ok']);
  });
});
