/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Arithmetic ops → WebNN add/sub/mul/div/pow/max/min (numpy broadcasting, as in ONNX).
// Variadic Sum/Max/Min/Mean chain the binary op. All evaluate on the host when every
// input is known while the graph is built (shape arithmetic).
//   arithmeticOps.Add[0].lower(g, [a, b], { op: 'add' }, 'Add_3')

import type { BuildContext, OpTable, OpVersion, Value } from './types.js';

type BinaryAttrs = { op: string };
type VariadicAttrs = { op: string; mean: boolean };

function lowerBinary(g: BuildContext, x: Value[], a: BinaryAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const lhs = g.operandAs(x[0], dtype, `${label}#a`);
  // ONNX Pow may take an exponent of another type; WebNN wants one type.
  const rhs = g.operandAs(x[1], dtype, `${label}#b`);
  return g.result(g.call(a.op, { a: lhs, b: rhs }, lhs, rhs, g.opts(label)), dtype);
}

function hostBinary(g: BuildContext, x: Value[], a: BinaryAttrs): Value {
  const dtype = x[0].dtype;
  const integer = dtype !== 'float32' && dtype !== 'float16';
  const fn: Record<string, (p: number, q: number) => number> = {
    add: (p, q) => p + q,
    sub: (p, q) => p - q,
    mul: (p, q) => p * q,
    div: integer ? (p, q) => Math.trunc(p / q) : (p, q) => p / q,
    pow: (p, q) => Math.pow(p, q),
    max: (p, q) => Math.max(p, q),
    min: (p, q) => Math.min(p, q),
  };
  return g.hostMap([x[0], x[1]], dtype, fn[a.op]);
}

function lowerVariadic(g: BuildContext, x: Value[], a: VariadicAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const inputs = x.filter((v) => v !== undefined);
  if (inputs.length === 1 && !a.mean) return inputs[0];
  let acc = g.operandAs(inputs[0], dtype, `${label}#0`);
  for (let i = 1; i < inputs.length; i++) {
    const next = g.operandAs(inputs[i], dtype, `${label}#${i}`);
    acc = g.call(
      a.op,
      { a: acc, b: next },
      acc,
      next,
      g.opts(i === inputs.length - 1 && !a.mean ? label : `${label}#${i}`),
    );
  }
  if (a.mean) {
    const count = g.scalar(dtype, inputs.length);
    acc = g.call('div', { a: acc, b: count }, acc, count, g.opts(label));
  }
  return g.result(acc, dtype);
}

function hostVariadic(g: BuildContext, x: Value[], a: VariadicAttrs): Value {
  const inputs = x.filter((v) => v !== undefined);
  const fold: Record<string, (xs: number[]) => number> = {
    add: (xs) => xs.reduce((p, q) => p + q, 0),
    max: (xs) => Math.max(...xs),
    min: (xs) => Math.min(...xs),
  };
  const n = inputs.length;
  return g.hostMap(inputs, inputs[0].dtype, (...xs) => (a.mean ? fold[a.op](xs) / n : fold[a.op](xs)));
}

const binary = (op: string): OpVersion[] => [
  { since: 7, attributes: () => ({ op }), lower: lowerBinary, host: hostBinary },
];
const variadic = (op: string, mean = false): OpVersion[] => [
  { since: 6, attributes: () => ({ op, mean }), lower: lowerVariadic, host: hostVariadic },
];

export const arithmeticOps: OpTable = {
  Add: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  Div: binary('div'),
  Pow: binary('pow'),
  Max: variadic('max'),
  Min: variadic('min'),
  Sum: variadic('add'),
  Mean: variadic('add', true),
};
