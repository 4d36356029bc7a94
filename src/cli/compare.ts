import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProbeReport } from '../protocol/report';
import { compareReports, renderComparison } from '../core/report/compare';
import { CliUsageError, type Parsed } from './args';

type CommandArgs = Extract<Parsed, { positionals: string[] }>;

/** Reads a report.json, or the report.json inside a run folder. */
export async function readReport(target: string): Promise<ProbeReport> {
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new Error(`${target} not found.`);
  const file = stat.isDirectory() ? path.join(target, 'report.json') : target;
  let report: ProbeReport;
  try {
    report = JSON.parse(await fs.readFile(file, 'utf8')) as ProbeReport;
  } catch (error) {
    throw new Error(
      `${file} is missing or not valid JSON (${(error as Error).message}); probe it first.`,
      { cause: error },
    );
  }
  if (typeof report?.schemaVersion !== 'number' || typeof report.probeSets !== 'object') {
    throw new Error(`${file} is not a GAN Diagnostics report.`);
  }
  return report;
}

export async function runCompare(args: CommandArgs): Promise<number> {
  if (args.positionals.length !== 2)
    throw new CliUsageError('Expected two reports or run folders to compare.');
  const [a, b] = args.positionals;
  const comparison = compareReports(await readReport(a), await readReport(b));
  if (args.flags.json) process.stdout.write(JSON.stringify(comparison, null, 1) + '\n');
  else process.stdout.write(renderComparison(comparison, path.basename(a), path.basename(b)));
  return 0;
}
