// Neural-network WebNN operators of the reference runtime checked against ONNX Runtime on the
// equivalent ONNX operator: matmul, gemm, conv2d, convTranspose2d, pooling, batch/instance/
// layer normalization, reductions, argMin/argMax, cumulativeSum and resample2d. WebNN's
// padding order [top, bottom, left, right] is mapped to ONNX pads [top, left, bottom, right].

import type { HostTensor } from '../../../../src/onnx/dtype.js';
import {
  expectClose,
  floats,
  fromHalfBits,
  halves,
  randomValues,
  runOnnx,
  runWebnn,
  type Attr,
} from './oracles.js';

/** Accumulating ops: a few float32 ulps of the largest partial sums. */
const ACCUMULATED = { atol: 2e-6, rtol: 1e-6 };
/** Dot products of `terms` products: ONNX Runtime accumulates in float32, the runtime in double. */
const dotProducts = (terms: number) => ({ atol: terms * 1e-7, rtol: 1e-6 });

const onnxPads = ([top, bottom, left, right]: number[]): Attr => ({ ints: [top, left, bottom, right] });
const int64s = (values: number[]): HostTensor => ({
  dtype: 'int64',
  dims: [values.length],
  data: BigInt64Array.from(values, BigInt),
});

describe('matmul and gemm', () => {
  test.each([
    [
      [3, 4],
      [4, 5],
    ],
    [
      [2, 3, 4],
      [4, 6],
    ],
    [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    [
      [16, 128],
      [128, 128],
    ],
  ])('matmul %j × %j matches ONNX MatMul', async (shapeA, shapeB) => {
    const a = floats(shapeA, 101);
    const b = floats(shapeB, 102);
    const expected = await runOnnx(
      [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
      { a: a.host, b: b.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((builder, o) => builder.matmul(o.a, o.b), { a: a.value, b: b.value });
    expect(actual.shape).toEqual(expected.y.dims);
    expectClose(actual.data, expected.y.data as Float32Array, dotProducts(shapeA[shapeA.length - 1]));
  });

  test.each([
    [false, false, [5]],
    [true, false, [3, 1]],
    [false, true, []],
    [true, true, [3, 5]],
  ])('gemm aTranspose=%s bTranspose=%s with c of shape %j matches ONNX Gemm', async (aT, bT, cShape) => {
    const a = floats(aT ? [4, 3] : [3, 4], 111);
    const b = floats(bT ? [5, 4] : [4, 5], 112);
    const c = floats(cShape, 113);
    const attributes: Record<string, Attr> = {
      alpha: { float: 0.75 },
      beta: { float: -1.5 },
      transA: { int: aT ? 1 : 0 },
      transB: { int: bT ? 1 : 0 },
    };
    const expected = await runOnnx(
      [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attributes }],
      { a: a.host, b: b.host, c: c.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (builder, o) =>
        builder.gemm(o.a, o.b, { c: o.c, alpha: 0.75, beta: -1.5, aTranspose: aT, bTranspose: bT }),
      { a: a.value, b: b.value, c: c.value },
    );
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });

  test('matmul on float16 is within a float16 ulp of ONNX float32 MatMul of the rounded inputs', async () => {
    const a = halves(randomValues(16 * 32, 121));
    const b = halves(randomValues(32 * 8, 122));
    const expected = await runOnnx(
      [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
      {
        a: { dtype: 'float32', dims: [16, 32], data: a.widened },
        b: { dtype: 'float32', dims: [32, 8], data: b.widened },
      },
      { y: 'float32' },
    );
    const actual = await runWebnn((builder, o) => builder.matmul(o.a, o.b), {
      a: { dataType: 'float16', shape: [16, 32], data: a.bits },
      b: { dataType: 'float16', shape: [32, 8], data: b.bits },
    });
    expectClose(fromHalfBits(actual.data as Uint16Array), expected.y.data as Float32Array, {
      atol: 2 ** -14,
      rtol: 2 ** -10,
    });
  });
});

describe('convolution', () => {
  test.each([
    {
      name: 'plain 3x3',
      input: [1, 2, 7, 7],
      filter: [4, 2, 3, 3],
      padding: [0, 0, 0, 0],
      strides: [1, 1],
      dilations: [1, 1],
      groups: 1,
    },
    {
      name: 'padded, strided',
      input: [2, 3, 9, 8],
      filter: [5, 3, 3, 2],
      padding: [1, 2, 0, 1],
      strides: [2, 3],
      dilations: [1, 1],
      groups: 1,
    },
    {
      name: 'dilated',
      input: [1, 2, 10, 10],
      filter: [3, 2, 3, 3],
      padding: [2, 2, 2, 2],
      strides: [1, 1],
      dilations: [2, 3],
      groups: 1,
    },
    {
      name: 'grouped',
      input: [1, 4, 6, 6],
      filter: [6, 2, 3, 3],
      padding: [1, 1, 1, 1],
      strides: [1, 1],
      dilations: [1, 1],
      groups: 2,
    },
    {
      name: 'depthwise',
      input: [1, 3, 5, 5],
      filter: [3, 1, 3, 3],
      padding: [1, 1, 1, 1],
      strides: [2, 2],
      dilations: [1, 1],
      groups: 3,
    },
    {
      name: 'patch embedding 4x4 stride 4',
      input: [1, 3, 16, 16],
      filter: [32, 3, 4, 4],
      padding: [0, 0, 0, 0],
      strides: [4, 4],
      dilations: [1, 1],
      groups: 1,
    },
  ])('conv2d ($name) with bias matches ONNX Conv', async (c) => {
    const x = floats(c.input, 131);
    const w = floats(c.filter, 132);
    const bias = floats([c.filter[0]], 133);
    const attributes: Record<string, Attr> = {
      pads: onnxPads(c.padding),
      strides: { ints: c.strides },
      dilations: { ints: c.dilations },
      group: { int: c.groups },
    };
    const expected = await runOnnx(
      [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes }],
      { x: x.host, w: w.host, b: bias.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (builder, o) =>
        builder.conv2d(o.x, o.w, {
          padding: c.padding,
          strides: c.strides,
          dilations: c.dilations,
          groups: c.groups,
          bias: o.b,
        }),
      { x: x.value, w: w.value, b: bias.value },
      ['w', 'b'],
    );
    expect(actual.shape).toEqual(expected.y.dims);
    expectClose(
      actual.data,
      expected.y.data as Float32Array,
      dotProducts(c.filter[1] * c.filter[2] * c.filter[3]),
    );
  });

  test.each([
    {
      name: 'plain',
      input: [1, 2, 3, 3],
      filter: [2, 3, 3, 3],
      padding: [0, 0, 0, 0],
      strides: [1, 1],
      dilations: [1, 1],
      outputPadding: [0, 0],
      groups: 1,
    },
    {
      name: 'strided with output padding',
      input: [1, 2, 4, 3],
      filter: [2, 2, 3, 3],
      padding: [1, 0, 1, 1],
      strides: [2, 3],
      dilations: [1, 1],
      outputPadding: [1, 2],
      groups: 1,
    },
    {
      name: 'dilated, grouped',
      input: [2, 4, 3, 3],
      filter: [4, 1, 2, 2],
      padding: [0, 0, 0, 0],
      strides: [2, 2],
      dilations: [2, 2],
      outputPadding: [0, 0],
      groups: 2,
    },
  ])('convTranspose2d ($name) with bias matches ONNX ConvTranspose', async (c) => {
    const x = floats(c.input, 141);
    const w = floats(c.filter, 142);
    const bias = floats([c.filter[1] * c.groups], 143);
    const attributes: Record<string, Attr> = {
      pads: onnxPads(c.padding),
      strides: { ints: c.strides },
      dilations: { ints: c.dilations },
      output_padding: { ints: c.outputPadding },
      group: { int: c.groups },
    };
    const expected = await runOnnx(
      [{ op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes }],
      { x: x.host, w: w.host, b: bias.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (builder, o) =>
        builder.convTranspose2d(o.x, o.w, {
          padding: c.padding,
          strides: c.strides,
          dilations: c.dilations,
          outputPadding: c.outputPadding,
          groups: c.groups,
          bias: o.b,
        }),
      { x: x.value, w: w.value, b: bias.value },
    );
    expect(actual.shape).toEqual(expected.y.dims);
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });
});

describe('pooling', () => {
  const pools = [
    { name: '3x3 stride 2 padded', window: [3, 3], padding: [1, 1, 1, 1], strides: [2, 2], ceil: false },
    { name: '2x3 ceil rounding', window: [2, 3], padding: [0, 1, 0, 0], strides: [2, 2], ceil: true },
  ];
  test.each(pools)(
    'averagePool2d ($name) matches ONNX AveragePool (padding excluded from the count)',
    async (p) => {
      const x = floats([1, 3, 7, 8], 151);
      const attributes: Record<string, Attr> = {
        kernel_shape: { ints: p.window },
        pads: onnxPads(p.padding),
        strides: { ints: p.strides },
        ceil_mode: { int: p.ceil ? 1 : 0 },
      };
      const expected = await runOnnx(
        [{ op: 'AveragePool', inputs: ['x'], outputs: ['y'], attributes }],
        { x: x.host },
        { y: 'float32' },
      );
      const actual = await runWebnn(
        (b, o) =>
          b.averagePool2d(o.x, {
            windowDimensions: p.window,
            padding: p.padding,
            strides: p.strides,
            roundingType: p.ceil ? 'ceil' : 'floor',
          }),
        { x: x.value },
      );
      expect(actual.shape).toEqual(expected.y.dims);
      expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
    },
  );

  test.each(pools)('maxPool2d ($name) matches ONNX MaxPool', async (p) => {
    const x = floats([2, 2, 7, 8], 152);
    const attributes: Record<string, Attr> = {
      kernel_shape: { ints: p.window },
      pads: onnxPads(p.padding),
      strides: { ints: p.strides },
      ceil_mode: { int: p.ceil ? 1 : 0 },
    };
    const expected = await runOnnx(
      [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes }],
      { x: x.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (b, o) =>
        b.maxPool2d(o.x, {
          windowDimensions: p.window,
          padding: p.padding,
          strides: p.strides,
          roundingType: p.ceil ? 'ceil' : 'floor',
        }),
      { x: x.value },
    );
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });

  test('maxPool2d with dilations matches ONNX MaxPool', async () => {
    const x = floats([1, 2, 9, 9], 153);
    const attributes: Record<string, Attr> = {
      kernel_shape: { ints: [3, 2] },
      dilations: { ints: [2, 3] },
      strides: { ints: [1, 2] },
    };
    const expected = await runOnnx(
      [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attributes }],
      { x: x.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (b, o) => b.maxPool2d(o.x, { windowDimensions: [3, 2], dilations: [2, 3], strides: [1, 2] }),
      { x: x.value },
    );
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });

  test('l2Pool2d matches ONNX LpPool with p = 2', async () => {
    const x = floats([1, 2, 6, 6], 154);
    const attributes: Record<string, Attr> = {
      kernel_shape: { ints: [3, 3] },
      pads: onnxPads([1, 1, 1, 1]),
      strides: { ints: [2, 2] },
      p: { int: 2 },
    };
    const expected = await runOnnx(
      [{ op: 'LpPool', inputs: ['x'], outputs: ['y'], attributes }],
      { x: x.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (b, o) => b.l2Pool2d(o.x, { windowDimensions: [3, 3], padding: [1, 1, 1, 1], strides: [2, 2] }),
      { x: x.value },
    );
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });

  test('global averagePool2d (default window) matches ONNX GlobalAveragePool', async () => {
    const x = floats([2, 3, 5, 4], 155);
    const expected = await runOnnx(
      [{ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['y'] }],
      { x: x.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.averagePool2d(o.x), { x: x.value });
    expect(actual.shape).toEqual([2, 3, 1, 1]);
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });
});

describe('normalization', () => {
  test('batchNormalization matches ONNX BatchNormalization', async () => {
    const x = floats([2, 3, 4, 5], 161);
    const [scale, bias, mean] = [floats([3], 162), floats([3], 163), floats([3], 164)];
    const variance = floats([3], 165, 0.5, 2);
    const expected = await runOnnx(
      [
        {
          op: 'BatchNormalization',
          inputs: ['x', 's', 'b', 'm', 'v'],
          outputs: ['y'],
          attributes: { epsilon: { float: 1e-3 } },
        },
      ],
      { x: x.host, s: scale.host, b: bias.host, m: mean.host, v: variance.host },
      { y: 'float32' },
    );
    const actual = await runWebnn(
      (builder, o) => builder.batchNormalization(o.x, o.m, o.v, { scale: o.s, bias: o.b, epsilon: 1e-3 }),
      { x: x.value, s: scale.value, b: bias.value, m: mean.value, v: variance.value },
    );
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });

  test('instanceNormalization matches ONNX InstanceNormalization', async () => {
    const x = floats([2, 3, 4, 5], 166);
    const [scale, bias] = [floats([3], 167), floats([3], 168)];
    const expected = await runOnnx(
      [
        {
          op: 'InstanceNormalization',
          inputs: ['x', 's', 'b'],
          outputs: ['y'],
          attributes: { epsilon: { float: 1e-5 } },
        },
      ],
      { x: x.host, s: scale.host, b: bias.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.instanceNormalization(o.x, { scale: o.s, bias: o.b }), {
      x: x.value,
      s: scale.value,
      b: bias.value,
    });
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 1e-5, rtol: 1e-5 });
  });

  test.each([
    [[2, 16, 128], 2],
    [[2, 3, 4, 5], 1],
  ])('layerNormalization of %j over axes from %i matches ONNX LayerNormalization', async (shape, axis) => {
    const x = floats(shape, 169);
    const scale = floats(shape.slice(axis), 170);
    const bias = floats(shape.slice(axis), 171);
    const axes = shape.map((_, i) => i).filter((i) => i >= axis);
    const expected = await runOnnx(
      [
        {
          op: 'LayerNormalization',
          inputs: ['x', 's', 'b'],
          outputs: ['y'],
          attributes: { axis: { int: axis }, epsilon: { float: 1e-5 } },
        },
      ],
      { x: x.host, s: scale.host, b: bias.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.layerNormalization(o.x, { scale: o.s, bias: o.b, axes }), {
      x: x.value,
      s: scale.value,
      b: bias.value,
    });
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 1e-5, rtol: 1e-5 });
  });
});

describe('reductions', () => {
  const reductions = [
    ['reduceL1', 'ReduceL1'],
    ['reduceL2', 'ReduceL2'],
    ['reduceLogSum', 'ReduceLogSum'],
    ['reduceLogSumExp', 'ReduceLogSumExp'],
    ['reduceMax', 'ReduceMax'],
    ['reduceMean', 'ReduceMean'],
    ['reduceMin', 'ReduceMin'],
    ['reduceProduct', 'ReduceProd'],
    ['reduceSum', 'ReduceSum'],
    ['reduceSumSquare', 'ReduceSumSquare'],
  ] as const;
  test.each(reductions)(
    '%s over axes [0, 2] matches ONNX %s (with and without keepDimensions)',
    async (webnnOp, onnxOp) => {
      const x = floats([3, 4, 5], 181, 0.5, 1.5);
      for (const keep of [false, true]) {
        const expected = await runOnnx(
          [
            {
              op: onnxOp,
              inputs: ['x', 'axes'],
              outputs: ['y'],
              attributes: { keepdims: { int: keep ? 1 : 0 } },
            },
          ],
          { x: x.host },
          { y: 'float32' },
          { initializers: { axes: int64s([0, 2]) } },
        );
        const actual = await runWebnn((b, o) => b[webnnOp](o.x, { axes: [0, 2], keepDimensions: keep }), {
          x: x.value,
        });
        expect(actual.shape).toEqual(expected.y.dims);
        expectClose(actual.data, expected.y.data as Float32Array, { atol: 1e-6, rtol: 1e-6 });
      }
    },
  );

  test('reduceSum over all axes (axes absent) matches ONNX ReduceSum without axes', async () => {
    const x = floats([2, 3, 4], 182);
    const expected = await runOnnx(
      [{ op: 'ReduceSum', inputs: ['x'], outputs: ['y'], attributes: { keepdims: { int: 0 } } }],
      { x: x.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.reduceSum(o.x), { x: x.value });
    expect(actual.shape).toEqual([]);
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });

  test.each([
    ['argMax', 'ArgMax'],
    ['argMin', 'ArgMin'],
  ] as const)('%s matches ONNX %s (first index on ties)', async (webnnOp, onnxOp) => {
    const values = randomValues(60, 183, 0, 4).map(Math.floor);
    const x: HostTensor = { dtype: 'float32', dims: [3, 4, 5], data: Float32Array.from(values) };
    for (const [axis, keep] of [
      [1, false],
      [2, true],
      [0, false],
    ] as const) {
      const expected = await runOnnx(
        [
          {
            op: onnxOp,
            inputs: ['x'],
            outputs: ['y'],
            attributes: { axis: { int: axis }, keepdims: { int: keep ? 1 : 0 } },
          },
        ],
        { x },
        { y: 'int64' },
      );
      const actual = await runWebnn(
        (b, o) => b[webnnOp](o.x, axis, { keepDimensions: keep, outputDataType: 'int64' }),
        {
          x: { dataType: 'float32', shape: [3, 4, 5], data: x.data as Float32Array },
        },
      );
      expect(actual.shape).toEqual(expected.y.dims);
      expect(Array.from(actual.data as BigInt64Array)).toEqual(Array.from(expected.y.data as BigInt64Array));
    }
  });

  test.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('cumulativeSum exclusive=%s reversed=%s matches ONNX CumSum', async (exclusive, reversed) => {
    const x = floats([3, 6], 184);
    const axis: HostTensor = { dtype: 'int32', dims: [], data: Int32Array.of(1) };
    const expected = await runOnnx(
      [
        {
          op: 'CumSum',
          inputs: ['x', 'axis'],
          outputs: ['y'],
          attributes: { exclusive: { int: exclusive ? 1 : 0 }, reverse: { int: reversed ? 1 : 0 } },
        },
      ],
      { x: x.host },
      { y: 'float32' },
      { initializers: { axis } },
    );
    const actual = await runWebnn((b, o) => b.cumulativeSum(o.x, 1, { exclusive, reversed }), { x: x.value });
    expectClose(actual.data, expected.y.data as Float32Array, ACCUMULATED);
  });
});

describe('resample2d', () => {
  test.each([
    ['nearest-neighbor', [2, 3], [5, 7]],
    ['nearest-neighbor', [6, 8], [3, 4]],
    ['linear', [3, 4], [7, 9]],
    ['linear', [8, 6], [3, 4]],
  ] as const)('%s %j → %j matches ONNX Resize (half_pixel)', async (mode, inSize, outSize) => {
    const x = floats([1, 2, ...inSize], 191);
    const attributes: Record<string, Attr> = {
      mode: { string: mode === 'linear' ? 'linear' : 'nearest' },
      coordinate_transformation_mode: { string: 'half_pixel' },
      nearest_mode: { string: 'round_prefer_floor' },
    };
    const expected = await runOnnx(
      [{ op: 'Resize', inputs: ['x', '', '', 'sizes'], outputs: ['y'], attributes }],
      { x: x.host },
      { y: 'float32' },
      { initializers: { sizes: int64s([1, 2, ...outSize]) } },
    );
    const actual = await runWebnn((b, o) => b.resample2d(o.x, { mode, sizes: [...outSize] }), { x: x.value });
    expect(actual.shape).toEqual(expected.y.dims);
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 1e-6, rtol: 1e-6 });
  });
});
