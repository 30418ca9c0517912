// Reductions over axes (reduceL1, L2, LogSum, LogSumExp, Max, Mean, Min, Product, Sum,
// SumSquare), argMin/argMax along one axis, and cumulativeSum. Values accumulate in double
// (BigInt for int64/uint64) and round once to the output type. argMin/argMax pick the first
// index on ties (the spec leaves ties implementation-defined).
//   const y = buildReduce(state, 'reduceMean', x, { axes: [2], keepDimensions: true });

import { OperatorBuild, type BuildState } from '../build-state.js';
import {
  asFloat64,
  integerRange,
  isBigIntType,
  isFloatType,
  storeNumbers,
  type RuntimeTensor,
  type StorageArray,
} from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { axesAreValid, splitAxes } from '../shape-utils.js';
import type { MLArgMinMaxOptions, MLCumulativeSumOptions, MLReduceOptions } from '../types.js';
import { toDataType, toDictionary, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import { floatTensor, lazy, tensorOf } from './kernel-helpers.js';
import { abs, exp, log, max, min, sqrt } from '../fast-math.js';

export type ReduceKind =
  | 'reduceL1'
  | 'reduceL2'
  | 'reduceLogSum'
  | 'reduceLogSumExp'
  | 'reduceMax'
  | 'reduceMean'
  | 'reduceMin'
  | 'reduceProduct'
  | 'reduceSum'
  | 'reduceSumSquare';

/** Spec "calculate reduction output sizes"; undefined when the axes are invalid. */
function reductionShape(
  shape: readonly number[],
  axes: readonly number[],
  keepDimensions: boolean,
): number[] | undefined {
  if (!axesAreValid(axes, shape.length)) return undefined;
  return keepDimensions
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
}

export function buildReduce(
  state: BuildState,
  kind: ReduceKind,
  input: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLReduceOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const axes =
    opts.axes === undefined
      ? x.shape.map((_, i) => i)
      : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
  const shape =
    reductionShape(x.shape, axes, Boolean(opts.keepDimensions)) ??
    op.fail(`axes [${axes}] must be distinct and in [0, ${x.shape.length})`);
  const output = { dataType: x.dataType, shape };
  const split = lazy(() => splitAxes(x.shape, axes));
  return op.emitOne([x], output, ([v]) => {
    const { outer, inner } = split();
    if (isBigIntType(v.dataType)) return tensorOf(output, reduceBigInt(kind, v, outer, inner));
    const values = reduceNumbers(kind, asFloat64(v), outer, inner);
    if (isFloatType(v.dataType)) return floatTensor(output, Float32Array.from(values));
    return tensorOf(output, storeNumbers(v.dataType, values));
  });
}

function reduceNumbers(
  kind: ReduceKind,
  X: Float64Array,
  outer: Int32Array,
  inner: Int32Array,
): Float64Array {
  const out = new Float64Array(outer.length);
  const count = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let result: number;
    switch (kind) {
      case 'reduceMax':
        result = -Infinity;
        for (let r = 0; r < count; r++) result = max(result, X[base + inner[r]]);
        break;
      case 'reduceMin':
        result = Infinity;
        for (let r = 0; r < count; r++) result = min(result, X[base + inner[r]]);
        break;
      case 'reduceProduct':
        result = 1;
        for (let r = 0; r < count; r++) result *= X[base + inner[r]];
        break;
      case 'reduceLogSumExp': {
        let peak = -Infinity;
        for (let r = 0; r < count; r++) peak = max(peak, X[base + inner[r]]);
        let sum = 0;
        for (let r = 0; r < count; r++) sum += exp(X[base + inner[r]] - peak);
        result = peak === -Infinity || peak === Infinity ? peak : peak + log(sum);
        break;
      }
      default: {
        let sum = 0;
        for (let r = 0; r < count; r++) {
          const value = X[base + inner[r]];
          sum +=
            kind === 'reduceL1'
              ? abs(value)
              : kind === 'reduceL2' || kind === 'reduceSumSquare'
                ? value * value
                : value;
        }
        result =
          kind === 'reduceL2'
            ? sqrt(sum)
            : kind === 'reduceLogSum'
              ? log(sum)
              : kind === 'reduceMean'
                ? sum / count
                : sum;
      }
    }
    out[o] = result;
  }
  return out;
}

