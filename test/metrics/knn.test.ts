import { strict as assert } from 'node:assert';
import { createMatrix, type Matrix } from '../../src/core/data/matrix';
import {
  buildNeighbourIndex,
  kNearest,
  kNearestSelf,
  radiusNeighbours,
  type IndexKind,
} from '../../src/core/metrics/knn';
import { countContainingBalls } from '../../src/core/metrics/balls';
import { jsBlockProduct, type BlockProduct } from '../../src/core/metrics/blockProduct';
import { replay, TestRandom } from './support/random';

/** Naive reference: all squared distances from row q of `queries` to every row of `points`. */
function naiveDistancesSquared(points: Matrix, queries: Matrix, q: number): number[] {
  return Array.from({ length: points.rows }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < points.cols; c++) {
      const diff = queries.data[q * points.cols + c] - points.data[r * points.cols + c];
      sum += diff * diff;
    }
    return sum;
  });
}

const KINDS: IndexKind[] = ['kd-tree', 'blocked'];

describe('kNearest', () => {
  for (const kind of KINDS) {
    for (const dim of [1, 2, 5, 12]) {
      it(`matches a naive scan (${kind}, dim ${dim})`, () => {
        const seed = 1000 + dim;
        const random = new TestRandom(seed);
        // Odd sizes leave partial blocks and an odd last row in the 2 × 2 product tiles.
        const points = random.normalMatrix(401, dim);
        const queries = random.normalMatrix(67, dim);
        const k = 7;
        const result = kNearest(buildNeighbourIndex(points, { kind }), queries, k);
        for (let q = 0; q < queries.rows; q++) {
          const expected = naiveDistancesSquared(points, queries, q).sort((a, b) => a - b);
          for (let m = 0; m < k; m++) {
            const got = result.distancesSquared[q * k + m];
            assert.ok(
              Math.abs(got - expected[m]) <= 1e-12 * (1 + expected[m]),
              `query ${q} slot ${m}${replay(seed)}`,
            );
            const index = result.indices[q * k + m];
            const direct = naiveDistancesSquared(points, queries, q)[index];
            assert.ok(
              Math.abs(direct - got) <= 1e-12 * (1 + got),
              `index ${index} mismatch${replay(seed)}`,
            );
          }
        }
      });
    }
  }

  it('returns -1 and Infinity for a NaN query', () => {
    const points = new TestRandom(3).normalMatrix(30, 2);
    const query = createMatrix(1, 2, new Float32Array([NaN, 0]));
    for (const kind of KINDS) {
      const result = kNearest(buildNeighbourIndex(points, { kind }), query, 2);
      assert.deepEqual(Array.from(result.indices), [-1, -1]);
      assert.deepEqual(Array.from(result.distances), [Infinity, Infinity]);
    }
  });

  it('never returns a NaN row', () => {
    const data = new Float32Array([0, 0, NaN, NaN, 1, 0, 2, 0]);
    const points = createMatrix(4, 2, data);
    for (const kind of KINDS) {
      const result = kNearest(
        buildNeighbourIndex(points, { kind }),
        createMatrix(1, 2, new Float32Array([0, 0])),
        3,
      );
      assert.deepEqual(Array.from(result.indices), [0, 2, 3], kind);
    }
  });

  it('rejects k larger than the set', () => {
    const points = new TestRandom(4).normalMatrix(5, 2);
    assert.throws(() => kNearest(buildNeighbourIndex(points), points, 6), /only 5 points/);
    assert.throws(() => kNearestSelf(buildNeighbourIndex(points), 5), /only 4 points/);
    assert.throws(() => kNearest(buildNeighbourIndex(points), points, 0), /positive integer/);
  });
});

