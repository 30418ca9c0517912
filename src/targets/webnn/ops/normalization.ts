/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Normalizations → WebNN layerNormalization / batchNormalization / instanceNormalization;
// RMSNormalization (opset 23) is decomposed (x / √(mean(x²) + ε) · scale). Scale and bias
// that ONNX broadcasts are expanded to the normalized shape WebNN requires. With
// stash_type = 1 (float32) and float16 compute, LayerNormalization runs in float32 as
// ONNX specifies, when the context can.
//   normalizationOps.LayerNormalization[0].lower(g, [x, scale, bias], { axis: -1, epsilon: 1e-5, stash32: true }, 'LN_1')

import { notExpressible, type BuildContext, type OpTable, type Value } from './types.js';

type LayerNormAttrs = { axis: number; epsilon: number; stash32: boolean };
type BatchNormAttrs = { epsilon: number };

function lowerLayerNorm(g: BuildContext, x: Value[], a: LayerNormAttrs, label: string): Value {
  const dtype = x[0].dtype;
  let input = g.operand(x[0]);
  const rank = input.shape.length;
  const axis = g.axis(a.axis, rank);
  const axes: number[] = [];
  for (let i = axis; i < rank; i++) axes.push(i);
  const shape = input.shape.slice(axis);
  const computeIn =
    a.stash32 && input.dataType === 'float16' && g.supports('layerNormalization', 'input', 'float32')
      ? 'float32'
      : input.dataType;
  const param = (v: Value | undefined, role: string) => {
    if (v === undefined) return undefined;
    let p = g.operandAs(v, dtype, `${label}#${role}`);
    if (p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i])) {
      p = g.reshape(
        p,
        [...new Array<number>(shape.length - p.shape.length).fill(1), ...p.shape],
        `${label}#${role}Rank`,
      );
      p = g.call('expand', { input: p }, p, shape, g.opts(`${label}#${role}Expand`));
    }
    return computeIn === p.dataType
      ? p
      : g.call('cast', { input: p }, p, computeIn, g.opts(`${label}#${role}Cast`));
  };
  const scale = param(x[1], 'scale');
  const bias = param(x[2], 'bias');
  const widened = computeIn !== input.dataType;
  if (widened) input = g.call('cast', { input }, input, computeIn, g.opts(`${label}#widen`));
  let out = g.call(
    'layerNormalization',
    { input, scale, bias },
    input,
    g.opts(widened ? `${label}#float32` : label, { scale, bias, axes, epsilon: a.epsilon }),
  );
  if (widened) out = g.call('cast', { input: out }, out, g.type(dtype), g.opts(label));
  return g.result(out, dtype);
}

function lowerBatchNorm(g: BuildContext, x: Value[], a: BatchNormAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const input = g.operand(x[0]);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => g.operandAs(x[i], dtype, `${label}#${i}`));
  const out = g.call(
    'batchNormalization',
    { input, mean, variance, scale, bias },
    input,
    mean,
    variance,
    g.opts(label, { scale, bias, axis: 1, epsilon: a.epsilon }),
  );
  return g.result(out, dtype);
}

function lowerInstanceNorm(g: BuildContext, x: Value[], a: BatchNormAttrs, label: string): Value {
  const dtype = x[0].dtype;
  let input = g.operand(x[0]);
  const dims = Array.from(input.shape);
  const flat = dims.length !== 4;
  if (flat) {
    const rest = dims.slice(2).reduce((p, d) => p * d, 1);
    input = g.reshape(input, [dims[0], dims[1], rest, 1], `${label}#4d`);
  }
  const scale = g.operandAs(x[1], dtype, `${label}#scale`);
  const bias = g.operandAs(x[2], dtype, `${label}#bias`);
  const out = g.call(
    'instanceNormalization',
    { input, scale, bias },
    input,
    g.opts(flat ? `${label}#instanceNormalization` : label, {
      scale,
      bias,
      epsilon: a.epsilon,
      layout: 'nchw',
    }),
  );
  return g.result(flat ? g.reshape(out, dims, label) : out, dtype);
}

function lowerRmsNorm(g: BuildContext, x: Value[], a: LayerNormAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const input = g.operand(x[0]);
  const rank = input.shape.length;
  const axis = g.axis(a.axis, rank);
  const axes: number[] = [];
  for (let i = axis; i < rank; i++) axes.push(i);
  const step = (op: string, p: typeof input, q: typeof input, name: string) =>
    g.call(op, { a: p, b: q }, p, q, g.opts(`${label}#${name}`));
  const square = step('mul', input, input, 'square');
  const mean = g.call(
    'reduceMean',
    { input: square },
    square,
    g.opts(`${label}#mean`, { axes, keepDimensions: true }),
  );
  const shifted = step('add', mean, g.scalar(dtype, a.epsilon), 'epsilon');
  const root = g.call('sqrt', { input: shifted }, shifted, g.opts(`${label}#sqrt`));
  const normalized = step('div', input, root, 'normalize');
  const scale = g.operandAs(x[1], dtype, `${label}#scale`);
  return g.result(g.call('mul', { a: normalized, b: scale }, normalized, scale, g.opts(label)), dtype);
}

export const normalizationOps: OpTable = {
  LayerNormalization: [
    {
      since: 17,
      attributes: (n) => {
        if (n.outputs.slice(1).some((o) => o))
          return notExpressible('returns Mean/InvStdDev, which WebNN does not');
        return {
          axis: n.int('axis', -1),
          epsilon: n.float('epsilon', 1e-5),
          stash32: n.int('stash_type', 1) === 1,
        };
      },
      lower: lowerLayerNorm,
    },
  ],
  RMSNormalization: [
    {
      since: 23,
      attributes: (n) => ({ axis: n.int('axis', -1), epsilon: n.float('epsilon', 1e-5), stash32: true }),
      lower: lowerRmsNorm,
    },
  ],
  BatchNormalization: [
    {
      since: 9,
      attributes: (n) => {
        if (n.int('training_mode', 0) === 1 || n.outputs.slice(1).some((o) => o))
          return notExpressible('runs in training mode; WebNN batchNormalization is inference only');
        return { epsilon: n.float('epsilon', 1e-5) };
      },
      lower: lowerBatchNorm,
    },
  ],
  InstanceNormalization: [
    { since: 6, attributes: (n) => ({ epsilon: n.float('epsilon', 1e-5) }), lower: lowerInstanceNorm },
  ],
};
