import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ProbeReport } from '../protocol/report';
import { pointPlots, reportPathFor } from './reportModel';
import { reportTitle, runTitle } from './reportPanels';
import { readRunJson } from './runFiles';
import type { Services } from './services';

/** A probe target: a run folder's checkpoint, or a critic file with its samples and real data. */
export type ProbeTarget =
  | { kind: 'run'; runDir: string; checkpoint?: string }
  | {
      kind: 'files';
      critic: string;
      generator?: string;
      fake?: string;
      real?: string;
      dataset?: string;
    };

export interface ProbeOutcome {
  report: ProbeReport;
  reportFile: string;
}

/**
 * Builds the worker's probe request (the fields of src/core/probe/request.ts's ProbeRequest)
 * from a target and the settings.
 */
export async function probeRequest(
  services: Services,
  target: ProbeTarget,
): Promise<Record<string, unknown>> {
  const settings = services.settings();
  const common = { counts: { ...settings.probeCounts }, seed: settings.probeSeed };
  if (target.kind === 'run') {
    const checkpoint = target.checkpoint ?? (await readRunJson(target.runDir)).checkpoint;
    if (!checkpoint)
      throw new Error(
        `${path.join(target.runDir, 'run.json')} lists no checkpoint yet; wait for the first one.`,
      );
    const output = reportPathFor({ runDir: target.runDir, checkpoint });
    return { ...common, run: target.runDir, checkpoint, output };
  }
  const files = {
    critic: target.critic,
    generator: target.generator,
    fake: target.fake,
    real: target.real,
    dataset: target.dataset,
  };
  const defined = Object.fromEntries(
    Object.entries(files).filter(([, value]) => value !== undefined),
  );
  return { ...common, ...defined, output: reportPathFor({ critic: target.critic }) };
}

/**
 * Probes a target in the worker, then shows the report, its findings in the Problems panel and
 * the refreshed runs tree. Returns undefined when the probe failed or was cancelled; a failure is
 * shown to the user with the reason.
 */
export async function probeAndShow(
  services: Services,
  target: ProbeTarget,
  options: { show?: boolean; notifyFailure?: boolean } = {},
): Promise<ProbeOutcome | undefined> {
  let request: Record<string, unknown>;
  try {
    request = await probeRequest(services, target);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return undefined;
  }
  const name = target.kind === 'run' ? path.basename(target.runDir) : path.basename(target.critic);
  // The worker writes report.json atomically but does not create its folder.
  await fs.mkdir(path.dirname(request.output as string), { recursive: true });
  const outcome = await services.jobs.run({
    kind: 'probe',
    title: `Probing ${name}`,
    job: { kind: 'probe', request },
  });
  if (outcome.status !== 'completed') {
    if (outcome.status === 'failed' && options.notifyFailure !== false) {
      void vscode.window
        .showErrorMessage(`Probing ${name} failed: ${outcome.message}`, 'Show Log')
        .then((choice) => {
          if (choice) services.logger.show();
        });
    }
    return undefined;
  }

  const result = outcome.result as { report?: ProbeReport; reportPath?: string };
  if (!result.report) {
    void vscode.window.showErrorMessage(
      `Probing ${name} returned no report; see the log for details.`,
    );
    return undefined;
  }
  const reportFile = result.reportPath ?? (request.output as string);
  const problemFile = target.kind === 'run' ? path.join(target.runDir, 'run.json') : target.critic;
  services.diagnostics.update(
    vscode.Uri.file(problemFile),
    result.report,
    services.settings().problemsSeverity,
  );
  services.runsTree.refresh();
  if (options.show !== false) showReport(services, reportFile, result.report, result);
  return { report: result.report, reportFile };
}

/** Opens a report in the view of its run (when it has one) or its own view. */
export function showReport(
  services: Services,
  reportFile: string,
  report: ProbeReport,
  result?: unknown,
): void {
  const runDir = report.source.run;
  const title = reportTitle(reportFile, report);
  const view = services.panels.open(runDir ? { runDir, reportFile } : { reportFile }, title);
  const id = view.showReport(reportFile, report, title);
  if (runDir && !view.hasRun) {
    readRunJson(runDir).then(
      (manifest) =>
        view.showRun(
          runDir,
          runTitle(runDir),
          manifest.config.iterations,
          manifest.history,
          manifest.status,
        ),
      (error: unknown) =>
        services.logger.warn(
          `could not read the history of ${runDir}: ${(error as Error).message}`,
        ),
    );
  }
  const { plots, problems } = pointPlots(result, report);
  for (const problem of problems)
    services.logger.warn(`dropped a 2-D plot of ${reportFile}: ${problem}`);
  if (plots.length > 0) view.showPoints(id, plots);
  view.showView('findings');
}
