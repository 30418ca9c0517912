/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU resampling and block rearrangement: Resize (opset 10+; nearest with every
// nearest_mode, n-linear over the resized axes; coordinate_transformation_mode half_pixel,
// half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn;
// scales or sizes, axes, keep_aspect_ratio_policy), Upsample (opset 7/9), DepthToSpace and
// SpaceToDepth. Resize maps output coordinates to input ones in JavaScript when the plan
// is made (float32 arithmetic, as ONNX Runtime rounds it) and hands the kernel per-axis
// index and weight tables, so nearest rounding at .5 boundaries matches exactly.
//   resizeOps.Resize[0].lower(g, [x, roi, scales], { mode: 'linear', transform: 'half_pixel', ... }, 'Resize_3')

import type { GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import { elementKernel, wgslFunctions, wgslGrid } from './wgsl.js';

export type ResizeAttrs = {
  mode: string;
  transform: string;
  /** round_prefer_floor, round_prefer_ceil, floor, ceil, or 'simple' (opset < 11: floor up, ceil down). */
  nearest: string;
  axes: number[] | null;
  policy: string;
  /** Input index of the scales / sizes (-1: none). */
  scalesInput: number;
  sizesInput: number;
  /** Upsample opset 7: scales as an attribute. */
  scales: number[] | null;
};

/** The input coordinate (float32 arithmetic) output coordinate `x` maps to on one axis. */
export function resizeCoordinate(
  x: number,
  scale: number,
  lengthOut: number,
  lengthIn: number,
  mode: string,
): number {
  const f = Math.fround;
  const halfPixel = f(f(f(x + 0.5) / scale) - 0.5);
  switch (mode) {
    case 'asymmetric':
      return f(x / scale);
    case 'align_corners':
      return lengthOut === 1 ? 0 : f(f(x * (lengthIn - 1)) / (lengthOut - 1));
    case 'pytorch_half_pixel':
      return lengthOut > 1 ? halfPixel : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(x + 0.5) / scale);
    case 'half_pixel_symmetric': {
      const adjustment = f(lengthOut / f(scale * lengthIn));
      const offset = f(f(lengthIn / 2) * f(1 - adjustment));
      return f(offset + halfPixel);
    }
    default:
      return halfPixel;
  }
}

/** Index tables (int32: nearest index, or linear low then high) and weights (linear: low then high) of one axis. */
export function resizeAxisTables(
  lengthIn: number,
  lengthOut: number,
  scale: number,
  a: { mode: string; transform: string; nearest: string },
): { index: number[]; weight: number[] } {
  const index: number[] = [];
  const weight: number[] = [];
  const away = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
  const high: number[] = [];
  const weightHigh: number[] = [];
  for (let c = 0; c < lengthOut; c++) {
    const x = resizeCoordinate(c, scale, lengthOut, lengthIn, a.transform);
    if (a.mode === 'nearest') {
      let k: number;
      if (a.nearest === 'floor') k = Math.floor(x);
      else if (a.nearest === 'ceil') k = Math.ceil(x);
      else if (a.nearest === 'simple') k = scale < 1 ? Math.ceil(x) : Math.trunc(x);
      else if (a.nearest === 'round_prefer_ceil') k = away(x);
      else k = x === Math.trunc(x) + 0.5 ? Math.floor(x) : away(x);
      index.push(Math.max(0, Math.min(lengthIn - 1, k)));
    } else {
      const v = Math.max(0, Math.min(x, lengthIn - 1));
      const lo = Math.min(Math.trunc(v), lengthIn - 1);
      const hi = Math.min(lo + 1, lengthIn - 1);
      index.push(lo);
      high.push(hi);
      weight.push(lo === hi ? 0.5 : Math.fround(Math.abs(v - hi)));
      weightHigh.push(lo === hi ? 0.5 : Math.fround(Math.abs(v - lo)));
    }
  }
  return { index: index.concat(high), weight: weight.concat(weightHigh) };
}

function lowerResize(g: PlanContext, x: Value[], a: ResizeAttrs, label: string): Value {
  const input = x[0];
  const rank = input.dims.length;
  const f = Math.fround;
  const axes = a.axes === null ? input.dims.map((_, i) => i) : a.axes.map((axis) => g.axis(axis, rank));
  const given = (v: Value | undefined): v is Value =>
    v !== undefined && v.dims.reduce((p, d) => p * d, 1) > 0;
  const scalesValue = a.scalesInput >= 0 ? x[a.scalesInput] : undefined;
  const sizesValue = a.sizesInput >= 0 ? x[a.sizesInput] : undefined;
  const scales = new Array<number>(rank).fill(1);
  const outDims = input.dims.slice();
  if (given(sizesValue)) {
    const sizes = g.ints(sizesValue, 'the sizes');
    if (sizes.length !== axes.length) g.fail(`has ${sizes.length} sizes for ${axes.length} axes`);
    if (a.policy === 'stretch') {
      axes.forEach((axis, k) => {
        outDims[axis] = sizes[k];
        scales[axis] = f(sizes[k] / input.dims[axis]);
      });
    } else {
      let s = a.policy === 'not_larger' ? Infinity : -Infinity;
      axes.forEach((axis, k) => {
        const r = f(sizes[k] / input.dims[axis]);
        s = a.policy === 'not_larger' ? Math.min(s, r) : Math.max(s, r);
      });
      axes.forEach((axis) => {
        scales[axis] = s;
        outDims[axis] = Math.floor(f(s * input.dims[axis]) + 0.5);
      });
    }
  } else if (a.scales !== null || given(scalesValue)) {
    const values = a.scales ?? Array.from(g.numbers(scalesValue!, 'the scales'), Number);
    if (values.length !== axes.length) g.fail(`has ${values.length} scales for ${axes.length} axes`);
    axes.forEach((axis, k) => {
      scales[axis] = f(values[k]);
      outDims[axis] = Math.floor(f(f(values[k]) * input.dims[axis]));
    });
  } else {
    g.fail('has neither scales nor sizes');
  }
  if (outDims.some((d) => d < 1)) g.fail(`resizes to an empty shape [${outDims.join(', ')}]`);
  const resized = input.dims.map((d, i) => scales[i] !== 1 || outDims[i] !== d);
  if (!resized.some((r) => r)) return input;
  if (a.mode === 'linear' && g.wgslType(input) !== 'f32')
    g.fail(`linear resize of ${input.dtype} is not supported`);
  const index: number[] = [];
  const weight: number[] = [];
  const lines: string[] = [];
  const base: string[] = [];
  const linear: { axis: number; stride: number }[] = [];
  let stride = 1;
  const strides = new Array<number>(rank);
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= input.dims[i];
  }
  for (let i = 0; i < rank; i++) {
    const term = (v: string) => (strides[i] === 1 ? v : `${v} * ${strides[i]}u`);
    if (!resized[i]) {
      base.push(term(`c${i}`));
      continue;
    }
    const t = resizeAxisTables(input.dims[i], outDims[i], scales[i], a);
    const at = index.length;
    const wt = weight.length;
    index.push(...t.index);
    weight.push(...t.weight);
    if (a.mode === 'nearest') {
      lines.push(`let j${i} = u32(x1[${at}u + c${i}]);`);
      base.push(term(`j${i}`));
    } else {
      lines.push(`let l${i} = u32(x1[${at}u + c${i}]);`);
      lines.push(`let h${i} = u32(x1[${at + outDims[i]}u + c${i}]);`);
      lines.push(`let wl${i} = x2[${wt}u + c${i}];`);
      lines.push(`let wh${i} = x2[${wt + outDims[i]}u + c${i}];`);
      linear.push({ axis: i, stride: strides[i] });
    }
  }
  const at = base.length ? base.join(' + ') : '0u';
  lines.push(`let b = ${at};`);
  if (linear.length === 0) lines.push('y0[i] = x0[b];');
  else {
    lines.push('var acc = 0.0;');
    for (let mask = 0; mask < 1 << linear.length; mask++) {
      const pick = linear.map((l, k) => (mask >> (linear.length - 1 - k)) & 1);
      const weights = linear.map((l, k) => (pick[k] ? `wh${l.axis}` : `wl${l.axis}`)).reverse();
      const offsets = linear.map((l, k) => {
        const v = pick[k] ? `h${l.axis}` : `l${l.axis}`;
        return l.stride === 1 ? v : `${v} * ${l.stride}u`;
      });
      lines.push(`acc += (${weights.join(' * ')}) * x0[b + ${offsets.join(' + ')}];`);
    }
    lines.push('y0[i] = acc;');
  }
  const count = outDims.reduce((p, d) => p * d, 1);
  const unravel: string[] = [];
  let current = 'i';
  for (let i = rank - 1; i >= 0; i--) {
    unravel.push(i === 0 ? `let c0 = ${current};` : `let c${i} = ${current} % ${outDims[i]}u;`);
    if (i > 0) unravel.push(`let q${i} = ${current} / ${outDims[i]}u;`);
    current = `q${i}`;
  }
  const tables = [g.host('int32', [index.length], index)];
  if (linear.length > 0) tables.push(g.host('float32', [weight.length], weight));
  return elementKernel(g, {
    label,
    inputs: [input, ...tables],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    count,
    body: [...unravel, ...lines],
  })[0];
}

