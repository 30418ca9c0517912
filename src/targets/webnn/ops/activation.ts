/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Activations and softmax → WebNN relu/sigmoid/tanh/gelu/leakyRelu/elu/hardSigmoid/
// hardSwish/softplus/softsign/prelu/clamp/softmax. Decomposed where WebNN has no direct
// form: Gelu(approximate=tanh), Selu (γ·elu), Clip with run-time bounds (max/min),
// LogSoftmax (x − max − log Σ exp), and opset < 13 Softmax, which normalises over the
// input flattened to 2-D at `axis`.
//   activationOps.Softmax[1].lower(g, [x], { axis: -1, legacy: false, log: false }, 'Softmax_9')

import type { BuildContext, OnnxNodeView, OpTable, OpVersion, Value } from './types.js';

type OptionsAttrs = { op: string; options: Record<string, number> };
type GeluAttrs = { tanh: boolean };
type SeluAttrs = { alpha: number; gamma: number };
type ClipAttrs = { min: number | null; max: number | null };
type SoftmaxAttrs = { axis: number; legacy: boolean; log: boolean };

function lowerActivation(g: BuildContext, x: Value[], a: OptionsAttrs, label: string): Value {
  const v = g.operand(x[0]);
  return g.result(g.call(a.op, { input: v }, v, g.opts(label, a.options)), x[0].dtype);
}

function lowerGelu(g: BuildContext, x: Value[], a: GeluAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const v = g.operand(x[0]);
  if (!a.tanh) return g.result(g.call('gelu', { input: v }, v, g.opts(label)), dtype);
  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const mul = (p: typeof v, q: typeof v, step: string) =>
    g.call('mul', { a: p, b: q }, p, q, g.opts(`${label}#${step}`));
  const add = (p: typeof v, q: typeof v, step: string) =>
    g.call('add', { a: p, b: q }, p, q, g.opts(`${label}#${step}`));
  const cube = mul(mul(v, v, 'square'), v, 'cube');
  const inner = add(v, mul(cube, g.scalar(dtype, 0.044715), 'cubic'), 'inner');
  const scaled = mul(inner, g.scalar(dtype, Math.sqrt(2 / Math.PI)), 'scaled');
  const t = g.call('tanh', { input: scaled }, scaled, g.opts(`${label}#tanh`));
  const half = mul(v, g.scalar(dtype, 0.5), 'half');
  const onePlus = add(t, g.scalar(dtype, 1), 'onePlus');
  return g.result(g.call('mul', { a: half, b: onePlus }, half, onePlus, g.opts(label)), dtype);
}

function lowerSelu(g: BuildContext, x: Value[], a: SeluAttrs, label: string): Value {
  const v = g.operand(x[0]);
  const elu = g.call('elu', { input: v }, v, g.opts(`${label}#elu`, { alpha: a.alpha }));
  const gamma = g.scalar(x[0].dtype, a.gamma);
  return g.result(g.call('mul', { a: elu, b: gamma }, elu, gamma, g.opts(label)), x[0].dtype);
}

function lowerPrelu(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const v = g.operand(x[0]);
  const slope = g.operandAs(x[1], x[0].dtype, `${label}#slope`);
  return g.result(g.call('prelu', { input: v, slope }, v, slope, g.opts(label)), x[0].dtype);
}

function lowerClip(g: BuildContext, x: Value[], a: ClipAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const v = g.operand(x[0]);
  const bound = (i: number, fallback: number | null) =>
    x[i] === undefined
      ? { known: true, value: fallback }
      : g.isHost(x[i])
        ? { known: true, value: g.numbers(x[i], 'a bound')[0] }
        : { known: false, value: null };
  const lo = bound(1, a.min);
  const hi = bound(2, a.max);
  if (lo.known && hi.known) {
    const options: Record<string, number> = {};
    if (lo.value !== null) options.minValue = lo.value;
    if (hi.value !== null) options.maxValue = hi.value;
    return g.result(g.call('clamp', { input: v }, v, g.opts(label, options)), dtype);
  }
  // A bound computed at run time: max(x, lo) then min(·, hi).
  let out = v;
  if (x[1] !== undefined) {
    const low = g.operandAs(x[1], dtype, `${label}#min`);
    out = g.call('max', { a: out, b: low }, out, low, g.opts(x[2] === undefined ? label : `${label}#lower`));
  }
  if (x[2] !== undefined) {
    const high = g.operandAs(x[2], dtype, `${label}#max`);
    out = g.call('min', { a: out, b: high }, out, high, g.opts(label));
  }
  return g.result(out, dtype);
}

