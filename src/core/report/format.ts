/** Formats a number for reports and terminals: 3 significant digits, exponent form for very large or small values. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e4 || abs < 1e-3) ? value.toExponential(2) : value.toPrecision(3);
}
