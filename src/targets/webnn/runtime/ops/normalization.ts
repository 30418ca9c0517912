// batchNormalization (given mean/variance along one axis), instanceNormalization (per sample
// and channel over the spatial axes, nchw or nhwc) and layerNormalization (over any axes, with
// scale/bias shaped by those axes in the order given). Statistics are computed in double with
// a two-pass mean/variance (biased variance, as the spec's emulation).
//   const y = buildLayerNormalization(state, x, { axes: [2], epsilon: 1e-5 });

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat32, castNumber, type RuntimeTensor } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { axesAreValid, offsetsOver, shapesEqual, splitAxes, stridesOf } from '../shape-utils.js';
import type {
  MLBatchNormalizationOptions,
  MLInstanceNormalizationOptions,
  MLLayerNormalizationOptions,
} from '../types.js';
import { toDouble, toDictionary, toEnum, toUnsignedLong, toUnsignedLongSequence } from '../webidl.js';
import { floatTensor, lazy } from './kernel-helpers.js';
import { floor, sqrt } from '../fast-math.js';

function epsilonOf(op: OperatorBuild, value: unknown, dataType: RuntimeTensor['dataType']): number {
  return Number(castNumber(value === undefined ? 1e-5 : toDouble(value, `${op.what}: epsilon`), dataType));
}

export function buildBatchNormalization(
  state: BuildState,
  input: unknown,
  mean: unknown,
  variance: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLBatchNormalizationOptions>(options, 'batchNormalization');
  const op = new OperatorBuild(state, 'batchNormalization', opts);
  const x = op.operand(input, 'input');
  const m = op.operand(mean, 'mean');
  const v = op.operand(variance, 'variance');
  const scale = op.optionalOperand(opts.scale, 'scale');
  const bias = op.optionalOperand(opts.bias, 'bias');
  const axis = opts.axis === undefined ? 1 : toUnsignedLong(opts.axis, `${op.what}: axis`);
  if (axis >= x.shape.length) op.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
  const channels = x.shape[axis];
  for (const [param, operand] of [
    ['mean', m],
    ['variance', v],
    ['scale', scale],
    ['bias', bias],
  ] as const) {
    if (!operand) continue;
    op.requireSameType(operand, param, x.dataType);
    if (!shapesEqual(operand.shape, [channels]))
      op.fail(`${param} must have shape [${channels}], got [${operand.shape}]`);
  }
  const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
  const output = { dataType: x.dataType, shape: x.shape };
  const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const inputs = [x, m, v, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
  return op.emitOne(inputs, output, (values) => {
    const X = asFloat32(values[0]);
    const M = asFloat32(values[1]);
    const V = asFloat32(values[2]);
    const S = scale ? asFloat32(values[3]) : undefined;
    const B = bias ? asFloat32(values[scale ? 4 : 3]) : undefined;
    const out = new Float32Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const c = floor(i / inner) % channels;
      const normalized = (X[i] - M[c]) / sqrt(V[c] + epsilon);
      out[i] = (S ? S[c] : 1) * normalized + (B ? B[c] : 0);
    }
    return floatTensor(output, out);
  });
}

/**
 * Normalizes `X` over the `inner` positions of each `outer` position. Scale and bias of
 * element (o, r) are read at paramOuter[o] + paramInner[r].
 */
function normalizeGroups(
  X: Float32Array,
  split: { outer: Int32Array; inner: Int32Array },
  epsilon: number,
  params: { scale?: Float32Array; bias?: Float32Array; paramOuter: Int32Array; paramInner: Int32Array },
): Float32Array {
  const { outer, inner } = split;
  const { scale, bias, paramOuter, paramInner } = params;
  const out = new Float32Array(X.length);
  const count = inner.length;
  for (let o = 0; o < outer.length; o++) {
    const base = outer[o];
    let sum = 0;
    for (let r = 0; r < count; r++) sum += X[base + inner[r]];
    const mean = sum / count;
    let squares = 0;
    for (let r = 0; r < count; r++) {
      const d = X[base + inner[r]] - mean;
      squares += d * d;
    }
    const invStd = 1 / sqrt(squares / count + epsilon);
    const paramBase = paramOuter[o];
    for (let r = 0; r < count; r++) {
      const normalized = (X[base + inner[r]] - mean) * invStd;
      const p = paramBase + paramInner[r];
      out[base + inner[r]] = (scale ? scale[p] : 1) * normalized + (bias ? bias[p] : 0);
    }
  }
  return out;
}

