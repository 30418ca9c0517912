// Element-wise unary operators: abs, ceil, cos, erf, exp, floor, identity, log, neg,
// reciprocal, roundEven, sin, sign, sqrt, tan, logicalNot, plus cast and clamp. Floats compute
// in double and round to float32 (float16 rounded back per op); abs/neg/sign also take signed
// integers (BigInt for int64).
//   const y = buildUnary(state, 'exp', x, {});

import { OperatorBuild, type BuildState } from '../build-state.js';
import {
  asFloat32,
  asFloat64,
  castNumber,
  castStorage,
  isBigIntType,
  isFloatType,
  roundHalfToEven,
  storeNumbers,
  type RuntimeTensor,
  type StorageArray,
} from '../data-types.js';
import type { MLOperand } from '../operand.js';
import type { MLClampOptions, MLOperatorOptions } from '../types.js';
import { toDataType, toDictionary, toMLNumber } from '../webidl.js';
import { floatTensor, tensorOf } from './kernel-helpers.js';
import {
  abs,
  ceil,
  cos,
  exp,
  floor,
  log,
  max,
  min,
  ONE_OVER_SQRT_PI,
  sign,
  sin,
  sqrt,
  tan,
  TWO_OVER_SQRT_PI,
} from '../fast-math.js';

export type UnaryKind =
  | 'abs'
  | 'ceil'
  | 'cos'
  | 'erf'
  | 'exp'
  | 'floor'
  | 'identity'
  | 'log'
  | 'neg'
  | 'reciprocal'
  | 'roundEven'
  | 'sin'
  | 'sign'
  | 'sqrt'
  | 'tan';

export function buildUnary(state: BuildState, kind: UnaryKind, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const output = { dataType: x.dataType, shape: x.shape };
  if (kind === 'identity') return op.emitOne([x], output, ([v]) => tensorOf(output, v.data));
  return op.emitOne([x], output, ([v]) => {
    if (isFloatType(v.dataType)) return floatTensor(output, unaryFloat(kind, asFloat32(v)));
    return tensorOf(output, unaryInteger(kind, v));
  });
}

/** Applies a float unary function; shared with the activation kernels. */
export function unaryFloat(kind: UnaryKind, x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  switch (kind) {
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = abs(x[i]);
      break;
    case 'ceil':
      for (let i = 0; i < n; i++) out[i] = ceil(x[i]);
      break;
    case 'cos':
      for (let i = 0; i < n; i++) out[i] = cos(x[i]);
      break;
    case 'erf':
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = exp(x[i]);
      break;
    case 'floor':
      for (let i = 0; i < n; i++) out[i] = floor(x[i]);
      break;
    case 'identity':
      out.set(x);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = log(x[i]);
      break;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case 'reciprocal':
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      break;
    case 'roundEven':
      for (let i = 0; i < n; i++) out[i] = x[i] - x[i] === 0 ? roundHalfToEven(x[i]) : x[i];
      break;
    case 'sin':
      for (let i = 0; i < n; i++) out[i] = sin(x[i]);
      break;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : x[i];
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = sqrt(x[i]);
      break;
    case 'tan':
      for (let i = 0; i < n; i++) out[i] = tan(x[i]);
      break;
  }
  return out;
}

function unaryInteger(kind: UnaryKind, v: RuntimeTensor): StorageArray {
  if (isBigIntType(v.dataType)) {
    const data = v.data as BigInt64Array;
    const out = new BigInt64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const value = data[i];
      out[i] = BigInt.asIntN(
        64,
        kind === 'abs'
          ? value < 0n
            ? -value
            : value
          : kind === 'neg'
            ? -value
            : value > 0n
              ? 1n
              : value < 0n
                ? -1n
                : 0n,
      );
    }
    return out;
  }
  const x = asFloat64(v);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++)
    out[i] = kind === 'abs' ? abs(x[i]) : kind === 'neg' ? -x[i] : sign(x[i]);
  return storeNumbers(v.dataType, out);
}

/** The error function, accurate to double rounding for float32 purposes. */
export function erf(x: number): number {
  if (x !== x) return x;
  const ax = abs(x);
  if (ax <= 3) {
    // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (abs(add) < 1e-17 * abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const result = 1 - erfcLarge(ax);
  return x < 0 ? -result : result;
}

/** erfc(x) for x > 3 by its asymptotic series (relative error below 1e-6 there). */
export function erfcLarge(x: number): number {
  const inv2 = 1 / (2 * x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 12; k++) {
    const next = -term * (2 * k - 1) * inv2;
    if (abs(next) > abs(term)) break;
    term = next;
    sum += term;
  }
  return ((exp(-x * x) * ONE_OVER_SQRT_PI) / x) * sum;
}

/** logicalNot: uint8 input, 1 where the input is 0, else 0. */
export function buildLogicalNot(state: BuildState, a: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'logicalNot');
  const op = new OperatorBuild(state, 'logicalNot', opts);
  const x = op.operand(a, 'a');
  const output = { dataType: 'uint8' as const, shape: x.shape };
  return op.emitOne([x], output, ([v]) => {
    const data = v.data as Uint8Array;
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] === 0 ? 1 : 0;
    return tensorOf(output, out);
  });
}

export function buildCast(state: BuildState, input: unknown, dataType: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'cast');
  const op = new OperatorBuild(state, 'cast', opts);
  const x = op.operand(input, 'input');
  const target = toDataType(dataType, `${op.what}: dataType`);
  const output = { dataType: target, shape: x.shape };
  return op.emitOne([x], output, ([v]) =>
    tensorOf(output, v.dataType === target ? v.data : castStorage(v, target)),
  );
}

export function buildClamp(state: BuildState, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLClampOptions>(options, 'clamp');
  const op = new OperatorBuild(state, 'clamp', opts);
  const x = op.operand(input, 'input');
  const minValue = castNumber(
    opts.minValue === undefined ? -Infinity : toMLNumber(opts.minValue, 'minValue'),
    x.dataType,
  );
  const maxValue = castNumber(
    opts.maxValue === undefined ? Infinity : toMLNumber(opts.maxValue, 'maxValue'),
    x.dataType,
  );
  if (minValue > maxValue) op.fail(`minValue ${minValue} is greater than maxValue ${maxValue}`);
  const output = { dataType: x.dataType, shape: x.shape };
  return op.emitOne([x], output, ([v]) => {
    if (isBigIntType(v.dataType)) {
      const data = v.data as BigInt64Array | BigUint64Array;
      const out = v.dataType === 'int64' ? new BigInt64Array(data.length) : new BigUint64Array(data.length);
      const low = minValue as bigint;
      const high = maxValue as bigint;
      for (let i = 0; i < data.length; i++) out[i] = data[i] < low ? low : data[i] > high ? high : data[i];
      return tensorOf(output, out);
    }
    const low = Number(minValue);
    const high = Number(maxValue);
    if (isFloatType(v.dataType)) {
      const values = asFloat32(v);
      const out = new Float32Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = min(max(values[i], low), high);
      return floatTensor(output, out);
    }
    const values = asFloat64(v);
    for (let i = 0; i < values.length; i++) values[i] = min(max(values[i], low), high);
    return tensorOf(output, storeNumbers(v.dataType, values));
  });
}
