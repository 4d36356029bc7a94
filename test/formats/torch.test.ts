import assert from 'node:assert/strict';
import { readTorchFile } from '../../src/core/formats/torch';
import { selectStateDict } from '../../src/core/formats/torchTree';
import { openZip } from '../../src/core/formats/zip';
import { buildZip, expectCheckpointError, syntheticFile, toyFile } from './helpers';

interface ExpectedTensor {
  shape: number[];
  values: number[];
}

const expectedDtypes = JSON.parse(syntheticFile('dtypes.json').toString('utf8')) as Record<
  string,
  ExpectedTensor
>;

describe('readTorchFile', () => {
  for (const name of ['dtypes.pt', 'dtypes_legacy.pt']) {
    it(`converts every dtype and stride of ${name} as torch does`, () => {
      const file = readTorchFile(syntheticFile(name));
      assert.equal(file.format, name.includes('legacy') ? 'torch-legacy' : 'torch-zip');
      const { stateDict } = selectStateDict(file.contents, '');
      assert.deepEqual([...stateDict.keys()], Object.keys(expectedDtypes));
      for (const [key, expected] of Object.entries(expectedDtypes)) {
        const tensor = stateDict.get(key)!;
        assert.deepEqual(tensor.shape, expected.shape, key);
        // torch's .float() and Float32Array both round to the nearest float32.
        assert.deepEqual(Array.from(tensor.values), expected.values.map(Math.fround), key);
      }
      assert.equal(stateDict.get('half')!.dtype, 'float16');
      assert.equal(stateDict.get('bf16')!.dtype, 'bfloat16');
      assert.equal(stateDict.get('i64')!.dtype, 'int64');
    });
  }

  it('reads a plain critic state_dict in zip and legacy form alike', () => {
    const zip = readTorchFile(toyFile('cg_8g_gp', 'critic.pt'));
    const legacy = readTorchFile(toyFile('cg_8g_gp', 'critic_legacy.pt'));
    assert.equal(zip.version, 3);
    for (const file of [zip, legacy]) {
      assert.equal(file.contents.kind, 'state-dict');
      assert.equal(file.contents.critic?.path, '');
      assert.equal(file.contents.critic?.outputWidth, 1);
    }
    const a = zip.contents.critic!.stateDict;
    const b = legacy.contents.critic!.stateDict;
    for (const [key, tensor] of a) assert.deepEqual(b.get(key)!.values, tensor.values, key);
  });

  it('keeps state_dict keys and shapes as metadata.json lists them', () => {
    const metadata = JSON.parse(toyFile('cg_8g_gp', 'metadata.json').toString('utf8'));
    const critic = readTorchFile(toyFile('cg_8g_gp', 'critic.pt')).contents.critic!.stateDict;
    const shapes = Object.fromEntries([...critic].map(([key, tensor]) => [key, tensor.shape]));
    assert.deepEqual(shapes, metadata.state_dict_keys.critic);
    const generator = readTorchFile(toyFile('cg_8g_gp', 'generator.pt')).contents;
    assert.equal(generator.critic, undefined);
    assert.equal(generator.stateDicts[0].outputWidth, 2);
  });

  it('finds the critic, Adam settings and config in a training checkpoint', () => {
    const contents = readTorchFile(toyFile('cg_25g_gp', 'checkpoint_dict.pt')).contents;
    assert.equal(contents.kind, 'training-checkpoint');
    assert.equal(contents.critic?.path, 'critic');
    assert.equal(contents.critic?.role, 'critic');
    assert.equal(contents.optimizers.length, 1);
    const [optimizer] = contents.optimizers;
    assert.equal(optimizer.path, 'critic_optimizer');
    assert.equal(optimizer.type, 'adam');
    assert.equal(optimizer.stateCount, 8);
    const [group] = optimizer.paramGroups;
    assert.equal(group.lr, 1e-4);
    assert.deepEqual(group.betas, [0.5, 0.9]);
    assert.equal(group.eps, 1e-8);
    assert.equal(group.weightDecay, 0);
    assert.equal(group.paramCount, 8);
    // 5,000 generator iterations with 5 critic steps each.
    assert.equal(optimizer.step, 25_000);
    assert.equal(contents.config['iteration'], 5000);
    assert.equal(contents.config['config/LAMBDA'], 0.1);
  });

  it('reads a whole-module pickle as an inert module tree', () => {
    const contents = readTorchFile(toyFile('cg_8g_gp', 'critic_module.pt')).contents;
    assert.equal(contents.kind, 'module');
    const tree = contents.module!;
    assert.equal(tree.className, '__main__.Discriminator');

    const main = tree.children[0];
    assert.equal(main.path, 'main');
    assert.equal(main.className, 'torch.nn.modules.container.Sequential');
    assert.deepEqual(
      main.children.map((child) => child.className.split('.').pop()),
      ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear'],
    );

    assert.equal(main.children[0].attributes.in_features, 2);
    assert.equal(main.children[6].attributes.out_features, 1);
    assert.deepEqual(main.children[0].parameters, [
      { name: 'weight', shape: [256, 2] },
      { name: 'bias', shape: [256] },
    ]);
    assert.deepEqual(
      [...contents.critic!.stateDict.keys()],
      [
        'main.0.weight',
        'main.0.bias',
        'main.2.weight',
        'main.2.bias',
        'main.4.weight',
        'main.4.bias',
        'main.6.weight',
        'main.6.bias',
      ],
    );
  });

  it('reports NaN and infinite weights per tensor', () => {
    const expected = JSON.parse(syntheticFile('nonfinite.json').toString('utf8')) as Record<
      string,
      number
    >;
    const contents = readTorchFile(syntheticFile('nonfinite.pt')).contents;
    const counts = Object.fromEntries(contents.nonFinite.map((entry) => [entry.name, entry.count]));
    const nonZero = Object.fromEntries(Object.entries(expected).filter(([, count]) => count > 0));
    assert.deepEqual(counts, nonZero);
    assert.equal(contents.critic?.stateDict.get('2.weight')!.nonFinite, 2);
  });

  it('rejects a torch zip whose pickle calls os.system', () => {
    const pickle = Buffer.from('\x80\x02cos\nsystem\n\x8c\x02ls\x85R.', 'latin1');
    const zip = buildZip([
      { name: 'evil/data.pkl', data: pickle },
      { name: 'evil/version', data: Buffer.from('3\n') },
    ]);
    expectCheckpointError(() => readTorchFile(zip), 'unsafe', /os\.system/);
  });

  it('rejects a zip without data.pkl as not a checkpoint', () => {
    const zip = buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }]);
    expectCheckpointError(() => readTorchFile(zip), 'not-a-checkpoint');
  });

  it('rejects a storage entry shorter than its persistent id', () => {
    const archive = openZip(syntheticFile('dtypes.pt'));
    const entries = archive.entries.map((entry) => {
      const data = archive.read(entry.name);
      return {
        name: entry.name,
        data: entry.name.endsWith('/data/0') ? data.subarray(0, 4) : data,
      };
    });
    expectCheckpointError(() => readTorchFile(buildZip(entries)), 'corrupt', /bytes but needs/);
  });
});
