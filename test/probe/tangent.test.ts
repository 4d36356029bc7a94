import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { createMatrix, type Matrix } from '../../src/core/data/matrix';
import { median } from '../../src/core/metrics/quantiles';
import { splitGradient, tangentNormalSplit } from '../../src/core/probe/tangent';
import { assertClose, FIXTURES } from '../metrics/support/fixtures';
import { readNpyMatrix } from '../metrics/support/npy';
import { replay, TestRandom } from '../metrics/support/random';
import { embed, subspaceAngleDegrees, swissRoll, swissRollTangent } from './tangentData';

/** Gradient rows that are irrelevant to the tangent estimate: unit vectors along axis 0. */
function axisGradients(rows: number, dim: number): Matrix {
  return createMatrix(
    rows,
    dim,
    Float32Array.from({ length: rows * dim }, (_, i) => (i % dim === 0 ? 1 : 0)),
  );
}

describe('tangentNormalSplit', () => {
  it('finds the Swiss roll tangent within 3° median on 2,000 points', () => {
    const seed = 101;
    const roll = swissRoll(new TestRandom(seed), 2000);
    const split = tangentNormalSplit(roll, roll, axisGradients(2000, 2));
    assert.ok(split.meaningful, `not meaningful${replay(seed)}`);
    assert.equal(split.dimension, 1, replay(seed));
    // Several times the noise (0.033) and below half the arm spacing (0.84 / 2).
    assert.ok(split.radius > 0.1, `radius ${split.radius}${replay(seed)}`);
    assert.ok(split.radius < 0.42, `radius ${split.radius}${replay(seed)}`);
    const errors = split.points.map((point, i) => {
      const truth = swissRollTangent(roll.data[2 * i], roll.data[2 * i + 1]);
      return subspaceAngleDegrees(point.basis ?? new Float64Array([NaN, NaN]), [truth], 2);
    });
    assert.ok(median(errors) <= 3, `median angle ${median(errors)}°${replay(seed)}`);
    assert.ok(split.scaleStability >= 3 / 12, replay(seed));
  });

  it('gives a small tangent fraction for normal gradients', () => {
    const seed = 105;
    const roll = swissRoll(new TestRandom(seed), 2000);
    const normals = new Float32Array(4000);
    for (let i = 0; i < 2000; i++) {
      const [tx, ty] = swissRollTangent(roll.data[2 * i], roll.data[2 * i + 1]);
      normals[2 * i] = -ty;
      normals[2 * i + 1] = tx;
    }
    const split = tangentNormalSplit(roll, roll, createMatrix(2000, 2, normals));
    assert.ok(split.meaningful, replay(seed));
    // ‖g_T‖/‖g‖ = sin(angle error) for a unit normal g, so a 3° median error bounds it by sin 3°.
    const bound = Math.sin((3 * Math.PI) / 180);
    assert.ok(
      split.tangentFraction.median <= bound,
      `median ${split.tangentFraction.median}${replay(seed)}`,
    );
    assert.equal(split.tangentFraction.excluded, 0, replay(seed));
  });

  it('finds d = 1 for a rotated circle in R¹⁰', () => {
    const seed = 102;
    const random = new TestRandom(seed);
    const rotation = random.rotation(10);
    const angles = Array.from({ length: 1000 }, () => 2 * Math.PI * random.uniform());
    const circle = embed(
      random,
      angles.map((a) => [Math.cos(a), Math.sin(a)]),
      rotation,
      10,
      0.01,
    );
    const split = tangentNormalSplit(circle, circle, axisGradients(1000, 10));
    assert.ok(split.meaningful, replay(seed));
    assert.equal(split.dimension, 1, replay(seed));
    const errors = split.points.map((point, i) => {
      // Tangent (-sin a, cos a) in the plane of the first two rotated axes.
      const truth = Array.from(
        { length: 10 },
        (_, r) =>
          -Math.sin(angles[i]) * rotation[r * 10] + Math.cos(angles[i]) * rotation[r * 10 + 1],
      );
      return subspaceAngleDegrees(point.basis ?? new Float64Array(10).fill(NaN), [truth], 10);
    });
    assert.ok(median(errors) <= 3, `median angle ${median(errors)}°${replay(seed)}`);
  });

  it('finds d = 2 for a 2-sphere embedded in R⁵', () => {
    const seed = 103;
    const random = new TestRandom(seed);
    const rotation = random.rotation(5);
    const directions = Array.from({ length: 2000 }, () => {
      const v = [random.normal(), random.normal(), random.normal()];
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
    const sphere = embed(random, directions, rotation, 5, 0.01);
    const split = tangentNormalSplit(sphere, sphere, axisGradients(2000, 5));
    assert.ok(split.meaningful, replay(seed));
    assert.equal(split.dimension, 2, replay(seed));
    const errors = split.points.map((point, i) => {
      // The tangent plane is the orthogonal complement of the normal n within the sphere's 3-space.
      const n = directions[i];
      const helper = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
      const e1 = normalize(cross(n, helper));
      const e2 = cross(n, e1);
      const lift = (v: number[]) =>
        Array.from({ length: 5 }, (_, r) => v.reduce((s, x, c) => s + rotation[r * 5 + c] * x, 0));
      return subspaceAngleDegrees(
        point.basis ?? new Float64Array(10).fill(NaN),
        [lift(e1), lift(e2)],
        5,
      );
    });
    assert.ok(median(errors) <= 5, `median angle ${median(errors)}°${replay(seed)}`);
  });

  for (const run of ['cg_8g_gp', 'cg_25g_gp']) {
    it(`says not meaningful for the Gaussian mixture of ${run}`, () => {
      const real = readNpyMatrix(join(FIXTURES, 'wgan-gp-toy', run, 'real_2000.npy'));
      const split = tangentNormalSplit(real, real, axisGradients(2000, 2));
      assert.equal(split.meaningful, false);
      if (!split.meaningful) assert.match(split.reason, /No eigen-gap/);
    });
  }

  it('returns NaN for empty balls and zero gradients', () => {
    const seed = 104;
    const roll = swissRoll(new TestRandom(seed), 2000);
    const probes = createMatrix(2, 2, new Float32Array([50, 50, roll.data[0], roll.data[1]]));
    const gradients = createMatrix(2, 2, new Float32Array([1, 0, 0, 0]));
    const split = tangentNormalSplit(roll, probes, gradients);
    assert.ok(split.meaningful, replay(seed));
    assert.equal(split.points[0].basis, null);
    assert.ok(Number.isNaN(split.points[0].tangentFraction));
    assert.ok(Number.isNaN(split.points[1].tangentFraction));
    assert.equal(split.tangentFraction.excluded, 2);
  });

  it('rejects gradients whose shape differs from the probes', () => {
    const points = createMatrix(3, 2);
    assert.throws(() => tangentNormalSplit(points, points, createMatrix(2, 2)), /Shapes disagree/);
  });
});

describe('splitGradient', () => {
  it('projects onto the basis and keeps g = g_T + g_N', () => {
    const basis = new Float64Array([0.6, 0.8, 0]);
    const { tangentPart, normalPart, tangentFraction } = splitGradient(basis, 1, [1, 2, 2]);
    // g · u = 0.6 + 1.6 = 2.2, so g_T = 2.2 u and ‖g_T‖/‖g‖ = 2.2 / 3.
    assertClose(tangentPart[0], 1.32, 1e-12, 'g_T x');
    assertClose(tangentPart[1], 1.76, 1e-12, 'g_T y');
    assertClose(normalPart[2], 2, 1e-12, 'g_N z');
    assertClose(tangentFraction, 2.2 / 3, 1e-12, 'fraction');
  });
});

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
