// Element-wise binary operators with numpy broadcasting: arithmetic (add, sub, mul, div, max,
// min, pow), comparisons (equal … lesserOrEqual → uint8 0/1) and logicalAnd/Or/Xor on uint8.
// Floats compute in float32 (float16 rounded back per op); 8/32/4-bit integers compute exactly
// and wrap to the type's width; int64/uint64 compute in BigInt.
//   const y = buildBinary(state, 'add', a, b, {});

import { OperatorBuild, type BuildState } from '../build-state.js';
import {
  asFloat32,
  asFloat64,
  isBigIntType,
  isFloatType,
  storeNumbers,
  type RuntimeTensor,
  type StorageArray,
} from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { broadcastOffsets, broadcastShapes } from '../shape-utils.js';
import type { MLOperandDataType, MLOperatorOptions } from '../types.js';
import { toDictionary } from '../webidl.js';
import { expandFloat32, expandFloat64, floatTensor, lazy, tensorOf } from './kernel-helpers.js';
import { floor, imul, max, min, pow, trunc } from '../fast-math.js';

export type ArithmeticKind = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';
export type ComparisonKind = 'equal' | 'notEqual' | 'greater' | 'greaterOrEqual' | 'lesser' | 'lesserOrEqual';
export type LogicalBinaryKind = 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** add/sub/mul/div/max/min/pow: output type = input type. */
export function buildArithmetic(
  state: BuildState,
  kind: ArithmeticKind,
  a: unknown,
  b: unknown,
  options: unknown,
): MLOperand {
  return buildElementwise(state, kind, a, b, options, undefined);
}

/** equal … lesserOrEqual and logicalAnd/Or/Xor: output uint8. */
export function buildComparison(
  state: BuildState,
  kind: ComparisonKind | LogicalBinaryKind,
  a: unknown,
  b: unknown,
  options: unknown,
): MLOperand {
  return buildElementwise(state, kind, a, b, options, 'uint8');
}

function buildElementwise(
  state: BuildState,
  kind: ArithmeticKind | ComparisonKind | LogicalBinaryKind,
  a: unknown,
  b: unknown,
  options: unknown,
  outputType: MLOperandDataType | undefined,
): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(a, 'a');
  const y = op.operand(b, 'b');
  op.requireSameType(y, 'b', x.dataType);
  const shape =
    broadcastShapes(x.shape, y.shape) ??
    op.fail(`shapes [${x.shape}] and [${y.shape}] are not bidirectionally broadcastable`);
  const output = { dataType: outputType ?? x.dataType, shape };
  const offsetsA = lazy(() => broadcastOffsets(x.shape, shape));
  const offsetsB = lazy(() => broadcastOffsets(y.shape, shape));
  return op.emitOne([x, y], output, ([va, vb]) => {
    if (outputType)
      return tensorOf(
        output,
        compareValues(kind as ComparisonKind | LogicalBinaryKind, va, vb, offsetsA(), offsetsB()),
      );
    if (isFloatType(va.dataType)) {
      const values = arithmeticFloat(
        kind as ArithmeticKind,
        expandFloat32(asFloat32(va), offsetsA()),
        expandFloat32(asFloat32(vb), offsetsB()),
      );
      return floatTensor(output, values);
    }
    return tensorOf(output, arithmeticInteger(kind as ArithmeticKind, va, vb, offsetsA(), offsetsB()));
  });
}

function arithmeticFloat(kind: ArithmeticKind, x: Float32Array, y: Float32Array): Float32Array {
  const n = max(x.length, y.length);
  const out = new Float32Array(n);
  switch (kind) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      break;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      break;
    case 'mul':
      for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
      break;
    case 'div':
      for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
      break;
    case 'max':
      for (let i = 0; i < n; i++) out[i] = max(x[i], y[i]);
      break;
    case 'min':
      for (let i = 0; i < n; i++) out[i] = min(x[i], y[i]);
      break;
    case 'pow':
      for (let i = 0; i < n; i++) out[i] = pow(x[i], y[i]);
      break;
  }
  return out;
}

