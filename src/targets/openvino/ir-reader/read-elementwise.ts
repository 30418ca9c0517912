// IR element-wise layers → ONNX (reader side, from the operation specification):
// activations, arithmetic with numpy broadcasting, comparisons, logic, Select, Convert.
//   ELEMENTWISE_READERS.HSwish(ctx) // HardSwish node

import { ONNX_DTYPE_CODE, isFloatDType } from '../../../onnx/dtype.js';
import { attrFloat, attrInt, attrString, type IrLayerReader, type LayerReadContext } from './onnx-writer.js';

function unary(opType: string): IrLayerReader {
  return (c) => c.emit(opType, [c.inputs[0]]);
}

function checkBroadcast(c: LayerReadContext): void {
  const mode = c.str('auto_broadcast', 'numpy');
  if (mode !== 'numpy' && mode !== 'none')
    c.fail(`has auto_broadcast="${mode}"; only numpy and none are read.`);
}

function binary(opType: string): IrLayerReader {
  return (c) => {
    checkBroadcast(c);
    c.emit(opType, [c.inputs[0], c.inputs[1]]);
  };
}

/** Divide: floors integer quotients when m_pythondiv (the default) is set, truncates otherwise. */
const divide: IrLayerReader = (c) => {
  checkBroadcast(c);
  const type = c.inType(0);
  if (isFloatDType(type) || !c.bool('m_pythondiv', true)) {
    c.emit('Div', [c.inputs[0], c.inputs[1]]);
    return;
  }
  const a = c.g.cast(c.inputs[0], 'float64');
  const b = c.g.cast(c.inputs[1], 'float64');
  const [q] = c.g.node('Div', [a, b]);
  const [f] = c.g.node('Floor', [q]);
  c.emit('Cast', [f], { to: attrInt(ONNX_DTYPE_CODE[type]) });
};

/** FloorMod: the remainder takes the divisor's sign. */
const floorMod: IrLayerReader = (c) => {
  checkBroadcast(c);
  if (!isFloatDType(c.inType(0))) {
    c.emit('Mod', [c.inputs[0], c.inputs[1]], { fmod: attrInt(0) });
    return;
  }
  const [q] = c.g.node('Div', [c.inputs[0], c.inputs[1]]);
  const [f] = c.g.node('Floor', [q]);
  const [m] = c.g.node('Mul', [f, c.inputs[1]]);
  c.emit('Sub', [c.inputs[0], m]);
};

const clamp: IrLayerReader = (c) => {
  const type = c.inType(0);
  let lo = c.num('min', -Infinity);
  let hi = c.num('max', Infinity);
  if (!isFloatDType(type)) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  const bound = (v: number): string => c.g.cast(c.g.scalar(v, 'float64'), type);
  const inputs = [c.inputs[0], Number.isFinite(lo) ? bound(lo) : '', Number.isFinite(hi) ? bound(hi) : ''];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  c.emit('Clip', inputs);
};

const hardSigmoid: IrLayerReader = (c) => {
  const alpha = c.constantNumbers(1);
  const beta = c.constantNumbers(2);
  if (alpha && beta) {
    c.emit('HardSigmoid', [c.inputs[0]], { alpha: attrFloat(alpha[0]), beta: attrFloat(beta[0]) });
    return;
  }
  const [ax] = c.g.node('Mul', [c.inputs[0], c.inputs[1]]);
  const [axb] = c.g.node('Add', [ax, c.inputs[2]]);
  const type = c.inType(0);
  c.emit('Clip', [axb, c.g.cast(c.g.scalar(0, 'float32'), type), c.g.cast(c.g.scalar(1, 'float32'), type)]);
};

/** PReLU: a 1-D slope as long as dim 1 of a rank ≥ 3 input applies per channel. */
const prelu: IrLayerReader = (c) => {
  const data = c.inDims(0);
  const slope = c.inDims(1);
  let s = c.inputs[1];
  if (slope.length === 1 && data.length >= 3 && slope[0] === data[1] && slope[0] !== 1) {
    [s] = c.g.node('Reshape', [s, c.g.i64([slope[0], ...new Array<number>(data.length - 2).fill(1)])]);
  }
  c.emit('PRelu', [c.inputs[0], s]);
};

