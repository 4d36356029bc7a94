import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { readArchitectureFile } from '../../src/core/formats/archSpec';
import { buildModelFromStateDict, type StateDictModel } from '../../src/core/formats/modelBuilder';
import { architectureFromModule } from '../../src/core/formats/moduleArch';
import { readSafetensors } from '../../src/core/formats/safetensors';
import { inferArchitecture } from '../../src/core/formats/stateDict';
import { readTorchFile } from '../../src/core/formats/torch';
import { selectStateDict } from '../../src/core/formats/torchTree';
import { silentLogger } from '../../src/core/log';
import { TOY, toyFile } from './helpers';

interface Probe {
  x: number[];
  critic: number;
  grad: number[];
}

const RUNS = [
  'cg_8g_gp',
  'cg_25g_gp',
  'cg_8g_gp_lambda10',
  'cg_8g_lambda0',
  'cg_8g_early',
  'cg_8g_wclip',
];
const FORMATS = [
  'critic.pt',
  'critic_legacy.pt',
  'critic.safetensors',
  'critic_module.pt',
  'checkpoint_dict.pt',
];

/** Loads the critic in `file` the way its format needs: inferred layers, or the pickled module tree. */
function loadCritic(run: string, file: string): StateDictModel {
  const bytes = toyFile(run, file);
  if (file.endsWith('.safetensors')) {
    const { stateDict } = readSafetensors(bytes, { file });
    return buildModelFromStateDict(
      stateDict,
      inferArchitecture(stateDict, { output: 'flatten' }).spec,
    );
  }
  const { contents } = readTorchFile(bytes, { file });
  const { stateDict } = selectStateDict(contents);
  const spec = contents.module
    ? architectureFromModule(contents.module, { output: 'flatten' }).spec
    : inferArchitecture(stateDict, { output: 'flatten' }).spec;
  return buildModelFromStateDict(stateDict, spec);
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/** Checks values and input gradients against the probes to 1e-4 of the run's largest magnitude. */
function checkProbes(model: StateDictModel, probes: Probe[], label: string): void {
  const x = tf.tensor2d(probes.map((probe) => probe.x));
  const values = model.apply(x).dataSync();
  const grads = tf
    .grad((input: tf.Tensor) => tf.sum(model.apply(input)))(x)
    .dataSync();
  x.dispose();
  const expectedValues = probes.map((probe) => probe.critic);
  const expectedGrads = probes.flatMap((probe) => probe.grad);
  const valueTolerance = 1e-4 * maxAbs(expectedValues);
  const gradTolerance = 1e-4 * maxAbs(expectedGrads);
  assert.equal(values.length, probes.length, `${label}: one value per probe`);
  probes.forEach((probe, i) => {
    assert.ok(
      Math.abs(values[i] - probe.critic) <= valueTolerance,
      `${label} probe ${i}: critic ${values[i]} vs ${probe.critic}`,
    );
    probe.grad.forEach((g, k) => {
      const got = grads[i * probe.grad.length + k];
      assert.ok(
        Math.abs(got - g) <= gradTolerance,
        `${label} probe ${i}: grad[${k}] ${got} vs ${g}`,
      );
    });
  });
}

describe('critics loaded from checkpoints', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  for (const run of RUNS) {
    const probes = (
      JSON.parse(toyFile(run, 'metadata.json').toString('utf8')) as { probes: Probe[] }
    ).probes;
    for (const file of FORMATS.filter((name) => existsSync(path.join(TOY, run, name)))) {
      it(`${run}/${file} reproduces the 16 probes`, () => {
        assert.equal(probes.length, 16);
        const before = tf.memory().numTensors;
        const model = loadCritic(run, file);
        tf.tidy(() => checkProbes(model, probes, `${run}/${file}`));
        model.dispose();
        assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      });
    }
  }

  it('builds the toy critic from the example architecture file', async () => {
    const spec = await readArchitectureFile(
      path.join(__dirname, '..', '..', 'examples', 'architecture-mlp.json'),
    );
    const { stateDict } = selectStateDict(readTorchFile(toyFile('cg_8g_gp', 'critic.pt')).contents);
    const model = buildModelFromStateDict(stateDict, spec);
    const probes = JSON.parse(toyFile('cg_8g_gp', 'metadata.json').toString('utf8'))
      .probes as Probe[];
    tf.tidy(() => checkProbes(model, probes, 'architecture-mlp.json'));
    assert.deepEqual(model.unusedKeys, []);
    model.dispose();
  });

  it('lists dense kernels as [in, out] and activations with Lipschitz 1', () => {
    const { stateDict } = selectStateDict(readTorchFile(toyFile('cg_8g_gp', 'critic.pt')).contents);
    const model = buildModelFromStateDict(stateDict, inferArchitecture(stateDict).spec);
    assert.deepEqual(
      model.layers.map((layer) => layer.kind),
      ['dense', 'activation', 'dense', 'activation', 'dense', 'activation', 'dense'],
    );
    const first = model.layers[0];
    assert.ok(first.linear?.type === 'dense');
    assert.deepEqual(first.linear.kernel.shape, [2, 256]);
    const weight = stateDict.get('main.0.weight')!.values; // [256, 2]
    // kernel[i][o] = weight[o][i]
    assert.equal(first.linear.kernel.values[1 * 256 + 7], weight[7 * 2 + 1]);
    assert.equal(model.layers[1].lipschitz, 1);
    assert.equal(model.outputSize, 1);
    model.dispose();
  });
});
