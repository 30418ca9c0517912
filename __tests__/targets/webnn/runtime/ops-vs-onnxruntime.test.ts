// Element-wise WebNN operators of the reference runtime checked against ONNX Runtime on the
// equivalent ONNX operator with seeded random inputs: binary arithmetic (float, int32, int64),
// comparisons and logical ops, unary math, activations, clamp, cast and float16 variants.

import type { DType, HostTensor } from '../../../../src/onnx/dtype.js';
import type { MLGraphBuilder, MLOperand } from '../../../../src/webnn.js';
import {
  expectClose,
  floats,
  fromHalfBits,
  halves,
  integers,
  randomValues,
  runOnnx,
  runWebnn,
  type Attr,
  type Value,
} from './oracles.js';

const F32 = { rtol: 2 ** -22, atol: 1e-7 };

async function crossCheckUnary(
  onnxOp: string,
  build: (b: MLGraphBuilder, x: MLOperand) => MLOperand,
  x: { value: Value; host: HostTensor },
  tolerance: { atol?: number; rtol?: number },
  attributes: Record<string, Attr> = {},
): Promise<void> {
  const expected = await runOnnx(
    [{ op: onnxOp, inputs: ['x'], outputs: ['y'], attributes }],
    { x: x.host },
    { y: 'float32' },
  );
  const actual = await runWebnn((b, o) => build(b, o.x), { x: x.value });
  expect(actual.shape).toEqual(expected.y.dims);
  expectClose(actual.data, expected.y.data as Float32Array, tolerance);
}

