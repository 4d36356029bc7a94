import type { ReportView } from '../../src/protocol/webview';
import { REPORT_VIEWS } from '../../src/protocol/webviewGuards';

/** Chart names that the probe's findings use for a view, mapped to the view. */
const ALIASES: Record<string, ReportView> = { histogram: 'gradients', series: 'checkpoints' };

/**
 * Parses a finding's `chart` field: a view name, optionally followed by `:` and the id of a chart
 * inside it (`histogram:interpolates`, `points:critic`). Unknown views give undefined.
 */
export function chartLink(
  chart: string | undefined,
): { view: ReportView; anchor?: string } | undefined {
  if (!chart) return undefined;
  const separator = chart.indexOf(':');
  const name = separator < 0 ? chart : chart.slice(0, separator);
  const view = ALIASES[name] ?? name;
  const anchor = separator < 0 ? '' : chart.slice(separator + 1);
  if (!REPORT_VIEWS.includes(view as ReportView)) return undefined;
  return anchor ? { view: view as ReportView, anchor } : { view: view as ReportView };
}
