/**
 * Times the report webview with 10,000 and 100,000 points in its 2-D view, in the headless
 * Chromium of the end-to-end tests: `npm run bench:webview` (it builds the bundles first).
 *
 * The report is a real probe of the cg_8g_gp fixture (critic, generator, 8 Gaussians). Its
 * critic plot then gets N/2 real points drawn from the dataset and N/2 generated points from the
 * fixture generator, and the host's messages are built from it with the extension's own
 * functions. The page is the extension's webview page (same HTML, policy and bundle), served on
 * 127.0.0.1, with a stand-in for acquireVsCodeApi (bench/webview-points.page.js).
 *
 * It prints, per point count and device pixel ratio, the time to the first frame of the 2-D view
 * and the frame times while resizing it, and while hovering and drag-zooming a gradient-norm
 * histogram. Environment: BENCH_ROUNDS (default 3 pages per case), and BENCH_SCREENSHOTS, a
 * folder to save a PNG of each case's 2-D view into.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { initBackend } from '../src/core/backend/init';
import type { Matrix } from '../src/core/data/matrix';
import { createDataset } from '../src/core/data/toy';
import { loadModelFile } from '../src/core/formats/loadModel';
import { silentLogger } from '../src/core/log';
import { resolveFileSources } from '../src/core/probe/fileSources';
import { buildReport } from '../src/core/probe/job';
import { validateProbeRequest } from '../src/core/probe/request';
import { sampleDataset, sampleGenerator } from '../src/core/probe/sampling';
import type { ProbeReport } from '../src/protocol/report';
import type { HostToWebview, PointPlot } from '../src/protocol/webview';
import { parseReport, pointPlots, reportMessage } from '../src/extension/reportModel';
import { createNonce, renderWebviewHtml } from '../src/extension/webviewHtml';
import { launchChromium } from '../test/e2e/lib/browser';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'wgan-gp-toy', 'cg_8g_gp');
const PAGE_SCRIPT = path.join(__dirname, 'webview-points.page.js');
const POINT_COUNTS = [10_000, 100_000];
const PIXEL_RATIOS = [1, 2];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCREENSHOTS = process.env.BENCH_SCREENSHOTS;
const SEED = 7;
const RESIZE_FRAMES = 120;
const HOVER_FRAMES = 120;
const ZOOM_REPEATS = 10;
/** Files the page may load, by URL path. */
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/dist/webview.js': { file: 'dist/webview.js', type: 'text/javascript' },
  '/dist/webview.css': { file: 'dist/webview.css', type: 'text/css' },
  '/media/webview.css': { file: 'media/webview.css', type: 'text/css' },
};

interface FrameSample {
  intervals: number[];
  work: number[];
}

interface RoundResult {
  handlersMs: number;
  firstFrameMs: number;
  resize: FrameSample;
  hover: FrameSample;
  zoom: FrameSample;
}

/** Rounds to 1e-5 as the probe's own plots do, so the message has the size the host sends. */
const rounded = (values: ArrayLike<number>) => Array.from(values, (v) => Math.round(v * 1e5) / 1e5);

function column(points: Matrix, c: number): number[] {
  return rounded(Array.from({ length: points.rows }, (_, i) => points.data[i * points.cols + c]));
}

/**
 * Probes the fixture critic, then draws `half` real and `half` generated points for its 2-D
 * view: the real ones from the 8 Gaussians, the generated ones from the fixture generator.
 */
async function probeFixture(
  half: number,
): Promise<{ report: ProbeReport; real: Matrix; generated: Matrix }> {
  const backend = await initBackend({ request: 'wasm', logger: silentLogger });
  const generatorFile = path.join(FIXTURE, 'generator.onnx');
  const request = validateProbeRequest({
    critic: path.join(FIXTURE, 'critic.onnx'),
    generator: generatorFile,
    dataset: '8gaussians',
    seed: SEED,
  });
  const sources = await resolveFileSources(request, silentLogger);
  const report = buildReport(request, sources, { backend, logger: silentLogger }, Date.now());
  sources.critic.dispose();
  const real = sampleDataset(createDataset({ name: '8gaussians' }), half, SEED + 1);
  const generator = await loadModelFile(generatorFile, { role: 'generator' });
  const generated = sampleGenerator(generator.model, half, SEED + 1);
  generator.model.dispose();
  return { report, real, generated };
}

