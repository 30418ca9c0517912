// TensorProto ↔ HostTensor: decodes raw_data and the typed fields (float_data,
// int32_data, int64_data, …) into typed arrays, packs/unpacks 4- and 2-bit integers,
// converts float16/bfloat16 bits, and builds new TensorProtos.
//   const t = tensorFromProto(initializer, 'model.onnx'); t.data // Float32Array
//   const p = tensorToProto('w', { dtype: 'float32', dims: [2], data: Float32Array.of(1, 2) });

import { getFloat16, setFloat16 } from '@petamoriken/float16';
import { UserError } from '../errors.js';
import {
  allocateData,
  DTYPE_BITS,
  dtypeFromOnnxOrThrow,
  elementCount,
  ONNX_DTYPE_CODE,
  type DType,
  type HostTensor,
  type TensorData,
} from './dtype.js';
import { lazyRef, readLazyBytes } from './lazy-data.js';
import { int64ToBigInt, int64ToNumber, onnx, type TensorProto } from './proto/index.js';

/** Dims of a TensorProto as numbers; rejects negative or non-safe dims. */
export function tensorDims(t: TensorProto, where: string): number[] {
  const dims = (t.dims ?? []).map((d) => int64ToNumber(d));
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new UserError(`${where}: tensor "${t.name}" has an invalid dim ${d}.`);
    count *= d;
    if (!Number.isSafeInteger(count)) {
      throw new UserError(
        `${where}: tensor "${t.name}" has ${dims.join('×')} elements, more than can be addressed.`,
      );
    }
  }
  return dims;
}

/** Bytes a tensor's data takes when packed (4-bit: two per byte, 2-bit: four per byte). */
export function packedByteLength(dtype: DType, count: number): number {
  return Math.ceil((count * DTYPE_BITS[dtype]) / 8);
}

export function float16BitsToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(2));
  view.setUint16(0, bits, true);
  return getFloat16(view, 0, true);
}

export function numberToFloat16Bits(value: number): number {
  const view = new DataView(new ArrayBuffer(2));
  setFloat16(view, 0, value, true);
  return view.getUint16(0, true);
}

export function bfloat16BitsToNumber(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16, true);
  return view.getFloat32(0, true);
}

/** Round-to-nearest-even float32 → bfloat16 bits (NaN stays NaN). */
export function numberToBfloat16Bits(value: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  const bits = view.getUint32(0, true);
  if (Number.isNaN(value)) return 0x7fc0;
  const rounded = bits + 0x7fff + ((bits >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** Packs sub-byte integers (one per entry) into bytes, low bits first, as ONNX stores them. */
export function packSubByte(values: Int8Array | Uint8Array, bits: 2 | 4): Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  const whole = Math.floor(values.length / perByte);
  if (bits === 4) {
    for (let j = 0; j < whole; j++) out[j] = (values[2 * j] & 15) | ((values[2 * j + 1] & 15) << 4);
  } else {
    for (let j = 0; j < whole; j++) {
      const i = 4 * j;
      out[j] =
        (values[i] & 3) |
        ((values[i + 1] & 3) << 2) |
        ((values[i + 2] & 3) << 4) |
        ((values[i + 3] & 3) << 6);
    }
  }
  for (let i = whole * perByte; i < values.length; i++) {
    out[(i / perByte) | 0] |= (values[i] & mask) << ((i % perByte) * bits);
  }
  return out;
}

/** Unpacks sub-byte integers; `signed` sign-extends each value. */
export function unpackSubByte(
  bytes: Uint8Array,
  count: number,
  bits: 2 | 4,
  signed: boolean,
): Int8Array | Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let v = (bytes[(i / perByte) | 0] >> ((i % perByte) * bits)) & mask;
    if (signed && v >= 1 << (bits - 1)) v -= 1 << bits;
    out[i] = v;
  }
  return out;
}

function subByteBits(dtype: DType): 2 | 4 | undefined {
  if (dtype === 'int4' || dtype === 'uint4') return 4;
  if (dtype === 'int2' || dtype === 'uint2') return 2;
  return undefined;
}

/** Decodes little-endian bytes into the HostTensor layout of `dtype`. */
export function decodeRawData(dtype: DType, bytes: Uint8Array, count: number): TensorData {
  const bits = subByteBits(dtype);
  if (bits) return unpackSubByte(bytes, count, bits, dtype.startsWith('int'));
  if (dtype === 'string') throw new Error('string tensors have no raw_data');
  const out = allocateData(dtype, count) as Exclude<TensorData, string[]>;
  // Copy into the aligned typed array (raw_data may be unaligned inside the model buffer).
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes.subarray(0, out.byteLength));
  return out;
}

