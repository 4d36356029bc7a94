import assert from 'node:assert/strict';
import {
  arrowScale,
  finiteRange,
  heatmapPixels,
  mix,
  parseColor,
  pointPixels,
  toPixels,
} from '../../webview/src/charts/heatmap';

describe('finiteRange', () => {
  it('ignores non-finite values', () => {
    assert.deepEqual(finiteRange([3, Number.NaN, -1, Infinity]), [-1, 3]);
  });

  it('widens a constant and defaults when empty', () => {
    assert.deepEqual(finiteRange([2, 2]), [1.5, 2.5]);
    assert.deepEqual(finiteRange([]), [0, 1]);
    assert.deepEqual(finiteRange(new Float32Array([Number.NaN])), [0, 1]);
  });
});

describe('heatmapPixels', () => {
  it('flips rows and scales colours', () => {
    // 1 column, 2 rows: row 0 (yMin) = 0, row 1 = 1.
    const pixels = heatmapPixels([0, 1], 1, 2, [0, 0, 0], [255, 255, 255], 200);
    assert.deepEqual([...pixels.slice(0, 4)], [255, 255, 255, 200]);
    assert.deepEqual([...pixels.slice(4, 8)], [0, 0, 0, 200]);
  });

  it('leaves non-finite cells transparent', () => {
    const pixels = heatmapPixels([Number.NaN, 1], 2, 1, [0, 0, 0], [255, 255, 255]);
    assert.equal(pixels[3], 0);
    assert.equal(pixels[7], 200);
  });
});

describe('toPixels', () => {
  it('maps bounds to the plot corners with y up', () => {
    const map = toPixels({ xMin: -2, xMax: 2, yMin: 0, yMax: 1 }, 400, 100);
    assert.equal(map.x(-2), 0);
    assert.equal(map.x(2), 400);
    assert.equal(map.y(0), 100);
    assert.equal(map.y(1), 0);
  });
});

describe('pointPixels', () => {
  const bounds = { xMin: 0, xMax: 4, yMin: 0, yMax: 4 };
  /** Returns the [r, g, b, a] of pixel (column, row) of a 4 × 4 image. */
  const pixel = (pixels: Uint8ClampedArray, column: number, row: number) => [
    ...pixels.slice((row * 4 + column) * 4, (row * 4 + column) * 4 + 4),
  ];
  const painted = (pixels: Uint8ClampedArray) => {
    let count = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count++;
    return count;
  };

  it('draws an opaque square centred on the point', () => {
    const pixels = pointPixels([{ x: [2], y: [2], rgb: [10, 20, 30], side: 2 }], bounds, 4, 4);
    assert.equal(painted(pixels), 4);
    for (const [column, row] of [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
    ]) {
      assert.deepEqual(pixel(pixels, column, row), [10, 20, 30, 255]);
    }
  });

  it('puts yMax at the top row', () => {
    const pixels = pointPixels([{ x: [0.5], y: [3.5], rgb: [1, 2, 3], side: 1 }], bounds, 4, 4);
    assert.deepEqual(pixel(pixels, 0, 0), [1, 2, 3, 255]);
    assert.equal(painted(pixels), 1);
  });

  it('draws later series over earlier ones', () => {
    const pixels = pointPixels(
      [
        { x: [2], y: [2], rgb: [255, 0, 0], side: 2 },
        { x: [2], y: [2], rgb: [0, 0, 255], side: 2 },
      ],
      bounds,
      4,
      4,
    );
    assert.deepEqual(pixel(pixels, 1, 1), [0, 0, 255, 255]);
  });

  it('cuts squares at the edges without wrapping to the next row', () => {
    const pixels = pointPixels([{ x: [0], y: [2], rgb: [9, 9, 9], side: 2 }], bounds, 4, 4);
    assert.equal(painted(pixels), 2);
    assert.deepEqual(pixel(pixels, 0, 1), [9, 9, 9, 255]);
    assert.deepEqual(pixel(pixels, 0, 2), [9, 9, 9, 255]);
    assert.equal(pixel(pixels, 3, 0)[3], 0);
    assert.equal(pixel(pixels, 3, 1)[3], 0);
  });

  it('skips non-finite points and points outside the bounds', () => {
    const pixels = pointPixels(
      [
        {
          x: new Float32Array([Number.NaN, Infinity, 1, -10, 9]),
          y: new Float32Array([1, 1, -Infinity, 1, 1]),
          rgb: [9, 9, 9],
          side: 2,
        },
      ],
      bounds,
      4,
      4,
    );
    assert.equal(painted(pixels), 0);
  });
});

describe('arrowScale', () => {
  it('makes the longest arrow the given length', () => {
    const scale = arrowScale([3, 0], [4, 1], 20, 10);
    assert.ok(Math.abs(5 * scale * 10 - 20) < 1e-12);
  });

  it('returns 0 for all-zero or non-finite gradients', () => {
    assert.equal(arrowScale([0], [0], 20, 10), 0);
    assert.equal(arrowScale([Number.NaN], [1], 20, 10), 0);
    assert.equal(arrowScale([Number.NaN, 0], [1, 2], 20, 10), 1);
  });
});

describe('colours', () => {
  it('mix clamps t', () => {
    assert.deepEqual(mix([0, 0, 0], [100, 200, 50], 0.5), [50, 100, 25]);
    assert.deepEqual(mix([0, 0, 0], [100, 200, 50], 2), [100, 200, 50]);
  });

  it('parseColor reads hex and rgb forms', () => {
    assert.deepEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepEqual(parseColor(' #3794ff '), [55, 148, 255]);
    assert.deepEqual(parseColor('#3794ff80'), [55, 148, 255]);
    assert.deepEqual(parseColor('rgba(1, 2, 3, 0.5)'), [1, 2, 3]);
    assert.equal(parseColor('blue'), undefined);
  });
});