/** Returns the probe's critic plot with its real and generated series cut to `half` rows each. */
function plotWithPoints(base: PointPlot, real: Matrix, generated: Matrix, half: number): PointPlot {
  const rows = (points: Matrix) => ({
    ...points,
    rows: half,
    data: points.data.subarray(0, 2 * half),
  });
  const series = base.series.map((item) => {
    if (item.role === 'real')
      return { ...item, x: column(rows(real), 0), y: column(rows(real), 1) };
    if (item.role === 'generated')
      return { ...item, x: column(rows(generated), 0), y: column(rows(generated), 1) };
    return item;
  });
  return { ...base, series };
}

/**
 * Builds the messages that the extension posts when it opens this report: the report, then its
 * 2-D views. The report goes through JSON, as report.json does.
 */
function hostMessages(file: string, report: ProbeReport): HostToWebview[] {
  const parsed = parseReport(file, JSON.stringify(report));
  const message = reportMessage(file, parsed, `GAN report: ${path.basename(file)}`);
  const { plots, problems } = pointPlots(parsed);
  if (problems.length > 0) throw new Error(`invalid 2-D plot: ${problems.join('; ')}`);
  return [message, { type: 'points', reportId: message.reportId, plots }];
}

/** Serves the webview page and its bundle on 127.0.0.1 and returns the server and its origin. */
async function servePage(): Promise<{ server: http.Server; origin: string }> {
  let origin = '';
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const asset = STATIC_FILES[url.pathname];
    if (url.pathname === '/') {
      const html = renderWebviewHtml({
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/dist/webview.js`,
        styleUris: [`${origin}/dist/webview.css`, `${origin}/media/webview.css`],
        title: 'GAN report',
        data: { mode: 'report', subject: '{}' },
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (asset) {
      fs.readFile(path.join(ROOT, asset.file)).then(
        (bytes) => response.writeHead(200, { 'content-type': asset.type }).end(bytes),
        (error: Error) => response.writeHead(500).end(error.message),
      );
    } else if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin };
}

/** Opens the page with the 2-D tab saved as the current view, posts the report and times it. */
async function measureRound(
  browser: Browser,
  origin: string,
  messages: HostToWebview[],
  pixelRatio: number,
  screenshot?: string,
): Promise<RoundResult> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: pixelRatio,
  });
  const errors: string[] = [];
  try {
    await context.addInitScript({ path: PAGE_SCRIPT });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const state = encodeURIComponent(JSON.stringify({ view: 'points' }));
    await page.goto(`${origin}/?state=${state}`);
    await page.waitForFunction("window.benchPage.posted.some((m) => m.type === 'ready')");
    await page.evaluate(
      (staged) =>
        (globalThis as unknown as { benchPage: { stage(m: unknown): void } }).benchPage.stage(
          staged,
        ),
      messages,
    );
    const first = (await page.evaluate('window.benchPage.firstDraw()')) as {
      handlersMs: number;
      firstFrameMs: number;
    };
    const drawn = (await page.evaluate(
      "window.benchPage.drawnPixels('.view.points canvas')",
    )) as number;
    if (drawn === 0) throw new Error('the 2-D view drew nothing');
    if (screenshot)
      await page.locator('.view.points canvas').first().screenshot({ path: screenshot });
    const resize = (await page.evaluate(
      `window.benchPage.resize(${RESIZE_FRAMES})`,
    )) as FrameSample;
    await page.evaluate("window.postMessage({ type: 'showView', view: 'gradients' }, '*')");
    await page.waitForFunction("document.querySelector('.view.gradients .u-over') !== null");
    const chartProblem = (await page.evaluate('window.benchPage.checkChartEvents()')) as string;
    if (chartProblem)
      throw new Error(`the histogram ignored the benchmark's events: ${chartProblem}`);
    const hover = (await page.evaluate(`window.benchPage.hover(${HOVER_FRAMES})`)) as FrameSample;
    const zoom = (await page.evaluate(`window.benchPage.zoom(${ZOOM_REPEATS})`)) as FrameSample;
    const reported = (await page.evaluate(
      "window.benchPage.posted.filter((m) => m.type === 'error').map((m) => m.message)",
    )) as string[];
    errors.push(...reported);
    if (errors.length > 0) throw new Error(`the webview reported errors: ${errors.join('; ')}`);
    return { ...first, resize, hover, zoom };
  } finally {
    await context.close();
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const ms = (value: number) => value.toFixed(1);
const medianP95 = (values: number[]) =>
  `${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.95))}`;

const TABLE_COLUMNS = [
  'points',
  'pixel ratio',
  'messages handled',
  'first frame',
  '2-D resize: frame interval',
  '2-D resize: main-thread work',
  'histogram hover: frame interval',
  'histogram drag-zoom: frame interval',
];

/** Builds a case's Markdown row: first-draw medians over its pages, and frame times pooled. */
function tableRow(points: number, pixelRatio: number, rounds: RoundResult[]): string {
  const median = (values: number[]) => ms(quantile(values, 0.5));
  const frames = (pick: (round: RoundResult) => number[]) => medianP95(rounds.flatMap(pick));
  const cells = [
    points.toLocaleString('en-US'),
    String(pixelRatio),
    median(rounds.map((round) => round.handlersMs)),
    median(rounds.map((round) => round.firstFrameMs)),
    frames((round) => round.resize.intervals),
    frames((round) => round.resize.work),
    frames((round) => round.hover.intervals),
    frames((round) => round.zoom.intervals),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  for (const asset of Object.values(STATIC_FILES)) {
    await fs.access(path.join(ROOT, asset.file)).catch(() => {
      throw new Error(`${asset.file} is missing; run npm run build first.`);
    });
  }
  const half = Math.max(...POINT_COUNTS) / 2;
  const started = Date.now();
  const { report, real, generated } = await probeFixture(half);
  const base = report.points?.find((plot) => plot.id === 'critic');
  if (!base) throw new Error('the probe of the fixture returned no critic plot');
  process.stdout.write(`probed the fixture in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const cases = POINT_COUNTS.map((points) => {
    const plot = plotWithPoints(base, real, generated, points / 2);
    return { points, messages: hostMessages('bench.report.json', { ...report, points: [plot] }) };
  });

  if (SCREENSHOTS) await fs.mkdir(SCREENSHOTS, { recursive: true });
  const { server, origin } = await servePage();
  const browser = await launchChromium();
  const results = new Map<string, RoundResult[]>();
  try {
    // Rounds alternate between the cases, so that machine noise hits them alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const pixelRatio of PIXEL_RATIOS) {
        for (const { points, messages } of cases) {
          const key = `${points}@${pixelRatio}`;
          const screenshot =
            SCREENSHOTS && round === 0
              ? path.join(SCREENSHOTS, `webview-points-${points}-ratio-${pixelRatio}.png`)
              : undefined;
          const result = await measureRound(browser, origin, messages, pixelRatio, screenshot);
          results.set(key, [...(results.get(key) ?? []), result]);
          const resizeMedian = ms(quantile(result.resize.intervals, 0.5));
          process.stdout.write(
            `round ${round + 1}, ${points} points, ratio ${pixelRatio}: ` +
              `first frame ${ms(result.firstFrameMs)} ms, resize frame median ${resizeMedian} ms\n`,
          );
        }
      }
    }
    const lines = [
      '',
      `Chromium ${browser.version()} (headless, the end-to-end flags), Node ${process.version}, ` +
        `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}; ${ROUNDS} pages per case, ` +
        `frames pooled over them. Times in ms; frame columns are median / p95.`,
      '',
      `| ${TABLE_COLUMNS.join(' | ')} |`,
      `|${TABLE_COLUMNS.map(() => '---:').join('|')}|`,
    ];
    for (const pixelRatio of PIXEL_RATIOS) {
      for (const { points } of cases)
        lines.push(tableRow(points, pixelRatio, results.get(`${points}@${pixelRatio}`) ?? []));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
