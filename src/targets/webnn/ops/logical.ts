/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Comparison, logical and selection ops. ONNX bool tensors are WebNN uint8 (0/1), which is
// what WebNN's comparisons return and where()/logical*() take. IsNaN and IsInf have no
// WebNN op and are decomposed: IsNaN(x) = x != x, IsInf(x) = x == ±∞.
//   logicalOps.Where[0].lower(g, [cond, x, y], {}, 'Where_7')

import type { BuildContext, OpTable, OpVersion, Value } from './types.js';

type CompareAttrs = { op: string };
type IsInfAttrs = { positive: boolean; negative: boolean };

function lowerCompare(g: BuildContext, x: Value[], a: CompareAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const lhs = g.operandAs(x[0], dtype, `${label}#a`);
  const rhs = g.operandAs(x[1], dtype, `${label}#b`);
  return g.result(g.call(a.op, { a: lhs, b: rhs }, lhs, rhs, g.opts(label)), 'bool');
}

function hostCompare(g: BuildContext, x: Value[], a: CompareAttrs): Value {
  const fn: Record<string, (p: number, q: number) => boolean> = {
    equal: (p, q) => p === q,
    notEqual: (p, q) => p !== q,
    greater: (p, q) => p > q,
    greaterOrEqual: (p, q) => p >= q,
    lesser: (p, q) => p < q,
    lesserOrEqual: (p, q) => p <= q,
    logicalAnd: (p, q) => p !== 0 && q !== 0,
    logicalOr: (p, q) => p !== 0 || q !== 0,
    logicalXor: (p, q) => (p !== 0) !== (q !== 0),
  };
  return g.hostMap([x[0], x[1]], 'bool', (p, q) => (fn[a.op](p, q) ? 1 : 0));
}

function lowerNot(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const v = g.operand(x[0]);
  return g.result(g.call('logicalNot', { a: v }, v, g.opts(label)), 'bool');
}

function hostNot(g: BuildContext, x: Value[]): Value {
  return g.hostMap([x[0]], 'bool', (p) => (p ? 0 : 1));
}

function lowerWhere(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const dtype = x[1].dtype;
  const condition = g.operandAs(x[0], 'bool', `${label}#condition`);
  const whenTrue = g.operandAs(x[1], dtype, `${label}#x`);
  const whenFalse = g.operandAs(x[2], dtype, `${label}#y`);
  const out = g.call(
    'where',
    { condition, trueValue: whenTrue, falseValue: whenFalse },
    condition,
    whenTrue,
    whenFalse,
    g.opts(label),
  );
  return g.result(out, dtype);
}

function hostWhere(g: BuildContext, x: Value[]): Value {
  return g.hostMap([x[0], x[1], x[2]], x[1].dtype, (c, t, f) => (c ? t : f));
}

function lowerIsNaN(g: BuildContext, x: Value[], _a: unknown, label: string): Value {
  const v = g.operand(x[0]);
  if (g.has('notEqual')) return g.result(g.call('notEqual', { a: v, b: v }, v, v, g.opts(label)), 'bool');
  const same = g.call('equal', { a: v, b: v }, v, v, g.opts(`${label}#equal`));
  return g.result(g.call('logicalNot', { a: same }, same, g.opts(label)), 'bool');
}

function hostIsNaN(g: BuildContext, x: Value[]): Value {
  return g.hostMap([x[0]], 'bool', (p) => (Number.isNaN(p) ? 1 : 0));
}

function lowerIsInf(g: BuildContext, x: Value[], a: IsInfAttrs, label: string): Value {
  const v = g.operand(x[0]);
  const test = (value: number, suffix: string) => {
    const inf = g.scalar(x[0].dtype, value);
    return g.call('equal', { a: v, b: inf }, v, inf, g.opts(`${label}${suffix}`));
  };
  if (a.positive && a.negative) {
    const pos = test(Infinity, '#positive');
    const neg = test(-Infinity, '#negative');
    return g.result(g.call('logicalOr', { a: pos, b: neg }, pos, neg, g.opts(label)), 'bool');
  }
  if (!a.positive && !a.negative) {
    return g.host('bool', x[0].dims, new Uint8Array(x[0].dims.reduce((p, d) => p * d, 1)));
  }
  return g.result(test(a.positive ? Infinity : -Infinity, ''), 'bool');
}

const compare = (op: string, since = 7): OpVersion[] => [
  { since, attributes: () => ({ op }), lower: lowerCompare, host: hostCompare },
];

export const logicalOps: OpTable = {
  Equal: compare('equal'),
  Greater: compare('greater'),
  Less: compare('lesser'),
  GreaterOrEqual: compare('greaterOrEqual', 12),
  LessOrEqual: compare('lesserOrEqual', 12),
  And: compare('logicalAnd'),
  Or: compare('logicalOr'),
  Xor: compare('logicalXor'),
  Not: [{ since: 1, lower: lowerNot, host: hostNot }],
  Where: [{ since: 9, lower: lowerWhere, host: hostWhere }],
  IsNaN: [{ since: 9, lower: lowerIsNaN, host: hostIsNaN }],
  IsInf: [
    {
      since: 10,
      attributes: (n) => ({
        positive: n.int('detect_positive', 1) === 1,
        negative: n.int('detect_negative', 1) === 1,
      }),
      lower: lowerIsInf,
    },
  ],
};
