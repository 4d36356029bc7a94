import assert from 'node:assert/strict';
import { probeArguments, trainArguments } from '../../src/extension/scriptArguments';

const PRESETS = ['small', 'tiny'];

describe('command scripting arguments', () => {
  it('read train arguments', () => {
    assert.deepEqual(
      trainArguments(
        { dataset: 'swissroll', preset: 'tiny', runDir: '/r', iterations: 5 },
        PRESETS,
      ),
      {
        dataset: 'swissroll',
        preset: 'tiny',
        runDir: '/r',
        iterations: 5,
      },
    );
    assert.equal(trainArguments({ preset: 'tiny', runDir: '/r' }, PRESETS)?.dataset, '8gaussians');
  });

  it('ignore menu arguments', () => {
    assert.equal(trainArguments({ path: '/x/run.json' }, PRESETS), undefined);
    assert.equal(trainArguments(undefined, PRESETS), undefined);
    assert.equal(probeArguments({ path: '/x/critic.onnx' }), undefined);
  });

  it('reject invalid train fields by name', () => {
    assert.throws(
      () => trainArguments({ preset: 'huge', runDir: '/r' }, PRESETS),
      /Invalid preset 'huge'/,
    );
    assert.throws(
      () => trainArguments({ dataset: 'mnist', preset: 'tiny', runDir: '/r' }, PRESETS),
      /Invalid dataset 'mnist'/,
    );
    assert.throws(
      () => trainArguments({ preset: 'tiny', runDir: '/r', iterations: 0 }, PRESETS),
      /Invalid iterations/,
    );
  });

  it('read probe targets', () => {
    assert.deepEqual(
      probeArguments({ kind: 'files', critic: 'c.onnx', fake: 'f.npy', real: 'r.npy' }),
      {
        kind: 'files',
        critic: 'c.onnx',
        fake: 'f.npy',
        real: 'r.npy',
      },
    );
    assert.deepEqual(probeArguments({ kind: 'run', runDir: '/r' }), { kind: 'run', runDir: '/r' });
  });

  it('reject incomplete probe targets', () => {
    assert.throws(
      () => probeArguments({ kind: 'files', critic: 'c.onnx', real: 'r.npy' }),
      /generator or fake/,
    );
    assert.throws(
      () => probeArguments({ kind: 'files', critic: 'c.onnx', fake: 'f.npy' }),
      /real or dataset/,
    );
    assert.throws(() => probeArguments({ kind: 'run' }), /runDir/);
  });
});