/** DepthToSpace (DCR / CRD) and SpaceToDepth: one thread per output element gathering its source. */
function lowerBlocks(
  g: PlanContext,
  x: Value[],
  a: { op: string; block: number; mode: string },
  label: string,
): Value {
  const input = x[0];
  if (input.dims.length !== 4) g.fail(`takes a rank-4 input, got rank ${input.dims.length}`);
  const [n, c, h, w] = input.dims;
  const b = a.block;
  const toSpace = a.op === 'DepthToSpace';
  if (toSpace ? c % (b * b) !== 0 : h % b !== 0 || w % b !== 0)
    g.fail(`blocksize ${b} does not divide the input [${input.dims.join(', ')}]`);
  const outDims = toSpace ? [n, c / (b * b), h * b, w * b] : [n, c * b * b, h / b, w / b];
  const [, oc, oh, ow] = outDims;
  const source = toSpace
    ? [
        `let bi = y / ${b}u;`,
        `let bj = xx / ${b}u;`,
        `let cin = ${a.mode === 'CRD' ? `ch * ${b * b}u + (y % ${b}u) * ${b}u + xx % ${b}u` : `((y % ${b}u) * ${b}u + xx % ${b}u) * ${oc}u + ch`};`,
        `y0[i] = x0[((nb * ${c}u + cin) * ${h}u + bi) * ${w}u + bj];`,
      ]
    : [
        `let blk = ch / ${c}u;`,
        `let cin = ch % ${c}u;`,
        `y0[i] = x0[((nb * ${c}u + cin) * ${h}u + y * ${b}u + blk / ${b}u) * ${w}u + xx * ${b}u + blk % ${b}u];`,
      ];
  return elementKernel(g, {
    label,
    inputs: [input],
    outputs: [{ dtype: input.dtype, dims: outDims }],
    count: outDims.reduce((p, d) => p * d, 1),
    body: [
      `let xx = i % ${ow}u;`,
      `let y = (i / ${ow}u) % ${oh}u;`,
      `let ch = (i / ${ow * oh}u) % ${oc}u;`,
      `let nb = i / ${ow * oh * oc}u;`,
      ...source,
    ],
  })[0];
}

