/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU pooling kernels: MaxPool, AveragePool, LpPool (1-D to 3-D windows; pads, strides,
// dilations, auto_pad, ceil_mode, count_include_pad) with one thread per output element,
// and GlobalAveragePool / GlobalMaxPool / GlobalLpPool as one workgroup per (n, c) row
// reducing in workgroup memory. Also the sliding-window helpers Conv shares (conv.ts):
// output sizes and padding by ONNX's rules, index unravelling and the window loops.
//   poolOps.MaxPool[0].lower(g, [x], { op: 'max', kernel: [3, 3], strides: [2, 2], ... }, 'MaxPool_4')

import type { GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import { elementKernel, wgslFunctions, wgslGrid, wgslLiteral } from './wgsl.js';

export type PoolAttrs = {
  op: 'max' | 'average' | 'lp';
  kernel: number[];
  autoPad: string;
  pads: number[] | null;
  strides: number[] | null;
  dilations: number[] | null;
  ceil: boolean;
  countIncludePad: boolean;
  p: number;
};

/** A sliding window over the spatial axes, with its padding and output sizes resolved. */
export interface WindowGeometry {
  inSize: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  begin: number[];
  end: number[];
  out: number[];
  /** Per axis: whether a window position can fall outside the input (padding, ceil_mode). */
  check: boolean[];
}

/**
 * Padding and output size per spatial axis (ONNX Conv/pool rules): explicit pads, or
 * SAME_UPPER / SAME_LOWER (output ceil(in / stride), the odd pixel at the end / start) or
 * VALID; ceil_mode rounds the output up but drops a window that would start in the end padding.
 * Pools size SAME padding from the undilated kernel and ignore ceil_mode there, as ONNX Runtime
 * does (`poolSame`); Conv sizes it from the dilated extent, as the ONNX spec says.
 */
export function convWindow(
  inSize: number[],
  kernel: number[],
  strides: number[] | null,
  dilations: number[] | null,
  autoPad: string,
  pads: number[] | null,
  ceil: boolean,
  poolSame = false,
): WindowGeometry {
  const n = inSize.length;
  const s = strides ?? new Array<number>(n).fill(1);
  const d = dilations ?? new Array<number>(n).fill(1);
  const begin: number[] = [];
  const end: number[] = [];
  const out: number[] = [];
  const check: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const extent = (kernel[i] - 1) * d[i] + 1;
    let b = 0;
    let e = 0;
    const same = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';
    if (same) {
      const reach = poolSame ? kernel[i] : extent;
      const total = Math.max(0, (Math.ceil(inSize[i] / s[i]) - 1) * s[i] + reach - inSize[i]);
      b = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      e = total - b;
    } else if (autoPad !== 'VALID' && pads !== null) {
      b = pads[i];
      e = pads[i + n];
    }
    const span = inSize[i] + b + e - extent;
    const up = ceil && !same;
    let size = (up ? Math.ceil(span / s[i]) : Math.floor(span / s[i])) + 1;
    if (up && (size - 1) * s[i] >= inSize[i] + b) size--;
    begin.push(b);
    end.push(e);
    out.push(size);
    check.push(b > 0 || (size - 1) * s[i] + extent - 1 - b >= inSize[i]);
  }
  return { inSize, kernel, strides: s, dilations: d, begin, end, out, check };
}

/** WGSL lines splitting `index` into coordinates `${prefix}0..` over `dims`; `rest` is what is left above them. */
export function wgslUnravel(
  index: string,
  dims: number[],
  prefix: string,
): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let current = index;
  for (let a = dims.length - 1; a >= 0; a--) {
    lines.push(`let ${prefix}${a} = ${current} % ${dims[a]}u;`);
    lines.push(`let ${prefix}q${a} = ${current} / ${dims[a]}u;`);
    current = `${prefix}q${a}`;
  }
  return { lines, rest: current };
}

/**
 * Nested WGSL loops over a window's kernel positions k0.. for output coordinates `coords`:
 * input positions p0.. (i32), skipping those outside the input on axes that can leave it.
 * `inputOffset` / `kernelOffset`: the spatial offsets (u32) of the position inside the loops.
 */
