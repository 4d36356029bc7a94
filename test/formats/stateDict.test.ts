import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { parseArchitecture } from '../../src/core/formats/archSpec';
import { buildModelFromStateDict, type StateDictModel } from '../../src/core/formats/modelBuilder';
import { architectureFromModule } from '../../src/core/formats/moduleArch';
import { readSafetensors } from '../../src/core/formats/safetensors';
import { inferArchitecture } from '../../src/core/formats/stateDict';
import { readTorchFile } from '../../src/core/formats/torch';
import { selectStateDict } from '../../src/core/formats/torchTree';
import { silentLogger } from '../../src/core/log';
import { expectCheckpointError, syntheticFile } from './helpers';

interface ProbeSet {
  x: number[] | number[][] | number[][][][];
  y: number[];
  grad: number[] | number[][] | number[][][][];
}

const PROBES = JSON.parse(syntheticFile('module_probes.json').toString('utf8')) as Record<
  string,
  ProbeSet
>;

/** Compares outputs and input gradients with torch's to 1e-5 of their largest magnitude. */
function checkAgainstTorch(model: StateDictModel, probes: ProbeSet, label: string): void {
  tf.tidy(() => {
    const x = tf.tensor(probes.x as number[]);
    const y = model.apply(x).dataSync();
    const grad = tf
      .grad((input: tf.Tensor) => tf.sum(model.apply(input)))(x)
      .dataSync();
    const expectedGrad = (probes.grad as unknown[]).flat(4) as number[];
    const yScale = Math.max(...probes.y.map(Math.abs));
    const gScale = Math.max(...expectedGrad.map(Math.abs));
    assert.equal(y.length, probes.y.length, label);
    probes.y.forEach((value, i) =>
      assert.ok(Math.abs(y[i] - value) <= 1e-5 * yScale, `${label} y[${i}] ${y[i]} vs ${value}`),
    );
    expectedGrad.forEach((value, i) =>
      assert.ok(
        Math.abs(grad[i] - value) <= 1e-5 * gScale,
        `${label} grad[${i}] ${grad[i]} vs ${value}`,
      ),
    );
  });
}

describe('inferArchitecture', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('orders Sequential indices numerically (main.10 after main.8)', () => {
    const { stateDict } = readSafetensors(syntheticFile('deep_mlp.safetensors'));
    assert.equal([...stateDict.keys()][2], 'main.10.bias'); // the header sorts names as text
    const { spec } = inferArchitecture(stateDict);
    const linears = spec.layers
      .filter((layer) => layer.type === 'linear')
      .map((layer) => (layer as { weights: string }).weights);
    assert.deepEqual(linears, ['main.0', 'main.2', 'main.4', 'main.6', 'main.8', 'main.10']);
    const model = buildModelFromStateDict(stateDict, spec);
    checkAgainstTorch(model, PROBES['deep_mlp.safetensors'], 'deep_mlp');
    model.dispose();
  });

  it('omits the activation between adjacent indices', () => {
    const tensor = (shape: number[]) => ({
      shape,
      dtype: 'float32' as const,
      values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
      nonFinite: 0,
    });
    const stateDict = new Map([
      ['0.weight', tensor([4, 2])],
      ['1.weight', tensor([3, 4])],
      ['3.weight', tensor([1, 3])],
    ]);
    const { spec } = inferArchitecture(stateDict, { activation: { type: 'tanh' } });
    assert.deepEqual(
      spec.layers.map((layer) => layer.type),
      ['linear', 'linear', 'tanh', 'linear'],
    );
  });

  it('asks for a file when the state_dict has normalisation buffers', () => {
    const { stateDict } = selectStateDict(
      readTorchFile(syntheticFile('batchnorm_state.pt')).contents,
    );
    expectCheckpointError(
      () => inferArchitecture(stateDict),
      'architecture-needed',
      /running_mean|1-D/,
    );
  });

  it('asks for a file when shapes do not chain', () => {
    const tensor = (shape: number[]) => ({
      shape,
      dtype: 'float32' as const,
      values: new Float32Array(shape.reduce((a, b) => a * b, 1)),
      nonFinite: 0,
    });
    const stateDict = new Map([
      ['a.weight', tensor([4, 2])],
      ['b.weight', tensor([1, 5])],
    ]);
    expectCheckpointError(
      () => inferArchitecture(stateDict),
      'architecture-needed',
      /takes 5 inputs/,
    );
  });
});

