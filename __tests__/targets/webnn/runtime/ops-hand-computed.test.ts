// Hand-computed cases where WebNN semantics differ from ONNX or are the spec's own examples:
// input and filter layouts, WebNN's padding order, pooling rounding and outputSizes, exact-erf
// gelu, resample2d's half-pixel mapping, rounding modes (cast, roundEven, quantizeLinear),
// layerNormalization with unordered axes, and the spec's gather/scatter/pad/triangular examples.

import { runWebnn, type Value } from './oracles.js';

const f32 = (shape: number[], values: number[]): Value => ({
  dataType: 'float32',
  shape,
  data: Float32Array.from(values),
});
const range = (n: number, from = 1): number[] => Array.from({ length: n }, (_, i) => i + from);

/** Permutes `values` of `shape` by `permutation` (output axis i = input axis permutation[i]). */
function permute(values: number[], shape: number[], permutation: readonly number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const outShape = permutation.map((p) => shape[p]);
  const out: number[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < values.length; n++) {
    out.push(values[permutation.reduce((offset, p, i) => offset + index[i] * strides[p], 0)]);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a] < outShape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

describe('conv2d layouts and padding', () => {
  // 1×1×3×3 input 1…9, 2×1×2×2 filter: ones, and [1, 0, 0, -1]. Padding [1, 0, 0, 1] (top, bottom,
  // left, right) adds a zero row above and a zero column to the right.
  const input = range(9);
  const filter = [1, 1, 1, 1, 1, 0, 0, -1];
  const expected = [
    // channel 0: sums of 2×2 windows over [[0,0,0,0],[1,2,3,0],[4,5,6,0],[7,8,9,0]]
    3, 5, 3, 12, 16, 9, 24, 28, 15,
    // channel 1: top-left minus bottom-right
    -2, -3, 0, -4, -4, 3, -4, -4, 6,
  ];

  test.each([
    ['oihw', [0, 1, 2, 3]],
    ['hwio', [2, 3, 1, 0]],
    ['ohwi', [0, 2, 3, 1]],
    ['ihwo', [1, 2, 3, 0]],
  ] as const)('nchw input with %s filter gives the hand-computed result', async (layout, permutation) => {
    const filterShape = permutation.map((p) => [2, 1, 2, 2][p]);
    const actual = await runWebnn(
      (b, o) => b.conv2d(o.x, o.w, { padding: [1, 0, 0, 1], filterLayout: layout }),
      { x: f32([1, 1, 3, 3], input), w: f32(filterShape, permute(filter, [2, 1, 2, 2], permutation)) },
    );
    expect(actual.shape).toEqual([1, 2, 3, 3]);
    expect(Array.from(actual.data as Float32Array)).toEqual(expected);
  });

  test('nhwc input gives the same values in nhwc order', async () => {
    const actual = await runWebnn(
      (b, o) => b.conv2d(o.x, o.w, { padding: [1, 0, 0, 1], inputLayout: 'nhwc', filterLayout: 'ohwi' }),
      { x: f32([1, 3, 3, 1], input), w: f32([2, 2, 2, 1], permute(filter, [2, 1, 2, 2], [0, 2, 3, 1])) },
    );
    expect(actual.shape).toEqual([1, 3, 3, 2]);
    expect(Array.from(actual.data as Float32Array)).toEqual(permute(expected, [1, 2, 3, 3], [0, 2, 3, 1]));
  });
});

describe('convTranspose2d layouts', () => {
  // 1×1×2×2 input [1,2,3,4]; filter with 2 output channels: ones and [1, 2, 3, 4].
  const filterIohw = [1, 1, 1, 1, 1, 2, 3, 4];
  const expected = [1, 3, 2, 4, 10, 6, 3, 7, 4, 1, 4, 4, 6, 20, 16, 9, 24, 16];
  test.each([
    ['iohw', [0, 1, 2, 3]],
    ['hwoi', [2, 3, 1, 0]],
    ['ohwi', [1, 2, 3, 0]],
  ] as const)('%s filter gives the hand-computed result', async (layout, permutation) => {
    const shape = permutation.map((p) => [1, 2, 2, 2][p]);
    const actual = await runWebnn((b, o) => b.convTranspose2d(o.x, o.w, { filterLayout: layout }), {
      x: f32([1, 1, 2, 2], [1, 2, 3, 4]),
      w: f32(shape, permute(filterIohw, [1, 2, 2, 2], permutation)),
    });
    expect(actual.shape).toEqual([1, 2, 3, 3]);
    expect(Array.from(actual.data as Float32Array)).toEqual(expected);
  });

  test('outputSizes picks the larger of the sizes a stride allows', async () => {
    const actual = await runWebnn(
      (b, o) => b.convTranspose2d(o.x, o.w, { strides: [2, 2], outputSizes: [4, 4] }),
      {
        x: f32([1, 1, 2, 2], [1, 2, 3, 4]),
        w: f32([1, 1, 2, 2], [1, 1, 1, 1]),
      },
    );
    expect(Array.from(actual.data as Float32Array)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('pooling rounding and padding', () => {
  const x = f32([1, 1, 4, 4], range(16));
  test('roundingType ceil keeps the partial last window; floor drops it', async () => {
    const ceil = await runWebnn(
      (b, o) => b.maxPool2d(o.x, { windowDimensions: [3, 3], strides: [2, 2], roundingType: 'ceil' }),
      { x },
    );
    const floor = await runWebnn((b, o) => b.maxPool2d(o.x, { windowDimensions: [3, 3], strides: [2, 2] }), {
      x,
    });
    expect(ceil.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(ceil.data as Float32Array)).toEqual([11, 12, 15, 16]);
    expect(floor.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(floor.data as Float32Array)).toEqual([11]);
  });

  test('outputSizes [2, 2] selects the ceil size without roundingType', async () => {
    const y = await runWebnn(
      (b, o) => b.averagePool2d(o.x, { windowDimensions: [3, 3], strides: [2, 2], outputSizes: [2, 2] }),
      { x },
    );
    // Windows: rows 0-2 × cols 0-2, rows 0-2 × cols 2-3, rows 2-3 × cols 0-2, rows 2-3 × cols 2-3.
    expect(Array.from(y.data as Float32Array)).toEqual([6, 7.5, 12, 13.5]);
  });

  test('averagePool2d divides by the elements inside the input, not the padded window', async () => {
    const y = await runWebnn(
      (b, o) => b.averagePool2d(o.x, { windowDimensions: [2, 2], padding: [1, 0, 1, 0], strides: [2, 2] }),
      { x },
    );
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([1, 2.5, 7, 8.5]);
  });
});

describe('activation and rounding semantics', () => {
  test('gelu uses the exact erf form, not the tanh approximation', async () => {
    const y = await runWebnn((b, o) => b.gelu(o.x), { x: f32([3], [1, -1, 3]) });
    expect(Array.from(y.data as Float32Array)).toEqual(
      [0.8413447460685429, -0.15865525393145707, 2.99595030590511].map(Math.fround),
    );
  });

  test('cast from float truncates toward zero; roundEven rounds halves to even', async () => {
    const values = [-2.5, -1.7, -0.5, 0.5, 1.5, 2.5, 3.7];
    const cast = await runWebnn((b, o) => b.cast(o.x, 'int32'), { x: f32([7], values) });
    const round = await runWebnn((b, o) => b.roundEven(o.x), { x: f32([7], values) });
    expect(Array.from(cast.data as Int32Array)).toEqual([-2, -1, 0, 0, 1, 2, 3]);
    expect(Array.from(round.data as Float32Array)).toEqual([-2, -2, -0, 0, 2, 2, 4]);
  });

  test('cast between integer types keeps the lowest bits (spec note: int8 -1 → uint8 255)', async () => {
    const y = await runWebnn((b, o) => b.cast(o.x, 'uint8'), {
      x: { dataType: 'int8', shape: [3], data: Int8Array.of(-1, -128, 5) },
    });
    expect(Array.from(y.data as Uint8Array)).toEqual([255, 128, 5]);
  });

  test('quantizeLinear rounds half to even before adding the zero point, then saturates', async () => {
    const y = await runWebnn((b, o) => b.quantizeLinear(o.x, o.s, o.z), {
      x: f32([6], [0.5, 1.5, 2.5, -0.5, 400, -3]),
      s: f32([1], [1]),
      z: { dataType: 'uint8', shape: [1], data: Uint8Array.of(10) },
    });
    expect(Array.from(y.data as Uint8Array)).toEqual([10, 12, 12, 10, 255, 7]);
  });
});

describe('resample2d', () => {
  test('linear 4×4 → 8×8 reproduces the spec example', async () => {
    const x = f32([1, 1, 4, 4], [0, 1, 2, 3, 0, 1, 2, 3, 12, 13, 14, 15, 12, 13, 14, 15]);
    const y = await runWebnn((b, o) => b.resample2d(o.x, { mode: 'linear', sizes: [8, 8] }), { x });
    const row = (base: number): number[] => [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3].map((v) => v + base);
    expect(Array.from(y.data as Float32Array)).toEqual([
      ...row(0),
      ...row(0),
      ...row(0),
      ...row(3),
      ...row(9),
      ...row(12),
      ...row(12),
      ...row(12),
    ]);
  });

  test('nearest-neighbor ×2 repeats each element (ceil(x − 0.5) rounds halves down)', async () => {
    const y = await runWebnn((b, o) => b.resample2d(o.x, { scales: [2, 2] }), {
      x: f32([1, 1, 2, 2], [1, 2, 3, 4]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
});

describe('normalization axes', () => {
  test('layerNormalization with axes [2, 0] reads scale in that axis order', async () => {
    // x of shape [2, 1, 2]: groups over axes {0, 2} for the single index of axis 1.
    const x = f32([2, 1, 2], [1, 2, 3, 4]);
    const scale = f32([2, 2], [1, 10, 100, 1000]); // scale[axis2][axis0]
    const y = await runWebnn((b, o) => b.layerNormalization(o.x, { axes: [2, 0], scale: o.s, epsilon: 0 }), {
      x,
      s: scale,
    });
    const std = Math.sqrt(1.25);
    const normalized = [-1.5, -0.5, 0.5, 1.5].map((v) => v / std);
    // element (a0, a2): x[a0][0][a2] · scale[a2][a0]
    const expected = [normalized[0] * 1, normalized[1] * 100, normalized[2] * 10, normalized[3] * 1000].map(
      Math.fround,
    );
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
  });
});

describe('spec examples', () => {
  const table = f32([4, 3], [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
  const u32 = (shape: number[], values: number[]): Value => ({
    dataType: 'uint32',
    shape,
    data: Uint32Array.from(values),
  });

  test('gather on axis 1 with [2,2] indices', async () => {
    const y = await runWebnn((b, o) => b.gather(o.x, o.i, { axis: 1 }), {
      x: table,
      i: u32([2, 2], [0, 1, 1, 2]),
    });
    expect(y.shape).toEqual([4, 2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([
      0, 1, 1, 2, 10, 11, 11, 12, 20, 21, 21, 22, 30, 31, 31, 32,
    ]);
  });

  test('gatherElements on axis 0', async () => {
    const y = await runWebnn((b, o) => b.gatherElements(o.x, o.i), {
      x: table,
      i: u32([2, 3], [3, 1, 1, 2, 0, 3]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual([30, 11, 12, 20, 1, 32]);
  });

  test('scatterElements on axis 0', async () => {
    const y = await runWebnn((b, o) => b.scatterElements(o.x, o.i, o.u), {
      x: table,
      i: u32([2, 3], [3, 1, 1, 2, 0, 3]),
      u: f32([2, 3], [-1, -2, -3, -4, -5, -6]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual([0, -5, 2, 10, -2, -3, -4, 21, 22, -1, 31, -6]);
  });

  test('scatterND writes rows at coordinates [2] and [0]', async () => {
    const y = await runWebnn((b, o) => b.scatterND(o.x, o.i, o.u), {
      x: f32([3, 2], [0, 1, 2, 3, 4, 5]),
      i: u32([2, 1], [2, 0]),
      u: f32([2, 2], [-1, -2, -3, -4]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual([-3, -4, 2, 3, -1, -2]);
  });

  test.each([
    ['constant', [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['edge', [1, 1, 1, 2, 3, 3, 3, 1, 1, 1, 2, 3, 3, 3, 4, 4, 4, 5, 6, 6, 6, 4, 4, 4, 5, 6, 6, 6]],
    ['reflection', [6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1]],
  ] as const)('pad mode %s of [[1,2,3],[4,5,6]] by [1,2] / [1,2]', async (mode, expected) => {
    const y = await runWebnn((b, o) => b.pad(o.x, [1, 2], [1, 2], { mode }), { x: f32([2, 3], range(6)) });
    expect(y.shape).toEqual([4, 7]);
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
  });

  test.each([
    [{}, [7, 1, 2, 0, 4, 8, 0, 0, 3]],
    [{ diagonal: 1 }, [0, 1, 2, 0, 0, 8, 0, 0, 0]],
    [{ diagonal: -1 }, [7, 1, 2, 9, 4, 8, 0, 6, 3]],
    [{ upper: false }, [7, 0, 0, 9, 4, 0, 2, 6, 3]],
    [{ upper: false, diagonal: 1 }, [7, 1, 0, 9, 4, 8, 2, 6, 3]],
    [{ upper: false, diagonal: -1 }, [0, 0, 0, 9, 0, 0, 2, 6, 0]],
  ])('triangular %j', async (options, expected) => {
    const y = await runWebnn((b, o) => b.triangular(o.x, options), {
      x: f32([3, 3], [7, 1, 2, 9, 4, 8, 2, 6, 3]),
    });
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
  });

  test.each([
    [{}, [1, 3, 6, 10]],
    [{ exclusive: true }, [0, 1, 3, 6]],
    [{ reversed: true }, [10, 9, 7, 4]],
  ])('cumulativeSum %j of [1,2,3,4]', async (options, expected) => {
    const y = await runWebnn((b, o) => b.cumulativeSum(o.x, 0, options), { x: f32([4], [1, 2, 3, 4]) });
    expect(Array.from(y.data as Float32Array)).toEqual(expected);
  });
});