/** Encodes HostTensor data as ONNX raw_data bytes (little-endian, sub-byte types packed). */
export function encodeRawData(t: HostTensor): Uint8Array {
  const bits = subByteBits(t.dtype);
  if (bits) return packSubByte(t.data as Int8Array | Uint8Array, bits);
  if (Array.isArray(t.data)) throw new Error('string tensors have no raw_data');
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

/**
 * Decodes a TensorProto (raw_data or typed fields) into a HostTensor. External data must
 * have been loaded by readModel: into raw_data, or lazily, in which case the bytes are read
 * from the data file now (and the typed array views them without another copy).
 */
export function tensorFromProto(t: TensorProto, where: string): HostTensor {
  const dtype = dtypeFromOnnxOrThrow(t.dataType, `${where}: tensor "${t.name}"`);
  const dims = tensorDims(t, where);
  const count = elementCount(dims);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const ref = lazyRef(t, where);
    if (!ref) throw new Error(`${where}: tensor "${t.name}" still refers to external data`);
    if (dtype === 'string' || ref.length !== packedByteLength(dtype, count)) {
      throw new UserError(
        `${where}: tensor "${t.name}" has external data that does not fit ${dims.join('×') || 'scalar'} ${dtype}.`,
      );
    }
    const bytes = readLazyBytes(t, where);
    if (subByteBits(dtype)) return { dtype, dims, data: decodeRawData(dtype, bytes, count) };
    // A fresh, aligned buffer: view it rather than copy it.
    const Typed = (allocateData(dtype, 0) as Exclude<TensorData, string[]>).constructor as new (
      buffer: ArrayBuffer,
      byteOffset: number,
      length: number,
    ) => Exclude<TensorData, string[]>;
    return { dtype, dims, data: new Typed(bytes.buffer as ArrayBuffer, 0, count) };
  }
  if (dtype === 'string') {
    const dec = new TextDecoder();
    return { dtype, dims, data: (t.stringData ?? []).map((b) => dec.decode(b)) };
  }
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const need = packedByteLength(dtype, count);
    if (raw.length !== need) {
      throw new UserError(
        `${where}: tensor "${t.name}" holds ${raw.length} bytes but ${dims.join('×') || 'scalar'} ${dtype} needs ${need}.`,
      );
    }
    return { dtype, dims, data: decodeRawData(dtype, raw, count) };
  }
  const field = typedField(t, dtype);
  if (field.length !== (subByteBits(dtype) ? Math.ceil(count / (8 / subByteBits(dtype)!)) : count)) {
    if (!(count === 0 && field.length === 0)) {
      throw new UserError(
        `${where}: tensor "${t.name}" holds ${field.length} values but its shape [${dims.join(',')}] needs ${count}.`,
      );
    }
  }
  // Allocated only now: `count` comes from the file and is trusted once the values match it.
  const data = allocateData(dtype, count) as Exclude<TensorData, string[]>;
  const bits = subByteBits(dtype);
  if (bits) {
    const bytes = Uint8Array.from(field as number[], (v) => Number(v) & 0xff);
    return { dtype, dims, data: unpackSubByte(bytes, count, bits, dtype.startsWith('int')) };
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) {
      const v = int64ToBigInt(field[i] as number);
      data[i] = data instanceof BigUint64Array ? BigInt.asUintN(64, v) : v;
    }
  } else {
    for (let i = 0; i < count; i++) data[i] = Number(int64ToNumber(field[i] as number));
  }
  return { dtype, dims, data };
}

type FieldValues = readonly (number | { low: number; high: number; unsigned: boolean })[];

function typedField(t: TensorProto, dtype: DType): FieldValues {
  switch (dtype) {
    case 'float32':
      return t.floatData ?? [];
    case 'float64':
      return t.doubleData ?? [];
    case 'int64':
      return (t.int64Data ?? []) as FieldValues;
    case 'uint32':
    case 'uint64':
      return (t.uint64Data ?? []) as FieldValues;
    default:
      // int32, int16, int8, uint16, uint8, bool, float16 and bfloat16 (bits) live in int32_data.
      return t.int32Data ?? [];
  }
}

/** Builds a TensorProto holding `t` in raw_data (strings in string_data). */
export function tensorToProto(name: string, t: HostTensor): TensorProto {
  const proto = new onnx.TensorProto({ name, dataType: ONNX_DTYPE_CODE[t.dtype], dims: t.dims.slice() });
  if (t.dtype === 'string') {
    const enc = new TextEncoder();
    proto.stringData = (t.data as string[]).map((s) => enc.encode(s));
  } else {
    proto.rawData = encodeRawData(t);
  }
  return proto;
}

/** Bytes a tensor's data occupies in the model (raw or typed, external included). */
export function tensorByteLength(t: TensorProto): number {
  const dtype = dtypeFromOnnxOrThrow(t.dataType, `tensor "${t.name}"`);
  if (dtype === 'string') return (t.stringData ?? []).reduce((n, s) => n + s.length, 0);
  const count = (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
  return packedByteLength(dtype, count);
}

/** Element count of a TensorProto from its dims. */
export function tensorElementCount(t: TensorProto): number {
  return (t.dims ?? []).reduce<number>((n, d) => n * int64ToNumber(d), 1);
}
