// Operand data types of the WebNN reference runtime: how each type is stored (one typed-array
// element per tensor element; float16 as Uint16Array bits; int4/uint4 unpacked to one byte),
// its packed byte layout (little-endian; 4-bit types two per byte, low nibble first), float16
// rounding, and the spec's numeric conversions: `cast` for MLNumber options (ConvertToFloat /
// ConvertToInt) and the cast() operator's element conversion.
//   const bits = encodeFloat16(Float32Array.of(0.1));   // Uint16Array [0x2e66]
//   castNumber(300, 'uint8');                            // 255 (clamped, spec ConvertToInt)

import { floor, max, min, trunc } from './fast-math.js';
import type { MLOperandDataType } from './types.js';

export const ALL_DATA_TYPES: readonly MLOperandDataType[] = [
  'float32',
  'float16',
  'int64',
  'uint64',
  'int32',
  'uint32',
  'int8',
  'uint8',
  'int4',
  'uint4',
];

/** Storage of a tensor's elements: one typed-array element per tensor element. */
export type StorageArray =
  | Float32Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Int8Array
  | Uint8Array;

/** Element-wise read/write view over any StorageArray (for dtype-agnostic data movement). */
export interface ElementStore {
  [index: number]: number | bigint;
  readonly length: number;
}

/** A tensor value inside the runtime: data in storage layout, shape and type. */
export interface RuntimeTensor {
  readonly dataType: MLOperandDataType;
  readonly shape: readonly number[];
  readonly data: StorageArray;
  /** Lazily computed float32 copy of non-float32 data (kept for constants across runs). */
  float32Cache?: Float32Array;
}

export function isDataType(value: unknown): value is MLOperandDataType {
  return typeof value === 'string' && (ALL_DATA_TYPES as readonly string[]).includes(value);
}

export function isFloatType(t: MLOperandDataType): boolean {
  return t === 'float32' || t === 'float16';
}

export function isBigIntType(t: MLOperandDataType): boolean {
  return t === 'int64' || t === 'uint64';
}

const BITS: Record<MLOperandDataType, number> = {
  float32: 32,
  float16: 16,
  int64: 64,
  uint64: 64,
  int32: 32,
  uint32: 32,
  int8: 8,
  uint8: 8,
  int4: 4,
  uint4: 4,
};

/** Packed bytes of `elementCount` elements (4-bit types: two per byte, rounded up). */
export function byteLengthOf(dataType: MLOperandDataType, elementCount: number): number {
  return Math.ceil((elementCount * BITS[dataType]) / 8);
}

export function elementCountOf(shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) count *= d;
  return count;
}

/** Inclusive integer range of an integer type, as numbers (int64/uint64 bounds are approximate). */
export function integerRange(t: MLOperandDataType): [number, number] {
  const bits = BITS[t];
  return t.startsWith('u') ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

export function allocateStorage(dataType: MLOperandDataType, count: number): StorageArray {
  switch (dataType) {
    case 'float32':
      return new Float32Array(count);
    case 'float16':
      return new Uint16Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'uint64':
      return new BigUint64Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'uint32':
      return new Uint32Array(count);
    case 'int8':
    case 'int4':
      return new Int8Array(count);
    case 'uint8':
    case 'uint4':
      return new Uint8Array(count);
  }
}

/** Decodes packed little-endian bytes into storage of `count` elements. */
export function storageFromBytes(
  dataType: MLOperandDataType,
  bytes: Uint8Array,
  count: number,
): StorageArray {
  const out = allocateStorage(dataType, count);
  if (dataType === 'int4' || dataType === 'uint4') {
    for (let i = 0; i < count; i++) {
      const nibble = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
      out[i] = dataType === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
    }
    return out;
  }
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, out.byteLength));
  return out;
}

/** Encodes storage as packed little-endian bytes (a fresh copy). */
export function storageToBytes(dataType: MLOperandDataType, data: StorageArray): Uint8Array {
  if (dataType === 'int4' || dataType === 'uint4') {
    const out = new Uint8Array(byteLengthOf(dataType, data.length));
    const values = data as Int8Array | Uint8Array;
    for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 0xf) << ((i & 1) * 4);
    return out;
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

// ---- float16 ----

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);
let float16Table: Float32Array | undefined;

function buildFloat16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) table[bits] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[bits] = mantissa ? NaN : sign * Infinity;
    else table[bits] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}

export function float16BitsToNumber(bits: number): number {
  float16Table ??= buildFloat16Table();
  return float16Table[bits & 0xffff];
}

/** Rounds `value` (via float32) to the nearest float16, ties to even; returns the bits. */
export function numberToFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  const x = scratchBits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const halfExponent = exponent - 112;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function decodeFloat16(bits: Uint16Array): Float32Array {
  float16Table ??= buildFloat16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16Table[bits[i]];
  return out;
}

export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = numberToFloat16Bits(values[i]);
  return out;
}

// ---- reading values ----

/** The tensor's values as float32 (the data itself for float32; cached for other types). */
export function asFloat32(t: RuntimeTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.float32Cache) return t.float32Cache;
  let out: Float32Array;
  if (t.dataType === 'float16') out = decodeFloat16(t.data as Uint16Array);
  else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    out = new Float32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  } else out = Float32Array.from(t.data as ArrayLike<number>);
  t.float32Cache = out;
  return out;
}