export function wgslWindowLoops(
  w: WindowGeometry,
  coords: string[],
): { open: string[]; close: string[]; inputOffset: string; kernelOffset: string } {
  const open: string[] = [];
  const close: string[] = [];
  const inputTerms: string[] = [];
  const kernelTerms: string[] = [];
  let inStride = 1;
  let kStride = 1;
  for (let a = w.kernel.length - 1; a >= 0; a--) {
    inputTerms.unshift(inStride === 1 ? `u32(p${a})` : `u32(p${a}) * ${inStride}u`);
    kernelTerms.unshift(kStride === 1 ? `k${a}` : `k${a} * ${kStride}u`);
    inStride *= w.inSize[a];
    kStride *= w.kernel[a];
  }
  for (let a = 0; a < w.kernel.length; a++) {
    open.push(`for (var k${a} = 0u; k${a} < ${w.kernel[a]}u; k${a}++) {`);
    open.push(
      `let p${a} = i32(${coords[a]} * ${w.strides[a]}u + k${a} * ${w.dilations[a]}u) - ${w.begin[a]};`,
    );
    if (w.check[a]) open.push(`if (p${a} < 0 || p${a} >= ${w.inSize[a]}) { continue; }`);
    close.push('}');
  }
  return { open, close, inputOffset: inputTerms.join(' + '), kernelOffset: kernelTerms.join(' + ') };
}

function lowerPool(g: PlanContext, x: Value[], a: PoolAttrs, label: string): Value {
  const input = x[0];
  const rank = input.dims.length;
  if (rank < 3 || rank - 2 !== a.kernel.length)
    g.fail(`pools a rank-${rank} input with a ${a.kernel.length}-D kernel`);
  const spatial = input.dims.slice(2);
  const w = convWindow(spatial, a.kernel, a.strides, a.dilations, a.autoPad, a.pads, a.ceil, true);
  if (w.out.some((d) => d < 1)) g.fail(`the window is larger than the padded input [${spatial.join(', ')}]`);
  const outDims = [input.dims[0], input.dims[1], ...w.out];
  const count = outDims.reduce((p, d) => p * d, 1);
  const inCount = spatial.reduce((p, d) => p * d, 1);
  const type = g.wgslType(input);
  if (a.op !== 'max' && type !== 'f32') g.fail(`${a.op} pooling of ${input.dtype} is not supported`);
  const coords = w.out.map((_, i) => `o${i}`);
  const unravel = wgslUnravel('i', w.out, 'o');
  const loops = wgslWindowLoops(w, coords);
  const read = `x0[xb + ${loops.inputOffset}]`;
  const lines: string[] = [];
  let init: string;
  let accumulate: string;
  let result: string;
  if (a.op === 'max') {
    init = type === 'f32' ? 'bitcast<f32>(0xff7fffffu)' : wgslLiteral(-2147483647, 'i32');
    accumulate = `let v = ${read};\nif (v > acc) { acc = v; }`;
    result = 'acc';
  } else if (a.op === 'lp') {
    init = '0.0';
    accumulate =
      a.p === 2 ? `let v = ${read};\nacc += v * v;` : `acc += pow(abs(${read}), ${wgslLiteral(a.p, 'f32')});`;
    result = a.p === 2 ? 'sqrt(acc)' : a.p === 1 ? 'acc' : `pow(acc, ${wgslLiteral(1 / a.p, 'f32')})`;
  } else if (a.countIncludePad) {
    // The divisor counts padding but not the part of a ceil_mode window past the end padding.
    init = '0.0';
    accumulate = `acc += ${read};`;
    const sizes = w.kernel.map((k, i) => {
      const extent = (k - 1) * w.dilations[i] + 1;
      lines.push(`let ws${i} = i32(o${i} * ${w.strides[i]}u) - ${w.begin[i]};`);
      lines.push(`let we${i} = min(ws${i} + ${extent}, ${w.inSize[i] + w.end[i]});`);
      return w.dilations[i] === 1
        ? `f32(we${i} - ws${i})`
        : `f32((we${i} - ws${i} + ${w.dilations[i] - 1}) / ${w.dilations[i]})`;
    });
    result = `acc / (${sizes.join(' * ')})`;
  } else {
    init = '0.0';
    accumulate = `acc += ${read};\ncnt += 1.0;`;
    lines.push('var cnt = 0.0;');
    result = 'acc / cnt';
  }
  return elementKernel(g, {
    label,
    inputs: [input],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    count,
    body: [
      ...unravel.lines,
      `let xb = ${unravel.rest} * ${inCount}u;`,
      `var acc: ${type} = ${init};`,
      ...lines,
      ...loops.open,
      accumulate,
      ...loops.close,
      `y0[i] = ${result};`,
    ],
  })[0];
}

