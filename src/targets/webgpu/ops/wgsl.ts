/* istanbul ignore file -- helpers are copied into generated model.js as source text; instrumenting them would break that copy */
// WGSL building blocks shared by the kernels (listed as `helpers` of the entries that use
// them, so they are copied into model.js with them): a kernel of one thread per output
// element (elementKernel: needs wgslGrid and wgslFunctions listed too), a 1-D grid over any element count,
// index → offset arithmetic for strided/broadcast reads, and float literals.
//   const [y] = elementKernel(g, { label, inputs: [x], outputs: [{ dtype, dims }], count, body: ['y0[i] = x0[i];'] });

import type { ElementType, PlanContext, Value } from './types.js';

/** Workgroups covering `count` invocations of `size` threads; `index` declares `i` (u32). */
export function wgslGrid(
  count: number,
  size: number,
): { workgroups: [number, number, number]; index: string } {
  const groups = Math.max(1, Math.ceil(count / size));
  const x = Math.min(groups, 65535);
  return {
    workgroups: [x, Math.ceil(groups / x), 1],
    index: `let i = gid.x + gid.y * ${x * size}u;\n  if (i >= ${count}u) { return; }`,
  };
}

/**
 * WGSL expression: the offset into a tensor read with `strides` (one per dim of `dims`,
 * 0 where broadcast) at linear index `index` of a row-major tensor of `dims`.
 */
export function wgslOffset(dims: number[], strides: number[], index: string): string {
  let contiguous = true;
  let expected = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    if (dims[k] !== 1 && strides[k] !== expected) contiguous = false;
    expected *= dims[k];
  }
  if (contiguous) return index;
  const terms: string[] = [];
  let inner = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    if (dims[k] !== 1 && strides[k] !== 0) {
      const coord = inner === 1 ? `(${index} % ${dims[k]}u)` : `((${index} / ${inner}u) % ${dims[k]}u)`;
      const outermost = dims.slice(0, k).every((d) => d === 1);
      const c = outermost ? (inner === 1 ? index : `(${index} / ${inner}u)`) : coord;
      terms.push(strides[k] === 1 ? c : `${c} * ${strides[k]}u`);
    }
    inner *= dims[k];
  }
  return terms.length ? terms.join(' + ') : '0u';
}

/** Row-major strides of `dims`. */
export function wgslStrides(dims: number[]): number[] {
  const out = new Array<number>(dims.length);
  let s = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    out[k] = s;
    s *= dims[k];
  }
  return out;
}

/** Strides of `dims` read as `target` (numpy broadcasting: 0 where a dim is stretched). */
export function wgslBroadcastStrides(dims: number[], target: number[]): number[] {
  const out = new Array<number>(target.length).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const t = target.length - dims.length + i;
    out[t] = dims[i] === 1 && target[t] !== 1 ? 0 : stride;
    stride *= dims[i];
  }
  return out;
}

/** A WGSL literal of `type` for a JavaScript number (f32 literals keep their exact value). */
export function wgslLiteral(value: number, type: string): string {
  if (type === 'u32') return `${value ? 1 : 0}u`;
  if (type === 'i32') {
    const v = Math.max(-2147483647, Math.min(2147483647, Math.trunc(value)));
    return `i32(${v})`;
  }
  // NaN and ±∞ cannot be WGSL constants: mc_bits (see wgslFunctions) makes them at run time.
  if (Number.isNaN(value)) return 'mc_bits(0x7fc00000u)';
  if (!Number.isFinite(value)) return value > 0 ? 'mc_bits(0x7f800000u)' : 'mc_bits(0xff800000u)';
  const f = Math.fround(value);
  if (f !== 0 && Math.abs(f) < 1.1754943508222875e-38)
    return `bitcast<f32>(${new Uint32Array(Float32Array.of(f).buffer)[0]}u)`;
  if (Math.abs(f) > 3.4028234663852886e38)
    return f > 0 ? 'bitcast<f32>(0x7f7fffffu)' : 'bitcast<f32>(0xff7fffffu)';
  const text = String(f);
  return /[.eE]/.test(text) ? `f32(${text})` : `f32(${text}.0)`;
}

/** Definitions of the mc_* WGSL functions `code` calls (mc_bits: f32 from bits at run time). */
export function wgslFunctions(code: string, define: (name: string) => string): string[] {
  const names = new Set<string>();
  const pending = [code];
  const out: string[] = [];
  while (pending.length > 0) {
    const text = pending.pop()!;
    for (const m of text.matchAll(/\bmc_\w+(?=\()/g)) {
      if (names.has(m[0])) continue;
      names.add(m[0]);
      const body =
        m[0] === 'mc_bits' ? 'fn mc_bits(b: u32) -> f32 { return bitcast<f32>(b); }' : define(m[0]);
      out.push(body);
      pending.push(body);
    }
  }
  return out;
}

/**
 * Plans a kernel of one thread per element: `body` (WGSL statements, `i` declared, which set
 * y0[i], …) runs for i < count; `preamble` goes before main; mc_* functions the code calls are
 * added (`define` gives those beyond mc_bits).
 */
export function elementKernel(
  g: PlanContext,
  k: {
    label: string;
    inputs: Value[];
    outputs: { dtype: ElementType; dims: number[] }[];
    count: number;
    body: string[];
    preamble?: string[];
    packed?: number[];
    define?: (name: string) => string;
  },
): Value[] {
  const grid = wgslGrid(k.count, 64);
  const main = [
    ...(k.preamble ?? []),
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    `  ${grid.index}`,
    ...k.body.map((line) => `  ${line}`),
    '}',
  ].join('\n');
  const code = [...wgslFunctions(main, k.define ?? (() => '')), main].join('\n');
  return g.kernel({
    label: k.label,
    code,
    inputs: k.inputs,
    packed: k.packed,
    outputs: k.outputs,
    workgroups: grid.workgroups,
  });
}

/** Whether `v` is a weight wgslRead reads in its packed layout (float16 pairs or bytes). */
export function wgslPacked(v: Value): boolean {
  const layout = v.weight !== undefined ? v.layout : undefined;
  if (layout === 'f16') return true;
  return layout === 'raw' && (v.dtype === 'int8' || v.dtype === 'uint8');
}

/** WGSL reading element `at` (a u32 expression) of binding `name` holding `v`, in its GPU layout. */
export function wgslRead(v: Value, name: string, at: string): string {
  const layout = v.weight !== undefined ? v.layout : undefined;
  if (!wgslPacked(v)) return `${name}[${at}]`;
  if (layout === 'f16') return `unpack2x16float(${name}[(${at}) >> 1u])[(${at}) & 1u]`;
  const signed = v.dtype === 'int8';
  return signed
    ? `extractBits(i32(${name}[(${at}) >> 2u]), ((${at}) & 3u) * 8u, 8u)`
    : `i32(extractBits(${name}[(${at}) >> 2u], ((${at}) & 3u) * 8u, 8u))`;
}
