// Typed access to the generated ONNX protobuf code (onnx.js, from onnx.proto via
// `npm run proto`). Import from here, never from onnx.js directly.
//   const model = onnx.ModelProto.decode(bytes);

export { onnx } from './onnx.js';
import type { onnx as OnnxNs } from './onnx.js';
import Long from 'long';

export type ModelProto = OnnxNs.ModelProto;
export type GraphProto = OnnxNs.GraphProto;
export type NodeProto = OnnxNs.NodeProto;
export type TensorProto = OnnxNs.TensorProto;
export type AttributeProto = OnnxNs.AttributeProto;
export type ValueInfoProto = OnnxNs.ValueInfoProto;
export type FunctionProto = OnnxNs.FunctionProto;
export type TypeProto = OnnxNs.TypeProto;

/** int64 fields decode as Long (exact) or number; this gives a number, exact within ±2^53. */
export function int64ToNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return Long.fromValue(v).toNumber();
}

/** int64 as bigint, exact for the full range. */
export function int64ToBigInt(v: number | Long | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const l = Long.fromValue(v);
  const bits = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return l.unsigned ? bits : BigInt.asIntN(64, bits);
}

export function bigIntToLong(v: bigint): Long {
  return Long.fromString(v.toString(), false);
}
