// Covers src/onnx/tensor.ts: tensorFromProto on raw_data and on every typed field (the
// typed_fields.onnx and opset9_constants.onnx fixtures against the values
// scripts/make-test-models.py generates, and hand-built raw vs typed encodings of each
// dtype, through the protobuf wire format), float16/bfloat16 bit conversions (exact patterns,
// subnormals, round to nearest even), 4- and 2-bit packing with sign extension, size
// mismatches as UserErrors, and tensorToProto → tensorFromProto round trips (int64 beyond 2^53).

import Long from 'long';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { ONNX_DTYPE_CODE, type DType, type HostTensor } from '../../src/onnx/dtype.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import { onnx, type GraphProto, type TensorProto } from '../../src/onnx/proto/index.js';
import {
  bfloat16BitsToNumber,
  decodeRawData,
  encodeRawData,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  packedByteLength,
  packSubByte,
  tensorByteLength,
  tensorFromProto,
  tensorToProto,
  unpackSubByte,
} from '../../src/onnx/tensor.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');

/** Encodes and decodes a TensorProto, so tests see what a file read gives (int64 as Long, bytes views). */
function viaWire(t: onnx.ITensorProto): TensorProto {
  return onnx.TensorProto.decode(onnx.TensorProto.encode(t as TensorProto).finish());
}

