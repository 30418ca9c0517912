/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp, ArgMax
// and ArgMin, plus the row-kernel builder the normalizations share. A reduction sees its
// input as rows (one per output element, over the kept axes) of n elements (over the
// reduced axes, any strides). Long rows get one workgroup each: its threads stride over
// the row and combine their partial results by a tree in workgroup memory; short rows, or
// many strided rows, get one thread each. When every input is host data (shape
// arithmetic) the reduction runs in JavaScript.
//   reduceOps.ReduceMean[1].lower(g, [x, axes], { op: 'ReduceMean', axes: null, keep: true, noop: false }, 'RM_2')

import type { GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import { wgslFunctions, wgslLiteral, wgslOffset, wgslStrides } from './wgsl.js';

export type ReduceAttrs = { op: string; axes: number[] | null; keep: boolean; noop: boolean };
export type ArgReduceAttrs = { op: string; axis: number; keep: boolean; last: boolean };

/** Rows of a tensor: `rows` rows of `n` elements; `base` (of `row`) and `elem` (of `j`) are WGSL offsets. */
export interface RowLayout {
  rows: number;
  n: number;
  base: string;
  elem: string;
}

/** A reduction over each row: `value` (of `v`, `j`) folded by `combine` from `init`, then `result`. */
export interface RowPhase {
  /** WGSL name of the row's result; arg phases also define `${name}_i` (u32 index in the row). */
  name: string;
  type: string;
  init: string;
  value: string;
  combine?: (a: string, b: string) => string;
  result?: (acc: string) => string;
  /** ArgMax/ArgMin: keep the index of the best value, ties to the first (or last) index. */
  arg?: 'max' | 'min';
  last?: boolean;
}

/** One row kernel: a few row reductions, then per-row and per-element statements. */
export interface RowKernel {
  layout: RowLayout;
  /** Threads per row (a power of two), or 0 for one thread per row. */
  group: number;
  /** WGSL expression of element `j` of the row at offset `off`, of type `vtype`. */
  load: string;
  vtype: string;
  phases: RowPhase[];
  /** Statements after the phases (row constants such as an inverse deviation). */
  lets?: string[];
  /** Statements run once per row (one thread). */
  perRow?: string[];
  /** Statements run for every element (`v`, `j`, `off` defined). */
  perElement?: string[];
}

/** `dims` seen as rows over the kept axes and elements over the `reduced` ones (unit dims dropped, neighbours merged). */
export function rowLayout(dims: number[], reduced: boolean[]): RowLayout {
  const strides = wgslStrides(dims);
  const parts: { d: number; s: number; r: boolean }[] = [];
  for (let k = 0; k < dims.length; k++) {
    if (dims[k] === 1) continue;
    const last = parts[parts.length - 1];
    if (last && last.r === reduced[k] && last.s === dims[k] * strides[k]) {
      last.d *= dims[k];
      last.s = strides[k];
    } else parts.push({ d: dims[k], s: strides[k], r: reduced[k] });
  }
  const outer = parts.filter((p) => !p.r);
  const inner = parts.filter((p) => p.r);
  return {
    rows: outer.reduce((p, q) => p * q.d, 1),
    n: inner.reduce((p, q) => p * q.d, 1),
    base: wgslOffset(
      outer.map((p) => p.d),
      outer.map((p) => p.s),
      'row',
    ),
    elem: wgslOffset(
      inner.map((p) => p.d),
      inner.map((p) => p.s),
      'j',
    ),
  };
}

/**
 * Threads per row: a workgroup for long rows, one thread for rows up to 256 elements or many
 * strided ones. (bench/webgpu.mjs: on SwiftShader a 64-thread workgroup per 128-element row
 * made bert's LayerNorms 8 of 38 ms; one thread per row, 0.3 ms.)
 */
export function rowGroupSize(layout: RowLayout): number {
  if (layout.n <= 256) return 0;
  if (layout.elem !== 'j' && layout.rows >= 1024) return 0;
  return layout.n <= 256 ? 64 : layout.n <= 2048 ? 128 : 256;
}

/** WGSL of a row kernel and its workgroup counts (rows beyond 65535 workgroups continue in y). */
export function rowKernelCode(k: RowKernel): { code: string; workgroups: [number, number, number] } {
  const { rows, n, base, elem } = k.layout;
  const wg = k.group;
  const per = wg > 0 ? Math.ceil(n / wg) : n;
  const passes = k.phases.length + (k.perElement && k.perElement.length > 0 ? 1 : 0);
  const cache = passes >= 2 && per >= 1 && per <= 16;
  const guard = wg > 0 && n % wg !== 0;
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
  // One pass over the row: `body` sees v (the element), j (its index in the row) and off.
  const loop = (body: string[], fill = false): string[] => {
    if (cache) {
      const value = fill ? [`cache[k] = ${k.load};`] : ['let v = cache[k];'];
      const inner = [`let off = base + ${elem};`, ...value, ...body];
      return [
        `for (var k = 0u; k < ${per}u; k++) {`,
        `  let j = ${wg > 0 ? `lid + k * ${wg}u` : 'k'};`,
        ...(guard ? [`  if (j < ${n}u) {`, ...indent(indent(inner)), '  }'] : indent(inner)),
        '}',
      ];
    }
    return [
      `for (var j = ${wg > 0 ? 'lid' : '0u'}; j < ${n}u; j += ${wg > 0 ? wg : 1}u) {`,
      `  let off = base + ${elem};`,
      `  let v = ${k.load};`,
      ...indent(body),
      '}',
    ];
  };
  const better = (p: RowPhase, b: string, bi: string, a: string, ai: string) =>
    `(${b} ${p.arg === 'max' ? '>' : '<'} ${a} || (${b} == ${a} && ${bi} ${p.last ? '>' : '<'} ${ai}))`;
  const shared = new Set<string>();
  const body: string[] = [];
  if (cache) {
    body.push(`var cache: array<${k.vtype}, ${per}>;`);
    body.push(...loop([], true));
  }
  k.phases.forEach((p, q) => {
    const acc = `acc${q}`;
    const idx = `acc${q}_i`;
    body.push(`var ${acc}: ${p.type} = ${p.init};`);
    if (p.arg) {
      body.push(`var ${idx}: u32 = ${p.last ? '0u' : '0xffffffffu'};`);
      body.push(
        ...loop([
          `let w: ${p.type} = ${p.value};`,
          `if ${better(p, 'w', 'j', acc, idx)} { ${acc} = w; ${idx} = j; }`,
        ]),
      );
    } else body.push(...loop([`${acc} = ${p.combine!(acc, p.value)};`]));
    let total = acc;
    let totalIndex = idx;
    if (wg > 0) {
      const red = `red_${p.type}`;
      shared.add(`var<workgroup> ${red}: array<${p.type}, ${wg}>;`);
      if (p.arg) shared.add(`var<workgroup> red_index: array<u32, ${wg}>;`);
      body.push(`${red}[lid] = ${acc};`);
      if (p.arg) body.push(`red_index[lid] = ${idx};`);
      body.push('workgroupBarrier();');
      body.push(`for (var s = ${wg / 2}u; s > 0u; s = s / 2u) {`);
      if (p.arg)
        body.push(
          '  if (lid < s) {',
          `    let b = ${red}[lid + s];`,
          '    let bi = red_index[lid + s];',
          `    if ${better(p, 'b', 'bi', `${red}[lid]`, 'red_index[lid]')} { ${red}[lid] = b; red_index[lid] = bi; }`,
          '  }',
        );
      else body.push(`  if (lid < s) { ${red}[lid] = ${p.combine!(`${red}[lid]`, `${red}[lid + s]`)}; }`);
      body.push('  workgroupBarrier();', '}');
      body.push(`let ${acc}_all = ${red}[0];`);
      if (p.arg) body.push(`let ${idx}_all = red_index[0];`);
      body.push('workgroupBarrier();');
      total = `${acc}_all`;
      totalIndex = `${idx}_all`;
    }
    body.push(`let ${p.name} = ${p.result ? p.result(total) : total};`);
    if (p.arg) body.push(`let ${p.name}_i = ${totalIndex};`);
  });
  body.push(...(k.lets ?? []));
  if (k.perRow && k.perRow.length > 0)
    body.push(...(wg > 0 ? ['if (lid == 0u) {', ...indent(k.perRow), '}'] : k.perRow));
  if (k.perElement && k.perElement.length > 0) body.push(...loop(k.perElement));

  const size = wg > 0 ? wg : 64;
  const groups = wg > 0 ? Math.max(1, rows) : Math.max(1, Math.ceil(rows / 64));
  const nx = Math.min(groups, 65535);
  const main = [
    ...shared,
    `@compute @workgroup_size(${size})`,
    wg > 0
      ? 'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {'
      : 'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    wg > 0 ? `  let row = wid.x + wid.y * ${nx}u;` : `  let row = gid.x + gid.y * ${nx * 64}u;`,
    `  if (row >= ${rows}u) { return; }`,
    `  let base = ${base};`,
    ...indent(body),
    '}',
  ].join('\n');
  const code = [...wgslFunctions(main, () => ''), main].join('\n');
  return { code, workgroups: [nx, Math.ceil(groups / nx), 1] };
}

/** WGSL of ±∞ (f32) or the extreme i32, for max/min starts. */
export function reduceExtreme(type: string, positive: boolean): string {
  if (type === 'f32') return positive ? 'mc_bits(0x7f800000u)' : 'mc_bits(0xff800000u)';
  return positive ? 'i32(2147483647)' : 'bitcast<i32>(0x80000000u)';
}

/** The row phases and final expression of reduction `op` over n elements of WGSL type `t`. */
export function reducePlan(
  op: string,
  t: string,
  n: number,
): { phases: RowPhase[]; final: string; accType: string } {
  const floatOnly = op === 'ReduceL2' || op === 'ReduceLogSum' || op === 'ReduceLogSumExp';
  const a = floatOnly ? 'f32' : t;
  const v = floatOnly && t !== 'f32' ? 'f32(v)' : 'v';
  const zero = a === 'f32' ? '0.0' : '0';
  const add = (p: string, q: string) => `${p} + ${q}`;
  const sum = (name: string, value: string): RowPhase => ({ name, type: a, init: zero, value, combine: add });
  switch (op) {
    case 'ReduceSum':
      return { phases: [sum('r', v)], final: 'r', accType: a };
    case 'ReduceMean':
      return {
        phases: [sum('r', v)],
        final: a === 'f32' ? `r / ${wgslLiteral(n, 'f32')}` : `r / ${wgslLiteral(n, 'i32')}`,
        accType: a,
      };
    case 'ReduceMax':
    case 'ReduceMin': {
      const max = op === 'ReduceMax';
      const phase: RowPhase = {
        name: 'r',
        type: a,
        init: reduceExtreme(a, !max),
        value: v,
        combine: (p, q) => `${max ? 'max' : 'min'}(${p}, ${q})`,
      };
      return { phases: [phase], final: 'r', accType: a };
    }
    case 'ReduceProd':
      return {
        phases: [
          { name: 'r', type: a, init: a === 'f32' ? '1.0' : '1', value: v, combine: (p, q) => `${p} * ${q}` },
        ],
        final: 'r',
        accType: a,
      };
    case 'ReduceL1':
      return { phases: [sum('r', `abs(${v})`)], final: 'r', accType: a };
    case 'ReduceL2':
      return { phases: [sum('r', `${v} * ${v}`)], final: 'sqrt(r)', accType: a };
    case 'ReduceSumSquare':
      return { phases: [sum('r', `${v} * ${v}`)], final: 'r', accType: a };
    case 'ReduceLogSum':
      return { phases: [sum('r', v)], final: 'log(r)', accType: a };
    case 'ReduceLogSumExp':
      return {
        phases: [
          {
            name: 'mx',
            type: a,
            init: reduceExtreme(a, false),
            value: v,
            combine: (p, q) => `max(${p}, ${q})`,
          },
          sum('r', `exp(${v} - mx)`),
        ],
        final: 'log(r) + mx',
        accType: a,
      };
    default:
      throw new Error(`internal: no reduction ${op}`);
  }
}

/** Sorted axes to reduce, or null for the identity (empty axes with noop_with_empty_axes). */
export function gpuReduceAxes(g: PlanContext, x: Value[], a: ReduceAttrs): number[] | null {
  const rank = x[0].dims.length;
  const given = a.axes ?? (x[1] !== undefined ? g.ints(x[1], 'the axes') : []);
  if (given.length === 0) return a.noop ? null : Array.from(x[0].dims.keys());
  return given.map((axis) => g.axis(axis, rank)).sort((p, q) => p - q);
}

function lowerGpuReduce(g: PlanContext, x: Value[], a: ReduceAttrs, label: string): Value {
  const axes = gpuReduceAxes(g, x, a);
  if (axes === null) return x[0];
  const dims = x[0].dims;
  const reduced = dims.map((_, k) => axes.includes(k));
  const outDims = a.keep ? dims.map((d, k) => (reduced[k] ? 1 : d)) : dims.filter((_, k) => !reduced[k]);
  const layout = rowLayout(dims, reduced);
  if (layout.rows === 0) return g.host(x[0].dtype, outDims, []);
  const t = g.wgslType(x[0].dtype);
  const plan = reducePlan(a.op, t, layout.n);
  const final = plan.accType === t ? plan.final : `${t}(${plan.final})`;
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load: 'x0[off]',
    vtype: t,
    phases: plan.phases,
    perRow: [`y0[row] = ${final};`],
  });
  return g.kernel({
    label,
    code,
    inputs: [x[0]],
    outputs: [{ dtype: x[0].dtype, dims: outDims }],
    workgroups,
  })[0];
}