describe('binary arithmetic with broadcasting', () => {
  test.each([
    ['add', 'Add'],
    ['sub', 'Sub'],
    ['mul', 'Mul'],
    ['div', 'Div'],
    ['max', 'Max'],
    ['min', 'Min'],
  ] as const)('%s matches ONNX %s on float32 [2,3,4] with [3,1]', async (webnnOp, onnxOp) => {
    const a = floats([2, 3, 4], 11);
    const b = floats([3, 1], 12, 0.5, 2);
    const expected = await runOnnx(
      [{ op: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
      { a: a.host, b: b.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), { a: a.value, b: b.value });
    expect(actual.shape).toEqual([2, 3, 4]);
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });

  test('pow matches ONNX Pow for positive bases and fractional exponents', async () => {
    const a = floats([4, 5], 13, 0.1, 3);
    const b = floats([5], 14, -2, 2);
    const expected = await runOnnx(
      [{ op: 'Pow', inputs: ['a', 'b'], outputs: ['y'] }],
      { a: a.host, b: b.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((builder, o) => builder.pow(o.a, o.b), { a: a.value, b: b.value });
    expectClose(actual.data, expected.y.data as Float32Array, F32);
  });

  test.each([
    ['add', 'Add'],
    ['sub', 'Sub'],
    ['mul', 'Mul'],
    ['div', 'Div'],
    ['max', 'Max'],
    ['min', 'Min'],
  ] as const)('%s on int32 matches ONNX %s (division truncates toward zero)', async (webnnOp, onnxOp) => {
    const a = integers('int32', [3, 4], 21, -1000, 1000);
    const b = integers('int32', [4], 22, 1, 9);
    const expected = await runOnnx(
      [{ op: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
      { a: a.host, b: b.host },
      { y: 'int32' },
    );
    const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), { a: a.value, b: b.value });
    expect(Array.from(actual.data as Int32Array)).toEqual(Array.from(expected.y.data as Int32Array));
  });

  test.each([
    ['add', 'Add'],
    ['mul', 'Mul'],
    ['sub', 'Sub'],
  ] as const)('%s on int64 matches ONNX %s exactly beyond 2^53', async (webnnOp, onnxOp) => {
    const big = BigInt64Array.of(2n ** 60n + 3n, -(2n ** 55n) - 1n, 7n, -9n);
    const small = BigInt64Array.of(5n, 3n, -(2n ** 40n), 11n);
    const hostA: HostTensor = { dtype: 'int64', dims: [4], data: big };
    const hostB: HostTensor = { dtype: 'int64', dims: [4], data: small };
    const expected = await runOnnx(
      [{ op: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
      { a: hostA, b: hostB },
      { y: 'int64' },
    );
    const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), {
      a: { dataType: 'int64', shape: [4], data: big },
      b: { dataType: 'int64', shape: [4], data: small },
    });
    expect(Array.from(actual.data as BigInt64Array)).toEqual(Array.from(expected.y.data as BigInt64Array));
  });
});

describe('comparisons and logical operators', () => {
  const values = Float32Array.from([1, 2, 3, -1, 0.5, 2, NaN, 4]);
  const others = Float32Array.from([1, 3, 2, -1, 0.25, 2, 1, NaN]);
  test.each([
    ['equal', [{ op: 'Equal', inputs: ['a', 'b'], outputs: ['y'] }]],
    ['greater', [{ op: 'Greater', inputs: ['a', 'b'], outputs: ['y'] }]],
    ['greaterOrEqual', [{ op: 'GreaterOrEqual', inputs: ['a', 'b'], outputs: ['y'] }]],
    ['lesser', [{ op: 'Less', inputs: ['a', 'b'], outputs: ['y'] }]],
    ['lesserOrEqual', [{ op: 'LessOrEqual', inputs: ['a', 'b'], outputs: ['y'] }]],
    [
      'notEqual',
      [
        { op: 'Equal', inputs: ['a', 'b'], outputs: ['e'] },
        { op: 'Not', inputs: ['e'], outputs: ['y'] },
      ],
    ],
  ] as const)('%s gives uint8 0/1 as the ONNX comparison (NaN compares false)', async (webnnOp, nodes) => {
    const a: HostTensor = { dtype: 'float32', dims: [8], data: values };
    const b: HostTensor = { dtype: 'float32', dims: [8], data: others };
    const expected = await runOnnx([...nodes], { a, b }, { y: 'bool' });
    const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), {
      a: { dataType: 'float32', shape: [8], data: values },
      b: { dataType: 'float32', shape: [8], data: others },
    });
    expect(actual.dataType).toBe('uint8');
    expect(Array.from(actual.data as Uint8Array)).toEqual(Array.from(expected.y.data as Uint8Array));
  });

  test.each([
    ['logicalAnd', 'And'],
    ['logicalOr', 'Or'],
    ['logicalXor', 'Xor'],
  ] as const)('%s on uint8 matches ONNX %s on bool (non-zero is true)', async (webnnOp, onnxOp) => {
    const a = Uint8Array.of(0, 1, 2, 0, 255, 7);
    const b = Uint8Array.of(0, 0, 1, 5, 3, 0);
    const toBool = (x: Uint8Array): HostTensor => ({
      dtype: 'bool',
      dims: [6],
      data: Uint8Array.from(x, (v) => (v ? 1 : 0)),
    });
    const expected = await runOnnx(
      [{ op: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
      { a: toBool(a), b: toBool(b) },
      { y: 'bool' },
    );
    const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), {
      a: { dataType: 'uint8', shape: [6], data: a },
      b: { dataType: 'uint8', shape: [6], data: b },
    });
    expect(Array.from(actual.data as Uint8Array)).toEqual(Array.from(expected.y.data as Uint8Array));
  });

  test('logicalNot matches ONNX Not', async () => {
    const a = Uint8Array.of(0, 1, 9, 0);
    const expected = await runOnnx(
      [{ op: 'Not', inputs: ['a'], outputs: ['y'] }],
      { a: { dtype: 'bool', dims: [4], data: Uint8Array.of(0, 1, 1, 0) } },
      { y: 'bool' },
    );
    const actual = await runWebnn((builder, o) => builder.logicalNot(o.a), {
      a: { dataType: 'uint8', shape: [4], data: a },
    });
    expect(Array.from(actual.data as Uint8Array)).toEqual(Array.from(expected.y.data as Uint8Array));
  });
});

describe('unary math', () => {
  test.each([
    ['abs', 'Abs', -3, 3, { atol: 0 }],
    ['ceil', 'Ceil', -3, 3, { atol: 0 }],
    ['floor', 'Floor', -3, 3, { atol: 0 }],
    ['neg', 'Neg', -3, 3, { atol: 0 }],
    ['sign', 'Sign', -3, 3, { atol: 0 }],
    ['identity', 'Identity', -3, 3, { atol: 0 }],
    ['roundEven', 'Round', -4, 4, { atol: 0 }],
    ['sqrt', 'Sqrt', 0, 9, F32],
    ['reciprocal', 'Reciprocal', 0.1, 4, F32],
    ['exp', 'Exp', -4, 4, { rtol: 4e-7 }],
    ['log', 'Log', 0.01, 10, { atol: 2e-7, rtol: 2e-7 }],
    ['sin', 'Sin', -6, 6, { atol: 2e-7 }],
    ['cos', 'Cos', -6, 6, { atol: 2e-7 }],
    ['tan', 'Tan', -1.4, 1.4, { atol: 1e-6, rtol: 1e-6 }],
    ['erf', 'Erf', -4, 4, { atol: 2e-7 }],
  ] as const)('%s matches ONNX %s', async (webnnOp, onnxOp, min, max, tolerance) => {
    const x = floats([3, 40], 31, min, max);
    if (webnnOp === 'roundEven') (x.value.data as Float32Array).set([0.5, 1.5, 2.5, -0.5, -1.5, -2.5]);
    await crossCheckUnary(onnxOp, (b, o) => b[webnnOp](o), x, tolerance);
  });

  test.each(['abs', 'neg', 'sign'] as const)('%s on int32 and int64 matches ONNX', async (webnnOp) => {
    const onnxOp = { abs: 'Abs', neg: 'Neg', sign: 'Sign' }[webnnOp];
    for (const dataType of ['int32', 'int64'] as const) {
      const x = integers(dataType, [10], 41, -50, 50);
      const expected = await runOnnx(
        [{ op: onnxOp, inputs: ['x'], outputs: ['y'] }],
        { x: x.host },
        { y: dataType },
      );
      const actual = await runWebnn((b, o) => b[webnnOp](o.x), { x: x.value });
      expect(Array.from(actual.data as ArrayLike<number | bigint>, Number)).toEqual(
        Array.from(expected.y.data as ArrayLike<number | bigint>, Number),
      );
    }
  });
});

describe('activations', () => {
  test.each([
    ['relu', 'Relu', {}, {}, { atol: 0 }],
    ['sigmoid', 'Sigmoid', {}, {}, { rtol: 4e-7, atol: 1e-7 }],
    ['tanh', 'Tanh', {}, {}, { atol: 3e-7 }],
    ['gelu', 'Gelu', {}, {}, { atol: 3e-7, rtol: 1e-6 }],
    ['elu', 'Elu', { alpha: 0.7 }, { alpha: { float: 0.7 } }, { atol: 2e-7 }],
    ['leakyRelu', 'LeakyRelu', { alpha: 0.2 }, { alpha: { float: 0.2 } }, { atol: 0, rtol: 2 ** -23 }],
    [
      'hardSigmoid',
      'HardSigmoid',
      { alpha: 0.3, beta: 0.4 },
      { alpha: { float: 0.3 }, beta: { float: 0.4 } },
      { atol: 2e-7 },
    ],
    ['hardSwish', 'HardSwish', {}, {}, { atol: 2e-7, rtol: 2 ** -22 }],
    ['softplus', 'Softplus', {}, {}, { atol: 3e-7 }],
    ['softsign', 'Softsign', {}, {}, { atol: 2e-7 }],
  ] as const)('%s matches ONNX %s', async (webnnOp, onnxOp, options, attributes, tolerance) => {
    const x = floats([4, 32], 51, -6, 6);
    await crossCheckUnary(onnxOp, (b, o) => b[webnnOp](o, options), x, tolerance, attributes);
  });

  test('relu on int8 matches ONNX Relu', async () => {
    const x = integers('int8', [12], 52, -100, 100);
    const expected = await runOnnx(
      [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      { x: x.host },
      { y: 'int8' },
    );
    const actual = await runWebnn((b, o) => b.relu(o.x), { x: x.value });
    expect(Array.from(actual.data as Int8Array)).toEqual(Array.from(expected.y.data as Int8Array));
  });

  test('linear (alpha·x + beta) matches ONNX Mul + Add', async () => {
    const x = floats([16], 53);
    const alpha: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(1.5) };
    const beta: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(-0.25) };
    const expected = await runOnnx(
      [
        { op: 'Mul', inputs: ['x', 'alpha'], outputs: ['m'] },
        { op: 'Add', inputs: ['m', 'beta'], outputs: ['y'] },
      ],
      { x: x.host },
      { y: 'float32' },
      { initializers: { alpha, beta } },
    );
    const actual = await runWebnn((b, o) => b.linear(o.x, { alpha: 1.5, beta: -0.25 }), { x: x.value });
    expectClose(actual.data, expected.y.data as Float32Array, F32);
  });

  test('prelu with a broadcast slope matches ONNX PRelu', async () => {
    const x = floats([2, 3, 4], 54);
    const slope = floats([3, 1], 55, 0, 1);
    const expected = await runOnnx(
      [{ op: 'PRelu', inputs: ['x', 's'], outputs: ['y'] }],
      { x: x.host, s: slope.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.prelu(o.x, o.s), { x: x.value, s: slope.value });
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });

  test.each([0, 1, 2])('softmax on axis %i matches ONNX Softmax', async (axis) => {
    const x = floats([2, 5, 7], 56 + axis, -5, 5);
    await crossCheckUnary(
      'Softmax',
      (b, o) => b.softmax(o, axis),
      x,
      { atol: 1e-7, rtol: 1e-6 },
      { axis: { int: axis } },
    );
  });

  test('clamp matches ONNX Clip with min and max', async () => {
    const x = floats([30], 57, -3, 3);
    const min: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(-1) };
    const max: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(0.5) };
    const expected = await runOnnx(
      [{ op: 'Clip', inputs: ['x', 'min', 'max'], outputs: ['y'] }],
      { x: x.host },
      { y: 'float32' },
      { initializers: { min, max } },
    );
    const actual = await runWebnn((b, o) => b.clamp(o.x, { minValue: -1, maxValue: 0.5 }), { x: x.value });
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });
});

