/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Data-movement kernels: Transpose, Expand, Slice (one strided-copy kernel: a thread per
// output element, the input offset from baked strides, adjacent contiguous dims merged),
// Concat and Split (one kernel over up to 7 inputs / outputs, more in chained kernels),
// Tile, Pad (constant, reflect, edge, wrap; negative pads crop) and Trilu. Shape arithmetic
// on host values (Transpose, Expand, Concat, Slice, Split) is evaluated in JavaScript by the
// webnn target's host functions. Empty results are host tensors (no kernel, no buffer).
//   layoutOps.Transpose[0].lower(g, [x], { perm: [0, 2, 1, 3] }, 'Transpose_4')

import { permutation, layoutOps as webnnLayoutOps } from '../../webnn/ops/layout.js';
import { sliceAxes, slicingOps as webnnSlicingOps } from '../../webnn/ops/slicing.js';
import type { ElementType, GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import {
  elementKernel,
  wgslBroadcastStrides,
  wgslFunctions,
  wgslGrid,
  wgslLiteral,
  wgslStrides,
} from './wgsl.js';

// permutation and sliceAxes are the webnn target's helpers, copied into model.js with the
// entries that list them (imported, never `declare`d: the bundler renames on collisions).

type ConcatAttrs = { axis: number };
type SplitAttrs = { axis: number; split: number[] | null; outputs: number };
type PadAttrs = { mode: string; pads: number[] | null; value: number };
type TriluAttrs = { upper: boolean };

/** WGSL expressions of the coordinates of linear index `index` in a row-major tensor of `dims`. */
function layoutCoords(dims: number[], index: string): string[] {
  const out = new Array<string>(dims.length);
  let inner = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    const outermost = dims.slice(0, k).every((d) => d === 1);
    const q = inner === 1 ? index : `(${index} / ${inner}u)`;
    out[k] = dims[k] === 1 ? '0u' : outermost ? q : `(${q} % ${dims[k]}u)`;
    inner *= dims[k];
  }
  return out;
}

/**
 * One dispatch of a thread per index `i` < count running `body` (WGSL statements), with
 * `outputs` y0, y1, …; the mc_bits function is added when the body uses it (NaN / ±∞ literals).
 */
function layoutDispatch(
  g: PlanContext,
  label: string,
  inputs: Value[],
  outputs: { dtype: ElementType; dims: number[] }[],
  count: number,
  body: string[],
): Value[] {
  return elementKernel(g, { label, inputs, outputs, count, body });
}

/** One kernel writing every element `i` of one output with `body`; an empty output is a host tensor. */
function layoutKernel(
  g: PlanContext,
  label: string,
  inputs: Value[],
  dtype: ElementType,
  dims: number[],
  body: string[],
): Value {
  const count = dims.reduce((p, d) => p * d, 1);
  if (count === 0) return g.host(dtype, dims, []);
  return layoutDispatch(g, label, inputs, [{ dtype, dims }], count, body)[0];
}

/**
 * `v` read as a tensor of `dims` whose element c sits at `base + Σ c[k] * strides[k]`
 * (strides may be 0 or negative): Transpose, Expand and Slice. A read of the whole input
 * in order is a view.
 */
function layoutStrided(
  g: PlanContext,
  v: Value,
  dims: number[],
  strides: number[],
  base: number,
  label: string,
): Value {
  const count = dims.reduce((p, d) => p * d, 1);
  if (count === 0) return g.host(v.dtype, dims, []);
  // Drop unit dims and merge neighbours that are contiguous with each other.
  const d: number[] = [];
  const s: number[] = [];
  dims.forEach((n, k) => {
    if (n === 1) return;
    const last = d.length - 1;
    if (last >= 0 && s[last] === strides[k] * n) {
      d[last] *= n;
      s[last] = strides[k];
    } else {
      d.push(n);
      s.push(strides[k]);
    }
  });
  const inputCount = v.dims.reduce((p, n) => p * n, 1);
  const inOrder = d.length === 0 || (d.length === 1 && s[0] === 1);
  if (base === 0 && count === inputCount && inOrder && !v.materialize) return g.view(v, dims);
  const coords = layoutCoords(d, 'i');
  let offset = base > 0 ? `${base}u` : '';
  d.forEach((_, k) => {
    if (s[k] === 0) return;
    const term = Math.abs(s[k]) === 1 ? coords[k] : `${coords[k]} * ${Math.abs(s[k])}u`;
    if (s[k] > 0) offset = offset ? `${offset} + ${term}` : term;
    else offset = `${offset || '0u'} - ${term}`;
  });
  return layoutKernel(g, label, [v], v.dtype, dims, [`y0[i] = x0[${offset || '0u'}];`]);
}

function lowerTranspose(g: PlanContext, x: Value[], a: { perm: number[] | null }, label: string): Value {
  const dims = x[0].dims;
  const perm = permutation(dims.length, a);
  if (perm.every((p, i) => p === i)) return x[0];
  const strides = wgslStrides(dims);
  return layoutStrided(
    g,
    x[0],
    perm.map((p) => dims[p]),
    perm.map((p) => strides[p]),
    0,
    label,
  );
}

function lowerExpand(g: PlanContext, x: Value[], _a: unknown, label: string): Value {
  const dims = g.broadcastDims(x[0].dims, g.ints(x[1], 'the shape'));
  if (dims.length === x[0].dims.length && dims.every((d, i) => d === x[0].dims[i])) return x[0];
  return layoutStrided(g, x[0], dims, wgslBroadcastStrides(x[0].dims, dims), 0, label);
}

function lowerSlice(g: PlanContext, x: Value[], a: unknown, label: string): Value {
  const spec = sliceAxes(g as never, x as never, a as never);
  const dims = x[0].dims;
  if (spec.every((s, i) => s.start === 0 && s.size === dims[i] && s.step === 1)) return x[0];
  const strides = wgslStrides(dims);
  const base = spec.reduce((p, s, k) => p + (s.size > 0 ? s.start * strides[k] : 0), 0);
  return layoutStrided(
    g,
    x[0],
    spec.map((s) => s.size),
    spec.map((s, k) => s.step * strides[k]),
    base,
    label,
  );
}

function lowerTile(g: PlanContext, x: Value[], _a: unknown, label: string): Value {
  const dims = x[0].dims;
  const repeats = g.ints(x[1], 'the repeats');
  if (repeats.length !== dims.length) g.fail(`${repeats.length} repeats for an input of rank ${dims.length}`);
  if (repeats.every((r) => r === 1)) return x[0];
  const outDims = dims.map((d, k) => d * repeats[k]);
  const strides = wgslStrides(dims);
  const coords = layoutCoords(outDims, 'i');
  const terms = dims
    .map((d, k) => {
      if (d === 1) return '';
      const c = repeats[k] === 1 ? coords[k] : `(${coords[k]} % ${d}u)`;
      return strides[k] === 1 ? c : `${c} * ${strides[k]}u`;
    })
    .filter((t) => t !== '');
  return layoutKernel(g, label, [x[0]], x[0].dtype, outDims, [`y0[i] = x0[${terms.join(' + ') || '0u'}];`]);
}

/** Concat of up to 7 parts (each non-empty along `axis`) in one kernel. */
function layoutConcatKernel(g: PlanContext, parts: Value[], axis: number, label: string): Value {
  const dims = parts[0].dims.slice();
  dims[axis] = parts.reduce((p, v) => p + v.dims[axis], 0);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  const row = dims[axis] * inner;
  const body = [`let o = i / ${row}u;`, `let r = i % ${row}u;`];
  let start = 0;
  parts.forEach((v, k) => {
    const chunk = v.dims[axis] * inner;
    const read = `y0[i] = x${k}[o * ${chunk}u + r${start > 0 ? ` - ${start}u` : ''}];`;
    if (k === parts.length - 1) body.push(k === 0 ? read : `else { ${read} }`);
    else body.push(`${k === 0 ? '' : 'else '}if (r < ${start + chunk}u) { ${read} }`);
    start += chunk;
  });
  return layoutKernel(g, label, parts, parts[0].dtype, dims, body);
}

function lowerConcat(g: PlanContext, x: Value[], a: ConcatAttrs, label: string): Value {
  const present = x.filter((v) => v !== undefined);
  const rank = present[0].dims.length;
  const axis = g.axis(a.axis, rank);
  const dims = present[0].dims.slice();
  dims[axis] = present.reduce((p, v) => p + v.dims[axis], 0);
  for (const v of present)
    if (v.dims.length !== rank || v.dims.some((d, k) => k !== axis && d !== dims[k]))
      g.fail(
        `cannot concatenate [${v.dims.join(', ')}] with [${present[0].dims.join(', ')}] on axis ${axis}`,
      );
  if (dims.reduce((p, d) => p * d, 1) === 0) return g.host(present[0].dtype, dims, []);
  let parts = present.filter((v) => v.dims[axis] !== 0);
  if (parts.length === 1) return parts[0];
  // WebGPU guarantees 8 storage buffers per kernel: 7 parts and the output.
  const most = 7;
  for (let round = 0; parts.length > most; round++)
    parts = [layoutConcatKernel(g, parts.slice(0, most), axis, `${label}#${round}`), ...parts.slice(most)];
  return layoutConcatKernel(g, parts, axis, label);
}

/** Split's part sizes along `axis` (attribute, input, or equal parts with a smaller last one). */
function layoutSplitSizes(g: PlanContext, x: Value[], a: SplitAttrs, axis: number): number[] {
  const size = x[0].dims[axis];
  let sizes = a.split ?? (x[1] !== undefined ? g.ints(x[1], 'the split sizes') : null);
  if (sizes === null || sizes.length === 0) {
    const part = Math.ceil(size / a.outputs);
    sizes = Array.from({ length: a.outputs }, (_, i) => Math.max(0, Math.min(part, size - i * part)));
  }
  if (sizes.reduce((p, s) => p + s, 0) !== size)
    g.fail(`split sizes [${sizes.join(', ')}] do not add up to ${size}`);
  return sizes;
}

function lowerSplit(g: PlanContext, x: Value[], a: SplitAttrs, label: string): Value[] {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const sizes = layoutSplitSizes(g, x, a, axis);
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  const row = dims[axis] * inner;
  const outDims = sizes.map((s) => dims.map((d, k) => (k === axis ? s : d)));
  const starts = sizes.map((_, k) => sizes.slice(0, k).reduce((p, s) => p + s, 0));
  // Empty parts are host tensors; the others come from kernels over up to 7 outputs each
  // (WebGPU guarantees 8 storage buffers per kernel).
  const live = sizes.map((_, k) => k).filter((k) => sizes[k] * outer * inner > 0);
  const results = outDims.map((d, k) => (live.includes(k) ? x[0] : g.host(x[0].dtype, d, [])));
  if (live.length === 1 && sizes[live[0]] === dims[axis]) return results;
  const most = 7;
  for (let first = 0; first < live.length; first += most) {
    const group = live.slice(first, first + most);
    const from = starts[group[0]] * inner;
    const span = group.reduce((p, k) => p + sizes[k], 0) * inner;
    const body = [
      `let o = i / ${span}u;`,
      `let r = i % ${span}u + ${from}u;`,
      `let v = x0[o * ${row}u + r];`,
    ];
    group.forEach((k, j) => {
      const write = `y${j}[o * ${sizes[k] * inner}u + r - ${starts[k] * inner}u] = v;`;
      const end = (starts[k] + sizes[k]) * inner;
      if (j === group.length - 1) body.push(j === 0 ? write : `else { ${write} }`);
      else body.push(`${j === 0 ? '' : 'else '}if (r < ${end}u) { ${write} }`);
    });
    const outs = layoutDispatch(
      g,
      live.length > most ? `${label}#${first / most}` : label,
      [x[0]],
      group.map((k) => ({ dtype: x[0].dtype, dims: outDims[k] })),
      outer * span,
      body,
    );
    group.forEach((k, j) => (results[k] = outs[j]));
  }
  return results;
}

function hostSplit(g: PlanContext, x: Value[], a: SplitAttrs): Value[] {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const sizes = layoutSplitSizes(g, x, a, axis);
  const data = g.numbers(x[0], 'the input');
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  let start = 0;
  return sizes.map((s) => {
    const out: number[] = [];
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < s * inner; j++) out.push(Number(data[(o * dims[axis] + start) * inner + j]));
    start += s;
    return g.host(
      x[0].dtype,
      dims.map((d, k) => (k === axis ? s : d)),
      out,
    );
  });
}

