/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Elementwise ops with numpy broadcasting: arithmetic, comparisons, logic, activations,
// Cast, Where, Clip. Every node is a small program of steps over its inputs; the fusion
// pass (fuse-nodes.ts) merges chains of such nodes into one program, so a chain
// costs one kernel and one write. Scalar host inputs become WGSL literals; when every
// input is host data the program runs in JavaScript (shape arithmetic).
//   elementwiseOps.Add[0].lower(g, [a, b], { steps: [{ op: 'Add', args: [0, 1] }] }, 'Add_1')

import type { ElementType, GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import {
  elementwiseFunction,
  elementwiseOp,
  erfHost,
  type ElementwiseAttrs,
  type ElementwiseStep,
} from './elementwise-ops.js';
import {
  elementKernel,
  wgslBroadcastStrides,
  wgslFunctions,
  wgslGrid,
  wgslLiteral,
  wgslOffset,
} from './wgsl.js';

export type { ElementwiseAttrs, ElementwiseStep };

function wgslTypeOf(dtype: ElementType): string {
  return dtype === 'float32' || dtype === 'float16' ? 'f32' : dtype === 'bool' ? 'u32' : 'i32';
}

/** Element types of every step's result. */
function elementwiseTypes(x: Value[], a: ElementwiseAttrs): ElementType[] {
  const types: ElementType[] = x.map((v) => (v ? v.dtype : 'float32'));
  for (const s of a.steps) {
    const def = elementwiseOp(s.op)!;
    const argTypes = s.args.map((k) => types[k]);
    types.push(def.type ? def.type(argTypes, s) : argTypes[0]);
  }
  return types;
}

function hostElementwise(g: PlanContext, x: Value[], a: ElementwiseAttrs): Value {
  const types = elementwiseTypes(x, a);
  const present = x.filter((v) => v !== undefined);
  const slots = x.map((v) => (v === undefined ? -1 : present.indexOf(v)));
  const result = types[types.length - 1];
  return g.hostMap(present, result, (...xs: number[]) => {
    const values: (number | undefined)[] = slots.map((k) => (k < 0 ? undefined : xs[k]));
    for (const s of a.steps) {
      const def = elementwiseOp(s.op)!;
      const args = s.args.map((k) => values[k] as number);
      let r = def.js(args, { ...s, to: s.op === 'Div' ? types[s.args[0]] : s.to });
      const t = types[values.length];
      if (s.op === 'Erf') r = erfHost(args[0]);
      if (s.op === 'Gelu')
        r =
          s.approximate === 'tanh'
            ? 0.5 * args[0] * (1 + Math.tanh(0.7978845608028654 * (args[0] + 0.044715 * args[0] ** 3)))
            : 0.5 * args[0] * (1 + erfHost(args[0] * Math.SQRT1_2));
      if (t === 'float32' || t === 'float16') r = Math.fround(r);
      else if (t === 'bool') r = r ? 1 : 0;
      else r = Number.isNaN(r) ? 0 : Math.trunc(r);
      values.push(r);
    }
    return values[values.length - 1] as number;
  });
}

function lowerElementwise(g: PlanContext, x: Value[], a: ElementwiseAttrs, label: string): Value {
  const types = elementwiseTypes(x, a);
  const present = x.filter((v) => v !== undefined);
  const dims = present.reduce<number[]>((d, v) => g.broadcastDims(d, v.dims), []);
  const count = dims.reduce((p, d) => p * d, 1);
  const result = types[types.length - 1];
  const bound: Value[] = [];
  const exprs: string[] = [];
  const lets: string[] = [];
  const offsets = new Map<string, string>();
  x.forEach((v) => {
    if (v === undefined) {
      exprs.push('');
      return;
    }
    const t = wgslTypeOf(v.dtype);
    if (g.isHost(v) && v.dims.reduce((p, d) => p * d, 1) === 1) {
      exprs.push(wgslLiteral(Number(g.numbers(v, 'a scalar')[0]), t));
      return;
    }
    const offset = wgslOffset(dims, wgslBroadcastStrides(v.dims, dims), 'i');
    let o = offsets.get(offset);
    if (!o) {
      o = offset === 'i' ? 'i' : `o${offsets.size}`;
      if (o !== 'i') lets.push(`let ${o} = ${offset};`);
      offsets.set(offset, o);
    }
    exprs.push(`x${bound.length}[${o}]`);
    bound.push(v);
  });
  a.steps.forEach((s, k) => {
    const def = elementwiseOp(s.op)!;
    const args = s.args.map((j) => exprs[j]);
    const argTypes = s.args.map((j) => wgslTypeOf(types[j]));
    const name = `t${k}`;
    lets.push(`let ${name}: ${wgslTypeOf(types[x.length + k])} = ${def.wgsl(args, argTypes, s)};`);
    exprs.push(name);
  });
  return elementKernel(g, {
    label,
    inputs: bound,
    outputs: [{ dtype: result, dims }],
    count,
    body: [...lets, `y0[i] = ${exprs[exprs.length - 1]};`],
    define: elementwiseFunction,
  })[0];
}

const HELPERS = [
  elementwiseOp,
  elementwiseFunction,
  elementwiseTypes,
  erfHost,
  wgslTypeOf,
  wgslBroadcastStrides,
  wgslGrid,
  elementKernel,
  wgslLiteral,
  wgslOffset,
  wgslFunctions,
];

function entry(
  since: number,
  attributes: (n: OnnxNodeView) => ElementwiseAttrs | { unsupported: string },
): GpuOpVersion {
  return {
    since,
    attributes: attributes as GpuOpVersion['attributes'],
    lower: lowerElementwise as GpuOpVersion['lower'],
    host: hostElementwise as GpuOpVersion['host'],
    helpers: HELPERS,
  };
}

const simple = (op: string, arity: number) => () => ({
  steps: [{ op, args: Array.from({ length: arity }, (_, i) => i) }],
});

const variadic = (op: string) => (n: OnnxNodeView) => ({
  steps: [{ op, args: n.inputs.map((_, i) => i) }],
});

const UNARY = [
  'Tan',
  'Atan',
  'Asin',
  'Acos',
  'Sinh',
  'Cosh',
  'Softsign',
  'Mish',
  'Neg',
  'Abs',
  'Sign',
  'Sqrt',
  'Reciprocal',
  'Exp',
  'Log',
  'Floor',
  'Ceil',
  'Round',
  'Sin',
  'Cos',
  'Tanh',
  'Sigmoid',
  'Erf',
  'Relu',
  'HardSwish',
  'Softplus',
  'Not',
  'IsNaN',
  'IsInf',
  'Identity',
  'Dropout',
];
const BINARY = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
];

