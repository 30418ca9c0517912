// Element-wise ONNX ops → OpenVINO: activations, arithmetic with numpy broadcasting,
// comparisons, logic, Where and Clip. Each is a one-liner over a shared builder.
//   ELEMENTWISE_LOWERINGS.Relu.lower(ctx) // [ReLU layer]

import { isOvInteger } from '../element-types.js';
import type { OvValue } from '../ir-graph.js';
import type { LoweringContext, OpLowering } from '../lowering.js';

const NUMPY = { auto_broadcast: 'numpy' } as const;

function unary(
  type: string,
  attrs: (c: LoweringContext) => Record<string, string | number | boolean> = () => ({}),
): OpLowering {
  return { lower: (c) => [c.op(type, [c.input(0)], attrs(c))] };
}

function binary(type: string, extra: Record<string, string | boolean> = {}): OpLowering {
  return { lower: (c) => [c.op(type, [c.input(0), c.input(1)], { ...NUMPY, ...extra })] };
}

/** Max/Min/Sum over any number of inputs as a chain of binary layers. */
function variadic(type: string): OpLowering {
  return {
    lower: (c) => {
      let acc = c.input(0);
      for (let i = 1; i < c.inputCount; i++) acc = c.op(type, [acc, c.input(i)], NUMPY, `${type}_${i}`);
      return [acc];
    },
  };
}

/** A scalar Const of the element type of `like`. */
function scalarLike(c: LoweringContext, value: number, like: OvValue): OvValue {
  return c.scalar(value, like.type);
}

const FLOAT32_MAX = 3.4028234663852886e38;

function lowerClip(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  if (c.opset < 11) {
    return [c.op('Clamp', [x], { min: c.float('min', -FLOAT32_MAX), max: c.float('max', FLOAT32_MAX) })];
  }
  const lo = c.has(1) ? c.constantNumbers(1) : [];
  const hi = c.has(2) ? c.constantNumbers(2) : [];
  if (lo && hi && (lo.length > 0 || hi.length > 0) && !isOvInteger(x.type)) {
    return [c.op('Clamp', [x], { min: lo[0] ?? -FLOAT32_MAX, max: hi[0] ?? FLOAT32_MAX })];
  }
  let y = x;
  if (c.has(1)) y = c.op('Maximum', [y, c.input(1)], NUMPY, 'min');
  if (c.has(2)) y = c.op('Minimum', [y, c.input(2)], NUMPY, 'max');
  return [y];
}

function lowerPow(c: LoweringContext): OvValue[] {
  const base = c.input(0);
  let exponent = c.input(1);
  if (exponent.type !== base.type)
    exponent = c.op('Convert', [exponent], { destination_type: base.type }, 'exponent');
  return [c.op('Power', [base, exponent], NUMPY)];
}

function lowerHardSigmoid(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  return [
    c.op('HardSigmoid', [x, scalarLike(c, c.float('alpha', 0.2), x), scalarLike(c, c.float('beta', 0.5), x)]),
  ];
}

function lowerLeakyRelu(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  return [c.op('PReLU', [x, scalarLike(c, c.float('alpha', 0.01), x)])];
}

/** ONNX broadcasts the slope from the right; give it the data's rank so no 1-D per-channel reading applies. */
function lowerPRelu(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  let slope = c.input(1);
  const missing = x.shape.length - slope.shape.length;
  if (slope.shape.length > 0 && missing > 0) {
    slope = c.op('Unsqueeze', [slope, c.i64(Array.from({ length: missing }, (_, i) => i))], {}, 'slope');
  }
  return [c.op('PReLU', [x, slope])];
}

function lowerReciprocal(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  return [c.op('Divide', [scalarLike(c, 1, x), x], { ...NUMPY, m_pythondiv: false })];
}

function lowerMod(c: LoweringContext): OvValue[] {
  return [c.op(c.int('fmod', 0) === 1 ? 'Mod' : 'FloorMod', [c.input(0), c.input(1)], NUMPY)];
}

const GELU_MODES: Record<string, string> = { none: 'erf', tanh: 'tanh' };

export const ELEMENTWISE_LOWERINGS: Record<string, OpLowering> = {
  Relu: unary('ReLU'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Erf: unary('Erf'),
  Sqrt: unary('Sqrt'),
  Neg: unary('Negative'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Abs: unary('Abs'),
  Floor: unary('Floor'),
  Ceil: unary('Ceiling'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Sign: unary('Sign'),
  Softplus: unary('SoftPlus'),
  Mish: unary('Mish'),
  HardSwish: unary('HSwish'),
  Round: unary('Round', () => ({ mode: 'half_to_even' })),
  Elu: unary('Elu', (c) => ({ alpha: c.float('alpha', 1) })),
  Gelu: {
    lower: (c) => [
      c.op('Gelu', [c.input(0)], { approximation_mode: GELU_MODES[c.string('approximate', 'none')] }),
    ],
    check: (n) =>
      GELU_MODES[n.string('approximate', 'none')]
        ? undefined
        : `has approximate="${n.string('approximate', '')}"`,
  },
  IsNaN: unary('IsNaN'),
  IsInf: unary('IsInf', (c) => ({
    detect_negative: c.int('detect_negative', 1) === 1,
    detect_positive: c.int('detect_positive', 1) === 1,
  })),
  Not: unary('LogicalNot'),
  HardSigmoid: { lower: lowerHardSigmoid },
  LeakyRelu: { lower: lowerLeakyRelu },
  PRelu: { lower: lowerPRelu },
  Reciprocal: { lower: lowerReciprocal },
  Clip: { lower: lowerClip },
  Add: binary('Add'),
  Sub: binary('Subtract'),
  Mul: binary('Multiply'),
  // ONNX Div truncates integers; OpenVINO's python division would floor them.
  Div: binary('Divide', { m_pythondiv: false }),
  Pow: { lower: lowerPow },
  Mod: { lower: lowerMod },
  Max: variadic('Maximum'),
  Min: variadic('Minimum'),
  Sum: variadic('Add'),
  Equal: binary('Equal'),
  Greater: binary('Greater'),
  GreaterOrEqual: binary('GreaterEqual'),
  Less: binary('Less'),
  LessOrEqual: binary('LessEqual'),
  And: binary('LogicalAnd'),
  Or: binary('LogicalOr'),
  Xor: binary('LogicalXor'),
  Where: { lower: (c) => [c.op('Select', [c.input(0), c.input(1), c.input(2)], NUMPY)] },
};