describe('BlockProduct plug-in', () => {
  it('gives exact results from a float32 kernel through rechecks', () => {
    // Stands in for a tfjs matMul: float32 results, error bound ~ dim · 2⁻²⁴ relative.
    const float32Product: BlockProduct = {
      relativeError: 1e-4,
      multiply(a, aRows, b, bRows, dim, out) {
        jsBlockProduct.multiply(a, aRows, b, bRows, dim, out);
        for (let i = 0; i < aRows * bRows; i++) out[i] = Math.fround(out[i]);
      },
    };
    const seed = 1200;
    const random = new TestRandom(seed);
    const points = random.normalMatrix(300, 20);
    const queries = random.normalMatrix(30, 20);
    const result = kNearest(buildNeighbourIndex(points, { product: float32Product }), queries, 4);
    for (let q = 0; q < queries.rows; q++) {
      const expected = naiveDistancesSquared(points, queries, q).sort((a, b) => a - b);
      for (let m = 0; m < 4; m++) {
        assert.equal(
          result.distancesSquared[q * 4 + m],
          expected[m],
          `query ${q} slot ${m}${replay(seed)}`,
        );
      }
    }
  });
});

describe('kNearestSelf', () => {
  for (const kind of KINDS) {
    it(`excludes the row itself but keeps duplicates (${kind})`, () => {
      const data = new Float32Array([0, 0, 0, 0, 3, 0, 5, 0]);
      const result = kNearestSelf(buildNeighbourIndex(createMatrix(4, 2, data), { kind }), 1);
      assert.deepEqual(Array.from(result.indices), [1, 0, 3, 2]);
      assert.deepEqual(Array.from(result.distances), [0, 0, 2, 2]);
    });
  }
});

describe('radiusNeighbours', () => {
  for (const kind of KINDS) {
    it(`matches a naive scan, boundary inclusive (${kind})`, () => {
      const seed = 77;
      const random = new TestRandom(seed);
      const points = random.normalMatrix(300, 3);
      const queries = random.normalMatrix(20, 3);
      const found = radiusNeighbours(buildNeighbourIndex(points, { kind }), queries, 0.6);
      for (let q = 0; q < queries.rows; q++) {
        const expected = naiveDistancesSquared(points, queries, q)
          .map((d, r) => (d <= 0.36 ? r : -1))
          .filter((r) => r >= 0);
        assert.deepEqual(Array.from(found[q]), expected, `query ${q}${replay(seed)}`);
      }
    });

    it(`includes a point exactly on the sphere (${kind})`, () => {
      const points = createMatrix(3, 2, new Float32Array([0, 0, 0.5, 0, 2, 0]));
      const found = radiusNeighbours(buildNeighbourIndex(points, { kind }), points, 0.5);
      assert.deepEqual(Array.from(found[0]), [0, 1]);
      assert.deepEqual(Array.from(found[2]), [2]);
    });
  }
});

describe('countContainingBalls', () => {
  for (const kind of KINDS) {
    it(`counts balls with per-point radii (${kind})`, () => {
      const seed = 91;
      const random = new TestRandom(seed);
      const centres = random.normalMatrix(200, 2);
      const radiiSquared = Float64Array.from({ length: 200 }, () => (0.3 * random.uniform()) ** 2);
      const queries = random.normalMatrix(40, 2);
      const counts = countContainingBalls(
        buildNeighbourIndex(centres, { kind }),
        radiiSquared,
        queries,
      );
      for (let q = 0; q < queries.rows; q++) {
        const expected = naiveDistancesSquared(centres, queries, q).filter(
          (d, i) => d <= radiiSquared[i],
        ).length;
        assert.equal(counts[q], expected, `query ${q}${replay(seed)}`);
      }
    });

    it(`counts a zero-radius ball containing its own centre (${kind})`, () => {
      const centres = createMatrix(2, 2, new Float32Array([1, 1, 4, 4]));
      const counts = countContainingBalls(
        buildNeighbourIndex(centres, { kind }),
        new Float64Array([0, 0]),
        centres,
      );
      assert.deepEqual(Array.from(counts), [1, 1]);
    });
  }
});
