/**
 * Central finite differences in float64, and the comparison of a float32 gradient against them.
 */
import { Rng } from '../../src/core/rng';
import type { ReferenceParameter } from './float64Reference';

export interface FiniteDifferenceOptions {
  /** Step as a fraction of max(|w|, 0.1) for each weight w. */
  relativeStep?: number;
  /**
   * Arrays with more entries than this are checked on a seeded random subset of this many
   * entries; smaller arrays are checked entry by entry.
   */
  maxEntriesPerArray?: number;
  /** Seed of the subset draw. */
  seed?: number;
}

/** Finite-difference derivatives of one parameter array at the listed flat indices. */
export interface SampledGradient {
  name: string;
  indices: number[];
  values: Float64Array;
}

export const DEFAULT_RELATIVE_STEP = 1e-6;

/**
 * Computes (f(w + h) - f(w - h)) / 2h for the chosen entries of every parameter array, with
 * h = relativeStep·max(|w|, 0.1). Each entry is perturbed in place and restored exactly, so `f`
 * must read the arrays afresh on each call.
 *
 * The caller must keep the evaluation point away from kinks of f (see {@link drawAwayFromKinks}):
 * a step that crosses one turns the quotient into the average of two one-sided slopes.
 */
export function finiteDifferenceGradient(
  f: () => number,
  parameters: ReferenceParameter[],
  options: FiniteDifferenceOptions = {},
): SampledGradient[] {
  const relativeStep = options.relativeStep ?? DEFAULT_RELATIVE_STEP;
  const maxEntries = options.maxEntriesPerArray ?? Number.POSITIVE_INFINITY;
  const rng = new Rng(options.seed ?? 1);
  return parameters.map((parameter) => {
    const indices = chooseIndices(parameter.values.length, maxEntries, rng);
    const values = new Float64Array(indices.length);
    indices.forEach((index, k) => {
      const original = parameter.values[index];
      const step = relativeStep * Math.max(Math.abs(original), 0.1);
      parameter.values[index] = original + step;
      const above = f();
      parameter.values[index] = original - step;
      const below = f();
      parameter.values[index] = original;
      values[k] = (above - below) / (2 * step);
    });
    return { name: parameter.name, indices, values };
  });
}

/** Returns all indices when there are at most maxEntries, otherwise a sorted random subset. */
function chooseIndices(length: number, maxEntries: number, rng: Rng): number[] {
  const all = Array.from({ length }, (_, i) => i);
  if (length <= maxEntries) return all;
  // Partial Fisher-Yates shuffle: the first maxEntries slots become a uniform subset.
  for (let i = 0; i < maxEntries; i++) {
    const j = i + rng.int(length - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, maxEntries).sort((a, b) => a - b);
}

export interface KinkFreeDraw<T> {
  value: T;
  seed: number;
  /** Seeds rejected before `seed` because a point lay within the margin of a kink. */
  rejected: number;
}

/**
 * Draws from seed, seed + 1, ... until `kinkDistance` of the draw exceeds `margin`.
 *
 * ReLU and LeakyReLU have a kink at 0 (ELU's derivative has one too, and the one-sided penalty
 * has one where a norm equals the target). If a pre-activation lies within a finite-difference
 * step of the kink, the central difference mixes both slopes and looks like an error of up to
 * 100%, and float32 may round it to the other side. So each draw is rejected and re-drawn with
 * the next seed while any such value lies within `margin` of its kink.
 */
export function drawAwayFromKinks<T>(
  draw: (seed: number) => T,
  kinkDistance: (value: T) => number,
  options: { seed: number; margin: number; maxTries?: number },
): KinkFreeDraw<T> {
  const maxTries = options.maxTries ?? 100;
  for (let tries = 0; tries < maxTries; tries++) {
    const seed = options.seed + tries;
    const value = draw(seed);
    if (kinkDistance(value) > options.margin) return { value, seed, rejected: tries };
  }
  throw new Error(
    `No draw in seeds ${options.seed}..${options.seed + maxTries - 1} kept every point ${options.margin} away from a kink.`,
  );
}

export interface GradientComparison {
  /** Max over arrays of each array's relative error. */
  maxRelativeError: number;
  perArray: {
    name: string;
    relativeError: number;
    worstIndex: number;
    actual: number;
    expected: number;
  }[];
}

/**
 * Compares a gradient against finite differences, array by array. An array's relative error is
 * max|actual - expected| / max(max|expected|, floor), where floor = floorFraction times the
 * largest |expected| over all arrays. The floor keeps an array whose true gradient is exactly zero
 * (the last layer's bias does not enter the input gradient) from dividing by zero, while a wrong
 * array of ordinary size still reads as an error near 1.
 */
export function compareGradients(
  actual: (name: string) => ArrayLike<number> | undefined,
  expected: SampledGradient[],
  floorFraction = 1e-3,
): GradientComparison {
  const scale = Math.max(...expected.map((g) => maxAbs(g.values)));
  const floor = Math.max(scale * floorFraction, Number.MIN_VALUE);
  const perArray = expected.map((g) => {
    const values = actual(g.name);
    let worst = { error: 0, index: g.indices[0] ?? 0, actual: 0, expected: 0 };
    g.indices.forEach((index, k) => {
      if (Number.isNaN(worst.error)) return;
      // A missing gradient (tfjs omits variables the result does not depend on) counts as zero.
      const a = values === undefined ? 0 : values[index];
      const error = Math.abs(a - g.values[k]);
      if (!(error <= worst.error)) worst = { error, index, actual: a, expected: g.values[k] };
    });
    const relativeError = worst.error / Math.max(maxAbs(g.values), floor);
    return {
      name: g.name,
      relativeError,
      worstIndex: worst.index,
      actual: worst.actual,
      expected: worst.expected,
    };
  });
  const maxRelativeError = perArray.reduce(
    (m, p) => (p.relativeError > m || Number.isNaN(p.relativeError) ? p.relativeError : m),
    0,
  );
  return { maxRelativeError, perArray };
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