function lowerGpuArgReduce(g: PlanContext, x: Value[], a: ArgReduceAttrs, label: string): Value {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const reduced = dims.map((_, k) => k === axis);
  const outDims = a.keep ? dims.map((d, k) => (k === axis ? 1 : d)) : dims.filter((_, k) => k !== axis);
  const layout = rowLayout(dims, reduced);
  if (layout.rows === 0) return g.host('int64', outDims, []);
  const t = g.wgslType(x[0].dtype);
  const max = a.op === 'ArgMax';
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load: 'x0[off]',
    vtype: t,
    phases: [
      {
        name: 'r',
        type: t,
        init: reduceExtreme(t, !max),
        value: 'v',
        arg: max ? 'max' : 'min',
        last: a.last,
      },
    ],
    perRow: ['y0[row] = i32(r_i);'],
  });
  return g.kernel({
    label,
    code,
    inputs: [x[0]],
    outputs: [{ dtype: 'int64', dims: outDims }],
    workgroups,
  })[0];
}

/** Rows of host data over the kept axes (elements in row-major order of the reduced axes). */
export function hostRows(dims: number[], reduced: boolean[], data: ArrayLike<number>): number[][] {
  const kept = dims.map((d, k) => (reduced[k] ? 1 : d));
  const rows: number[][] = Array.from({ length: kept.reduce((p, d) => p * d, 1) }, () => []);
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    let at = 0;
    for (let k = 0; k < dims.length; k++) at = at * kept[k] + (reduced[k] ? 0 : index[k]);
    rows[at].push(Number(data[i]));
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) break;
      index[k] = 0;
    }
  }
  return rows;
}

