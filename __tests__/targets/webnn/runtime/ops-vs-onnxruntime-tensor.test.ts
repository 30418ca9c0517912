// Data-movement, indexing and quantization operators of the reference runtime checked against
// ONNX Runtime: reshape, transpose, concat, slice, split, expand, pad, tile, reverse (ONNX
// Slice with negative steps), triangular (Trilu), where, gather*, scatter*, quantizeLinear and
// dequantizeLinear (per-tensor, per-axis, block-wise; int8, uint8, int4, uint4).

import type { HostTensor } from '../../../../src/onnx/dtype.js';
import { packSubByte } from '../../../../src/onnx/tensor.js';
import {
  expectClose,
  floats,
  integers,
  randomValues,
  runOnnx,
  runWebnn,
  type Attr,
  type Value,
} from './oracles.js';

const int64s = (values: number[], dims = [values.length]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(values, BigInt),
});

async function expectSameFloats(
  nodes: Parameters<typeof runOnnx>[0],
  inputs: Record<string, { value: Value; host: HostTensor }>,
  build: Parameters<typeof runWebnn>[0],
  initializers: Record<string, HostTensor> = {},
): Promise<void> {
  const hosts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.host]));
  const values = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value]));
  const expected = await runOnnx(nodes, hosts, { y: 'float32' }, { initializers });
  const actual = await runWebnn(build, values);
  expect(actual.shape).toEqual(expected.y.dims);
  expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
}