/** ONNX Cast's `to` code → element type (the ones a module handles). */
const CAST_TYPES: Record<number, ElementType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  12: 'uint32',
  13: 'uint64',
};

export const elementwiseOps: GpuOpTable = {
  ...Object.fromEntries(UNARY.map((op) => [op, [entry(1, simple(op, 1))]])),
  ...Object.fromEntries(BINARY.map((op) => [op, [entry(1, simple(op, 2))]])),
  Max: [entry(1, variadic('Max'))],
  Min: [entry(1, variadic('Min'))],
  Sum: [entry(1, variadic('Sum'))],
  Mean: [entry(1, variadic('Mean'))],
  PRelu: [entry(7, simple('PRelu', 2))],
  Selu: [
    entry(6, (n) => ({
      steps: [
        {
          op: 'Selu',
          args: [0],
          alpha: n.float('alpha', 1.67326319217681884765625),
          beta: n.float('gamma', 1.05070102214813232421875),
        },
      ],
    })),
  ],
  Celu: [entry(12, (n) => ({ steps: [{ op: 'Celu', args: [0], alpha: n.float('alpha', 1) }] }))],
  ThresholdedRelu: [
    entry(10, (n) => ({ steps: [{ op: 'ThresholdedRelu', args: [0], alpha: n.float('alpha', 1) }] })),
  ],
  Mod: [entry(10, (n) => ({ steps: [{ op: 'Mod', args: [0, 1], fmod: n.int('fmod', 0) }] }))],
  Where: [entry(9, simple('Where', 3))],
  Clip: [
    entry(6, (n) => ({
      steps: [
        {
          op: 'Clip',
          args: [0],
          alpha: n.float('min', -3.4028234663852886e38),
          beta: n.float('max', 3.4028234663852886e38),
        },
      ],
    })),
    entry(11, (n) => ({ steps: [{ op: 'Clip', args: n.inputs.map((_, i) => i) }] })),
  ],
  LeakyRelu: [entry(6, (n) => ({ steps: [{ op: 'LeakyRelu', args: [0], alpha: n.float('alpha', 0.01) }] }))],
  Elu: [entry(6, (n) => ({ steps: [{ op: 'Elu', args: [0], alpha: n.float('alpha', 1) }] }))],
  HardSigmoid: [
    entry(6, (n) => ({
      steps: [{ op: 'HardSigmoid', args: [0], alpha: n.float('alpha', 0.2), beta: n.float('beta', 0.5) }],
    })),
  ],
  Gelu: [
    entry(20, (n) => ({ steps: [{ op: 'Gelu', args: [0], approximate: n.string('approximate', 'none') }] })),
  ],
  Cast: [
    {
      ...entry(6, (n) => {
        const to = CAST_TYPES[n.int('to', 1)];
        return to
          ? { steps: [{ op: 'Cast', args: [0], to }] }
          : { unsupported: `casts to ONNX type ${n.int('to', 1)}, which the webgpu target has no type for` };
      }),
      packedInputs: [0],
      lower: lowerCast as GpuOpVersion['lower'],
      helpers: [...HELPERS, lowerElementwise],
    },
  ],
  CastLike: [entry(15, () => ({ steps: [{ op: 'Cast', args: [0] }] }))],
};

/** Cast: float ↔ float16 keeps the value (both compute as f32), so packed weights pass through. */
function lowerCast(g: PlanContext, x: Value[], a: ElementwiseAttrs, label: string): Value {
  const to = a.steps[0].to!;
  const isFloat = (t: ElementType) => t === 'float32' || t === 'float16';
  if (isFloat(to) && isFloat(x[0].dtype)) return { ...x[0], dtype: to };
  return lowerElementwise(g, x, a, label);
}