describe('cast', () => {
  const cases: [DType, DType][] = [
    ['float32', 'int32'],
    ['float32', 'int64'],
    ['float32', 'uint8'],
    ['float32', 'float16'],
    ['int32', 'float32'],
    ['int64', 'int32'],
    ['int32', 'int8'],
    ['uint8', 'int32'],
  ];
  test.each(cases)('cast %s → %s matches ONNX Cast', async (from, to) => {
    const raw = randomValues(24, 61, from === 'float32' ? 0 : -120, 120).map((v) =>
      from === 'float32' ? v * 2 : Math.floor(v),
    );
    const values = from === 'uint8' ? raw.map((v) => Math.abs(v)) : raw;
    const data =
      from === 'float32'
        ? Float32Array.from(values)
        : from === 'int64'
          ? BigInt64Array.from(values, (v) => BigInt(v))
          : from === 'int32'
            ? Int32Array.from(values)
            : Uint8Array.from(values);
    const expected = await runOnnx(
      [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: { int: onnxCode(to) } } }],
      { x: { dtype: from, dims: [24], data } as HostTensor },
      { y: to },
    );
    const actual = await runWebnn((b, o) => b.cast(o.x, to as 'int32'), {
      x: { dataType: from as 'float32', shape: [24], data },
    });
    expect(Array.from(actual.data as ArrayLike<number | bigint>, Number)).toEqual(
      Array.from(expected.y.data as ArrayLike<number | bigint>, Number),
    );
  });
});

