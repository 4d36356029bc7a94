/** Input parsing for the training command, kept free of vscode for tests. */

export interface ParsedIterations {
  value: number;
  /** A message for the input box, or undefined when the text is valid. */
  error?: string;
}

const MAX_ITERATIONS = 10_000_000;

/** Parses a generator-iteration count such as "2000", "2,000" or "2_000". */
export function parseIterations(text: string, min: number): ParsedIterations {
  const cleaned = text.trim().replace(/[,_\s]/g, '');
  const value = Number(cleaned);
  if (cleaned === '' || !Number.isInteger(value)) {
    return { value: Number.NaN, error: `"${text}" is not a whole number of iterations.` };
  }
  if (value < min || value > MAX_ITERATIONS) {
    return { value, error: `Enter a number of iterations from ${min} to ${MAX_ITERATIONS}.` };
  }
  return { value };
}

/** Builds a run folder name such as `8gaussians-small-20261204-163000`, in UTC. */
export function defaultRunName(dataset: string, preset: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${dataset}-${preset}-${stamp}`;
}