function lowerSoftmax(g: BuildContext, x: Value[], a: SoftmaxAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const dims = x[0].dims;
  let v = g.operand(x[0]);
  let axis = g.axis(a.axis, dims.length);
  if (a.legacy) {
    const rows = dims.slice(0, axis).reduce((p, d) => p * d, 1);
    v = g.reshape(v, [rows, dims.slice(axis).reduce((p, d) => p * d, 1)], `${label}#flatten`);
    axis = 1;
  }
  let out: typeof v;
  if (!a.log) out = g.call('softmax', { input: v }, v, axis, g.opts(a.legacy ? `${label}#softmax` : label));
  else {
    const keep = { axes: [axis], keepDimensions: true };
    const max = g.call('reduceMax', { input: v }, v, g.opts(`${label}#max`, keep));
    const shifted = g.call('sub', { a: v, b: max }, v, max, g.opts(`${label}#shift`));
    const exp = g.call('exp', { input: shifted }, shifted, g.opts(`${label}#exp`));
    const sum = g.call('reduceSum', { input: exp }, exp, g.opts(`${label}#sum`, keep));
    const log = g.call('log', { input: sum }, sum, g.opts(`${label}#log`));
    out = g.call(
      'sub',
      { a: shifted, b: log },
      shifted,
      log,
      g.opts(a.legacy ? `${label}#logsoftmax` : label),
    );
  }
  return g.result(a.legacy ? g.reshape(out, dims, label) : out, dtype);
}

const simple = (
  op: string,
  since: number,
  options: (n: OnnxNodeView) => Record<string, number> = () => ({}),
): OpVersion[] => [{ since, attributes: (n) => ({ op, options: options(n) }), lower: lowerActivation }];

const softmax = (log: boolean): OpVersion[] => [
  { since: 1, attributes: (n) => ({ axis: n.int('axis', 1), legacy: true, log }), lower: lowerSoftmax },
  { since: 13, attributes: (n) => ({ axis: n.int('axis', -1), legacy: false, log }), lower: lowerSoftmax },
];

export const activationOps: OpTable = {
  Relu: simple('relu', 6),
  Sigmoid: simple('sigmoid', 6),
  Tanh: simple('tanh', 6),
  Softplus: simple('softplus', 1),
  Softsign: simple('softsign', 1),
  HardSwish: simple('hardSwish', 14),
  LeakyRelu: simple('leakyRelu', 6, (n) => ({ alpha: n.float('alpha', 0.01) })),
  Elu: simple('elu', 6, (n) => ({ alpha: n.float('alpha', 1) })),
  HardSigmoid: simple('hardSigmoid', 6, (n) => ({
    alpha: n.float('alpha', 0.2),
    beta: n.float('beta', 0.5),
  })),
  Gelu: [
    {
      since: 20,
      attributes: (n) => ({ tanh: n.string('approximate', 'none') === 'tanh' }),
      lower: lowerGelu,
    },
  ],
  Selu: [
    {
      since: 6,
      attributes: (n) => ({
        alpha: n.float('alpha', 1.67326319217681884765625),
        gamma: n.float('gamma', 1.05070102214813232421875),
      }),
      lower: lowerSelu,
    },
  ],
  PRelu: [{ since: 7, lower: lowerPrelu }],
  Clip: [
    {
      since: 6,
      attributes: (n) => ({
        min: n.float('min', -3.4028234663852886e38),
        max: n.float('max', 3.4028234663852886e38),
      }),
      lower: lowerClip,
    },
    { since: 11, attributes: () => ({ min: null, max: null }), lower: lowerClip },
  ],
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