function lowerPad(g: PlanContext, x: Value[], a: PadAttrs, label: string): Value {
  const dims = x[0].dims;
  const rank = dims.length;
  const given = a.pads ?? g.ints(x[1], 'the pads');
  const axes =
    a.pads === null && x[3] !== undefined
      ? g.ints(x[3], 'the axes').map((ax) => g.axis(ax, rank))
      : dims.map((_, i) => i);
  if (given.length !== 2 * axes.length) g.fail(`${given.length} pads for ${axes.length} axes`);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((axis, i) => {
    begin[axis] = given[i];
    end[axis] = given[i + axes.length];
  });
  if (begin.every((p) => p === 0) && end.every((p) => p === 0)) return x[0];
  const outDims = dims.map((d, k) => d + begin[k] + end[k]);
  if (outDims.some((d) => d < 0)) g.fail(`pads [${given.join(', ')}] crop more than [${dims.join(', ')}]`);
  const type = g.wgslType(x[0].dtype);
  const inputs = [x[0]];
  let fill = wgslLiteral(a.value, type);
  if (a.mode === 'constant' && a.pads === null && x[2] !== undefined) {
    if (g.isHost(x[2])) fill = wgslLiteral(Number(g.numbers(x[2], 'the pad value')[0] ?? 0), type);
    else {
      inputs.push(x[2]);
      fill = 'x1[0]';
    }
  }
  if (a.mode !== 'constant' && dims.some((d, k) => d === 0 && outDims[k] > 0))
    g.fail(`cannot pad an empty axis in mode "${a.mode}"`);
  const strides = wgslStrides(dims);
  const coords = layoutCoords(outDims, 'i');
  const body = ['var inside = true;', 'var at = 0i;'];
  dims.forEach((d, k) => {
    if (outDims[k] === 1 && d === 1 && begin[k] === 0) return;
    const c = `c${k}`;
    body.push(`var ${c} = i32(${coords[k]}) - ${begin[k]};`);
    if (a.mode === 'constant') body.push(`inside = inside && ${c} >= 0 && ${c} < ${d};`);
    else if (a.mode === 'edge') body.push(`${c} = clamp(${c}, 0, ${d - 1});`);
    else if (a.mode === 'wrap') body.push(`${c} = ((${c} % ${d}) + ${d}) % ${d};`);
    else if (d > 1) {
      // reflect: mirror without repeating the edge, period 2 * (d - 1).
      body.push(`${c} = abs(${c}) % ${2 * (d - 1)};`);
      body.push(`${c} = select(${c}, ${2 * (d - 1)} - ${c}, ${c} >= ${d});`);
    } else body.push(`${c} = 0;`);
    if (strides[k] !== 0) body.push(`at = at + ${c} * ${strides[k]};`);
  });
  body.push(
    a.mode === 'constant'
      ? `if (inside) { y0[i] = x0[u32(at)]; } else { y0[i] = ${fill}; }`
      : 'y0[i] = x0[u32(at)];',
  );
  return layoutKernel(g, label, inputs, x[0].dtype, outDims, body);
}

