/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// WebGPU normalizations: LayerNormalization, RMSNormalization, (Skip)SimplifiedLayerNormalization
// and SkipLayerNormalization, Softmax / LogSoftmax, InstanceNormalization, GroupNormalization
// (row kernels, see reduce.ts: one workgroup per long row, a tree reduction in workgroup
// memory, then the row is normalized in the same kernel) and inference BatchNormalization
// (an elementwise kernel). Means and variances are two-pass in f32 (mean, then squared
// deviations), with a short row's elements held in registers between passes.
//   normalizationOps.Softmax[1].lower(g, [x], { axis: -1, legacy: false, log: false }, 'Softmax_9')

import {
  ROW_KERNEL_HELPERS,
  rowGroupSize,
  rowKernelCode,
  rowLayout,
  type RowLayout,
  type RowPhase,
} from './reduce.js';
import type { GpuOpTable, GpuOpVersion, OnnxNodeView, PlanContext, Value } from './types.js';
import {
  elementKernel,
  wgslBroadcastStrides,
  wgslFunctions,
  wgslGrid,
  wgslLiteral,
  wgslOffset,
} from './wgsl.js';

/**
 * LayerNormalization and its relatives. Input roles are node input indices (-1: none):
 * x, skip (added first), bias (added first, over the normalized dims), scale and shift.
 * `outputs`: the role of each node output ('y', 'mean', 'inv', 'sum'), '' when unused.
 */
export type RowNormAttrs = {
  rms: boolean;
  axis: number;
  epsilon: number;
  x: number;
  skip: number;
  bias: number;
  scale: number;
  shift: number;
  outputs: string[];
};
export type SoftmaxAttrs = { axis: number; legacy: boolean; log: boolean };
export type BatchNormAttrs = { epsilon: number };
export type GroupNormAttrs = { epsilon: number; groups: number; perChannel: boolean };

/**
 * Phases of a row's mean and variance, or (rms) of its mean square, over rows of n. The
 * mean is two-part: m1 (the f32 mean) plus c, the mean of the deviations from m1, so that
 * `((v - m1) - c)` keeps the accuracy of a float64 mean; the variance is the mean squared
 * deviation from m1 less c² (c is tiny, so nothing cancels). Defines m1, c, mean, vr / ms.
 */
export function normPhases(rms: boolean, n: number): { phases: RowPhase[]; lets: string[] } {
  const count = wgslLiteral(n, 'f32');
  const add = (p: string, q: string) => `${p} + ${q}`;
  const mean = (name: string, type: string, init: string, value: string): RowPhase => ({
    name,
    type,
    init,
    value,
    combine: add,
    result: (acc) => `${acc} / ${count}`,
  });
  if (rms) return { phases: [mean('ms', 'f32', '0.0', 'v * v')], lets: [] };
  return {
    phases: [
      mean('m1', 'f32', '0.0', 'v'),
      mean('sd', 'vec2f', 'vec2f(0.0)', 'vec2f(v - m1, (v - m1) * (v - m1))'),
    ],
    lets: ['let c = sd.x;', 'let mean = m1 + c;', 'let vr = max(sd.y - c * c, 0.0);'],
  };
}

/** Offset into a scale-like tensor broadcast over `normDims`, at row element `j`. */
export function normParamOffset(g: PlanContext, v: Value, normDims: number[], what: string): string {
  const dims = v.dims.slice();
  while (dims.length > normDims.length && dims[0] === 1) dims.shift();
  const ok =
    dims.length <= normDims.length &&
    dims.every((d, i) => d === 1 || d === normDims[normDims.length - dims.length + i]);
  if (!ok) g.fail(`${what} of shape [${v.dims.join(', ')}] does not broadcast to [${normDims.join(', ')}]`);
  return wgslOffset(normDims, wgslBroadcastStrides(dims, normDims), 'j');
}