function arithmeticInteger(
  kind: ArithmeticKind,
  a: RuntimeTensor,
  b: RuntimeTensor,
  offsetsA: Int32Array | undefined,
  offsetsB: Int32Array | undefined,
): StorageArray {
  if (isBigIntType(a.dataType)) return arithmeticBigInt(kind, a, b, offsetsA, offsetsB);
  const x = expandFloat64(asFloat64(a), offsetsA);
  const y = expandFloat64(asFloat64(b), offsetsB);
  const n = max(x.length, y.length);
  const out = new Float64Array(n);
  switch (kind) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
      break;
    case 'sub':
      for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
      break;
    case 'mul':
      // Math.imul keeps the low 32 bits exactly (a double product of two 32-bit values may not).
      for (let i = 0; i < n; i++) out[i] = imul(x[i], y[i]);
      break;
    case 'div':
      // Integer division truncates toward zero; division by zero yields 0 (implementation-defined).
      for (let i = 0; i < n; i++) out[i] = y[i] === 0 ? 0 : trunc(x[i] / y[i]);
      break;
    case 'max':
      for (let i = 0; i < n; i++) out[i] = max(x[i], y[i]);
      break;
    case 'min':
      for (let i = 0; i < n; i++) out[i] = min(x[i], y[i]);
      break;
    case 'pow':
      for (let i = 0; i < n; i++) out[i] = integerPow(x[i], y[i]);
      break;
  }
  return storeNumbers(a.dataType, out);
}

function integerPow(base: number, exponent: number): number {
  if (exponent < 0) return base === 1 ? 1 : base === -1 ? (exponent % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base | 0;
  let e = exponent;
  while (e > 0) {
    if (e & 1) result = imul(result, b);
    b = imul(b, b);
    e = floor(e / 2);
  }
  return result;
}

function bigIntValues(t: RuntimeTensor, offsets: Int32Array | undefined, n: number): bigint[] {
  const data = t.data as BigInt64Array | BigUint64Array;
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = data[offsets ? offsets[i] : i];
  return out;
}

function arithmeticBigInt(
  kind: ArithmeticKind,
  a: RuntimeTensor,
  b: RuntimeTensor,
  offsetsA: Int32Array | undefined,
  offsetsB: Int32Array | undefined,
): StorageArray {
  const n = max(offsetsA?.length ?? a.data.length, offsetsB?.length ?? b.data.length);
  const x = bigIntValues(a, offsetsA, n);
  const y = bigIntValues(b, offsetsB, n);
  const signed = a.dataType === 'int64';
  const out = signed ? new BigInt64Array(n) : new BigUint64Array(n);
  const wrap = (v: bigint): bigint => (signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
  for (let i = 0; i < n; i++) {
    const p = x[i];
    const q = y[i];
    switch (kind) {
      case 'add':
        out[i] = wrap(p + q);
        break;
      case 'sub':
        out[i] = wrap(p - q);
        break;
      case 'mul':
        out[i] = wrap(p * q);
        break;
      case 'div':
        out[i] = q === 0n ? 0n : wrap(p / q);
        break;
      case 'max':
        out[i] = p > q ? p : q;
        break;
      case 'min':
        out[i] = p < q ? p : q;
        break;
      case 'pow':
        out[i] = bigIntPow(p, q, wrap);
        break;
    }
  }
  return out;
}

function bigIntPow(base: bigint, exponent: bigint, wrap: (v: bigint) => bigint): bigint {
  if (exponent < 0n) return base === 1n ? 1n : base === -1n ? (exponent % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  let b = base;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = wrap(result * b);
    b = wrap(b * b);
    e >>= 1n;
  }
  return result;
}

function compareValues(
  kind: ComparisonKind | LogicalBinaryKind,
  a: RuntimeTensor,
  b: RuntimeTensor,
  offsetsA: Int32Array | undefined,
  offsetsB: Int32Array | undefined,
): Uint8Array {
  if (isBigIntType(a.dataType)) {
    const n = max(offsetsA?.length ?? a.data.length, offsetsB?.length ?? b.data.length);
    const x = bigIntValues(a, offsetsA, n);
    const y = bigIntValues(b, offsetsB, n);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = compareOne(kind, x[i], y[i]) ? 1 : 0;
    return out;
  }
  const x = expandFloat64(asFloat64(a), offsetsA);
  const y = expandFloat64(asFloat64(b), offsetsB);
  const n = max(x.length, y.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = compareOne(kind, x[i], y[i]) ? 1 : 0;
  return out;
}

function compareOne(
  kind: ComparisonKind | LogicalBinaryKind,
  p: number | bigint,
  q: number | bigint,
): boolean {
  switch (kind) {
    case 'equal':
      return p === q;
    case 'notEqual':
      return p !== q;
    case 'greater':
      return p > q;
    case 'greaterOrEqual':
      return p >= q;
    case 'lesser':
      return p < q;
    case 'lesserOrEqual':
      return p <= q;
    case 'logicalAnd':
      return Boolean(p) && Boolean(q);
    case 'logicalOr':
      return Boolean(p) || Boolean(q);
    case 'logicalXor':
      return Boolean(p) !== Boolean(q);
  }
}