export function buildInstanceNormalization(state: BuildState, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLInstanceNormalizationOptions>(options, 'instanceNormalization');
  const op = new OperatorBuild(state, 'instanceNormalization', opts);
  const x = op.operand(input, 'input');
  const scale = op.optionalOperand(opts.scale, 'scale');
  const bias = op.optionalOperand(opts.bias, 'bias');
  const layout =
    opts.layout === undefined ? 'nchw' : toEnum(opts.layout, ['nchw', 'nhwc'], `${op.what}: layout`);
  const channelAxis = layout === 'nchw' ? 1 : 3;
  const channels = x.shape[channelAxis];
  for (const [param, operand] of [
    ['scale', scale],
    ['bias', bias],
  ] as const) {
    if (!operand) continue;
    op.requireSameType(operand, param, x.dataType);
    if (!shapesEqual(operand.shape, [channels]))
      op.fail(`${param} must have shape [${channels}], got [${operand.shape}]`);
  }
  const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
  const output = { dataType: x.dataType, shape: x.shape };
  const spatialAxes = layout === 'nchw' ? [2, 3] : [1, 2];
  const plan = lazy(() => {
    const split = splitAxes(x.shape, spatialAxes);
    // Kept axes are (n, c) in row-major order: outer position o has channel o % channels.
    const paramOuter = Int32Array.from(split.outer, (_, o) => o % channels);
    return { split, paramOuter, paramInner: new Int32Array(split.inner.length) };
  });
  const inputs = [x, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
  return op.emitOne(inputs, output, (values) => {
    const { split, paramOuter, paramInner } = plan();
    const out = normalizeGroups(asFloat32(values[0]), split, epsilon, {
      scale: scale ? asFloat32(values[1]) : undefined,
      bias: bias ? asFloat32(values[scale ? 2 : 1]) : undefined,
      paramOuter,
      paramInner,
    });
    return floatTensor(output, out);
  });
}

export function buildLayerNormalization(state: BuildState, input: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLLayerNormalizationOptions>(options, 'layerNormalization');
  const op = new OperatorBuild(state, 'layerNormalization', opts);
  const x = op.operand(input, 'input');
  const rank = x.shape.length;
  const axes =
    opts.axes === undefined
      ? Array.from({ length: rank > 1 ? rank - 1 : 0 }, (_, i) => i + 1)
      : toUnsignedLongSequence(opts.axes, `${op.what}: axes`);
  if (!axesAreValid(axes, rank)) op.fail(`axes [${axes}] must be distinct and in [0, ${rank})`);
  const scale = op.optionalOperand(opts.scale, 'scale');
  const bias = op.optionalOperand(opts.bias, 'bias');
  for (const [param, operand] of [
    ['scale', scale],
    ['bias', bias],
  ] as const) {
    if (!operand) continue;
    op.requireSameType(operand, param, x.dataType);
    const expected = axes.map((a) => x.shape[a]);
    if (!shapesEqual(operand.shape, expected))
      op.fail(`${param} must have shape [${expected}], got [${operand.shape}]`);
  }
  const epsilon = epsilonOf(op, opts.epsilon, x.dataType);
  const output = { dataType: x.dataType, shape: x.shape };
  const sortedAxes = [...axes].sort((p, q) => p - q);
  const plan = lazy(() => {
    const { outer, inner } = splitAxes(x.shape, sortedAxes);
    // Offset into scale/bias (shaped by `axes` in the given order) for each reduced position.
    const paramStrides = stridesOf(axes.map((a) => x.shape[a]));
    const strideByAxis = new Array<number>(rank).fill(0);
    axes.forEach((axis, k) => (strideByAxis[axis] = paramStrides[k]));
    return {
      split: { outer, inner },
      paramOuter: new Int32Array(outer.length),
      paramInner: offsetsOver(x.shape, strideByAxis, sortedAxes),
    };
  });
  const inputs = [x, ...(scale ? [scale] : []), ...(bias ? [bias] : [])];
  return op.emitOne(inputs, output, (values) => {
    const { split, paramOuter, paramInner } = plan();
    const out = normalizeGroups(asFloat32(values[0]), split, epsilon, {
      scale: scale ? asFloat32(values[1]) : undefined,
      bias: bias ? asFloat32(values[scale ? 2 : 1]) : undefined,
      paramOuter,
      paramInner,
    });
    return floatTensor(output, out);
  });
}
