// Element types: names, ONNX codes, byte sizes and the typed arrays that hold them.
//   dtypeFromOnnx(1) === 'float32'; ONNX_DTYPE_CODE.int64 === 7

import { UserError } from '../errors.js';

export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint64'
  | 'uint32'
  | 'uint16'
  | 'uint8'
  | 'bool'
  | 'int4'
  | 'uint4'
  | 'int2'
  | 'uint2'
  | 'string';

export const ONNX_DTYPE_CODE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
  uint4: 21,
  int4: 22,
  uint2: 25,
  int2: 26,
};

const BY_CODE = new Map<number, DType>(Object.entries(ONNX_DTYPE_CODE).map(([k, v]) => [v, k as DType]));

/** Name of an ONNX TensorProto.DataType code; undefined for types we do not handle (complex, float8). */
export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_CODE.get(code);
}

export function dtypeFromOnnxOrThrow(code: number, where: string): DType {
  const d = BY_CODE.get(code);
  if (!d)
    throw new UserError(
      `${where}: element type ${code} is not supported (complex and float8 tensors are not handled).`,
    );
  return d;
}

/** Bits per element (strings: 0). */
export const DTYPE_BITS: Record<DType, number> = {
  float32: 32,
  float16: 16,
  bfloat16: 16,
  float64: 64,
  int64: 64,
  int32: 32,
  int16: 16,
  int8: 8,
  uint64: 64,
  uint32: 32,
  uint16: 16,
  uint8: 8,
  bool: 8,
  int4: 4,
  uint4: 4,
  int2: 2,
  uint2: 2,
  string: 0,
};

export function isFloatDType(d: DType): boolean {
  return d === 'float32' || d === 'float16' || d === 'bfloat16' || d === 'float64';
}

export function isIntegerDType(d: DType): boolean {
  return !isFloatDType(d) && d !== 'bool' && d !== 'string';
}

/** Typed array that holds a tensor's elements in memory (after unpacking). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/**
 * A tensor on the host, as runners exchange it. float16/bfloat16 data are raw bits in a
 * Uint16Array; bool is a Uint8Array of 0/1; int4/uint4/int2/uint2 are one element per
 * Int8Array/Uint8Array entry (unpacked).
 */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TensorData;
}

/** Named tensors: a runner's feeds or results. */
export type TensorMap = Record<string, HostTensor>;

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Allocates storage for `count` elements of `dtype` (unpacked layout, see HostTensor). */
export function allocateData(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'float16':
    case 'bfloat16':
    case 'uint16':
      return new Uint16Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'uint64':
      return new BigUint64Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'uint32':
      return new Uint32Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'int8':
    case 'int4':
    case 'int2':
      return new Int8Array(count);
    case 'uint8':
    case 'bool':
    case 'uint4':
    case 'uint2':
      return new Uint8Array(count);
    case 'string':
      return new Array<string>(count).fill('');
  }
}
