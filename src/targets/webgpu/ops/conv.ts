/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU convolution kernels: Conv (1-D to 3-D, NCHW, groups, dilations, strides, pads,
// auto_pad, optional bias; constant or run-time weights, float16 weights read packed) and
// ConvTranspose. Conv with 8+ output channels per group runs as an implicit GEMM: a
// workgroup computes 64 output pixels × up to 64 channels, staging input patches (gathered
// on the fly, no im2col buffer) and weights through workgroup memory 16 taps at a time;
// depthwise and narrow convolutions loop directly, one thread per output element.
// convOps also carries the pooling (pool.ts) and resampling (resize.ts) families.
//   convOps.Conv[0].lower(g, [x, w, b], { autoPad: 'NOTSET', pads: [1, 1, 1, 1], ... }, 'Conv_0')

import { convWindow, poolOps, wgslUnravel, wgslWindowLoops, type WindowGeometry } from './pool.js';
import { resizeOps } from './resize.js';
import type { GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import { wgslGrid } from './wgsl.js';

export type ConvAttrs = {
  autoPad: string;
  pads: number[] | null;
  strides: number[] | null;
  dilations: number[] | null;
  group: number;
  outputPadding: number[] | null;
  outputShape: number[] | null;
};

/** WGSL `conv_w(k)`: element k of the weight x1, read from f16 pairs when it is stored packed. */
export function convWeightReader(packed: boolean): string {
  return packed
    ? 'fn conv_w(k: u32) -> f32 { return unpack2x16float(x1[k >> 1u])[k & 1u]; }'
    : 'fn conv_w(k: u32) -> f32 { return x1[k]; }';
}

function lowerConv(g: PlanContext, x: Value[], a: ConvAttrs, label: string): Value {
  const [input, weight, bias] = x;
  const rank = input.dims.length;
  if (rank < 3 || rank > 5) g.fail(`convolves a rank-${rank} input; the webgpu target convolves 1-D to 3-D`);
  if (weight.dims.length !== rank) g.fail(`the weight has rank ${weight.dims.length}, the input ${rank}`);
  if (g.wgslType(input) !== 'f32') g.fail(`convolution of ${input.dtype} is not supported`);
  const [batch, channels] = input.dims;
  const outChannels = weight.dims[0];
  const groupIn = weight.dims[1];
  if (groupIn * a.group !== channels || outChannels % a.group !== 0)
    g.fail(`weight [${weight.dims.join(', ')}] does not fit ${channels} input channels in ${a.group} groups`);
  const kernel = weight.dims.slice(2);
  const w = convWindow(input.dims.slice(2), kernel, a.strides, a.dilations, a.autoPad, a.pads, false);
  if (w.out.some((d) => d < 1)) g.fail(`the kernel is larger than the padded input`);
  const outDims = [batch, outChannels, ...w.out];
  const packed = weight.weight !== undefined && weight.layout === 'f16';
  const inputs = bias ? [input, weight, bias] : [input, weight];
  const pixels = w.out.reduce((p, d) => p * d, 1);
  const groupOut = outChannels / a.group;
  const depth = groupIn * kernel.reduce((p, d) => p * d, 1);
  const rows = batch * pixels;
  const tiled = groupOut >= 8 && depth >= 8 && Math.ceil(rows / 64) <= 65535 && a.group <= 65535;
  const planned = tiled
    ? convTiledCode(w, channels, outChannels, a.group, rows, packed, !!bias)
    : convDirectCode(w, channels, outChannels, a.group, batch, packed, !!bias);
  return g.kernel({
    label,
    code: planned.code,
    inputs,
    packed: packed ? [1] : [],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    workgroups: planned.workgroups,
  })[0];
}

/** One thread per output element, looping over the group's input channels and the kernel window. */
function convDirectCode(
  w: WindowGeometry,
  channels: number,
  outChannels: number,
  group: number,
  batch: number,
  packed: boolean,
  bias: boolean,
): { code: string; workgroups: [number, number, number] } {
  const groupIn = channels / group;
  const groupOut = outChannels / group;
  const inPixels = w.inSize.reduce((p, d) => p * d, 1);
  const taps = w.kernel.reduce((p, d) => p * d, 1);
  const count = batch * outChannels * w.out.reduce((p, d) => p * d, 1);
  const grid = wgslGrid(count, 64);
  const unravel = wgslUnravel('i', w.out, 'o');
  const loops = wgslWindowLoops(
    w,
    w.out.map((_, i) => `o${i}`),
  );
  const code = [
    convWeightReader(packed),
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    `  ${grid.index}`,
    ...unravel.lines,
    `let co = ${unravel.rest} % ${outChannels}u;`,
    `let nb = ${unravel.rest} / ${outChannels}u;`,
    `let xb = (nb * ${channels}u + (co / ${groupOut}u) * ${groupIn}u) * ${inPixels}u;`,
    `let wb = co * ${groupIn * taps}u;`,
    `var acc = ${bias ? 'x2[co]' : '0.0'};`,
    `for (var ci = 0u; ci < ${groupIn}u; ci++) {`,
    `let xc = xb + ci * ${inPixels}u;`,
    `let wc = wb + ci * ${taps}u;`,
    ...loops.open,
    `acc += x0[xc + ${loops.inputOffset}] * conv_w(wc + ${loops.kernelOffset});`,
    ...loops.close,
    '}',
    'y0[i] = acc;',
    '}',
  ].join('\n');
  return { code, workgroups: grid.workgroups };
}

/**
 * Implicit GEMM: rows = (batch, output pixel), columns = the group's output channels,
 * reduction = (input channel, kernel tap). Workgroup (x: 64 rows, y: TN columns, z: group);
 * each thread accumulates 4 rows (16 apart, so neighbours write neighbouring pixels) × 4 columns.
 */
function convTiledCode(
  w: WindowGeometry,
  channels: number,
  outChannels: number,
  group: number,
  rows: number,
  packed: boolean,
  bias: boolean,
): { code: string; workgroups: [number, number, number] } {
  const groupIn = channels / group;
  const groupOut = outChannels / group;
  const inPixels = w.inSize.reduce((p, d) => p * d, 1);
  const pixels = w.out.reduce((p, d) => p * d, 1);
  const taps = w.kernel.reduce((p, d) => p * d, 1);
  const depth = groupIn * taps;
  const tn = groupOut >= 64 ? 64 : groupOut >= 32 ? 32 : 16;
  const threads = tn * 4;
  const out = wgslUnravel('pix', w.out, 'o');
  const tap = wgslUnravel('kr', w.kernel, 'k');
  const starts = w.out.map((_, i) => `let s${i} = i32(o${i} * ${w.strides[i]}u) - ${w.begin[i]};`);
  const positions = w.kernel.map((_, i) => `let p${i} = s${i} + i32(k${i} * ${w.dilations[i]}u);`);
  const bounds = w.check
    .map((c, i) => (c ? `p${i} >= 0 && p${i} < ${w.inSize[i]}` : ''))
    .filter((t) => t !== '');
  let stride = 1;
  const terms: string[] = [];
  for (let i = w.inSize.length - 1; i >= 0; i--) {
    terms.unshift(stride === 1 ? `u32(p${i})` : `u32(p${i}) * ${stride}u`);
    stride *= w.inSize[i];
  }
  const load = `v = x0[xb + ci * ${inPixels}u + ${terms.join(' + ')}];`;
  const code = [
    `var<workgroup> tileA: array<f32, ${16 * 64}>;`,
    `var<workgroup> tileB: array<f32, ${16 * tn}>;`,
    convWeightReader(packed),
    `@compute @workgroup_size(${threads})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {',
    '  let grp = wid.z;',
    '  let m0 = wid.x * 64u;',
    `  let n0 = wid.y * ${tn}u;`,
    '  let am = lid % 64u;',
    '  let ak = lid / 64u;',
    '  let gm = m0 + am;',
    `  let rowOk = gm < ${rows}u;`,
    `  let pix = gm % ${pixels}u;`,
    `  let xb = ((gm / ${pixels}u) * ${channels}u + grp * ${groupIn}u) * ${inPixels}u;`,
    ...out.lines,
    ...starts,
    '  let bk = lid % 16u;',
    '  let bn = lid / 16u;',
    '  let tm = lid % 16u;',
    '  let tc = lid / 16u;',
    '  var acc: array<vec4<f32>, 4>;',
    `  for (var k0 = 0u; k0 < ${depth}u; k0 += 16u) {`,
    `    for (var j = 0u; j < ${1024 / threads}u; j++) {`,
    `      let kk = ak + j * ${threads / 64}u;`,
    '      let k = k0 + kk;',
    '      var v = 0.0;',
    `      if (rowOk && k < ${depth}u) {`,
    `        let ci = k / ${taps}u;`,
    `        let kr = k % ${taps}u;`,
    ...tap.lines,
    ...positions,
    bounds.length ? `        if (${bounds.join(' && ')}) { ${load} }` : `        ${load}`,
    '      }',
    '      tileA[kk * 64u + am] = v;',
    '    }',
    '    for (var j = 0u; j < 4u; j++) {',
    `      let nn = bn + j * ${tn / 4}u;`,
    '      let k = k0 + bk;',
    '      let n = n0 + nn;',
    '      var v = 0.0;',
    `      if (k < ${depth}u && n < ${groupOut}u) { v = conv_w((grp * ${groupOut}u + n) * ${depth}u + k); }`,
    `      tileB[bk * ${tn}u + nn] = v;`,
    '    }',
    '    workgroupBarrier();',
    '    for (var kk = 0u; kk < 16u; kk++) {',
    `      let bo = kk * ${tn}u + tc * 4u;`,
    '      let b = vec4<f32>(tileB[bo], tileB[bo + 1u], tileB[bo + 2u], tileB[bo + 3u]);',
    '      let ao = kk * 64u + tm;',
    '      acc[0] += tileA[ao] * b;',
    '      acc[1] += tileA[ao + 16u] * b;',
    '      acc[2] += tileA[ao + 32u] * b;',
    '      acc[3] += tileA[ao + 48u] * b;',
    '    }',
    '    workgroupBarrier();',
    '  }',
    // Stores unrolled, so the accumulators stay in registers (no dynamic indexing).
    ...[0, 1, 2, 3].flatMap((r) => [
      `  let row${r} = m0 + tm + ${16 * r}u;`,
      `  if (row${r} < ${rows}u) {`,
      `    let ob = (row${r} / ${pixels}u) * ${outChannels * pixels}u + row${r} % ${pixels}u;`,
      ...['x', 'y', 'z', 'w'].flatMap((lane, c) => [
        `    let col${c} = n0 + tc * 4u + ${c}u;`,
        `    if (col${c} < ${groupOut}u) {`,
        `      let co = grp * ${groupOut}u + col${c};`,
        `      y0[ob + co * ${pixels}u] = acc[${r}].${lane}${bias ? ' + x2[co]' : ''};`,
        '    }',
      ]),
      '  }',
    ]),
    '}',
  ].join('\n');
  return { code, workgroups: [Math.ceil(rows / 64), Math.ceil(groupOut / tn), group] };
}

/**
 * ConvTranspose as a gather: output position o takes input position (o + pad - k·dilation) / stride
 * where that divides exactly; with dilation 1 the loop steps straight to the taps that do.
 */
function lowerConvTranspose(g: PlanContext, x: Value[], a: ConvAttrs, label: string): Value {
  const [input, weight, bias] = x;
  const rank = input.dims.length;
  if (rank < 3 || rank > 5) g.fail(`convolves a rank-${rank} input; the webgpu target convolves 1-D to 3-D`);
  if (weight.dims.length !== rank) g.fail(`the weight has rank ${weight.dims.length}, the input ${rank}`);
  if (g.wgslType(input) !== 'f32') g.fail(`convolution of ${input.dtype} is not supported`);
  const n = rank - 2;
  const [batch, channels] = input.dims;
  if (weight.dims[0] !== channels || channels % a.group !== 0)
    g.fail(`weight [${weight.dims.join(', ')}] does not fit ${channels} input channels in ${a.group} groups`);
  const groupIn = channels / a.group;
  const groupOut = weight.dims[1];
  const outChannels = groupOut * a.group;
  const kernel = weight.dims.slice(2);
  const inSize = input.dims.slice(2);
  const strides = a.strides ?? new Array<number>(n).fill(1);
  const dilations = a.dilations ?? new Array<number>(n).fill(1);
  const outputPadding = a.outputPadding ?? new Array<number>(n).fill(0);
  const begin: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    const full = strides[i] * (inSize[i] - 1) + outputPadding[i] + extent;
    const same = a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER';
    if (a.outputShape !== null || same) {
      const size =
        a.outputShape !== null ? a.outputShape[a.outputShape.length - n + i] : inSize[i] * strides[i];
      const total = a.outputShape !== null ? full - size : Math.max(0, full - size);
      // SAME_UPPER puts an odd pixel of padding at the end; SAME_LOWER and output_shape at the start.
      begin.push(a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      out.push(size);
    } else {
      const pads = a.autoPad === 'VALID' || a.pads === null ? new Array<number>(2 * n).fill(0) : a.pads;
      begin.push(pads[i]);
      out.push(full - pads[i] - pads[i + n]);
    }
  }
  if (out.some((d) => d < 1)) g.fail(`the output size [${out.join(', ')}] is empty`);
  const packed = weight.weight !== undefined && weight.layout === 'f16';
  const outDims = [batch, outChannels, ...out];
  const count = outDims.reduce((p, d) => p * d, 1);
  const inPixels = inSize.reduce((p, d) => p * d, 1);
  const taps = kernel.reduce((p, d) => p * d, 1);
  const grid = wgslGrid(count, 64);
  const unravel = wgslUnravel('i', out, 'o');
  const open: string[] = [];
  const close: string[] = [];
  const inTerms: string[] = [];
  const kTerms: string[] = [];
  let inStride = 1;
  let kStride = 1;
  for (let i = n - 1; i >= 0; i--) {
    inTerms.unshift(inStride === 1 ? `p${i}` : `p${i} * ${inStride}u`);
    kTerms.unshift(kStride === 1 ? `k${i}` : `k${i} * ${kStride}u`);
    inStride *= inSize[i];
    kStride *= kernel[i];
  }
  for (let i = 0; i < n; i++) {
    const s = strides[i];
    if (dilations[i] === 1 && begin[i] >= 0) {
      open.push(`let t${i} = o${i} + ${begin[i]}u;`);
      open.push(`for (var k${i} = t${i} % ${s}u; k${i} < min(${kernel[i]}u, t${i} + 1u); k${i} += ${s}u) {`);
      open.push(`let p${i} = (t${i} - k${i}) / ${s}u;`);
    } else {
      open.push(`for (var k${i} = 0u; k${i} < ${kernel[i]}u; k${i}++) {`);
      open.push(`let t${i} = i32(o${i}) + ${begin[i]} - i32(k${i} * ${dilations[i]}u);`);
      open.push(`if (t${i} < 0 || t${i} % ${s} != 0) { continue; }`);
      open.push(`let p${i} = u32(t${i} / ${s});`);
    }
    open.push(`if (p${i} >= ${inSize[i]}u) { continue; }`);
    close.push('}');
  }
  const code = [
    convWeightReader(packed),
    '@compute @workgroup_size(64)',
    'fn main(@builtin(global_invocation_id) gid: vec3u) {',
    `  ${grid.index}`,
    ...unravel.lines,
    `let co = ${unravel.rest} % ${outChannels}u;`,
    `let nb = ${unravel.rest} / ${outChannels}u;`,
    `let grp = co / ${groupOut}u;`,
    `let cl = co % ${groupOut}u;`,
    `var acc = ${bias ? 'x2[co]' : '0.0'};`,
    `for (var ci = 0u; ci < ${groupIn}u; ci++) {`,
    `let cin = grp * ${groupIn}u + ci;`,
    `let xc = (nb * ${channels}u + cin) * ${inPixels}u;`,
    `let wc = (cin * ${groupOut}u + cl) * ${taps}u;`,
    ...open,
    `acc += x0[xc + ${inTerms.join(' + ')}] * conv_w(wc + ${kTerms.join(' + ')});`,
    ...close,
    '}',
    'y0[i] = acc;',
    '}',
  ].join('\n');
  return g.kernel({
    label,
    code,
    inputs: bias ? [input, weight, bias] : [input, weight],
    packed: packed ? [1] : [],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    workgroups: grid.workgroups,
  })[0];
}

function convAttributes(n: OnnxNodeView): ConvAttrs | { unsupported: string } {
  const kernel = n.ints('kernel_shape');
  const spatial = kernel?.length ?? (n.inputRank(1) !== undefined ? n.inputRank(1)! - 2 : undefined);
  if (spatial !== undefined && (spatial < 1 || spatial > 3))
    return { unsupported: `is a ${spatial}-D convolution; the webgpu target convolves 1-D to 3-D` };
  const autoPad = n.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad))
    return { unsupported: `has auto_pad "${autoPad}"` };
  return {
    autoPad,
    pads: n.ints('pads') ?? null,
    strides: n.ints('strides') ?? null,
    dilations: n.ints('dilations') ?? null,
    group: n.int('group', 1),
    outputPadding: n.ints('output_padding') ?? null,
    outputShape: n.ints('output_shape') ?? null,
  };
}

const CONV_HELPERS = [convWindow, wgslUnravel, wgslWindowLoops, wgslGrid, convWeightReader];

const convOnly: GpuOpTable = {
  Conv: [
    {
      since: 1,
      attributes: convAttributes as GpuOpVersion['attributes'],
      lower: lowerConv as GpuOpVersion['lower'],
      packedInputs: [1],
      helpers: [...CONV_HELPERS, convDirectCode, convTiledCode],
    },
  ],
  ConvTranspose: [
    {
      since: 1,
      attributes: convAttributes as GpuOpVersion['attributes'],
      lower: lowerConvTranspose as GpuOpVersion['lower'],
      packedInputs: [1],
      helpers: CONV_HELPERS,
    },
  ],
};

export const convOps: GpuOpTable = { ...convOnly, ...poolOps, ...resizeOps };