describe('data movement', () => {
  test('reshape matches ONNX Reshape', async () => {
    await expectSameFloats(
      [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
      { x: floats([2, 3, 4], 201) },
      (b, o) => b.reshape(o.x, [4, 6]),
      {
        shape: int64s([4, 6]),
      },
    );
  });

  test.each([[[2, 0, 1]], [[1, 2, 0]], [[0, 2, 1]]])('transpose %j matches ONNX Transpose', async (perm) => {
    await expectSameFloats(
      [{ op: 'Transpose', inputs: ['x'], outputs: ['y'], attributes: { perm: { ints: perm } } }],
      { x: floats([2, 3, 4], 202) },
      (b, o) => b.transpose(o.x, { permutation: perm }),
    );
  });

  test('transpose without a permutation reverses the axes like ONNX Transpose without perm', async () => {
    await expectSameFloats(
      [{ op: 'Transpose', inputs: ['x'], outputs: ['y'] }],
      { x: floats([2, 3, 4, 5], 203) },
      (b, o) => b.transpose(o.x),
    );
  });

  test.each([0, 1, 2])('concat on axis %i matches ONNX Concat', async (axis) => {
    const shapes = [
      [2, 3, 4],
      [2, 3, 4],
    ].map((s, i) => s.map((d, a) => (a === axis ? d + i : d)));
    await expectSameFloats(
      [{ op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attributes: { axis: { int: axis } } }],
      { a: floats(shapes[0], 204), b: floats(shapes[1], 205) },
      (b, o) => b.concat([o.a, o.b], axis),
    );
  });

  test('slice with strides matches ONNX Slice with steps', async () => {
    await expectSameFloats(
      [{ op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }],
      { x: floats([5, 6, 7], 206) },
      (b, o) => b.slice(o.x, [1, 0, 2], [4, 6, 5], { strides: [2, 1, 3] }),
      {
        starts: int64s([1, 0, 2]),
        ends: int64s([5, 6, 7]),
        axes: int64s([0, 1, 2]),
        steps: int64s([2, 1, 3]),
      },
    );
  });

  test('reverse on axes [0, 2] matches ONNX Slice with negative steps', async () => {
    const big = -(2 ** 31);
    await expectSameFloats(
      [{ op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }],
      { x: floats([3, 4, 5], 207) },
      (b, o) => b.reverse(o.x, { axes: [0, 2] }),
      { starts: int64s([-1, -1]), ends: int64s([big, big]), axes: int64s([0, 2]), steps: int64s([-1, -1]) },
    );
  });

  test('split into sizes [1, 3, 2] on axis 1 matches ONNX Split', async () => {
    const x = floats([2, 6, 3], 208);
    const expected = await runOnnx(
      [
        {
          op: 'Split',
          inputs: ['x', 'split'],
          outputs: ['y0', 'y1', 'y2'],
          attributes: { axis: { int: 1 } },
        },
      ],
      { x: x.host },
      { y0: 'float32', y1: 'float32', y2: 'float32' },
      { initializers: { split: int64s([1, 3, 2]) } },
    );
    const actual = await runWebnn(
      (b, o) => {
        const [y0, y1, y2] = b.split(o.x, [1, 3, 2], { axis: 1 });
        return { y0, y1, y2 };
      },
      { x: x.value },
    );
    for (const name of ['y0', 'y1', 'y2']) {
      expect(actual[name].shape).toEqual(expected[name].dims);
      expectClose(actual[name].data, expected[name].data as Float32Array, { atol: 0 });
    }
  });

  test('split into 3 equal parts matches ONNX Split with num_outputs', async () => {
    const x = floats([6, 2], 209);
    const expected = await runOnnx(
      [
        {
          op: 'Split',
          inputs: ['x'],
          outputs: ['y0', 'y1', 'y2'],
          attributes: { axis: { int: 0 }, num_outputs: { int: 3 } },
        },
      ],
      { x: x.host },
      { y0: 'float32', y1: 'float32', y2: 'float32' },
    );
    const actual = await runWebnn(
      (b, o) => {
        const [y0, y1, y2] = b.split(o.x, 3);
        return { y0, y1, y2 };
      },
      { x: x.value },
    );
    for (const name of ['y0', 'y1', 'y2'])
      expectClose(actual[name].data, expected[name].data as Float32Array, { atol: 0 });
  });

  test('expand matches ONNX Expand', async () => {
    await expectSameFloats(
      [{ op: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] }],
      { x: floats([3, 1], 210) },
      (b, o) => b.expand(o.x, [2, 3, 4]),
      {
        shape: int64s([2, 3, 4]),
      },
    );
  });

  test.each([
    ['constant', 'constant'],
    ['edge', 'edge'],
    ['reflection', 'reflect'],
  ] as const)('pad mode %s matches ONNX Pad mode %s', async (mode, onnxMode) => {
    const x = floats([3, 4], 211);
    const value: HostTensor = {
      dtype: 'float32',
      dims: [],
      data: Float32Array.of(mode === 'constant' ? 1.5 : 0),
    };
    await expectSameFloats(
      [
        {
          op: 'Pad',
          inputs: ['x', 'pads', 'value'],
          outputs: ['y'],
          attributes: { mode: { string: onnxMode } },
        },
      ],
      { x },
      (b, o) => b.pad(o.x, [1, 2], [2, 3], { mode, value: 1.5 }),
      { pads: int64s([1, 2, 2, 3]), value },
    );
  });

  test('tile matches ONNX Tile', async () => {
    await expectSameFloats(
      [{ op: 'Tile', inputs: ['x', 'repeats'], outputs: ['y'] }],
      { x: floats([2, 3], 212) },
      (b, o) => b.tile(o.x, [3, 2]),
      {
        repeats: int64s([3, 2]),
      },
    );
  });

  test.each([
    [true, 0],
    [true, 2],
    [false, -1],
    [false, 1],
  ])('triangular upper=%s diagonal=%i matches ONNX Trilu', async (upper, diagonal) => {
    await expectSameFloats(
      [{ op: 'Trilu', inputs: ['x', 'k'], outputs: ['y'], attributes: { upper: { int: upper ? 1 : 0 } } }],
      { x: floats([2, 4, 5], 213) },
      (b, o) => b.triangular(o.x, { upper, diagonal }),
      { k: { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(diagonal)) } },
    );
  });

  test('where with broadcasting matches ONNX Where', async () => {
    const condition = Uint8Array.from(randomValues(4, 214, 0, 2), Math.floor);
    const t = floats([3, 4], 215);
    const f = floats([3, 1], 216);
    const expected = await runOnnx(
      [{ op: 'Where', inputs: ['c', 't', 'f'], outputs: ['y'] }],
      { c: { dtype: 'bool', dims: [4], data: condition }, t: t.host, f: f.host },
      { y: 'float32' },
    );
    const actual = await runWebnn((b, o) => b.where(o.c, o.t, o.f), {
      c: { dataType: 'uint8', shape: [4], data: condition.map((v) => v * 3) },
      t: t.value,
      f: f.value,
    });
    expectClose(actual.data, expected.y.data as Float32Array, { atol: 0 });
  });
});

