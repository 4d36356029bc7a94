import assert from 'node:assert/strict';
import { initBackend } from '../../src/core/backend/init';
import { createMatrix } from '../../src/core/data/matrix';
import { silentLogger } from '../../src/core/log';
import { densityCoverage, precisionRecall } from '../../src/core/metrics/prdc';
import { tfjsBlockProduct } from '../../src/core/probe/tfjsBlockProduct';
import { Rng } from '../../src/core/rng';

describe('tfjs block product for k-NN', () => {
  before(async () => {
    await initBackend({ request: 'wasm', logger: silentLogger });
  });

  it('gives the plain-JS kernel results in 784-D', () => {
    const rng = new Rng(11);
    const real = createMatrix(300, 784, rng.normals(300 * 784));
    const fake = createMatrix(300, 784, Float32Array.from(rng.normals(300 * 784), (v) => 1.1 * v));
    const options = { kind: 'blocked' as const, product: tfjsBlockProduct(784) };
    assert.deepEqual(precisionRecall(real, fake, 3, options), precisionRecall(real, fake, 3, { kind: 'blocked' }));
    assert.deepEqual(densityCoverage(real, fake, 5, options), densityCoverage(real, fake, 5, { kind: 'blocked' }));
  });
});