describe('architectureFromModule', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('rebuilds a pickled conv critic with its stride, padding and slope', () => {
    const { contents } = readTorchFile(syntheticFile('module_conv.pt'));
    const { spec } = architectureFromModule(contents.module!, { inputShape: [1, 8, 8] });
    assert.deepEqual(spec.layers[0], {
      type: 'conv2d',
      weights: '0',
      stride: [2, 2],
      padding: [1, 1],
      dilation: [1, 1],
    });
    assert.deepEqual(spec.layers[1], { type: 'leakyRelu', alpha: 0.2 });
    const model = buildModelFromStateDict(selectStateDict(contents).stateDict, spec);
    checkAgainstTorch(model, PROBES['module_conv.pt'], 'module_conv');
    model.dispose();
  });

  it('rebuilds LayerNorm, ELU, Tanh, Dropout and Sigmoid', () => {
    const { contents } = readTorchFile(syntheticFile('module_norm.pt'));
    const { spec } = architectureFromModule(contents.module!);
    assert.deepEqual(spec.inputShape, [3]);
    assert.deepEqual(
      spec.layers.map((layer) => layer.type),
      ['linear', 'layerNorm', 'elu', 'linear', 'tanh', 'linear', 'sigmoid', 'linear'],
    );
    const model = buildModelFromStateDict(selectStateDict(contents).stateDict, spec);
    checkAgainstTorch(model, PROBES['module_norm.pt'], 'module_norm');
    assert.equal(model.layers.find((layer) => layer.op === 'Sigmoid')?.lipschitz, 0.25);
    model.dispose();
  });

  it('needs the input shape of a conv module', () => {
    const { contents } = readTorchFile(syntheticFile('module_conv.pt'));
    expectCheckpointError(
      () => architectureFromModule(contents.module!),
      'architecture-needed',
      /input shape/,
    );
  });
});

describe('selectStateDict', () => {
  it('classifies netD and netG by name and reads the Adam betas', () => {
    const { contents } = readTorchFile(syntheticFile('gan_checkpoint.pt'));
    assert.equal(contents.critic?.path, 'netD');
    assert.equal(contents.stateDicts.find((entry) => entry.path === 'netG')?.role, 'generator');
    assert.deepEqual(contents.optimizers[0].paramGroups[0].betas, [0, 0.99]);
    assert.equal(contents.optimizers[0].paramGroups[0].lr, 2e-4);
    assert.equal(contents.config['epoch'], 3);
  });

  it('reports the candidates when the critic is ambiguous', () => {
    const { contents } = readTorchFile(syntheticFile('ambiguous.pt'));
    assert.equal(contents.critic, undefined);
    expectCheckpointError(() => selectStateDict(contents), 'ambiguous', /'model_a'.*'model_b'/);
    assert.equal(selectStateDict(contents, 'model_b').path, 'model_b');
    expectCheckpointError(() => selectStateDict(contents, 'model_c'), 'not-found', /model_a/);
  });
});

describe('parseArchitecture', () => {
  it('fills PyTorch defaults and names invalid fields', () => {
    const spec = parseArchitecture(
      '{"inputShape":[2],"layers":[{"type":"linear","weights":"fc"},{"type":"leakyRelu"},{"type":"conv2d","weights":"c","stride":[2,1]}]}',
    );
    assert.equal(spec.output, 'keep');
    assert.deepEqual(spec.layers[1], { type: 'leakyRelu', alpha: 0.01 });
    assert.deepEqual(spec.layers[2], {
      type: 'conv2d',
      weights: 'c',
      stride: [2, 1],
      padding: [0, 0],
      dilation: [1, 1],
    });
    expectCheckpointError(
      () => parseArchitecture('{"inputShape":[2],"layers":[{"type":"gelu"}]}'),
      'corrupt',
      /layers\[0\]\.type "gelu"/,
    );
    expectCheckpointError(() => parseArchitecture('{"layers":[]}'), 'corrupt', /inputShape/);
    expectCheckpointError(() => parseArchitecture('{'), 'corrupt', /not valid JSON/);
  });

  it('rejects layers that do not fit the state_dict', () => {
    const { stateDict } = readSafetensors(syntheticFile('deep_mlp.safetensors'));
    const spec = parseArchitecture(
      '{"inputShape":[4],"layers":[{"type":"linear","weights":"main.0"}]}',
    );
    expectCheckpointError(
      () => buildModelFromStateDict(stateDict, spec),
      'architecture-needed',
      /takes 3 inputs/,
    );
    const missing = parseArchitecture(
      '{"inputShape":[3],"layers":[{"type":"linear","weights":"nope"}]}',
    );
    expectCheckpointError(
      () => buildModelFromStateDict(stateDict, missing),
      'architecture-needed',
      /no 'nope\.weight'/,
    );
  });
});