describe('gather and scatter', () => {
  test.each([0, 1])(
    'gather on axis %i with 2-D int64 indices (negative included) matches ONNX Gather',
    async (axis) => {
      const x = floats([4, 5, 3], 221);
      const indices = int64s([0, -1, 2, 1, 3, -4], [2, 3]);
      await expectSameFloats(
        [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: { int: axis } } }],
        {
          x,
          i: {
            value: { dataType: 'int64', shape: [2, 3], data: indices.data as BigInt64Array },
            host: indices,
          },
        },
        (b, o) => b.gather(o.x, o.i, { axis }),
      );
    },
  );

  test('gather with int32 scalar index matches ONNX Gather', async () => {
    const x = floats([4, 6], 222);
    const index: HostTensor = { dtype: 'int32', dims: [], data: Int32Array.of(2) };
    await expectSameFloats(
      [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: { int: 0 } } }],
      { x, i: { value: { dataType: 'int32', shape: [], data: Int32Array.of(2) }, host: index } },
      (b, o) => b.gather(o.x, o.i),
    );
  });

  test('gatherElements on axis 1 matches ONNX GatherElements', async () => {
    const x = floats([3, 4], 223);
    const i = integers('int32', [3, 2], 224, 0, 3);
    await expectSameFloats(
      [{ op: 'GatherElements', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: { int: 1 } } }],
      { x, i },
      (b, o) => b.gatherElements(o.x, o.i, { axis: 1 }),
    );
  });

  test('gatherND matches ONNX GatherND', async () => {
    const x = floats([3, 4, 2], 225);
    const i = int64s([0, 1, 2, 3, 1, 0], [3, 2]);
    await expectSameFloats(
      [{ op: 'GatherND', inputs: ['x', 'i'], outputs: ['y'] }],
      { x, i: { value: { dataType: 'int64', shape: [3, 2], data: i.data as BigInt64Array }, host: i } },
      (b, o) => b.gatherND(o.x, o.i),
    );
  });

  test('scatterElements on axis 0 matches ONNX ScatterElements', async () => {
    const x = floats([4, 3], 226);
    const i = int64s([3, 1, 0, 2, 0, 1], [2, 3]);
    const u = floats([2, 3], 227);
    await expectSameFloats(
      [{ op: 'ScatterElements', inputs: ['x', 'i', 'u'], outputs: ['y'], attributes: { axis: { int: 0 } } }],
      { x, i: { value: { dataType: 'int64', shape: [2, 3], data: i.data as BigInt64Array }, host: i }, u },
      (b, o) => b.scatterElements(o.x, o.i, o.u),
    );
  });

  test('scatterND with row updates matches ONNX ScatterND', async () => {
    const x = floats([4, 3], 228);
    const i = int64s([2, 0], [2, 1]);
    const u = floats([2, 3], 229);
    await expectSameFloats(
      [{ op: 'ScatterND', inputs: ['x', 'i', 'u'], outputs: ['y'] }],
      { x, i: { value: { dataType: 'int64', shape: [2, 1], data: i.data as BigInt64Array }, host: i }, u },
      (b, o) => b.scatterND(o.x, o.i, o.u),
    );
  });
});

