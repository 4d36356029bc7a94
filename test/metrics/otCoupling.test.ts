import { strict as assert } from 'node:assert';
import { createMatrix } from '../../src/core/data/matrix';
import { coupleByOptimalTransport } from '../../src/core/probe/otCoupling';
import { assertClose } from './support/fixtures';
import { replay, TestRandom } from './support/random';

describe('coupleByOptimalTransport', () => {
  it('pairs a shifted copy with itself at cost |δ|', () => {
    const seed = 51;
    const real = new TestRandom(seed).normalMatrix(200, 2);
    const delta = [0.3, -0.4];
    const fake = createMatrix(
      200,
      2,
      real.data.map((v, i) => v + delta[i % 2]),
    );
    const coupling = coupleByOptimalTransport(real, fake);
    assert.deepEqual(
      Array.from(coupling.realRows),
      Array.from(coupling.fakeRows),
      `identity${replay(seed)}`,
    );
    // |δ| = 0.5; float32 storage of real + δ moves each pair by less than 1e-6.
    assertClose(coupling.cost, 0.5, 1e-6, `cost${replay(seed)}`);
    for (const distance of coupling.distances)
      assertClose(distance, 0.5, 1e-6, `pair distance${replay(seed)}`);
  });
});
