/* Network specifications without tfjs, so the extension host can use them without loading it. */

export type ActivationSpec =
  | { name: 'relu' }
  | { name: 'leakyRelu'; alpha: number }
  | { name: 'tanh' }
  | { name: 'sigmoid' }
  | { name: 'elu' };

export const ACTIVATION_NAMES = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'elu'] as const;

/** Slope of LeakyReLU's negative side when none is given (the value common in WGAN-GP critics). */
export const DEFAULT_LEAKY_SLOPE = 0.2;

export interface MlpSpec {
  /** Shape of one input sample; it is flattened before the first layer. */
  inputShape: number[];
  hidden: number[];
  outputSize: number;
  activation: ActivationSpec;
}

/** The toy networks of the WGAN-GP paper: 2→512→512→512→out, ReLU. */
export const PAPER_TOY_HIDDEN = [512, 512, 512];

/** Lipschitz constant of each activation: 1 for all of these (LeakyReLU with slope ≤ 1). */
export function activationLipschitz(spec: ActivationSpec): number {
  if (spec.name === 'sigmoid') return 0.25;
  if (spec.name === 'leakyRelu') return Math.max(1, Math.abs(spec.alpha));
  return 1;
}

export function inputSize(spec: MlpSpec): number {
  return spec.inputShape.reduce((a, b) => a * b, 1);
}

export function layerSizes(spec: MlpSpec): number[] {
  return [inputSize(spec), ...spec.hidden, spec.outputSize];
}

export function parameterCount(spec: MlpSpec): number {
  const sizes = layerSizes(spec);
  let total = 0;
  for (let l = 0; l + 1 < sizes.length; l++) total += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return total;
}