function reduceBigInt(
  kind: ReduceKind,
  v: RuntimeTensor,
  outer: Int32Array,
  inner: Int32Array,
): StorageArray {
  const X = v.data as BigInt64Array | BigUint64Array;
  const signed = v.dataType === 'int64';
  const out = signed ? new BigInt64Array(outer.length) : new BigUint64Array(outer.length);
  const wrap = (value: bigint): bigint => (signed ? BigInt.asIntN(64, value) : BigInt.asUintN(64, value));
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let result = kind === 'reduceProduct' ? 1n : 0n;
    for (let r = 0; r < inner.length; r++) {
      const value = X[base + inner[r]];
      if (kind === 'reduceMax') result = r === 0 || value > result ? value : result;
      else if (kind === 'reduceMin') result = r === 0 || value < result ? value : result;
      else if (kind === 'reduceProduct') result = wrap(result * value);
      else if (kind === 'reduceL1') result = wrap(result + (value < 0n ? -value : value));
      else if (kind === 'reduceSumSquare') result = wrap(result + value * value);
      else result = wrap(result + value);
    }
    out[o] = result;
  }
  return out;
}

export function buildArgMinMax(
  state: BuildState,
  kind: 'argMin' | 'argMax',
  input: unknown,
  axis: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLArgMinMaxOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const reduceAxis = toUnsignedLong(axis, `${op.what}: axis`);
  const outputDataType =
    opts.outputDataType === undefined
      ? 'int32'
      : toDataType(opts.outputDataType, `${op.what}: outputDataType`);
  const shape =
    reductionShape(x.shape, [reduceAxis], Boolean(opts.keepDimensions)) ??
    op.fail(`axis ${reduceAxis} is out of range for rank ${x.shape.length}`);
  if (x.shape[reduceAxis] > integerRange(outputDataType)[1]) {
    op.fail(`dimension ${x.shape[reduceAxis]} does not fit in ${outputDataType}`);
  }
  const output = { dataType: outputDataType, shape };
  const split = lazy(() => splitAxes(x.shape, [reduceAxis]));
  return op.emitOne([x], output, ([v]) => {
    const { outer, inner } = split();
    const values: ArrayLike<number | bigint> = isBigIntType(v.dataType)
      ? (v.data as BigInt64Array)
      : asFloat64(v);
    const indices = new Float64Array(outer.length);
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o];
      let best = 0;
      let bestValue = values[base + inner[0]];
      for (let r = 1; r < inner.length; r++) {
        const value = values[base + inner[r]];
        if (kind === 'argMax' ? value > bestValue : value < bestValue) {
          best = r;
          bestValue = value;
        }
      }
      indices[o] = best;
    }
    return tensorOf(output, storeNumbers(outputDataType, indices));
  });
}

export function buildCumulativeSum(
  state: BuildState,
  input: unknown,
  axis: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLCumulativeSumOptions>(options, 'cumulativeSum');
  const op = new OperatorBuild(state, 'cumulativeSum', opts);
  const x = op.operand(input, 'input');
  const sumAxis = toUnsignedLong(axis, `${op.what}: axis`);
  if (sumAxis >= x.shape.length) op.fail(`axis ${sumAxis} is out of range for rank ${x.shape.length}`);
  const exclusive = Boolean(opts.exclusive);
  const reversed = Boolean(opts.reversed);
  const output = { dataType: x.dataType, shape: x.shape };
  const split = lazy(() => splitAxes(x.shape, [sumAxis]));
  return op.emitOne([x], output, ([v]) => {
    const { outer, inner } = split();
    const n = inner.length;
    if (isBigIntType(v.dataType)) {
      const X = v.data as BigInt64Array | BigUint64Array;
      const signed = v.dataType === 'int64';
      const out = signed ? new BigInt64Array(X.length) : new BigUint64Array(X.length);
      for (let o = 0; o < outer.length; o++) {
        let sum = 0n;
        for (let step = 0; step < n; step++) {
          const at = outer[o] + inner[reversed ? n - 1 - step : step];
          if (exclusive) out[at] = sum;
          sum = signed ? BigInt.asIntN(64, sum + X[at]) : BigInt.asUintN(64, sum + X[at]);
          if (!exclusive) out[at] = sum;
        }
      }
      return tensorOf(output, out);
    }
    const X = asFloat64(v);
    const out = new Float64Array(X.length);
    for (let o = 0; o < outer.length; o++) {
      let sum = 0;
      for (let step = 0; step < n; step++) {
        const at = outer[o] + inner[reversed ? n - 1 - step : step];
        if (exclusive) out[at] = sum;
        sum += X[at];
        if (!exclusive) out[at] = sum;
      }
    }
    if (isFloatType(v.dataType)) return floatTensor(output, Float32Array.from(out));
    return tensorOf(output, storeNumbers(v.dataType, out));
  });
}