function hostGpuReduce(g: PlanContext, x: Value[], a: ReduceAttrs): Value {
  const axes = gpuReduceAxes(g, x, a);
  if (axes === null) return x[0];
  const dims = x[0].dims;
  const reduced = dims.map((_, k) => axes.includes(k));
  const rows = hostRows(dims, reduced, g.numbers(x[0], 'the input'));
  const fold = (r: number[]): number => {
    const sum = (f: (v: number) => number) => r.reduce((p, v) => p + f(v), 0);
    switch (a.op) {
      case 'ReduceSum':
        return sum((v) => v);
      case 'ReduceMean': {
        const m = sum((v) => v) / r.length;
        return x[0].dtype === 'float32' || x[0].dtype === 'float16' ? m : Math.trunc(m);
      }
      case 'ReduceMax':
        return r.reduce((p, v) => Math.max(p, v), -Infinity);
      case 'ReduceMin':
        return r.reduce((p, v) => Math.min(p, v), Infinity);
      case 'ReduceProd':
        return r.reduce((p, v) => p * v, 1);
      case 'ReduceL1':
        return sum(Math.abs);
      case 'ReduceL2':
        return Math.sqrt(sum((v) => v * v));
      case 'ReduceSumSquare':
        return sum((v) => v * v);
      case 'ReduceLogSum':
        return Math.log(sum((v) => v));
      default: {
        const mx = r.reduce((p, v) => Math.max(p, v), -Infinity);
        return Math.log(sum((v) => Math.exp(v - mx))) + mx;
      }
    }
  };
  const outDims = a.keep ? dims.map((d, k) => (reduced[k] ? 1 : d)) : dims.filter((_, k) => !reduced[k]);
  return g.host(x[0].dtype, outDims, rows.map(fold));
}