function lowerTrilu(g: PlanContext, x: Value[], a: TriluAttrs, label: string): Value {
  const dims = x[0].dims;
  if (dims.length < 2) g.fail(`Trilu needs rank ≥ 2, got [${dims.join(', ')}]`);
  const rows = dims[dims.length - 2];
  const cols = dims[dims.length - 1];
  const inputs = [x[0]];
  let k = '0';
  if (x[1] !== undefined) {
    if (g.isHost(x[1])) k = String(Math.max(-2147483647, Math.min(2147483647, g.ints(x[1], 'k')[0])));
    else {
      inputs.push(x[1]);
      k = 'x1[0]';
    }
  }
  const zero = wgslLiteral(0, g.wgslType(x[0].dtype));
  return layoutKernel(g, label, inputs, x[0].dtype, dims, [
    `let d = i32(i % ${cols}u) - i32((i / ${cols}u) % ${Math.max(rows, 1)}u);`,
    `y0[i] = select(${zero}, x0[i], d ${a.upper ? '>=' : '<='} ${k});`,
  ]);
}

function padAttributes(fromInputs: boolean) {
  return (n: OnnxNodeView) => {
    const mode = n.string('mode', 'constant');
    if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode))
      return {
        unsupported: `pads in mode "${mode}"; the webgpu target pads constant, reflect, edge and wrap`,
      };
    return fromInputs
      ? { mode, pads: null, value: 0 }
      : { mode, pads: n.ints('pads') ?? n.ints('paddings') ?? [], value: n.float('value', 0) };
  };
}