const GELU_MODES: Record<string, string> = { erf: 'none', tanh: 'tanh' };

const round: IrLayerReader = (c) => {
  const mode = c.str('mode', 'half_to_even');
  if (mode === 'half_to_even') {
    c.emit('Round', [c.inputs[0]]);
    return;
  }
  const [abs] = c.g.node('Abs', [c.inputs[0]]);
  const [half] = c.g.node('Add', [abs, c.g.cast(c.g.scalar(0.5, 'float32'), c.inType(0))]);
  const [fl] = c.g.node('Floor', [half]);
  const [sign] = c.g.node('Sign', [c.inputs[0]]);
  c.emit('Mul', [sign, fl]);
};

export const ELEMENTWISE_READERS: Record<string, IrLayerReader> = {
  ReLU: unary('Relu'),
  Relu: unary('Relu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Erf: unary('Erf'),
  Sqrt: unary('Sqrt'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Abs: unary('Abs'),
  Floor: unary('Floor'),
  Ceiling: unary('Ceil'),
  Sin: unary('Sin'),
  Cos: unary('Cos'),
  Sign: unary('Sign'),
  Negative: unary('Neg'),
  SoftPlus: unary('Softplus'),
  Mish: unary('Mish'),
  HSwish: unary('HardSwish'),
  HSigmoid: (c) => c.emit('HardSigmoid', [c.inputs[0]], { alpha: attrFloat(1 / 6), beta: attrFloat(0.5) }),
  HardSigmoid: hardSigmoid,
  Gelu: (c) => {
    const mode = c.str('approximation_mode', 'erf').toLowerCase();
    if (!GELU_MODES[mode]) c.fail(`has approximation_mode "${mode}".`);
    c.emit('Gelu', [c.inputs[0]], { approximate: attrString(GELU_MODES[mode]) });
  },
  Elu: (c) => c.emit('Elu', [c.inputs[0]], { alpha: attrFloat(c.num('alpha', 1)) }),
  Round: round,
  Clamp: clamp,
  PReLU: prelu,
  IsNaN: unary('IsNaN'),
  IsInf: (c) =>
    c.emit('IsInf', [c.inputs[0]], {
      detect_negative: attrInt(c.bool('detect_negative', true) ? 1 : 0),
      detect_positive: attrInt(c.bool('detect_positive', true) ? 1 : 0),
    }),
  LogicalNot: unary('Not'),
  Add: binary('Add'),
  Subtract: binary('Sub'),
  Multiply: binary('Mul'),
  Divide: divide,
  Power: binary('Pow'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  FloorMod: floorMod,
  Mod: (c) => {
    checkBroadcast(c);
    c.emit('Mod', [c.inputs[0], c.inputs[1]], { fmod: attrInt(1) });
  },
  SquaredDifference: (c) => {
    checkBroadcast(c);
    const [d] = c.g.node('Sub', [c.inputs[0], c.inputs[1]]);
    c.emit('Mul', [d, d]);
  },
  Equal: binary('Equal'),
  NotEqual: (c) => {
    checkBroadcast(c);
    const [e] = c.g.node('Equal', [c.inputs[0], c.inputs[1]]);
    c.emit('Not', [e]);
  },
  Greater: binary('Greater'),
  GreaterEqual: binary('GreaterOrEqual'),
  Less: binary('Less'),
  LessEqual: binary('LessOrEqual'),
  LogicalAnd: binary('And'),
  LogicalOr: binary('Or'),
  LogicalXor: binary('Xor'),
  Select: (c) => {
    checkBroadcast(c);
    c.emit('Where', [c.inputs[0], c.inputs[1], c.inputs[2]]);
  },
  Convert: (c) => c.emit('Cast', [c.inputs[0]], { to: attrInt(ONNX_DTYPE_CODE[c.outType(0)]) }),
  Identity: unary('Identity'),
};