function lowerGpuRowNorm(g: PlanContext, x: Value[], a: RowNormAttrs, label: string): Value[] {
  const input = x[a.x];
  const dims = input.dims;
  const axis = g.axis(a.axis, dims.length);
  const normDims = dims.slice(axis);
  const layout = rowLayout(
    dims,
    dims.map((_, k) => k >= axis),
  );
  const inputs: Value[] = [input];
  const role = (k: number) => (k >= 0 ? x[k] : undefined);
  const bind = (v: Value) => {
    inputs.push(v);
    return `x${inputs.length - 1}`;
  };
  let load = 'x0[off]';
  const skip = role(a.skip);
  if (skip) load += ` + ${bind(skip)}[${wgslOffset(dims, wgslBroadcastStrides(skip.dims, dims), 'off')}]`;
  const bias = role(a.bias);
  if (bias) load += ` + ${bind(bias)}[${normParamOffset(g, bias, normDims, 'the bias')}]`;
  let y = a.rms ? 'v * inv' : '((v - m1) - c) * inv';
  const scale = role(a.scale);
  if (scale) y += ` * ${bind(scale)}[${normParamOffset(g, scale, normDims, 'the scale')}]`;
  const shift = role(a.shift);
  if (shift) y += ` + ${bind(shift)}[${normParamOffset(g, shift, normDims, 'the bias')}]`;

  const statsDims = dims.map((d, k) => (k < axis ? d : 1));
  const stats = normPhases(a.rms, layout.n);
  const wanted = ['y', ...a.outputs.filter((r) => r !== '' && r !== 'y')];
  const out = (r: string) => `y${wanted.indexOf(r)}`;
  const perRow: string[] = [];
  if (wanted.includes('mean')) perRow.push(`${out('mean')}[row] = mean;`);
  if (wanted.includes('inv')) perRow.push(`${out('inv')}[row] = inv;`);
  const perElement = [`${out('y')}[off] = ${y};`];
  if (wanted.includes('sum')) perElement.push(`${out('sum')}[off] = v;`);
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load,
    vtype: 'f32',
    phases: stats.phases,
    lets: [...stats.lets, `let inv = 1.0 / sqrt(${a.rms ? 'ms' : 'vr'} + ${wgslLiteral(a.epsilon, 'f32')});`],
    perRow,
    perElement,
  });
  const results = g.kernel({
    label,
    code,
    inputs,
    outputs: wanted.map((r) => ({
      dtype: r === 'mean' || r === 'inv' ? 'float32' : input.dtype,
      dims: r === 'mean' || r === 'inv' ? statsDims : dims,
    })),
    workgroups,
  });
  return a.outputs.map((r) => results[Math.max(0, wanted.indexOf(r))]);
}

function lowerGpuSoftmax(g: PlanContext, x: Value[], a: SoftmaxAttrs, label: string): Value {
  const dims = x[0].dims;
  const axis = g.axis(a.axis, dims.length);
  const layout: RowLayout = rowLayout(
    dims,
    dims.map((_, k) => (a.legacy ? k >= axis : k === axis)),
  );
  const phases: RowPhase[] = [
    {
      name: 'mx',
      type: 'f32',
      init: 'mc_bits(0xff800000u)',
      value: 'v',
      combine: (p, q) => `max(${p}, ${q})`,
    },
    { name: 'sm', type: 'f32', init: '0.0', value: 'exp(v - mx)', combine: (p, q) => `${p} + ${q}` },
  ];
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load: 'x0[off]',
    vtype: 'f32',
    phases,
    lets: a.log ? ['let lse = mx + log(sm);'] : ['let rs = 1.0 / sm;'],
    perElement: [a.log ? 'y0[off] = v - lse;' : 'y0[off] = exp(v - mx) * rs;'],
  });
  return g.kernel({ label, code, inputs: [x[0]], outputs: [{ dtype: x[0].dtype, dims }], workgroups })[0];
}