const KERNEL_HELPERS = [
  layoutCoords,
  layoutDispatch,
  layoutKernel,
  wgslFunctions,
  wgslGrid,
  elementKernel,
  wgslLiteral,
  wgslStrides,
];
const STRIDED_HELPERS = [...KERNEL_HELPERS, layoutStrided, wgslBroadcastStrides];

const webnnTranspose = webnnLayoutOps.Transpose[0];
const webnnExpand = webnnLayoutOps.Expand[0];
const webnnConcat = webnnSlicingOps.Concat[0];
const [webnnSlice1, webnnSlice10] = webnnSlicingOps.Slice;

/** A webnn entry's attributes and host evaluation with a webgpu lowering. */
function withLowering(
  entry: (typeof webnnSlicingOps)[string][number],
  lower: GpuOpVersion['lower'],
  helpers: NonNullable<GpuOpVersion['helpers']>,
): GpuOpVersion {
  return {
    since: entry.since,
    attributes: entry.attributes as GpuOpVersion['attributes'],
    lower,
    host: entry.host as GpuOpVersion['host'],
    helpers: [...(entry.helpers ?? []), ...helpers],
  };
}

const splitAttributes = (fromInputs: boolean) => (n: OnnxNodeView) => ({
  axis: n.int('axis', 0),
  split: fromInputs ? null : (n.ints('split') ?? null),
  outputs: n.outputs.length,
});

