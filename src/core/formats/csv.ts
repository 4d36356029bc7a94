import { createMatrix, type Matrix } from '../data/matrix';
import { CheckpointError } from './errors';

export interface CsvTable {
  matrix: Matrix;
  /** Column names from the header row, when the first row is not numeric. */
  header?: string[];
}

/**
 * Parses numeric CSV: values separated by commas, or by whitespace when a line has no comma.
 * A first row that is not numeric is taken as the header. Blank lines and lines starting with
 * `#` are skipped. Every row must have the header's (or first row's) number of columns.
 */
export function readCsv(text: string, options: { file?: string } = {}): CsvTable {
  const lines = text.split(/\r?\n/);
  const values: number[] = [];
  let header: string[] | undefined;
  let cols = -1;
  let rows = 0;

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = splitLine(line);
    if (cols < 0 && header === undefined && !cells.every(isNumber)) {
      header = cells.map(unquote);
      cols = cells.length;
      continue;
    }
    if (cols < 0) cols = cells.length;
    if (cells.length !== cols) {
      throw new CheckpointError(
        'corrupt',
        `line ${index + 1} has ${cells.length} columns, expected ${cols}.`,
        options.file,
      );
    }
    for (let col = 0; col < cells.length; col++) {
      const value = parseNumber(cells[col]);
      if (value === undefined) {
        throw new CheckpointError(
          'corrupt',
          `line ${index + 1}, column ${col + 1}: '${cells[col]}' is not a number.`,
          options.file,
        );
      }
      values.push(value);
    }
    rows++;
  }
  const matrix = createMatrix(rows, Math.max(cols, 0), Float32Array.from(values));
  return header === undefined ? { matrix } : { matrix, header };
}

function splitLine(line: string): string[] {
  if (line.includes(',')) return line.split(',').map((cell) => cell.trim());
  return line.split(/\s+/);
}

function unquote(cell: string): string {
  return cell.replace(/^"(.*)"$/, '$1');
}

function isNumber(cell: string): boolean {
  return parseNumber(cell) !== undefined;
}

/** Parses a decimal number, `nan`, `inf` or `-inf`, or returns undefined for anything else. */
function parseNumber(cell: string): number | undefined {
  const lower = cell.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(cell)) return undefined;
  return Number(cell);
}