function onnxCode(dtype: DType): number {
  return { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, float16: 10 }[dtype as 'float32'];
}

describe('float16 operands compute in float32 and round once', () => {
  test.each([
    ['add', 'Add'],
    ['mul', 'Mul'],
    ['div', 'Div'],
  ] as const)(
    '%s on float16 equals ONNX float32 %s of the same values rounded to float16',
    async (webnnOp, onnxOp) => {
      const a = halves(randomValues(20, 71, -4, 4));
      const b = halves(randomValues(20, 72, 0.5, 4));
      const expected = await runOnnx(
        [{ op: onnxOp, inputs: ['a', 'b'], outputs: ['y'] }],
        {
          a: { dtype: 'float32', dims: [20], data: a.widened },
          b: { dtype: 'float32', dims: [20], data: b.widened },
        },
        { y: 'float32' },
      );
      const actual = await runWebnn((builder, o) => builder[webnnOp](o.a, o.b), {
        a: { dataType: 'float16', shape: [20], data: a.bits },
        b: { dataType: 'float16', shape: [20], data: b.bits },
      });
      expect(actual.dataType).toBe('float16');
      const rounded = halves(Array.from(expected.y.data as Float32Array));
      expect(Array.from(actual.data as Uint16Array)).toEqual(Array.from(rounded.bits));
    },
  );

  test.each([
    ['gelu', 'Gelu'],
    ['sigmoid', 'Sigmoid'],
    ['tanh', 'Tanh'],
  ] as const)('%s on float16 is within one float16 ulp of ONNX float32 %s', async (webnnOp, onnxOp) => {
    const x = halves(randomValues(64, 73, -5, 5));
    const expected = await runOnnx(
      [{ op: onnxOp, inputs: ['x'], outputs: ['y'] }],
      { x: { dtype: 'float32', dims: [64], data: x.widened } },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b[webnnOp](o.x), {
      x: { dataType: 'float16', shape: [64], data: x.bits },
    });
    expectClose(fromHalfBits(actual.data as Uint16Array), expected.y.data as Float32Array, {
      atol: 2 ** -24,
      rtol: 2 ** -10,
    });
  });
});