export const layoutOps: GpuOpTable = {
  Transpose: [withLowering(webnnTranspose, lowerTranspose as GpuOpVersion['lower'], STRIDED_HELPERS)],
  Expand: [withLowering(webnnExpand, lowerExpand as GpuOpVersion['lower'], STRIDED_HELPERS)],
  Slice: [
    withLowering(webnnSlice1, lowerSlice as GpuOpVersion['lower'], STRIDED_HELPERS),
    withLowering(webnnSlice10, lowerSlice as GpuOpVersion['lower'], STRIDED_HELPERS),
  ],
  Concat: [
    // Concat-1..3: axis defaults to 1.
    {
      ...withLowering(webnnConcat, lowerConcat as GpuOpVersion['lower'], [
        ...KERNEL_HELPERS,
        layoutConcatKernel,
      ]),
      since: 1,
      attributes: (n: OnnxNodeView) => ({ axis: n.int('axis', 1) }),
    },
    withLowering(webnnConcat, lowerConcat as GpuOpVersion['lower'], [...KERNEL_HELPERS, layoutConcatKernel]),
  ],
  Split: [
    {
      since: 2,
      attributes: splitAttributes(false),
      lower: lowerSplit as GpuOpVersion['lower'],
      host: hostSplit as GpuOpVersion['host'],
      helpers: [...KERNEL_HELPERS, layoutSplitSizes],
    },
    {
      since: 13,
      attributes: splitAttributes(true),
      lower: lowerSplit as GpuOpVersion['lower'],
      host: hostSplit as GpuOpVersion['host'],
      helpers: [...KERNEL_HELPERS, layoutSplitSizes],
    },
  ],
  Tile: [{ since: 6, lower: lowerTile as GpuOpVersion['lower'], helpers: KERNEL_HELPERS }],
  Pad: [
    {
      since: 1,
      attributes: padAttributes(false),
      lower: lowerPad as GpuOpVersion['lower'],
      helpers: KERNEL_HELPERS,
    },
    {
      since: 11,
      attributes: padAttributes(true),
      lower: lowerPad as GpuOpVersion['lower'],
      helpers: KERNEL_HELPERS,
    },
  ],
  Trilu: [
    {
      since: 14,
      attributes: (n) => ({ upper: n.int('upper', 1) === 1 }),
      lower: lowerTrilu as GpuOpVersion['lower'],
      helpers: KERNEL_HELPERS,
    },
  ],
};
