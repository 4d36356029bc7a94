import { TORCH_LEAKY_RELU_SLOPE, type ArchitectureSpec, type LayerSpec } from './archSpec';
import { CheckpointError } from './errors';
import type { LoadedTensor, StateDict } from './tensor';

export type ActivationChoice =
  | { type: 'relu' }
  | { type: 'leakyRelu'; alpha?: number }
  | { type: 'tanh' }
  | { type: 'elu'; alpha?: number };

export interface InferOptions {
  /** Activation between weight layers, which a state_dict cannot record. Default ReLU. */
  activation?: ActivationChoice;
  /** Input shape [C, H, W], required for a convolutional critic. */
  inputShape?: number[];
  /** Convolution stride and padding. The defaults, 2 and floor(kernel / 2), are the DCGAN convention. */
  stride?: number;
  padding?: number;
  output?: 'flatten' | 'keep';
  file?: string;
}

export interface InferredArchitecture {
  spec: ArchitectureSpec;
  /** Assumptions the inference made, for the report. */
  assumptions: string[];
}

interface WeightGroup {
  prefix: string;
  base: string;
  index: number;
  weight: LoadedTensor;
  bias?: LoadedTensor;
}

/**
 * Infers the forward pass of a Sequential-style MLP or DCGAN-style critic (Conv2d layers, then
 * Linear layers) from key names and shapes. Throws `architecture-needed` when the state_dict
 * contains anything else or the shapes do not chain, so that the caller asks for an
 * architecture file.
 */
export function inferArchitecture(
  stateDict: StateDict,
  options: InferOptions = {},
): InferredArchitecture {
  const groups = groupWeights(stateDict, options.file);
  const convs = groups.filter((group) => group.weight.shape.length === 4);
  const linears = groups.filter((group) => group.weight.shape.length === 2);
  if (convs.length + linears.length !== groups.length || linears.length === 0) {
    throw needed(
      'the weights are not a chain of Conv2d layers followed by Linear layers',
      options.file,
    );
  }
  const activation = activationLayer(options.activation);
  const assumptions = [
    `the layers run in key order (${groups.map((group) => group.prefix).join(', ')})`,
    `a ${activation.type} activation follows every layer but the last, where the key indices leave a gap or the prefix changes`,
  ];

  const layers: LayerSpec[] = [];
  let inputShape: number[];
  if (convs.length > 0) {
    inputShape = convInput(convs, linears[0], options);
    const stride = options.stride ?? 2;
    for (const conv of convs) {
      const padding = options.padding ?? Math.floor(conv.weight.shape[2] / 2);
      addActivation(layers, conv, groups, activation);
      layers.push({
        type: 'conv2d',
        weights: conv.prefix,
        stride: [stride, stride],
        padding: [padding, padding],
        dilation: [1, 1],
      });
    }
    assumptions.push(
      `convolutions use stride ${stride} and padding ${options.padding ?? 'floor(kernel / 2)'}, and the input is [${inputShape}]`,
    );
    addActivation(layers, linears[0], groups, activation);
    layers.push({ type: 'flatten' });
  } else {
    inputShape = [linears[0].weight.shape[1]];
  }
  for (const linear of linears) {
    if (layers.length > 0 && layers[layers.length - 1].type !== 'flatten')
      addActivation(layers, linear, groups, activation);
    layers.push({ type: 'linear', weights: linear.prefix });
  }
  checkLinearChain(linears, options.file);
  return { spec: { inputShape, layers, output: options.output ?? 'keep' }, assumptions };
}

function needed(reason: string, file?: string): CheckpointError {
  return new CheckpointError(
    'architecture-needed',
    `the architecture cannot be inferred from this state_dict: ${reason}. Describe it in an architecture file (see docs/architecture-file.md).`,
    file,
  );
}

