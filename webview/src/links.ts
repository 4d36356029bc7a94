import type { ReportView } from '../../src/protocol/webview';
import { REPORT_VIEWS } from '../../src/protocol/webviewGuards';

/**
 * Parses a finding's `chart` field: a view name, optionally followed by `:` and the id of a chart
 * inside it (`gradients:interpolates`, `points:critic`). Unknown views give undefined.
 */
export function chartLink(
  chart: string | undefined,
): { view: ReportView; anchor?: string } | undefined {
  if (!chart) return undefined;
  const separator = chart.indexOf(':');
  const view = separator < 0 ? chart : chart.slice(0, separator);
  const anchor = separator < 0 ? '' : chart.slice(separator + 1);
  if (!REPORT_VIEWS.includes(view as ReportView)) return undefined;
  return anchor ? { view: view as ReportView, anchor } : { view: view as ReportView };
}