function hostGpuArgReduce(g: PlanContext, x: Value[], a: ArgReduceAttrs): Value {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const rows = hostRows(
    dims,
    dims.map((_, k) => k === axis),
    g.numbers(x[0], 'the input'),
  );
  const sign = a.op === 'ArgMax' ? 1 : -1;
  const pick = (r: number[]) => {
    let best = 0;
    for (let j = 1; j < r.length; j++)
      if (sign * r[j] > sign * r[best] || (a.last && r[j] === r[best])) best = j;
    return best;
  };
  const outDims = a.keep ? dims.map((d, k) => (k === axis ? 1 : d)) : dims.filter((_, k) => k !== axis);
  return g.host('int64', outDims, rows.map(pick));
}

const ROW_HELPERS = [rowLayout, rowGroupSize, rowKernelCode, wgslOffset, wgslStrides, wgslFunctions];
const REDUCE_HELPERS = [...ROW_HELPERS, reducePlan, reduceExtreme, gpuReduceAxes, hostRows, wgslLiteral];

/** Helpers of every row kernel (the normalizations list these too). */
export const ROW_KERNEL_HELPERS = [...ROW_HELPERS, reduceExtreme];

/** A reduction whose axes moved from attribute to input at opset `inputSince`. */
function reduction(op: string, inputSince: number): GpuOpVersion[] {
  const common = {
    lower: lowerGpuReduce as GpuOpVersion['lower'],
    host: hostGpuReduce as GpuOpVersion['host'],
    helpers: REDUCE_HELPERS,
  };
  return [
    {
      since: 1,
      attributes: (n: OnnxNodeView) => ({
        op,
        axes: n.ints('axes') ?? null,
        keep: n.int('keepdims', 1) === 1,
        noop: false,
      }),
      ...common,
    },
    {
      since: inputSince,
      attributes: (n: OnnxNodeView) => ({
        op,
        axes: null,
        keep: n.int('keepdims', 1) === 1,
        noop: n.int('noop_with_empty_axes', 0) === 1,
      }),
      ...common,
    },
  ];
}

