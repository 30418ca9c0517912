/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Elementwise unary math → WebNN abs/ceil/cos/erf/exp/floor/log/neg/reciprocal/roundEven/
// sign/sin/sqrt/tan; Identity and inference-mode Dropout pass their input through; Cast
// maps to cast() except to bool, which is x != 0 (WebNN's cast would truncate). The exact
// ones (neg, abs, floor, ceil, sqrt, reciprocal, sign) also evaluate on the host.
//   unaryOps.Sqrt[0].lower(g, [x], { op: 'sqrt' }, 'Sqrt_2')

import { dtypeFromOnnx } from '../../../onnx/dtype.js';
import {
  notExpressible,
  type BuildContext,
  type ElementType,
  type OnnxNodeView,
  type OpTable,
  type OpVersion,
  type Value,
} from './types.js';

type UnaryAttrs = { op: string };
type CastAttrs = { to: ElementType | null };

function lowerUnary(g: BuildContext, x: Value[], a: UnaryAttrs, label: string): Value {
  const v = g.operand(x[0]);
  return g.result(g.call(a.op, { input: v }, v, g.opts(label)), x[0].dtype);
}

function hostUnary(g: BuildContext, x: Value[], a: UnaryAttrs): Value {
  const fn: Record<string, (p: number) => number> = {
    neg: (p) => -p,
    abs: (p) => Math.abs(p),
    floor: (p) => Math.floor(p),
    ceil: (p) => Math.ceil(p),
    sqrt: (p) => Math.sqrt(p),
    reciprocal: (p) => 1 / p,
    sign: (p) => Math.sign(p),
  };
  return g.hostMap([x[0]], x[0].dtype, fn[a.op]);
}

function passThrough(_g: BuildContext, x: Value[]): Value {
  return x[0];
}

function lowerCast(g: BuildContext, x: Value[], a: CastAttrs, label: string): Value {
  const to = a.to ?? x[1].dtype;
  const v = x[0];
  if (to === v.dtype) return v;
  const input = g.operand(v);
  if (to === 'bool') {
    const zero = g.scalar(v.dtype, 0);
    if (g.has('notEqual'))
      return g.result(g.call('notEqual', { a: input, b: zero }, input, zero, g.opts(label)), 'bool');
    const isZero = g.call('equal', { a: input, b: zero }, input, zero, g.opts(`${label}#equal`));
    return g.result(g.call('logicalNot', { a: isZero }, isZero, g.opts(label)), 'bool');
  }
  const dataType = g.type(to);
  if (input.dataType === dataType) return g.result(input, to);
  return g.result(g.call('cast', { input }, input, dataType, g.opts(label)), to);
}

function hostCast(g: BuildContext, x: Value[], a: CastAttrs): Value {
  const to = a.to ?? x[1].dtype;
  return g.host(to, x[0].dims, g.numbers(x[0], 'the input'));
}

const CASTABLE: readonly string[] = [
  'float32',
  'float16',
  'int64',
  'uint64',
  'int32',
  'uint32',
  'int16',
  'uint16',
  'int8',
  'uint8',
  'bool',
];

function castAttributes(n: OnnxNodeView) {
  const code = n.int('to', 1);
  const to = dtypeFromOnnx(code);
  if (!to || !CASTABLE.includes(to))
    return notExpressible(`casts to element type ${to ?? code}, which WebNN has no data type for`);
  return { to: to as ElementType };
}

const unary = (op: string, since = 6, exact = false): OpVersion[] => [
  { since, attributes: () => ({ op }), lower: lowerUnary, host: exact ? hostUnary : undefined },
];

export const unaryOps: OpTable = {
  Abs: unary('abs', 6, true),
  Ceil: unary('ceil', 6, true),
  Cos: unary('cos', 7),
  Erf: unary('erf', 9),
  Exp: unary('exp'),
  Floor: unary('floor', 6, true),
  Log: unary('log'),
  Neg: unary('neg', 6, true),
  Reciprocal: unary('reciprocal', 6, true),
  Round: unary('roundEven', 11),
  Sign: unary('sign', 9, true),
  Sin: unary('sin', 7),
  Sqrt: unary('sqrt', 6, true),
  Tan: unary('tan', 7),
  Identity: [{ since: 1, lower: passThrough, host: passThrough }],
  Dropout: [{ since: 7, lower: passThrough, host: passThrough }],
  Cast: [{ since: 6, attributes: castAttributes, lower: lowerCast, host: hostCast }],
  CastLike: [{ since: 15, attributes: () => ({ to: null }), lower: lowerCast, host: hostCast }],
};