function lowerGpuInstanceNorm(g: PlanContext, x: Value[], a: BatchNormAttrs, label: string): Value {
  const dims = x[0].dims;
  if (dims.length < 2) g.fail('InstanceNormalization needs an input of rank 2 or more');
  const layout = rowLayout(
    dims,
    dims.map((_, k) => k >= 2),
  );
  const stats = normPhases(false, layout.n);
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load: 'x0[off]',
    vtype: 'f32',
    phases: stats.phases,
    lets: [
      ...stats.lets,
      `let inv = 1.0 / sqrt(vr + ${wgslLiteral(a.epsilon, 'f32')});`,
      `let ch = row % ${dims[1]}u;`,
      'let sc = inv * x1[ch];',
      'let sh = x2[ch];',
    ],
    perElement: ['y0[off] = ((v - m1) - c) * sc + sh;'],
  });
  return g.kernel({
    label,
    code,
    inputs: [x[0], x[1], x[2]],
    outputs: [{ dtype: x[0].dtype, dims }],
    workgroups,
  })[0];
}

function lowerGpuGroupNorm(g: PlanContext, x: Value[], a: GroupNormAttrs, label: string): Value {
  const dims = x[0].dims;
  if (dims.length < 2) g.fail('GroupNormalization needs an input of rank 2 or more');
  const [batch, channels] = dims;
  if (channels % a.groups !== 0) g.fail(`${channels} channels do not split into ${a.groups} groups`);
  const spatial = dims.slice(2).reduce((p, d) => p * d, 1);
  const perGroup = channels / a.groups;
  const layout = rowLayout([batch, a.groups, perGroup * spatial], [false, false, true]);
  const stats = normPhases(false, layout.n);
  const channel = a.perChannel
    ? `(row % ${a.groups}u) * ${perGroup}u + j / ${spatial}u`
    : `row % ${a.groups}u`;
  const { code, workgroups } = rowKernelCode({
    layout,
    group: rowGroupSize(layout),
    load: 'x0[off]',
    vtype: 'f32',
    phases: stats.phases,
    lets: [...stats.lets, `let inv = 1.0 / sqrt(vr + ${wgslLiteral(a.epsilon, 'f32')});`],
    perElement: [`let ch = ${channel};`, 'y0[off] = ((v - m1) - c) * inv * x1[ch] + x2[ch];'],
  });
  return g.kernel({
    label,
    code,
    inputs: [x[0], x[1], x[2]],
    outputs: [{ dtype: x[0].dtype, dims }],
    workgroups,
  })[0];
}

function lowerGpuBatchNorm(g: PlanContext, x: Value[], a: BatchNormAttrs, label: string): Value {
  const dims = x[0].dims;
  const count = dims.reduce((p, d) => p * d, 1);
  const channels = dims.length > 1 ? dims[1] : 1;
  const spatial = dims.slice(2).reduce((p, d) => p * d, 1);
  return elementKernel(g, {
    label,
    inputs: x.slice(0, 5),
    outputs: [{ dtype: x[0].dtype, dims }],
    count,
    body: [
      `let c = (i / ${spatial}u) % ${channels}u;`,
      `let sc = x1[c] * (1.0 / sqrt(x4[c] + ${wgslLiteral(a.epsilon, 'f32')}));`,
      'y0[i] = x0[i] * sc + (x2[c] - x3[c] * sc);',
    ],
  })[0];
}

const NORM_HELPERS = [
  ...ROW_KERNEL_HELPERS,
  normPhases,
  normParamOffset,
  wgslBroadcastStrides,
  wgslLiteral,
  wgslOffset,
];

/** Output roles of LayerNormalization-like nodes, in node output order. */
const rolesOf = (n: OnnxNodeView, roles: string[]) =>
  roles.slice(0, n.outputs.length).map((r, k) => (n.outputs[k] ? r : ''));

