// OpenVINO element types as the emitter writes them: the `element_type` names of Const and
// Parameter (`f32`, `i64`, `boolean`, `u4` …), the `precision` names of ports (`FP32`,
// `I64`, `BOOL`, `U4` …), bits per element, and the mapping from our DType.
//   ovElementType('float16') === 'f16'; OV_PORT_PRECISION.f16 === 'FP16'

import { UserError } from '../../errors.js';
import type { DType } from '../../onnx/dtype.js';

export type OvElementType =
  | 'f32'
  | 'f16'
  | 'bf16'
  | 'f64'
  | 'i64'
  | 'i32'
  | 'i16'
  | 'i8'
  | 'u64'
  | 'u32'
  | 'u16'
  | 'u8'
  | 'boolean'
  | 'i4'
  | 'u4';

export const OV_PORT_PRECISION: Record<OvElementType, string> = {
  f32: 'FP32',
  f16: 'FP16',
  bf16: 'BF16',
  f64: 'FP64',
  i64: 'I64',
  i32: 'I32',
  i16: 'I16',
  i8: 'I8',
  u64: 'U64',
  u32: 'U32',
  u16: 'U16',
  u8: 'U8',
  boolean: 'BOOL',
  i4: 'I4',
  u4: 'U4',
};

export const OV_ELEMENT_BITS: Record<OvElementType, number> = {
  f32: 32,
  f16: 16,
  bf16: 16,
  f64: 64,
  i64: 64,
  i32: 32,
  i16: 16,
  i8: 8,
  u64: 64,
  u32: 32,
  u16: 16,
  u8: 8,
  boolean: 8,
  i4: 4,
  u4: 4,
};

const FROM_DTYPE: Partial<Record<DType, OvElementType>> = {
  float32: 'f32',
  float16: 'f16',
  bfloat16: 'bf16',
  float64: 'f64',
  int64: 'i64',
  int32: 'i32',
  int16: 'i16',
  int8: 'i8',
  uint64: 'u64',
  uint32: 'u32',
  uint16: 'u16',
  uint8: 'u8',
  bool: 'boolean',
  int4: 'i4',
  uint4: 'u4',
};

/** The OpenVINO element type of one of our dtypes; `where` names the value in the error. */
export function ovElementType(dtype: DType | undefined, where: string): OvElementType {
  const t = dtype ? FROM_DTYPE[dtype] : undefined;
  if (!t) {
    throw new UserError(
      `${where}: element type ${dtype ?? 'unknown'} has no OpenVINO equivalent; use --targets onnx for this model.`,
    );
  }
  return t;
}

export function isOvDtypeSupported(dtype: DType | undefined): boolean {
  return dtype !== undefined && FROM_DTYPE[dtype] !== undefined;
}

export function isOvFloat(t: OvElementType): boolean {
  return t === 'f32' || t === 'f16' || t === 'bf16' || t === 'f64';
}

export function isOvInteger(t: OvElementType): boolean {
  return !isOvFloat(t) && t !== 'boolean';
}
