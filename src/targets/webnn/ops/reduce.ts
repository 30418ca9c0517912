/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Reductions → WebNN reduceSum/Mean/Max/Min/Product/L1/L2/LogSum/LogSumExp/SumSquare,
// argMax/argMin and cumulativeSum. Axes come from the attribute (older opsets) or the
// second input, which must be known when the graph is built; no axes reduce everything
// unless noop_with_empty_axes. Sum/Product/Max/Min also evaluate on the host.
//   reduceOps.ReduceMean[1].lower(g, [x, axes], { op: 'reduceMean', axes: null, keep: true, noop: false }, 'RM_2')

import { notExpressible, type BuildContext, type OpTable, type OpVersion, type Value } from './types.js';

type ReduceAttrs = { op: string; axes: number[] | null; keep: boolean; noop: boolean };
type ArgAttrs = { op: string; axis: number; keep: boolean };
type CumSumAttrs = { exclusive: boolean; reverse: boolean };

function reduceAxes(g: BuildContext, x: Value[], a: ReduceAttrs): number[] | null {
  const rank = x[0].dims.length;
  const given = a.axes ?? (x[1] !== undefined ? g.ints(x[1], 'the axes') : []);
  if (given.length === 0) return a.noop ? null : Array.from(x[0].dims.keys());
  return given.map((axis) => g.axis(axis, rank)).sort((p, q) => p - q);
}

function lowerReduce(g: BuildContext, x: Value[], a: ReduceAttrs, label: string): Value {
  const axes = reduceAxes(g, x, a);
  if (axes === null) return x[0];
  const input = g.operand(x[0]);
  return g.result(
    g.call(a.op, { input }, input, g.opts(label, { axes, keepDimensions: a.keep })),
    x[0].dtype,
  );
}

function hostReduce(g: BuildContext, x: Value[], a: ReduceAttrs): Value {
  const axes = reduceAxes(g, x, a);
  if (axes === null) return x[0];
  const dims = x[0].dims;
  const data = g.numbers(x[0], 'the input');
  const kept = dims.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = kept.reduce((p, d) => p * d, 1);
  const start: Record<string, number> = {
    reduceSum: 0,
    reduceProduct: 1,
    reduceMax: -Infinity,
    reduceMin: Infinity,
  };
  const combine: Record<string, (p: number, q: number) => number> = {
    reduceSum: (p, q) => p + q,
    reduceProduct: (p, q) => p * q,
    reduceMax: (p, q) => Math.max(p, q),
    reduceMin: (p, q) => Math.min(p, q),
  };
  const out = new Float64Array(count).fill(start[a.op]);
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    let at = 0;
    for (let k = 0; k < dims.length; k++) at = at * kept[k] + (kept[k] === 1 ? 0 : index[k]);
    out[at] = combine[a.op](out[at], data[i]);
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
  return g.host(x[0].dtype, a.keep ? kept : dims.filter((_, i) => !axes.includes(i)), out);
}

function lowerArg(g: BuildContext, x: Value[], a: ArgAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const axis = g.axis(a.axis, input.shape.length);
  const options = { keepDimensions: a.keep, outputDataType: g.type('int64') };
  return g.result(g.call(a.op, { input }, input, axis, g.opts(label, options)), 'int64');
}

function lowerCumSum(g: BuildContext, x: Value[], a: CumSumAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const axis = g.axis(g.ints(x[1], 'the axis')[0], input.shape.length);
  const options = { exclusive: a.exclusive, reversed: a.reverse };
  return g.result(g.call('cumulativeSum', { input }, input, axis, g.opts(label, options)), x[0].dtype);
}

const HOST_REDUCTIONS = ['reduceSum', 'reduceProduct', 'reduceMax', 'reduceMin'];

/** A reduction whose axes moved from attribute to input at opset `inputSince`. */
const reduce = (op: string, inputSince: number): OpVersion[] => {
  const host = HOST_REDUCTIONS.includes(op) ? hostReduce : undefined;
  return [
    {
      since: 1,
      attributes: (n) => ({
        op,
        axes: n.ints('axes') ?? null,
        keep: n.int('keepdims', 1) === 1,
        noop: false,
      }),
      lower: lowerReduce,
      host,
      helpers: [reduceAxes],
    },
    {
      since: inputSince,
      attributes: (n) => ({
        op,
        axes: null,
        keep: n.int('keepdims', 1) === 1,
        noop: n.int('noop_with_empty_axes', 0) === 1,
      }),
      lower: lowerReduce,
      host,
      helpers: [reduceAxes],
    },
  ];
};

const arg = (op: string): OpVersion[] => [
  {
    since: 1,
    attributes: (n) =>
      n.int('select_last_index', 0) === 1
        ? notExpressible('selects the last index of ties; WebNN returns the first')
        : { op, axis: n.int('axis', 0), keep: n.int('keepdims', 1) === 1 },
    lower: lowerArg,
  },
];

export const reduceOps: OpTable = {
  ReduceSum: reduce('reduceSum', 13),
  ReduceMean: reduce('reduceMean', 18),
  ReduceMax: reduce('reduceMax', 18),
  ReduceMin: reduce('reduceMin', 18),
  ReduceProd: reduce('reduceProduct', 18),
  ReduceL1: reduce('reduceL1', 18),
  ReduceL2: reduce('reduceL2', 18),
  ReduceLogSum: reduce('reduceLogSum', 18),
  ReduceLogSumExp: reduce('reduceLogSumExp', 18),
  ReduceSumSquare: reduce('reduceSumSquare', 18),
  ArgMax: arg('argMax'),
  ArgMin: arg('argMin'),
  CumSum: [
    {
      since: 11,
      attributes: (n) => ({ exclusive: n.int('exclusive', 0) === 1, reverse: n.int('reverse', 0) === 1 }),
      lower: lowerCumSum,
    },
  ],
};
