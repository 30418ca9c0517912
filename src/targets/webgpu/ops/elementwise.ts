/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Elementwise ops with numpy broadcasting: arithmetic, comparisons, logic, activations,
// Cast, Where, Clip. Every node is a small program of steps over its inputs; the fusion
// pass (fuse-elementwise.ts) merges chains of such nodes into one program, so a chain
// costs one kernel and one write. Scalar host inputs become WGSL literals; when every
// input is host data the program runs in JavaScript (shape arithmetic).
//   elementwiseOps.Add[0].lower(g, [a, b], { steps: [{ op: 'Add', args: [0, 1] }] }, 'Add_1')

import type { ElementType, GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import { wgslBroadcastStrides, wgslFunctions, wgslGrid, wgslLiteral, wgslOffset } from './wgsl.js';

/** One step: `op` over `args` (node inputs 0..n-1, then earlier steps n, n+1, …). */
export interface ElementwiseStep {
  op: string;
  args: number[];
  /** Cast: target type; Clip: nothing (bounds are args); activations: alpha, beta, approximate. */
  to?: ElementType;
  alpha?: number;
  beta?: number;
  approximate?: string;
  fmod?: number;
}

export type ElementwiseAttrs = { steps: ElementwiseStep[] };

interface OpDefinition {
  /** WGSL expression over argument expressions of WGSL types `types`. */
  wgsl(args: string[], types: string[], s: ElementwiseStep): string;
  js(xs: number[], s: ElementwiseStep): number;
  /** Result element type (default: the first argument's; Where: the second's). */
  type?(types: ElementType[], s: ElementwiseStep): ElementType;
}

/** The definition of one elementwise op (a switch, so it copies into model.js as one function). */
export function elementwiseOp(op: string): OpDefinition | undefined {
  const bool = (): ElementType => 'bool';
  const sel = (cond: string) => `select(0u, 1u, ${cond})`;
  const f = (wgsl: (a: string[]) => string, js: (x: number[]) => number): OpDefinition => ({
    wgsl: (a) => wgsl(a),
    js: (x) => js(x),
  });
  const isInt = (t: string) => t !== 'f32';
  switch (op) {
    case 'Identity':
    case 'Dropout':
      return f(
        (a) => a[0],
        (x) => x[0],
      );
    case 'Add':
      return f(
        (a) => `(${a[0]} + ${a[1]})`,
        (x) => x[0] + x[1],
      );
    case 'Sub':
      return f(
        (a) => `(${a[0]} - ${a[1]})`,
        (x) => x[0] - x[1],
      );
    case 'Mul':
      return f(
        (a) => `(${a[0]} * ${a[1]})`,
        (x) => x[0] * x[1],
      );
    case 'Div':
      return {
        wgsl: (a) => `(${a[0]} / ${a[1]})`,
        js: (x, s) => (s.to === 'float32' || s.to === 'float16' ? x[0] / x[1] : Math.trunc(x[0] / x[1])),
      };
    case 'Pow':
      return {
        wgsl: (a, t) => {
          const e = Number(/^f32\((-?[0-9.]+)\)$/.exec(a[1])?.[1]);
          if (e === 2) return `(${a[0]} * ${a[0]})`;
          if (e === 3) return `(${a[0]} * ${a[0]} * ${a[0]})`;
          if (e === 1) return a[0];
          if (e === 0.5) return `sqrt(${a[0]})`;
          return t[0] === 'f32' ? `mc_pow(${a[0]}, f32(${a[1]}))` : `i32(mc_pow(f32(${a[0]}), f32(${a[1]})))`;
        },
        js: (x) => Math.pow(x[0], x[1]),
      };
    case 'Max':
      return f(
        (a) => a.slice(1).reduce((p, q) => `max(${p}, ${q})`, a[0]),
        (x) => Math.max(...x),
      );
    case 'Min':
      return f(
        (a) => a.slice(1).reduce((p, q) => `min(${p}, ${q})`, a[0]),
        (x) => Math.min(...x),
      );
    case 'Sum':
      return f(
        (a) => `(${a.join(' + ')})`,
        (x) => x.reduce((p, q) => p + q, 0),
      );
    case 'Mean':
      return f(
        (a) => `((${a.join(' + ')}) / ${a.length}.0)`,
        (x) => x.reduce((p, q) => p + q, 0) / x.length,
      );
    case 'PRelu':
      return f(
        (a) => `select(${a[0]} * ${a[1]}, ${a[0]}, ${a[0]} >= 0.0)`,
        (x) => (x[0] >= 0 ? x[0] : x[0] * x[1]),
      );
    case 'Mod':
      return {
        wgsl: (a, t, s) => (s.fmod || !isInt(t[0]) ? `(${a[0]} % ${a[1]})` : `mc_mod(${a[0]}, ${a[1]})`),
        js: (x, s) => (s.fmod ? x[0] % x[1] : x[0] - Math.floor(x[0] / x[1]) * x[1]),
      };
    case 'Neg':
      return f(
        (a) => `(-${a[0]})`,
        (x) => -x[0],
      );
    case 'Abs':
      return f(
        (a) => `abs(${a[0]})`,
        (x) => Math.abs(x[0]),
      );
    case 'Sign':
      return f(
        (a) => `sign(${a[0]})`,
        (x) => Math.sign(x[0]),
      );
    case 'Sqrt':
      return f(
        (a) => `sqrt(${a[0]})`,
        (x) => Math.sqrt(x[0]),
      );
    case 'Reciprocal':
      return f(
        (a) => `(1.0 / ${a[0]})`,
        (x) => 1 / x[0],
      );
    case 'Exp':
      return f(
        (a) => `exp(${a[0]})`,
        (x) => Math.exp(x[0]),
      );
    case 'Log':
      return f(
        (a) => `log(${a[0]})`,
        (x) => Math.log(x[0]),
      );
    case 'Floor':
      return f(
        (a) => `floor(${a[0]})`,
        (x) => Math.floor(x[0]),
      );
    case 'Ceil':
      return f(
        (a) => `ceil(${a[0]})`,
        (x) => Math.ceil(x[0]),
      );
    case 'Round':
      return f(
        (a) => `round(${a[0]})`,
        (x) => {
          const r = Math.round(x[0]);
          return Math.abs(x[0] % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
        },
      );
    case 'Sin':
      return f(
        (a) => `sin(${a[0]})`,
        (x) => Math.sin(x[0]),
      );
    case 'Cos':
      return f(
        (a) => `cos(${a[0]})`,
        (x) => Math.cos(x[0]),
      );
    case 'Tan':
      return f(
        (a) => `tan(${a[0]})`,
        (x) => Math.tan(x[0]),
      );
    case 'Atan':
      return f(
        (a) => `atan(${a[0]})`,
        (x) => Math.atan(x[0]),
      );
    case 'Asin':
      return f(
        (a) => `asin(${a[0]})`,
        (x) => Math.asin(x[0]),
      );
    case 'Acos':
      return f(
        (a) => `acos(${a[0]})`,
        (x) => Math.acos(x[0]),
      );
    case 'Sinh':
      return f(
        (a) => `sinh(${a[0]})`,
        (x) => Math.sinh(x[0]),
      );
    case 'Cosh':
      return f(
        (a) => `cosh(${a[0]})`,
        (x) => Math.cosh(x[0]),
      );
    case 'Softsign':
      return f(
        (a) => `(${a[0]} / (1.0 + abs(${a[0]})))`,
        (x) => x[0] / (1 + Math.abs(x[0])),
      );
    case 'Mish':
      return f(
        (a) => `(${a[0]} * mc_tanh(select(log(1.0 + exp(${a[0]})), ${a[0]}, ${a[0]} > 20.0)))`,
        (x) => x[0] * Math.tanh(Math.log(1 + Math.exp(x[0]))),
      );
    case 'Selu':
      return {
        wgsl: (a, _t, s) =>
          `(${wgslLiteral(s.beta ?? 1.0507, 'f32')} * select(${wgslLiteral(s.alpha ?? 1.67326, 'f32')} * (exp(${a[0]}) - 1.0), ${a[0]}, ${a[0]} > 0.0))`,
        js: (x, s) => (s.beta ?? 1.0507) * (x[0] > 0 ? x[0] : (s.alpha ?? 1.67326) * (Math.exp(x[0]) - 1)),
      };
    case 'Celu':
      return {
        wgsl: (a, _t, s) => {
          const alpha = wgslLiteral(s.alpha ?? 1, 'f32');
          return `(max(${a[0]}, 0.0) + min(0.0, ${alpha} * (exp(${a[0]} / ${alpha}) - 1.0)))`;
        },
        js: (x, s) => Math.max(x[0], 0) + Math.min(0, (s.alpha ?? 1) * (Math.exp(x[0] / (s.alpha ?? 1)) - 1)),
      };
    case 'ThresholdedRelu':
      return {
        wgsl: (a, _t, s) => `select(0.0, ${a[0]}, ${a[0]} > ${wgslLiteral(s.alpha ?? 1, 'f32')})`,
        js: (x, s) => (x[0] > (s.alpha ?? 1) ? x[0] : 0),
      };
    case 'Tanh':
      return f(
        (a) => `mc_tanh(${a[0]})`,
        (x) => Math.tanh(x[0]),
      );
    case 'Sigmoid':
      return f(
        (a) => `(1.0 / (1.0 + exp(-${a[0]})))`,
        (x) => 1 / (1 + Math.exp(-x[0])),
      );
    case 'Erf':
      return f(
        (a) => `mc_erf(${a[0]})`,
        (x) => x[0],
      );
    case 'Gelu':
      return {
        wgsl: (a, _t, s) =>
          s.approximate === 'tanh'
            ? `(0.5 * ${a[0]} * (1.0 + mc_tanh(0.7978845608028654 * (${a[0]} + 0.044715 * ${a[0]} * ${a[0]} * ${a[0]}))))`
            : `(0.5 * ${a[0]} * (1.0 + mc_erf(${a[0]} * 0.7071067811865476)))`,
        js: (x) => x[0],
      };
    case 'Relu':
      return f(
        (a) => `max(${a[0]}, 0.0)`,
        (x) => Math.max(x[0], 0),
      );
    case 'LeakyRelu':
      return {
        wgsl: (a, _t, s) =>
          `select(${a[0]} * ${wgslLiteral(s.alpha ?? 0.01, 'f32')}, ${a[0]}, ${a[0]} >= 0.0)`,
        js: (x, s) => (x[0] >= 0 ? x[0] : x[0] * (s.alpha ?? 0.01)),
      };
    case 'Elu':
      return {
        wgsl: (a, _t, s) =>
          `select(${wgslLiteral(s.alpha ?? 1, 'f32')} * (exp(${a[0]}) - 1.0), ${a[0]}, ${a[0]} >= 0.0)`,
        js: (x, s) => (x[0] >= 0 ? x[0] : (s.alpha ?? 1) * (Math.exp(x[0]) - 1)),
      };
    case 'HardSigmoid':
      return {
        wgsl: (a, _t, s) =>
          `clamp(${wgslLiteral(s.alpha ?? 0.2, 'f32')} * ${a[0]} + ${wgslLiteral(s.beta ?? 0.5, 'f32')}, 0.0, 1.0)`,
        js: (x, s) => Math.min(1, Math.max(0, (s.alpha ?? 0.2) * x[0] + (s.beta ?? 0.5))),
      };
    case 'HardSwish':
      return f(
        (a) => `(${a[0]} * clamp(${a[0]} / 6.0 + 0.5, 0.0, 1.0))`,
        (x) => x[0] * Math.min(1, Math.max(0, x[0] / 6 + 0.5)),
      );
    case 'Softplus':
      return f(
        (a) => `select(log(1.0 + exp(${a[0]})), ${a[0]}, ${a[0]} > 20.0)`,
        (x) => Math.log(1 + Math.exp(x[0])),
      );
    case 'Clip':
      // Bounds: inputs 1 and 2 (opset 11+, either may be absent) or attributes (alpha, beta).
      return {
        wgsl: (a, _t, s) => {
          const lo = a[1] || (s.alpha !== undefined ? wgslLiteral(s.alpha, 'f32') : '');
          const hi = a[2] || (s.beta !== undefined ? wgslLiteral(s.beta, 'f32') : '');
          let e = a[0];
          if (lo) e = `max(${e}, ${lo})`;
          if (hi) e = `min(${e}, ${hi})`;
          return e;
        },
        js: (x, s) => Math.min(x[2] ?? s.beta ?? Infinity, Math.max(x[1] ?? s.alpha ?? -Infinity, x[0])),
      };
    case 'Equal':
      return { wgsl: (a) => sel(`${a[0]} == ${a[1]}`), js: (x) => (x[0] === x[1] ? 1 : 0), type: bool };
    case 'Less':
      return { wgsl: (a) => sel(`${a[0]} < ${a[1]}`), js: (x) => (x[0] < x[1] ? 1 : 0), type: bool };
    case 'LessOrEqual':
      return { wgsl: (a) => sel(`${a[0]} <= ${a[1]}`), js: (x) => (x[0] <= x[1] ? 1 : 0), type: bool };
    case 'Greater':
      return { wgsl: (a) => sel(`${a[0]} > ${a[1]}`), js: (x) => (x[0] > x[1] ? 1 : 0), type: bool };
    case 'GreaterOrEqual':
      return { wgsl: (a) => sel(`${a[0]} >= ${a[1]}`), js: (x) => (x[0] >= x[1] ? 1 : 0), type: bool };
    case 'And':
      return { wgsl: (a) => `(${a[0]} & ${a[1]})`, js: (x) => (x[0] && x[1] ? 1 : 0), type: bool };
    case 'Or':
      return { wgsl: (a) => `(${a[0]} | ${a[1]})`, js: (x) => (x[0] || x[1] ? 1 : 0), type: bool };
    case 'Xor':
      return { wgsl: (a) => `(${a[0]} ^ ${a[1]})`, js: (x) => (!x[0] !== !x[1] ? 1 : 0), type: bool };
    case 'Not':
      return { wgsl: (a) => `(1u - ${a[0]})`, js: (x) => (x[0] ? 0 : 1), type: bool };
    case 'IsNaN':
      return {
        wgsl: (a) => sel(`(bitcast<u32>(${a[0]}) & 0x7fffffffu) > 0x7f800000u`),
        js: (x) => (Number.isNaN(x[0]) ? 1 : 0),
        type: bool,
      };
    case 'IsInf':
      return {
        wgsl: (a) => sel(`(bitcast<u32>(${a[0]}) & 0x7fffffffu) == 0x7f800000u`),
        js: (x) => (Math.abs(x[0]) === Infinity ? 1 : 0),
        type: bool,
      };
    case 'Where':
      return {
        wgsl: (a) => `select(${a[2]}, ${a[1]}, ${a[0]} != 0u)`,
        js: (x) => (x[0] ? x[1] : x[2]),
        type: (t) => t[1],
      };
    case 'Cast':
      return {
        wgsl: (a, t, s) => {
          const to = s.to === 'float32' || s.to === 'float16' ? 'f32' : s.to === 'bool' ? 'u32' : 'i32';
          if (to === t[0]) return a[0];
          if (to === 'u32') return `select(0u, 1u, ${a[0]} != ${t[0]}(0))`;
          return `${to}(${a[0]})`;
        },
        js: (x, s) => (s.to === 'bool' ? (x[0] ? 1 : 0) : x[0]),
        type: (_t, s) => s.to!,
      };
    default:
      return undefined;
  }
}

/** WGSL functions an elementwise program may call, by name. */
export function elementwiseFunction(name: string): string {
  switch (name) {
    case 'mc_tanh':
      // tanh from exp of a non-positive argument: no overflow, no NaN for large |x|.
      return 'fn mc_tanh(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }';
    case 'mc_erf':
      // Abramowitz & Stegun 7.1.26 with one Newton-free refinement-free form: |error| < 1.5e-7.
      return `fn mc_erf(v: f32) -> f32 {
  let x = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * x);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return sign(v) * y;
}`;
    case 'mc_pow':
      return `fn mc_pow(a: f32, b: f32) -> f32 {
  if (a >= 0.0) { return pow(a, b); }
  if (fract(b) != 0.0) { return mc_bits(0x7fc00000u); }
  let m = pow(-a, b);
  return select(m, -m, fract(b * 0.5) != 0.0);
}`;
    case 'mc_mod':
      return 'fn mc_mod(a: i32, b: i32) -> i32 { let r = a % b; return select(r, r + b, r != 0 && ((r < 0) != (b < 0))); }';
    default:
      return '';
  }
}

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

/** erf for host evaluation (series / continued fraction; float64 accurate). */
export function erfHost(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f));
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
      if (o !== 'i') lets.push(`  let ${o} = ${offset};`);
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
    lets.push(`  let ${name}: ${wgslTypeOf(types[x.length + k])} = ${def.wgsl(args, argTypes, s)};`);
    exprs.push(name);
  });
  const grid = wgslGrid(count, 64);
  const main = [
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    `  ${grid.index}`,
    ...lets,
    `  y0[i] = ${exprs[exprs.length - 1]};`,
    '}',
  ].join('\n');
  const code = [...wgslFunctions(main, elementwiseFunction), main].join('\n');
  return g.kernel({
    label,
    code,
    inputs: bound,
    outputs: [{ dtype: result, dims }],
    workgroups: grid.workgroups,
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