function argReduction(op: string): GpuOpVersion[] {
  return [
    {
      since: 1,
      attributes: (n: OnnxNodeView) => ({
        op,
        axis: n.int('axis', 0),
        keep: n.int('keepdims', 1) === 1,
        last: n.int('select_last_index', 0) === 1,
      }),
      lower: lowerGpuArgReduce as GpuOpVersion['lower'],
      host: hostGpuArgReduce as GpuOpVersion['host'],
      helpers: REDUCE_HELPERS,
    },
  ];
}

export const reduceOps: GpuOpTable = {
  ReduceSum: reduction('ReduceSum', 13),
  ReduceMean: reduction('ReduceMean', 18),
  ReduceMax: reduction('ReduceMax', 18),
  ReduceMin: reduction('ReduceMin', 18),
  ReduceProd: reduction('ReduceProd', 18),
  ReduceL1: reduction('ReduceL1', 18),
  ReduceL2: reduction('ReduceL2', 18),
  ReduceSumSquare: reduction('ReduceSumSquare', 18),
  ReduceLogSum: reduction('ReduceLogSum', 18),
  ReduceLogSumExp: reduction('ReduceLogSumExp', 18),
  ArgMax: argReduction('ArgMax'),
  ArgMin: argReduction('ArgMin'),
};