function rowNorm(
  since: number,
  attrs: (n: OnnxNodeView) => Omit<RowNormAttrs, 'outputs'>,
  roles: string[],
): GpuOpVersion {
  return {
    since,
    attributes: (n) => {
      const a = attrs(n);
      const outputs = rolesOf(n, roles);
      if (a.rms && outputs.includes('mean'))
        return { unsupported: 'returns a mean, which the simplified (RMS) normalization does not compute' };
      return { ...a, outputs };
    },
    lower: lowerGpuRowNorm as GpuOpVersion['lower'],
    helpers: NORM_HELPERS,
  };
}

const none = { skip: -1, bias: -1, shift: -1 };
const simplified = (n: OnnxNodeView) => ({
  ...none,
  rms: true,
  axis: n.int('axis', -1),
  epsilon: n.float('epsilon', 1e-5),
  x: 0,
  scale: 1,
});
const softmax = (since: number, log: boolean): GpuOpVersion => ({
  since,
  attributes: (n) => ({ axis: n.int('axis', since >= 13 ? -1 : 1), legacy: since < 13, log }),
  lower: lowerGpuSoftmax as GpuOpVersion['lower'],
  helpers: NORM_HELPERS,
});
const groupNorm = (since: number): GpuOpVersion => ({
  since,
  attributes: (n) => ({
    epsilon: n.float('epsilon', 1e-5),
    groups: n.int('num_groups', 1),
    perChannel: since >= 21,
  }),
  lower: lowerGpuGroupNorm as GpuOpVersion['lower'],
  helpers: NORM_HELPERS,
});

export const normalizationOps: GpuOpTable = {
  LayerNormalization: [
    rowNorm(
      17,
      (n) => ({
        ...none,
        rms: false,
        axis: n.int('axis', -1),
        epsilon: n.float('epsilon', 1e-5),
        x: 0,
        scale: 1,
        shift: 2,
      }),
      ['y', 'mean', 'inv'],
    ),
  ],
  RMSNormalization: [rowNorm(23, simplified, ['y'])],
  SimplifiedLayerNormalization: [rowNorm(1, simplified, ['y', 'inv'])],
  'com.microsoft::SimplifiedLayerNormalization': [rowNorm(1, simplified, ['y', 'inv'])],
  'com.microsoft::SkipLayerNormalization': [
    rowNorm(
      1,
      (n) => ({
        rms: false,
        axis: -1,
        epsilon: n.float('epsilon', 1e-12),
        x: 0,
        skip: 1,
        scale: 2,
        shift: 3,
        bias: 4,
      }),
      ['y', 'mean', 'inv', 'sum'],
    ),
  ],
  'com.microsoft::SkipSimplifiedLayerNormalization': [
    rowNorm(
      1,
      (n) => ({
        rms: true,
        axis: -1,
        epsilon: n.float('epsilon', 1e-12),
        x: 0,
        skip: 1,
        scale: 2,
        shift: -1,
        bias: 3,
      }),
      ['y', 'mean', 'inv', 'sum'],
    ),
  ],
  Softmax: [softmax(1, false), softmax(13, false)],
  LogSoftmax: [softmax(1, true), softmax(13, true)],
  BatchNormalization: [
    {
      since: 7,
      attributes: (n) => {
        if (n.int('training_mode', 0) === 1 || n.outputs.slice(1).some((o) => o))
          return { unsupported: 'runs in training mode; the webgpu target does inference only' };
        if (n.opset < 9 && n.int('spatial', 1) === 0)
          return {
            unsupported: 'has spatial = 0 (per-element statistics), which the webgpu target does not do',
          };
        return { epsilon: n.float('epsilon', 1e-5) };
      },
      lower: lowerGpuBatchNorm as GpuOpVersion['lower'],
      helpers: [elementKernel, wgslGrid, wgslFunctions, wgslLiteral],
    },
  ],
  InstanceNormalization: [
    {
      since: 6,
      attributes: (n) => ({ epsilon: n.float('epsilon', 1e-5) }),
      lower: lowerGpuInstanceNorm as GpuOpVersion['lower'],
      helpers: NORM_HELPERS,
    },
  ],
  GroupNormalization: [groupNorm(18), groupNorm(21)],
};