/** Global pools: one workgroup per (n, c) row, a strided loop per thread, then a tree in workgroup memory. */
function lowerGlobalPool(g: PlanContext, x: Value[], a: { op: string; p: number }, label: string): Value {
  const input = x[0];
  if (input.dims.length < 3) g.fail(`global pooling needs a rank ≥ 3 input, got rank ${input.dims.length}`);
  const rows = input.dims[0] * input.dims[1];
  const size = input.dims.slice(2).reduce((p, d) => p * d, 1);
  const type = g.wgslType(input);
  if (a.op !== 'max' && type !== 'f32') g.fail(`${a.op} pooling of ${input.dtype} is not supported`);
  const threads = size >= 2048 ? 256 : 64;
  const outDims = [input.dims[0], input.dims[1], ...input.dims.slice(2).map(() => 1)];
  const wx = Math.min(Math.max(rows, 1), 65535);
  const wy = Math.ceil(rows / wx);
  const lowest = type === 'f32' ? 'bitcast<f32>(0xff7fffffu)' : wgslLiteral(-2147483647, 'i32');
  const pw = wgslLiteral(a.p, 'f32');
  const step =
    a.op === 'max'
      ? 'let v = x0[base + j];\n    if (v > acc) { acc = v; }'
      : a.op === 'lp'
        ? a.p === 2
          ? 'let v = x0[base + j];\n    acc += v * v;'
          : `acc += pow(abs(x0[base + j]), ${pw});`
        : 'acc += x0[base + j];';
  const combine = a.op === 'max' ? 'if (other > part[lid]) { part[lid] = other; }' : 'part[lid] += other;';
  const finish =
    a.op === 'max'
      ? 'part[0]'
      : a.op === 'lp'
        ? a.p === 2
          ? 'sqrt(part[0])'
          : `pow(part[0], ${wgslLiteral(1 / a.p, 'f32')})`
        : `part[0] / ${wgslLiteral(size, 'f32')}`;
  const code = [
    `var<workgroup> part: array<${type}, ${threads}>;`,
    `@compute @workgroup_size(${threads})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let row = wid.x + wid.y * ${wx}u;`,
    `  if (row >= ${rows}u) { return; }`,
    `  let base = row * ${size}u;`,
    `  var acc: ${type} = ${a.op === 'max' ? lowest : '0.0'};`,
    `  for (var j = lid; j < ${size}u; j += ${threads}u) {`,
    `    ${step}`,
    '  }',
    '  part[lid] = acc;',
    '  workgroupBarrier();',
    `  for (var half = ${threads / 2}u; half > 0u; half = half >> 1u) {`,
    '    if (lid < half) {',
    '      let other = part[lid + half];',
    `      ${combine}`,
    '    }',
    '    workgroupBarrier();',
    '  }',
    `  if (lid == 0u) { y0[row] = ${finish}; }`,
    '}',
  ].join('\n');
  return g.kernel({
    label,
    code,
    inputs: [input],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    workgroups: [wx, wy, 1],
  })[0];
}

function poolAttributes(op: PoolAttrs['op']) {
  return (n: OnnxNodeView): PoolAttrs | { unsupported: string } => {
    const kernel = n.ints('kernel_shape');
    if (!kernel) return { unsupported: 'has no kernel_shape' };
    if (kernel.length < 1 || kernel.length > 3)
      return { unsupported: `pools over ${kernel.length} axes; the webgpu target pools 1-D to 3-D` };
    if (n.outputs.length > 1 && n.outputs[1])
      return { unsupported: 'asks for the Indices output, which the webgpu target does not compute' };
    const autoPad = n.string('auto_pad', 'NOTSET');
    if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad))
      return { unsupported: `has auto_pad "${autoPad}"` };
    return {
      op,
      kernel,
      autoPad,
      pads: n.ints('pads') ?? null,
      strides: n.ints('strides') ?? null,
      dilations: n.ints('dilations') ?? null,
      ceil: n.int('ceil_mode', 0) === 1,
      countIncludePad: n.int('count_include_pad', 0) === 1,
      p: n.int('p', 2),
    };
  };
}

const WINDOW_HELPERS = [
  convWindow,
  wgslUnravel,
  wgslWindowLoops,
  wgslGrid,
  wgslLiteral,
  elementKernel,
  wgslFunctions,
];

const pool = (op: PoolAttrs['op'], since: number): GpuOpVersion[] => [
  {
    since,
    attributes: poolAttributes(op) as GpuOpVersion['attributes'],
    lower: lowerPool as GpuOpVersion['lower'],
    helpers: WINDOW_HELPERS,
  },
];

const globalPool = (op: string): GpuOpVersion[] => [
  {
    since: 1,
    attributes: (n) => ({ op, p: n.int('p', 2) }),
    lower: lowerGlobalPool as GpuOpVersion['lower'],
    helpers: [wgslLiteral],
  },
];

export const poolOps: GpuOpTable = {
  MaxPool: pool('max', 1),
  AveragePool: pool('average', 1),
  LpPool: pool('lp', 2),
  GlobalMaxPool: globalPool('max'),
  GlobalAveragePool: globalPool('average'),
  GlobalLpPool: globalPool('lp'),
};