/** Groups `<prefix>.weight` and `<prefix>.bias` keys, ordered by prefix and numeric index. */
function groupWeights(stateDict: StateDict, file?: string): WeightGroup[] {
  const byPrefix = new Map<string, Partial<WeightGroup>>();
  const baseOrder = new Map<string, number>();
  for (const [key, tensor] of stateDict) {
    // `main.4.weight` is index 4 of Sequential `main`, and `output.weight` is a named module.
    const indexed = /^(?:(.*)\.)?(\d+)\.(weight|bias)$/.exec(key);
    const named = /^(.+)\.(weight|bias)$/.exec(key);
    if (named === null)
      throw needed(
        `key '${key}' is neither a weight nor a bias (normalisation statistics or buffers need a file)`,
        file,
      );
    const base = indexed !== null ? (indexed[1] ?? '') : named[1];
    const index = indexed !== null ? indexed[2] : undefined;
    const role = named[2];
    const prefix = named[1];
    if (!baseOrder.has(base)) baseOrder.set(base, baseOrder.size);
    const group = byPrefix.get(prefix) ?? {
      prefix,
      base,
      index: index === undefined ? -1 : Number(index),
    };
    if (role === 'weight') group.weight = tensor;
    else group.bias = tensor;
    byPrefix.set(prefix, group);
  }
  const groups = [...byPrefix.values()].map((group) => {
    if (group.weight === undefined) throw needed(`'${group.prefix}.bias' has no weight`, file);
    const rank = group.weight.shape.length;
    if (
      group.bias !== undefined &&
      (group.bias.shape.length !== 1 || group.bias.shape[0] !== group.weight.shape[0])
    ) {
      throw needed(`'${group.prefix}.bias' does not match the rows of its weight`, file);
    }
    if (rank === 1) throw needed(`'${group.prefix}.weight' is 1-D (a normalisation layer)`, file);
    return group as WeightGroup;
  });
  // Convolutions come before dense layers. Within each kind, bases keep file order and indices
  // sort numerically.
  return groups.sort(
    (a, b) =>
      Number(a.weight.shape.length === 2) - Number(b.weight.shape.length === 2) ||
      baseOrder.get(a.base)! - baseOrder.get(b.base)! ||
      a.index - b.index,
  );
}

function activationLayer(choice: ActivationChoice | undefined): LayerSpec {
  if (choice === undefined || choice.type === 'relu') return { type: 'relu' };
  if (choice.type === 'leakyRelu')
    return { type: 'leakyRelu', alpha: choice.alpha ?? TORCH_LEAKY_RELU_SLOPE };
  if (choice.type === 'elu') return { type: 'elu', alpha: choice.alpha ?? 1 };
  return { type: 'tanh' };
}

/** Adds the activation before `group` unless it directly follows its predecessor in one Sequential. */
function addActivation(
  layers: LayerSpec[],
  group: WeightGroup,
  groups: WeightGroup[],
  activation: LayerSpec,
): void {
  const position = groups.indexOf(group);
  if (position <= 0 || layers.length === 0) return;
  const previous = groups[position - 1];
  const adjacent =
    previous.base === group.base && previous.index >= 0 && group.index === previous.index + 1;
  if (!adjacent) layers.push(activation);
}

function checkLinearChain(linears: WeightGroup[], file?: string): void {
  for (let i = 1; i < linears.length; i++) {
    const [, inputs] = linears[i].weight.shape;
    const [outputs] = linears[i - 1].weight.shape;
    if (inputs !== outputs) {
      throw needed(
        `'${linears[i].prefix}' takes ${inputs} inputs but '${linears[i - 1].prefix}' gives ${outputs}`,
        file,
      );
    }
  }
}

/** Checks the given input shape against the convolutions and the first Linear, or reports which sizes fit. */
function convInput(
  convs: WeightGroup[],
  firstLinear: WeightGroup,
  options: InferOptions,
): number[] {
  const stride = options.stride ?? 2;
  const flatSize = (size: number) => {
    let side = size;
    for (const conv of convs) {
      const kernel = conv.weight.shape[2];
      const padding = options.padding ?? Math.floor(kernel / 2);
      side = Math.floor((side + 2 * padding - kernel) / stride) + 1;
      if (side <= 0) return -1;
    }
    return side * side * convs[convs.length - 1].weight.shape[0];
  };
  for (let i = 1; i < convs.length; i++) {
    if (convs[i].weight.shape[1] !== convs[i - 1].weight.shape[0]) {
      throw needed(
        `'${convs[i].prefix}' takes ${convs[i].weight.shape[1]} channels but '${convs[i - 1].prefix}' gives ${convs[i - 1].weight.shape[0]}`,
        options.file,
      );
    }
  }
  const channels = convs[0].weight.shape[1];
  const shape = options.inputShape;
  if (shape === undefined) {
    const fits = [];
    for (let size = 1; size <= 4096; size++)
      if (flatSize(size) === firstLinear.weight.shape[1]) fits.push(size);
    const range =
      fits.length === 0
        ? 'no square size fits'
        : `square inputs from ${fits[0]} to ${fits[fits.length - 1]} pixels fit`;
    throw needed(
      `a convolutional critic needs its input shape [${channels}, H, W] (${range})`,
      options.file,
    );
  }
  if (shape.length !== 3 || shape[0] !== channels || shape[1] !== shape[2]) {
    throw needed(
      `the input shape [${shape}] is not [${channels}, H, H], which '${convs[0].prefix}' and inference need`,
      options.file,
    );
  }
  if (flatSize(shape[1]) !== firstLinear.weight.shape[1]) {
    throw needed(
      `with input [${shape}] the convolutions give ${flatSize(shape[1])} features but '${firstLinear.prefix}' takes ${firstLinear.weight.shape[1]}`,
      options.file,
    );
  }
  return shape;
}
