// Activation operators: relu, sigmoid, tanh, gelu (erf form), elu, leakyRelu, hardSigmoid,
// hardSwish, softplus, softsign, linear, prelu and softmax(axis). Float math runs in double
// and rounds to float32 (float16 rounded back); alpha/beta options are first cast to the
// input's data type, as the spec says. relu and prelu also accept signed integers.
//   const y = buildActivation(state, 'gelu', x, {});

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat32, asFloat64, castNumber, isBigIntType, isFloatType, storeNumbers } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { broadcastOffsets, broadcastShapes, splitAxes } from '../shape-utils.js';
import type {
  MLEluOptions,
  MLHardSigmoidOptions,
  MLLeakyReluOptions,
  MLLinearOptions,
  MLOperatorOptions,
} from '../types.js';
import { toDouble, toDictionary, toUnsignedLong } from '../webidl.js';
import { erf, erfcLarge } from './elementwise-unary.js';
import { expandFloat32, expandFloat64, floatTensor, lazy, tensorOf } from './kernel-helpers.js';
import { abs, exp, expm1, imul, log1p, max, min, SQRT2, tanh } from '../fast-math.js';

export type ActivationKind =
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'gelu'
  | 'elu'
  | 'leakyRelu'
  | 'hardSigmoid'
  | 'hardSwish'
  | 'softplus'
  | 'softsign'
  | 'linear';

type ActivationOptions = MLEluOptions & MLHardSigmoidOptions & MLLeakyReluOptions & MLLinearOptions;

const DEFAULT_ALPHA: Partial<Record<ActivationKind, number>> = {
  elu: 1,
  leakyRelu: 0.01,
  hardSigmoid: 0.2,
  linear: 1,
};
const DEFAULT_BETA: Partial<Record<ActivationKind, number>> = { hardSigmoid: 0.5, linear: 0 };

export function buildActivation(
  state: BuildState,
  kind: ActivationKind,
  input: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<ActivationOptions>(options, kind);
  const op = new OperatorBuild(state, kind, opts);
  const x = op.operand(input, 'input');
  const param = (value: unknown, fallback: number | undefined, name: string): number =>
    fallback === undefined
      ? 0
      : Number(
          castNumber(value === undefined ? fallback : toDouble(value, `${op.what}: ${name}`), x.dataType),
        );
  const alpha = param(opts.alpha, DEFAULT_ALPHA[kind], 'alpha');
  const beta = param(opts.beta, DEFAULT_BETA[kind], 'beta');
  const output = { dataType: x.dataType, shape: x.shape };
  return op.emitOne([x], output, ([v]) => {
    if (!isFloatType(v.dataType)) {
      // relu on signed integers (the only non-float activation): max(0, x).
      if (isBigIntType(v.dataType)) {
        const data = v.data as BigInt64Array;
        return tensorOf(
          output,
          BigInt64Array.from(data, (e) => (e > 0n ? e : 0n)),
        );
      }
      const values = asFloat64(v);
      for (let i = 0; i < values.length; i++) values[i] = max(values[i], 0);
      return tensorOf(output, storeNumbers(v.dataType, values));
    }
    return floatTensor(output, activationFloat(kind, asFloat32(v), alpha, beta));
  });
}

function activationFloat(kind: ActivationKind, x: Float32Array, alpha: number, beta: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  switch (kind) {
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + exp(-x[i]));
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = tanh(x[i]);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) out[i] = gelu(x[i]);
      break;
    case 'elu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : alpha * expm1(x[i]);
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = x[i] >= 0 ? x[i] : alpha * x[i];
      break;
    case 'hardSigmoid':
      for (let i = 0; i < n; i++) out[i] = max(0, min(1, alpha * x[i] + beta));
      break;
    case 'hardSwish':
      for (let i = 0; i < n; i++) out[i] = (x[i] * max(0, min(6, x[i] + 3))) / 6;
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
      }
      break;
    case 'softsign':
      for (let i = 0; i < n; i++) out[i] = x[i] / (1 + abs(x[i]));
      break;
    case 'linear':
      for (let i = 0; i < n; i++) out[i] = alpha * x[i] + beta;
      break;
  }
  return out;
}

/** gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), using erfc for large negative x. */
function gelu(x: number): number {
  const t = x / SQRT2;
  if (t < -3) return 0.5 * x * erfcLarge(-t);
  return 0.5 * x * (1 + erf(t));
}

export function buildPrelu(state: BuildState, input: unknown, slope: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'prelu');
  const op = new OperatorBuild(state, 'prelu', opts);
  const x = op.operand(input, 'input');
  const s = op.operand(slope, 'slope');
  op.requireSameType(s, 'slope', x.dataType);
  const shape =
    broadcastShapes(s.shape, x.shape) ??
    op.fail(`slope [${s.shape}] is not broadcastable with input [${x.shape}]`);
  const output = { dataType: x.dataType, shape };
  const offsetsX = lazy(() => broadcastOffsets(x.shape, shape));
  const offsetsS = lazy(() => broadcastOffsets(s.shape, shape));
  return op.emitOne([x, s], output, ([vx, vs]) => {
    if (isBigIntType(vx.dataType)) {
      const n = offsetsX()?.length ?? vx.data.length;
      const xs = vx.data as BigInt64Array;
      const ss = vs.data as BigInt64Array;
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = xs[offsetsX()?.[i] ?? i];
        out[i] = v >= 0n ? v : BigInt.asIntN(64, v * ss[offsetsS()?.[i] ?? i]);
      }
      return tensorOf(output, out);
    }
    if (isFloatType(vx.dataType)) {
      const xs = expandFloat32(asFloat32(vx), offsetsX());
      const ss = expandFloat32(asFloat32(vs), offsetsS());
      const n = max(xs.length, ss.length);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = xs[i] >= 0 ? xs[i] : ss[i] * xs[i];
      return floatTensor(output, out);
    }
    const xs = expandFloat64(asFloat64(vx), offsetsX());
    const ss = expandFloat64(asFloat64(vs), offsetsS());
    const out = new Float64Array(max(xs.length, ss.length));
    for (let i = 0; i < out.length; i++) out[i] = xs[i] >= 0 ? xs[i] : imul(ss[i], xs[i]);
    return tensorOf(output, storeNumbers(vx.dataType, out));
  });
}

export function buildSoftmax(state: BuildState, input: unknown, axis: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'softmax');
  const op = new OperatorBuild(state, 'softmax', opts);
  const x = op.operand(input, 'input');
  const softmaxAxis = toUnsignedLong(axis, `${op.what}: axis`);
  if (softmaxAxis >= x.shape.length)
    op.fail(`axis ${softmaxAxis} is out of range for rank ${x.shape.length}`);
  const output = { dataType: x.dataType, shape: x.shape };
  const split = lazy(() => splitAxes(x.shape, [softmaxAxis]));
  return op.emitOne([x], output, ([v]) => {
    const values = asFloat32(v);
    const { outer, inner } = split();
    const out = new Float32Array(values.length);
    const exps = new Float64Array(inner.length);
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o];
      let peak = -Infinity;
      for (let r = 0; r < inner.length; r++) peak = max(peak, values[base + inner[r]]);
      let sum = 0;
      for (let r = 0; r < inner.length; r++) {
        const e = exp(values[base + inner[r]] - peak);
        exps[r] = e;
        sum += e;
      }
      for (let r = 0; r < inner.length; r++) out[base + inner[r]] = exps[r] / sum;
    }
    return floatTensor(output, out);
  });
}