/** The tensor's values as doubles (exact for every type but 64-bit integers beyond 2^53). */
export function asFloat64(t: RuntimeTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  if (t.dataType === 'float16') {
    const values = asFloat32(t);
    for (let i = 0; i < out.length; i++) out[i] = values[i];
  } else if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  } else out.set(t.data as ArrayLike<number>);
  return out;
}

/** Index-like values (gather indices, …) as plain numbers. */
export function asIndices(t: RuntimeTensor): Float64Array {
  return asFloat64(t);
}

// ---- writing values ----

/**
 * Stores computed numbers as `dataType`: floats round to nearest (float16 via float32),
 * integers truncate toward zero and wrap to the type's width (two's complement), as
 * integer arithmetic does.
 */
export function storeNumbers(dataType: MLOperandDataType, values: ArrayLike<number>): StorageArray {
  const count = values.length;
  switch (dataType) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values);
    case 'float16':
      return encodeFloat16(values);
    case 'int64':
    case 'uint64': {
      const out = allocateStorage(dataType, count) as BigInt64Array | BigUint64Array;
      const bits = 64;
      for (let i = 0; i < count; i++) {
        const v = values[i];
        const whole = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
        out[i] = dataType === 'int64' ? BigInt.asIntN(bits, whole) : BigInt.asUintN(bits, whole);
      }
      return out;
    }
    case 'int4':
    case 'uint4': {
      const out = allocateStorage(dataType, count) as Int8Array | Uint8Array;
      for (let i = 0; i < count; i++) {
        const v = values[i];
        const nibble = (v - v === 0 ? trunc(v) : 0) & 0xf;
        out[i] = dataType === 'int4' && nibble >= 8 ? nibble - 16 : nibble;
      }
      return out;
    }
    default: {
      const out = allocateStorage(dataType, count) as Int32Array | Uint32Array | Int8Array | Uint8Array;
      // Typed-array stores truncate and wrap modulo 2^bits (ECMAScript ToInt32/ToUint8/…).
      for (let i = 0; i < count; i++) out[i] = values[i];
      return out;
    }
  }
}

/**
 * The spec's `cast` of an abstract number to `dataType` (used for MLNumber options and scalar
 * constants): floats round to nearest with overflow to ±Infinity; integers clamp to the
 * type's range, NaN → 0, then round half to even.
 */
export function castNumber(value: number | bigint, dataType: MLOperandDataType): number | bigint {
  if (dataType === 'float32') return Math.fround(Number(value));
  if (dataType === 'float16') return float16BitsToNumber(numberToFloat16Bits(Number(value)));
  if (isBigIntType(dataType)) {
    const [low, high] = dataType === 'int64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
    let whole: bigint;
    if (typeof value === 'bigint') whole = value;
    else if (Number.isNaN(value)) return 0n;
    else if (value === Infinity) return high;
    else if (value === -Infinity) return low;
    else whole = BigInt(roundHalfToEven(value));
    return whole < low ? low : whole > high ? high : whole;
  }
  const [low, high] = integerRange(dataType);
  const x = Number(value);
  if (Number.isNaN(x)) return 0;
  const rounded = roundHalfToEven(Math.min(Math.max(x, low), high));
  return rounded === 0 ? 0 : rounded;
}

/** Rounds to the nearest integer, halves to even; keeps the sign of zero (-0.5 → -0). */
export function roundHalfToEven(x: number): number {
  const down = floor(x);
  const diff = x - down;
  const rounded = diff < 0.5 ? down : diff > 0.5 ? down + 1 : down % 2 === 0 ? down : down + 1;
  return rounded === 0 && (x < 0 || 1 / x < 0) ? -0 : rounded;
}

/**
 * The cast() operator's element conversion between storage types (spec table): float → float
 * rounds to nearest; float → integer truncates toward zero (out of range is implementation-
 * defined: this runtime saturates, NaN → 0); integer → float rounds to nearest; integer →
 * integer keeps the value in range and otherwise the lowest bits (two's complement).
 */
export function castStorage(source: RuntimeTensor, targetType: MLOperandDataType): StorageArray {
  const from = source.dataType;
  const count = source.data.length;
  if (isFloatType(targetType)) return storeNumbers(targetType, asFloat32OrExact(source));
  if (isFloatType(from)) {
    const values = asFloat32(source);
    const out = allocateStorage(targetType, count);
    const [low, high] = integerRange(targetType);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      const t = v !== v ? 0 : trunc(min(max(v, low), high));
      (out as ElementStore)[i] = isBigIntType(targetType) ? BigInt(t) : t;
    }
    return out;
  }
  // integer → integer: lowest N bits, two's complement.
  const out = allocateStorage(targetType, count);
  if (!isBigIntType(from) && !isBigIntType(targetType) && BITS[targetType] >= 8) {
    // Typed-array stores of integers wrap modulo 2^bits already.
    (out as Int32Array).set(source.data as Int32Array);
    return out;
  }
  const bits = BITS[targetType];
  const signed = !targetType.startsWith('u');
  const src = source.data as ElementStore;
  for (let i = 0; i < count; i++) {
    const v = BigInt(src[i]);
    const wrapped = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
    (out as ElementStore)[i] = isBigIntType(targetType) ? wrapped : Number(wrapped);
  }
  return out;
}

/** Values for conversion to a float type: float32 view for floats, exact doubles otherwise. */
function asFloat32OrExact(t: RuntimeTensor): ArrayLike<number> {
  return isFloatType(t.dataType) ? asFloat32(t) : asFloat64(t);
}