describe('quantization', () => {
  const quantized = (
    dataType: 'int8' | 'uint8' | 'int4' | 'uint4',
    values: number[],
    dims: number[],
  ): { value: Value; host: HostTensor } => {
    const unpacked = dataType.startsWith('u') ? Uint8Array.from(values) : Int8Array.from(values);
    const packed = dataType.endsWith('4') ? packSubByte(unpacked, 4) : new Uint8Array(unpacked.buffer);
    return {
      value: { dataType, shape: dims, data: dataType === 'int8' ? (unpacked as Int8Array) : packed },
      host: { dtype: dataType, dims, data: unpacked } as HostTensor,
    };
  };

  test.each([
    ['int8', -128, 127],
    ['uint8', 0, 255],
    ['int4', -8, 7],
    ['uint4', 0, 15],
  ] as const)('dequantizeLinear per-axis on %s matches ONNX DequantizeLinear', async (dataType, min, max) => {
    const values = randomValues(4 * 6, 231, min, max + 1).map(Math.floor);
    const x = quantized(dataType, values, [4, 6]);
    const scale = floats([4], 232, 0.01, 0.5);
    const zero = quantized(dataType, randomValues(4, 233, min, max + 1).map(Math.floor), [4]);
    // onnxruntime-node cannot feed 4-bit tensors: they enter the ONNX model as initializers.
    const fourBit = dataType.endsWith('4');
    const expected = await runOnnx(
      [{ op: 'DequantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes: { axis: { int: 0 } } }],
      fourBit ? {} : { x: x.host },
      { y: 'float32' },
      { initializers: { s: scale.host, z: zero.host, ...(fourBit ? { x: x.host } : {}) } },
    );
    const actual = await runWebnn((b, o) => b.dequantizeLinear(o.x, o.s, o.z), {
      x: x.value,
      s: { ...scale.value, shape: [4, 1] },
      z: { ...zero.value, shape: [4, 1] },
    });
    expectClose(actual.data, expected.y.data as Float32Array, { rtol: 2 ** -23 });
  });

  test('block-wise dequantizeLinear (int4, blocks of 4 along axis 1) matches ONNX block_size', async () => {
    const values = randomValues(3 * 8, 234, -8, 8).map(Math.floor);
    const x = quantized('int4', values, [3, 8]);
    const scale = floats([3, 2], 235, 0.01, 0.5);
    const zero = quantized('int4', randomValues(6, 236, -8, 8).map(Math.floor), [3, 2]);
    const attributes: Record<string, Attr> = { axis: { int: 1 }, block_size: { int: 4 } };
    const expected = await runOnnx(
      [{ op: 'DequantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attributes }],
      {},
      { y: 'float32' },
      { initializers: { x: x.host, s: scale.host, z: zero.host } },
    );
    const actual = await runWebnn(
      (b, o) => b.dequantizeLinear(o.x, o.s, o.z),
      { x: x.value, s: scale.value, z: zero.value },
      ['x', 'z'],
    );
    expectClose(actual.data, expected.y.data as Float32Array, { rtol: 2 ** -23 });
  });

  test.each(['int8', 'uint8', 'int4'] as const)(
    'quantizeLinear to %s (round half to even, saturating) matches ONNX QuantizeLinear',
    async (dataType) => {
      const x = floats([2, 10], 237, -4, 4);
      (x.value.data as Float32Array).set([0.25, 0.75, -0.25, -0.75, 100, -100]);
      const scale: HostTensor = { dtype: 'float32', dims: [], data: Float32Array.of(0.5) };
      const zero = quantized(dataType, [dataType === 'uint8' ? 3 : -1], []);
      // onnxruntime-node cannot return 4-bit tensors: the ONNX model casts the result to int8.
      const expected = await runOnnx(
        [
          { op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'] },
          {
            op: 'Cast',
            inputs: ['q'],
            outputs: ['y'],
            attributes: { to: { int: dataType === 'uint8' ? 2 : 3 } },
          },
        ],
        { x: x.host },
        { y: dataType === 'uint8' ? 'uint8' : 'int8' },
        { initializers: { s: scale, z: zero.host } },
      );
      const actual = await runWebnn((b, o) => b.quantizeLinear(o.x, o.s, o.z), {
        x: x.value,
        s: { dataType: 'float32', shape: [1, 1], data: Float32Array.of(0.5) },
        z: { ...zero.value, shape: [1, 1] },
      });
      const unpacked =
        dataType === 'int4'
          ? Array.from({ length: 20 }, (_, i) => {
              const nibble = ((actual.data as Uint8Array)[i >> 1] >> ((i & 1) * 4)) & 15;
              return nibble >= 8 ? nibble - 16 : nibble;
            })
          : Array.from(actual.data as Int8Array);
      expect(unpacked).toEqual(Array.from(expected.y.data as Int8Array));
    },
  );
});
