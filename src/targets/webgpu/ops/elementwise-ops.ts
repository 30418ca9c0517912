/* istanbul ignore file -- copied into generated model.js as source text; instrumenting it would break that copy */
// The elementwise op definitions: per ONNX op, its WGSL expression over argument
// expressions, its JavaScript evaluation (host shape arithmetic) and its result type, plus
// the WGSL helper functions (mc_tanh, mc_erf, mc_pow, mc_mod) expressions may call. One
// switch per table so each copies into model.js as a single function.
//   elementwiseOp('Add')!.wgsl(['x0[i]', 'x1[o0]'], ['f32', 'f32'], step) // "(x0[i] + x1[o0])"

import type { ElementType } from './types.js';
import { wgslLiteral } from './wgsl.js';

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