function resizeAttributes(n: OnnxNodeView): ResizeAttrs | { unsupported: string } {
  const mode = n.string('mode', 'nearest');
  const old = n.opset < 11;
  const transform = old ? 'asymmetric' : n.string('coordinate_transformation_mode', 'half_pixel');
  if (mode !== 'nearest' && mode !== 'linear')
    return { unsupported: `uses ${mode} interpolation; the webgpu target resizes nearest and linear` };
  if (n.int('antialias', 0) === 1) return { unsupported: 'antialiases, which the webgpu target does not' };
  const transforms = [
    'half_pixel',
    'half_pixel_symmetric',
    'pytorch_half_pixel',
    'align_corners',
    'asymmetric',
    'tf_half_pixel_for_nn',
  ];
  if (!transforms.includes(transform))
    return {
      unsupported: `uses coordinate_transformation_mode "${transform}", which the webgpu target does not`,
    };
  const policy = n.string('keep_aspect_ratio_policy', 'stretch');
  if (!['stretch', 'not_larger', 'not_smaller'].includes(policy))
    return { unsupported: `has keep_aspect_ratio_policy "${policy}"` };
  const nearest = old ? 'simple' : n.string('nearest_mode', 'round_prefer_floor');
  if (!['simple', 'round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'].includes(nearest))
    return { unsupported: `has nearest_mode "${nearest}"` };
  return {
    mode,
    transform,
    nearest,
    axes: n.ints('axes') ?? null,
    policy,
    scalesInput: old ? 1 : 2,
    sizesInput: old ? -1 : 3,
    scales: null,
  };
}

function upsampleAttributes(n: OnnxNodeView): ResizeAttrs | { unsupported: string } {
  const mode = n.string('mode', 'nearest');
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear')
    return { unsupported: `uses ${mode} interpolation; the webgpu target upsamples nearest and linear` };
  return {
    mode: mode === 'nearest' ? 'nearest' : 'linear',
    transform: 'asymmetric',
    nearest: 'simple',
    axes: null,
    policy: 'stretch',
    scalesInput: n.opset < 9 ? -1 : 1,
    sizesInput: -1,
    scales: n.opset < 9 ? (n.floats('scales') ?? null) : null,
  };
}

const RESIZE_HELPERS = [resizeCoordinate, resizeAxisTables, wgslGrid, elementKernel, wgslFunctions];

const blocks = (op: string): GpuOpVersion[] => [
  {
    since: 1,
    attributes: (n) => ({ op, block: n.int('blocksize', 1), mode: n.string('mode', 'DCR') }),
    lower: lowerBlocks as GpuOpVersion['lower'],
    helpers: [wgslGrid, elementKernel, wgslFunctions],
  },
];

export const resizeOps: GpuOpTable = {
  Resize: [
    {
      since: 10,
      attributes: resizeAttributes as GpuOpVersion['attributes'],
      lower: lowerResize as GpuOpVersion['lower'],
      helpers: RESIZE_HELPERS,
    },
  ],
  Upsample: [
    {
      since: 7,
      attributes: upsampleAttributes as GpuOpVersion['attributes'],
      lower: lowerResize as GpuOpVersion['lower'],
      helpers: RESIZE_HELPERS,
    },
  ],
  DepthToSpace: blocks('DepthToSpace'),
  SpaceToDepth: blocks('SpaceToDepth'),
};
