/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Indexing ops → WebNN gather / gatherElements / gatherND / scatterElements / scatterND /
// triangular. WebNN takes indices in [-N, N) like ONNX. Gather also evaluates on the host
// (Shape → Gather picks a dim); Trilu's k must be known when the graph is built.
//   gatherOps.Gather[0].lower(g, [table, ids], { axis: 0 }, 'Gather_1')

import { notExpressible, type BuildContext, type OpTable, type Value } from './types.js';

type AxisAttrs = { axis: number };
type ScatterAttrs = { axis: number; op: string };
type TriluAttrs = { upper: boolean };

function indicesOperand(g: BuildContext, v: Value, label: string) {
  return g.operandAs(v, v.dtype === 'int32' ? 'int32' : 'int64', label);
}

function lowerGather(g: BuildContext, x: Value[], a: AxisAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const axis = g.axis(a.axis, input.shape.length);
  const indices = indicesOperand(g, x[1], `${label}#indices`);
  return g.result(g.call('gather', { input, indices }, input, indices, g.opts(label, { axis })), x[0].dtype);
}

function hostGather(g: BuildContext, x: Value[], a: AxisAttrs): Value {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const data = g.numbers(x[0], 'the input');
  const indices = g.numbers(x[1], 'the indices');
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  const out = new Float64Array(outer * indices.length * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < indices.length; k++) {
      const row = indices[k] < 0 ? indices[k] + dims[axis] : indices[k];
      if (!(row >= 0 && row < dims[axis]))
        g.fail(`index ${indices[k]} is out of range for a dim of ${dims[axis]}`);
      for (let i = 0; i < inner; i++) out[at++] = data[(o * dims[axis] + row) * inner + i];
    }
  }
  return g.host(x[0].dtype, [...dims.slice(0, axis), ...x[1].dims, ...dims.slice(axis + 1)], out);
}

function lowerGatherElements(g: BuildContext, x: Value[], a: AxisAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const axis = g.axis(a.axis, input.shape.length);
  const indices = indicesOperand(g, x[1], `${label}#indices`);
  const out = g.call('gatherElements', { input, indices }, input, indices, g.opts(label, { axis }));
  return g.result(out, x[0].dtype);
}

function lowerGatherND(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const input = g.operand(x[0]);
  const indices = indicesOperand(g, x[1], `${label}#indices`);
  return g.result(g.call('gatherND', { input, indices }, input, indices, g.opts(label)), x[0].dtype);
}

function lowerScatter(g: BuildContext, x: Value[], a: ScatterAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const indices = indicesOperand(g, x[1], `${label}#indices`);
  const updates = g.operandAs(x[2], x[0].dtype, `${label}#updates`);
  const roles = { input, indices, updates };
  if (a.op === 'scatterND')
    return g.result(g.call('scatterND', roles, input, indices, updates, g.opts(label)), x[0].dtype);
  const axis = g.axis(a.axis, input.shape.length);
  return g.result(
    g.call('scatterElements', roles, input, indices, updates, g.opts(label, { axis })),
    x[0].dtype,
  );
}

function lowerTrilu(g: BuildContext, x: Value[], a: TriluAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const diagonal = x[1] === undefined ? 0 : g.ints(x[1], 'k')[0];
  return g.result(
    g.call('triangular', { input }, input, g.opts(label, { upper: a.upper, diagonal })),
    x[0].dtype,
  );
}

const scatter = (op: string) => (n: import('./types.js').OnnxNodeView) =>
  n.string('reduction', 'none') !== 'none'
    ? notExpressible(
        `scatters with reduction "${n.string('reduction', 'none')}"; WebNN scatters by replacing only`,
      )
    : { op, axis: n.int('axis', 0) };

export const gatherOps: OpTable = {
  Gather: [
    {
      since: 1,
      attributes: (n) => ({ axis: n.int('axis', 0) }),
      lower: lowerGather,
      host: hostGather,
      helpers: [indicesOperand],
    },
  ],
  GatherElements: [
    {
      since: 11,
      attributes: (n) => ({ axis: n.int('axis', 0) }),
      lower: lowerGatherElements,
      helpers: [indicesOperand],
    },
  ],
  GatherND: [
    {
      since: 11,
      attributes: (n) =>
        n.int('batch_dims', 0) !== 0 ? notExpressible('has batch_dims ≠ 0, which WebNN gatherND lacks') : {},
      lower: lowerGatherND,
      helpers: [indicesOperand],
    },
  ],
  ScatterND: [
    { since: 11, attributes: scatter('scatterND'), lower: lowerScatter, helpers: [indicesOperand] },
  ],
  ScatterElements: [
    { since: 11, attributes: scatter('scatterElements'), lower: lowerScatter, helpers: [indicesOperand] },
  ],
  Trilu: [{ since: 14, attributes: (n) => ({ upper: n.int('upper', 1) === 1 }), lower: lowerTrilu }],
};