/** Float32 values as their bit patterns, so -0, NaN and exact values compare exactly. */
function f32Bits(data: unknown): number[] {
  const a = data as Float32Array;
  return [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
}

const hex = (bits: number): string => `0x${bits.toString(16).padStart(4, '0')}`;

function values(t: HostTensor): (number | bigint | string)[] {
  return Array.from(t.data as ArrayLike<number | bigint | string>);
}

function expectUserError(fn: () => unknown, ...patterns: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  for (const p of patterns) expect((caught as Error).message).toMatch(p);
}

/** Little-endian bytes written with DataView, independent of tensor.ts. */
function leBytes(
  size: number,
  count: number,
  put: (v: DataView, offset: number, i: number) => void,
): Uint8Array {
  const buf = new ArrayBuffer(size * count);
  const view = new DataView(buf);
  for (let i = 0; i < count; i++) put(view, i * size, i);
  return new Uint8Array(buf);
}

describe('tensorFromProto on the fixtures', () => {
  const typed = readModel(path.join(MODELS, 'typed_fields.onnx'));
  const typedInits = typed.proto.graph!.initializer as TensorProto[];
  const init = new Map(typedInits.map((t) => [t.name, t]));
  const decoded = (name: string): HostTensor => tensorFromProto(init.get(name)!, 'typed_fields.onnx');

  test('typed_fields.onnx stores every initializer in a typed field, none in raw_data', () => {
    expect(
      typedInits.map(
        (t) =>
          `${t.name}:${t.rawData.length}/${t.floatData.length}/${t.int32Data.length}/${t.int64Data.length}`,
      ),
    ).toEqual([
      'scale_f16:0/0/4/0',
      'offset_f32:0/4/0/0',
      'offset_i32:0/0/4/0',
      'bias_u8:0/0/4/0',
      'u8_scale:0/1/0/0',
      'keep_mask:0/0/4/0',
      'perm:0/0/0/4',
    ]);
  });

  // Values from make-test-models.py (numpy RandomState(9): randf(4) as float16, then randf(4)).
  test('float16 in int32_data: scale_f16 bit patterns', () => {
    const t = decoded('scale_f16');
    expect([t.dtype, t.dims, t.data.constructor.name]).toEqual(['float16', [4], 'Uint16Array']);
    expect(values(t)).toEqual([0x108a, 0xb0a2, 0xb877, 0x9e99]);
    expect(values(t).map((b) => float16BitsToNumber(b as number))).toEqual([
      // sign · (1 + mantissa/1024) · 2^(exponent − 15), from the bit fields
      (1 + 138 / 1024) * 2 ** -11,
      -(1 + 162 / 1024) * 2 ** -3,
      -(1 + 119 / 1024) * 2 ** -1,
      -(1 + 665 / 1024) * 2 ** -8,
    ]);
  });

  test('float32 in float_data: offset_f32 and u8_scale', () => {
    expect(f32Bits(decoded('offset_f32').data)).toEqual([0xbe41b898, 0xbe765760, 0xbf4237e8, 0xbe7b5393]);
    expect(values(decoded('u8_scale'))).toEqual([Math.fround(0.01)]);
  });

  test('int32, uint8 and bool in int32_data; int64 in int64_data', () => {
    expect([decoded('offset_i32').data.constructor.name, ...values(decoded('offset_i32'))]).toEqual([
      'Int32Array',
      1,
      -2,
      3,
      -4,
    ]);
    expect([decoded('bias_u8').data.constructor.name, ...values(decoded('bias_u8'))]).toEqual([
      'Uint8Array',
      0,
      7,
      128,
      255,
    ]);
    expect([decoded('keep_mask').dtype, ...values(decoded('keep_mask'))]).toEqual(['bool', 1, 0, 1, 1]);
    expect([decoded('perm').data.constructor.name, ...values(decoded('perm'))]).toEqual([
      'BigInt64Array',
      3n,
      1n,
      0n,
      2n,
    ]);
  });

  test('opset9_constants.onnx: Constant weights in raw_data and B2 in float_data', () => {
    const m = readModel(path.join(MODELS, 'opset9_constants.onnx'));
    const c = new Graph(m.proto.graph as GraphProto, 'opset9_constants.onnx').constants();
    const w1 = tensorFromProto(c.get('W1')!, 'opset9');
    const b2 = tensorFromProto(c.get('B2')!, 'opset9');
    expect(c.get('W1')!.rawData.length).toBe(16 * 8 * 4);
    expect(c.get('B2')!.floatData.length).toBe(4);
    expect(w1.dims).toEqual([16, 8]);
    expect(f32Bits(w1.data).slice(0, 3)).toEqual([1062201997, 3197934609, 3196532292]);
    expect(f32Bits(b2.data)).toEqual([0xbde531e1, 0x3e484d6f, 0xbd05bbf4, 0xbe097d71]);
  });

  test('typed fixture values re-encoded as raw_data decode to the same values', () => {
    for (const t of typedInits) {
      const host = tensorFromProto(t, 'typed_fields.onnx');
      const raw = viaWire(tensorToProto(t.name, host));
      expect(raw.rawData.length).toBe(packedByteLength(host.dtype, host.data.length));
      expect(tensorFromProto(raw, 'raw')).toEqual(host);
    }
  });
});

/** Each dtype: values, the typed field that holds them, and independent little-endian bytes. */
interface Case {
  dtype: DType;
  values: number[] | bigint[];
  typed: onnx.ITensorProto;
  raw: Uint8Array;
}

const I64_EXTREMES = [
  -9223372036854775808n,
  -9223372036854775807n,
  -(2n ** 53n) - 1n,
  0n,
  2n ** 53n + 1n,
  9223372036854775807n,
];
const U64_EXTREMES = [0n, 2n ** 53n + 1n, 2n ** 63n, 18446744073709551615n];
const F32 = [1.5, -0, -2.75, 3.4028234663852886e38, 1.401298464324817e-45];
const F64 = [Math.PI, -0, 1e-310, -1.7976931348623157e308];

const CASES: Case[] = [
  {
    dtype: 'float32',
    values: F32,
    typed: { floatData: F32 },
    raw: leBytes(4, F32.length, (v, o, i) => v.setFloat32(o, F32[i], true)),
  },
  {
    dtype: 'float64',
    values: F64,
    typed: { doubleData: F64 },
    raw: leBytes(8, F64.length, (v, o, i) => v.setFloat64(o, F64[i], true)),
  },
  {
    dtype: 'int64',
    values: I64_EXTREMES,
    typed: { int64Data: I64_EXTREMES.map((b) => Long.fromString(b.toString(), false)) },
    raw: leBytes(8, I64_EXTREMES.length, (v, o, i) => v.setBigInt64(o, I64_EXTREMES[i], true)),
  },
  {
    dtype: 'uint64',
    values: U64_EXTREMES,
    typed: { uint64Data: U64_EXTREMES.map((b) => Long.fromString(b.toString(), true)) },
    raw: leBytes(8, U64_EXTREMES.length, (v, o, i) => v.setBigUint64(o, U64_EXTREMES[i], true)),
  },
  ...(
    [
      ['int32', [-2147483648, -1, 0, 2147483647], 4, 'setInt32'],
      ['int16', [-32768, -1, 7, 32767], 2, 'setInt16'],
      ['int8', [-128, -1, 0, 127], 1, 'setInt8'],
      ['uint16', [0, 1, 40000, 65535], 2, 'setUint16'],
      ['uint8', [0, 1, 128, 255], 1, 'setUint8'],
      ['bool', [1, 0, 0, 1], 1, 'setUint8'],
      ['float16', [0x3c00, 0xc000, 0x7bff, 0x0001, 0xfc00], 2, 'setUint16'],
      ['bfloat16', [0x3f80, 0xc000, 0x7f80, 0x0001, 0x8000], 2, 'setUint16'],
    ] as const
  ).map(([dtype, vals, size, setter]): Case => ({
    dtype,
    values: [...vals],
    typed: { int32Data: [...vals] },
    raw: leBytes(size, vals.length, (v, o, i) =>
      (v[setter] as (o: number, x: number, le: boolean) => void).call(v, o, vals[i], true),
    ),
  })),
  {
    dtype: 'uint32',
    values: [0, 1, 4294967295],
    typed: { uint64Data: [0, 1, 4294967295] },
    raw: leBytes(4, 3, (v, o, i) => v.setUint32(o, [0, 1, 4294967295][i], true)),
  },
  // Sub-byte types: packed two (4-bit) or four (2-bit) to a byte, low bits first; typed in int32_data, one byte each.
  {
    dtype: 'int4',
    values: [-8, 7, -1, 0, 3],
    typed: { int32Data: [0x78, 0x0f, 0x03] },
    raw: Uint8Array.of(0x78, 0x0f, 0x03),
  },
  { dtype: 'uint4', values: [15, 0, 9], typed: { int32Data: [0x0f, 0x09] }, raw: Uint8Array.of(0x0f, 0x09) },
  {
    dtype: 'int2',
    values: [-2, -1, 0, 1, 1],
    typed: { int32Data: [0x4e, 0x01] },
    raw: Uint8Array.of(0x4e, 0x01),
  },
  {
    dtype: 'uint2',
    values: [3, 2, 1, 0, 3, 3],
    typed: { int32Data: [0x1b, 0x0f] },
    raw: Uint8Array.of(0x1b, 0x0f),
  },
];

describe('tensorFromProto: raw_data and typed fields agree for every dtype', () => {
  test('every numeric dtype has a case', () => {
    expect(CASES.map((c) => c.dtype).sort()).toEqual(
      (Object.keys(ONNX_DTYPE_CODE) as DType[]).filter((d) => d !== 'string').sort(),
    );
  });

  test.each(CASES.map((c) => [c.dtype, c]))('%s', (_d, c) => {
    const header = { name: c.dtype, dataType: ONNX_DTYPE_CODE[c.dtype], dims: [c.values.length] };
    const fromTyped = tensorFromProto(viaWire({ ...header, ...c.typed }), 'typed');
    const fromRaw = tensorFromProto(viaWire({ ...header, rawData: c.raw }), 'raw');
    for (const t of [fromTyped, fromRaw]) {
      expect(t.dtype).toBe(c.dtype);
      expect(t.dims).toEqual([c.values.length]);
      expect(values(t).map((v) => (typeof v === 'number' && Object.is(v, -0) ? '-0' : v))).toEqual(
        (c.values as (number | bigint)[]).map((v) => (Object.is(v, -0) ? '-0' : v)),
      );
    }
    expect(fromRaw.data.constructor).toBe(fromTyped.data.constructor);
    // tensorToProto writes raw_data with exactly these bytes, and reads back the same tensor.
    const proto = tensorToProto('t', fromTyped);
    expect([...proto.rawData]).toEqual([...c.raw]);
    expect(tensorFromProto(viaWire(proto), 'again')).toEqual(fromTyped);
    expect(tensorByteLength(proto)).toBe(c.raw.length);
  });

  test('string tensors read string_data and round-trip through tensorToProto', () => {
    const t: HostTensor = { dtype: 'string', dims: [3], data: ['a', '', 'héllo ✓'] };
    const proto = viaWire(tensorToProto('s', t));
    expect(proto.rawData.length).toBe(0);
    expect(proto.stringData.map((b) => Buffer.from(b).toString('utf8'))).toEqual(['a', '', 'héllo ✓']);
    expect(tensorFromProto(proto, 's')).toEqual(t);
  });

  test('a scalar and an empty tensor', () => {
    const scalar = tensorFromProto(viaWire({ name: 's', dataType: 1, dims: [], floatData: [2.5] }), 'm');
    expect([scalar.dims, values(scalar)]).toEqual([[], [2.5]]);
    const empty = tensorFromProto(viaWire({ name: 'e', dataType: 1, dims: [0, 3] }), 'm');
    expect([empty.dims, empty.data.length]).toEqual([[0, 3], 0]);
  });

  test('int64 beyond 2^53 survives tensorToProto → bytes → tensorFromProto exactly', () => {
    const t: HostTensor = {
      dtype: 'int64',
      dims: [2],
      data: BigInt64Array.of(-9223372036854775807n, 9223372036854775807n),
    };
    const proto = viaWire(tensorToProto('big', t));
    expect(Buffer.from(proto.rawData).toString('hex')).toBe('0100000000000080' + 'ffffffffffffff7f');
    expect(values(tensorFromProto(proto, 'm'))).toEqual([-9223372036854775807n, 9223372036854775807n]);
  });
});

describe('size mismatches', () => {
  test('raw_data shorter or longer than the shape needs is a UserError naming the tensor', () => {
    expectUserError(
      () =>
        tensorFromProto(
          viaWire({ name: 'w', dataType: 1, dims: [2], rawData: new Uint8Array(7) }),
          'model.onnx',
        ),
      'model.onnx',
      '"w"',
      'holds 7 bytes',
      'needs 8',
    );
    expectUserError(
      () =>
        tensorFromProto(
          viaWire({ name: 'q', dataType: ONNX_DTYPE_CODE.int4, dims: [5], rawData: new Uint8Array(2) }),
          'm.onnx',
        ),
      '"q"',
      'holds 2 bytes',
      'needs 3',
    );
  });

  test('a typed field with the wrong number of values is a UserError', () => {
    expectUserError(
      () =>
        tensorFromProto(
          viaWire({ name: 'v', dataType: 1, dims: [2, 2], floatData: [1, 2, 3] }),
          'model.onnx',
        ),
      '"v"',
      'holds 3 values',
      'needs 4',
    );
  });

  test('a negative dim and an unsupported element type are UserErrors', () => {
    expectUserError(
      () => tensorFromProto(viaWire({ name: 'n', dataType: 1, dims: [-1] }), 'm.onnx'),
      '"n"',
      'invalid dim -1',
    );
    expectUserError(
      () => tensorFromProto(viaWire({ name: 'c', dataType: 14, dims: [1] }), 'm.onnx'),
      '"c"',
      'element type 14',
    );
  });
});

describe('float16', () => {
  test.each(
    [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [-0, 0x8000],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -15, 0x0200], // a subnormal
      [2 ** -14, 0x0400], // smallest normal
      [1 + 2 ** -11, 0x3c00], // halfway between 0x3c00 and 0x3c01: to even
      [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02: to even
      [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above halfway: up
      [2 ** -25, 0x0000], // half the smallest subnormal: to even (zero)
      [3 * 2 ** -25, 0x0002], // halfway between subnormals 1 and 2: to even
      [65519, 0x7bff], // below halfway to 65536
      [65520, 0x7c00], // halfway between 65504 and 65536: to even, which overflows to Infinity
    ].map(([v, b]) => [v, hex(b), v, b]),
  )('%d → %s', (_label, _hex, value, bits) => {
    expect(numberToFloat16Bits(value)).toBe(bits);
  });

  test('NaN gives a NaN pattern; bit patterns decode exactly', () => {
    const nan = numberToFloat16Bits(NaN);
    expect([nan & 0x7c00, (nan & 0x03ff) !== 0]).toEqual([0x7c00, true]);
    expect([0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x0001, 0x03ff, 0x8000].map(float16BitsToNumber)).toEqual(
      [1, -2, 65504, Infinity, -Infinity, 2 ** -24, 1023 * 2 ** -24, -0],
    );
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });
});

describe('bfloat16', () => {
  test.each(
    [
      [1, 0x3f80],
      [-2, 0xc000],
      [65504, 0x4780], // float32 0x477fe000 rounds up to 65536
      [Infinity, 0x7f80],
      [-Infinity, 0xff80],
      [-0, 0x8000],
      [2 ** -133, 0x0001], // smallest bfloat16 subnormal
      [2 ** -149, 0x0000], // smallest float32 subnormal is below half of it
      [1 + 2 ** -8, 0x3f80], // halfway between 0x3f80 and 0x3f81: to even
      [1 + 3 * 2 ** -8, 0x3f82], // halfway between 0x3f81 and 0x3f82: to even
      [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above halfway: up
      [3.4028234663852886e38, 0x7f80], // float32 max rounds to Infinity
    ].map(([v, b]) => [v, hex(b), v, b]),
  )('%d → %s', (_label, _hex, value, bits) => {
    expect(numberToBfloat16Bits(value)).toBe(bits);
  });

  test('NaN gives 0x7fc0; bit patterns decode exactly', () => {
    expect(numberToBfloat16Bits(NaN)).toBe(0x7fc0);
    expect([0x3f80, 0xc000, 0x7f80, 0xff80, 0x0001, 0x4780].map(bfloat16BitsToNumber)).toEqual([
      1,
      -2,
      Infinity,
      -Infinity,
      2 ** -133,
      65536,
    ]);
    expect(bfloat16BitsToNumber(0x7fc0)).toBeNaN();
    expect(bfloat16BitsToNumber(0xffc1)).toBeNaN();
  });
});

describe('packSubByte / unpackSubByte', () => {
  test('int4 [-8, 7, -1, 0, 3] packs to [0x78, 0x0F, 0x03] and sign-extends back', () => {
    const packed = packSubByte(Int8Array.of(-8, 7, -1, 0, 3), 4);
    expect([...packed]).toEqual([0x78, 0x0f, 0x03]);
    const back = unpackSubByte(packed, 5, 4, true);
    expect([back.constructor.name, ...back]).toEqual(['Int8Array', -8, 7, -1, 0, 3]);
  });

  test('the same nibbles read unsigned are 0..15', () => {
    expect([...unpackSubByte(Uint8Array.of(0x78, 0x0f, 0x03), 5, 4, false)]).toEqual([8, 7, 15, 0, 3]);
    expect([...packSubByte(Uint8Array.of(15, 0, 9), 4)]).toEqual([0x0f, 0x09]);
  });

  test('2-bit: four values a byte, low bits first, sign-extended for int2', () => {
    expect([...packSubByte(Int8Array.of(-2, -1, 0, 1, 1), 2)]).toEqual([0x4e, 0x01]);
    expect([...unpackSubByte(Uint8Array.of(0x4e, 0x01), 5, 2, true)]).toEqual([-2, -1, 0, 1, 1]);
    expect([...packSubByte(Uint8Array.of(3, 2, 1, 0, 3, 3), 2)]).toEqual([0x1b, 0x0f]);
    expect([...unpackSubByte(Uint8Array.of(0x1b, 0x0f), 6, 2, false)]).toEqual([3, 2, 1, 0, 3, 3]);
    expect([...unpackSubByte(Uint8Array.of(0xe4), 4, 2, true)]).toEqual([0, 1, -2, -1]);
  });

  test('odd lengths: the unused high bits of the last byte are zero when packing and ignored when unpacking', () => {
    expect([...packSubByte(Int8Array.of(-1), 4)]).toEqual([0x0f]);
    expect([...packSubByte(Int8Array.of(-1, -1, -1), 2)]).toEqual([0x3f]);
    expect([...unpackSubByte(Uint8Array.of(0x78, 0xff), 3, 4, true)]).toEqual([-8, 7, -1]);
    expect([...unpackSubByte(Uint8Array.of(0xff), 1, 2, true)]).toEqual([-1]);
    expect(packSubByte(new Int8Array(0), 4).length).toBe(0);
  });

  test('every int4 and int2 value round-trips', () => {
    const int4 = Int8Array.from({ length: 16 }, (_, i) => i - 8);
    expect([...unpackSubByte(packSubByte(int4, 4), 16, 4, true)]).toEqual([...int4]);
    const int2 = Int8Array.of(-2, -1, 0, 1, 1, 0, -1);
    expect([...unpackSubByte(packSubByte(int2, 2), 7, 2, true)]).toEqual([...int2]);
  });

  test('decodeRawData / encodeRawData use the same packing for int4 tensors', () => {
    expect([...encodeRawData({ dtype: 'int4', dims: [5], data: Int8Array.of(-8, 7, -1, 0, 3) })]).toEqual([
      0x78, 0x0f, 0x03,
    ]);
    expect([...(decodeRawData('uint2', Uint8Array.of(0x1b), 4) as Uint8Array)]).toEqual([3, 2, 1, 0]);
  });
});
