import { fail, type OpContext } from './types';

/** Largest kernel size, stride, dilation or padding accepted; larger values mean a corrupt file. */
export const MAX_WINDOW_VALUE = 1 << 16;

/** Resolved 2-D window geometry of a Conv or pooling node, for one input size. */
export interface Window2D {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** Explicit padding [top, bottom, left, right]. */
  pads: [number, number, number, number];
}

/** Reads a per-axis integer attribute for two spatial axes, with a default for each axis. */
export function pair(
  context: OpContext,
  name: string,
  fallback: number,
  spatial: number,
): [number, number] {
  const values = context.attrs.ints(name);
  if (values === undefined || values.length === 0) return [fallback, fallback];
  if (values.length !== spatial) {
    fail(
      context,
      'corrupt',
      `attribute '${name}' has ${values.length} values for ${spatial} spatial axes`,
    );
  }
  if (values.some((v) => !Number.isSafeInteger(v) || v < 0)) {
    fail(context, 'corrupt', `attribute '${name}' has invalid values [${values.join(', ')}]`);
  }
  if (spatial === 2) return [values[0], values[1]];
  // A 1-D window is treated as a 2-D one of height 1.
  return [1, values[0]];
}

/**
 * Resolves kernel, strides, dilations and padding for an input of spatial size `size`
 * ([height, width]). `auto_pad` SAME_UPPER puts the odd padding unit at the end, SAME_LOWER at
 * the start, VALID pads nothing, NOTSET uses `pads` ([begin..., end...] per ONNX).
 */
export function resolveWindow(
  context: OpContext,
  kernel: [number, number],
  size: [number, number],
  spatial: number,
): Window2D {
  const strides = pair(context, 'strides', 1, spatial);
  const dilations = pair(context, 'dilations', 1, spatial);
  if (strides.some((s) => s < 1) || dilations.some((d) => d < 1) || kernel.some((k) => k < 1)) {
    fail(context, 'corrupt', 'kernel sizes, strides and dilations must be positive');
  }
  const largest = Math.max(...strides, ...dilations, ...kernel);
  if (largest > MAX_WINDOW_VALUE) {
    fail(
      context,
      'corrupt',
      `a kernel size, stride or dilation of ${largest} is implausibly large`,
    );
  }
  const autoPad = context.attrs.string('auto_pad', 'NOTSET');
  let pads: [number, number, number, number] = [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const [top, bottom] = samePadding(
      size[0],
      kernel[0],
      strides[0],
      dilations[0],
      autoPad === 'SAME_UPPER',
    );
    const [left, right] = samePadding(
      size[1],
      kernel[1],
      strides[1],
      dilations[1],
      autoPad === 'SAME_UPPER',
    );
    pads = [top, bottom, left, right];
  } else if (autoPad === 'NOTSET') {
    pads = explicitPads(context, spatial);
  } else if (autoPad !== 'VALID') {
    fail(context, 'corrupt', `auto_pad '${autoPad}' is invalid`);
  }
  return { kernel, strides, dilations, pads };
}

function samePadding(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  upper: boolean,
): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const output = Math.ceil(size / stride);
  const total = Math.max(0, (output - 1) * stride + effective - size);
  const small = Math.floor(total / 2);
  return upper ? [small, total - small] : [total - small, small];
}

function explicitPads(context: OpContext, spatial: number): [number, number, number, number] {
  const pads = context.attrs.ints('pads');
  if (pads === undefined || pads.length === 0) return [0, 0, 0, 0];
  const invalid = (p: number) => !Number.isSafeInteger(p) || p < 0 || p > MAX_WINDOW_VALUE;
  if (pads.length !== 2 * spatial || pads.some(invalid)) {
    fail(
      context,
      'corrupt',
      `attribute 'pads' [${pads.join(', ')}] is invalid for ${spatial} spatial axes`,
    );
  }
  if (spatial === 1) return [0, 0, pads[0], pads[1]];
  return [pads[0], pads[2], pads[1], pads[3]];
}

/** Output size of a window sliding over `size` with padding, floor or ceil rounding. */
export function outputSize(
  size: number,
  kernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  ceil = false,
): number {
  const span = size + padBegin + padEnd - kernel;
  if (span < 0) return 0;
  if (!ceil) return Math.floor(span / stride) + 1;
  let output = Math.ceil(span / stride) + 1;
  // A last window that starts inside the end padding is dropped (PyTorch and ONNX Runtime agree).
  if ((output - 1) * stride >= size + padBegin) output--;
  return output;
}
