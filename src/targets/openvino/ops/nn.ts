// Neural-network ONNX ops → OpenVINO: convolutions (grouped and transposed), MatMul/Gemm
// (with compressed weights at int8/int4), normalizations (BatchNorm, LayerNorm and
// InstanceNorm via MVN), Softmax, pooling, reductions and Resize/Upsample (Interpolate-11).
//   NN_LOWERINGS.Gemm.lower(ctx) // MatMul(transpose_b) [→ Multiply alpha] [→ Add C]

import type { AttrValue, OvValue } from '../ir-graph.js';
import type { LoweringContext, NodeAttributes, OpLowering } from '../lowering.js';
import { flattenTo2D } from './shape.js';

const NUMPY = { auto_broadcast: 'numpy' } as const;

const AUTO_PAD: Record<string, string> = {
  NOTSET: 'explicit',
  SAME_UPPER: 'same_upper',
  SAME_LOWER: 'same_lower',
  VALID: 'valid',
};

function spatialAttrs(c: LoweringContext, spatial: number): Record<string, AttrValue> {
  const pads = c.ints('pads') ?? new Array<number>(2 * spatial).fill(0);
  return {
    strides: c.ints('strides') ?? new Array<number>(spatial).fill(1),
    dilations: c.ints('dilations') ?? new Array<number>(spatial).fill(1),
    pads_begin: pads.slice(0, spatial),
    pads_end: pads.slice(spatial),
    auto_pad: AUTO_PAD[c.string('auto_pad', 'NOTSET')] ?? 'explicit',
  };
}

/** Bias [C] added over channel axis 1 of a rank-`rank` output. */
function addChannelBias(c: LoweringContext, y: OvValue, biasIndex: number): OvValue {
  if (!c.has(biasIndex)) return y;
  const target = c.i64([1, -1, ...new Array<number>(y.shape.length - 2).fill(1)]);
  const bias = c.op('Reshape', [c.input(biasIndex), target], { special_zero: false }, 'bias/reshape');
  return c.op('Add', [y, bias], NUMPY, 'bias');
}

/** Weight [O, I/G, k…] (ConvTranspose: [I, O/G, k…]) reshaped to OpenVINO's [G, O/G, I/G, k…] ([G, I/G, O/G, k…]). */
function groupWeights(c: LoweringContext, w: OvValue, group: number): OvValue {
  const [a, b, ...k] = w.shape;
  if (a < 0 || b < 0) c.fail('has a weight of unknown shape; grouped convolutions need it static.');
  const target = [group, a / group, b, ...k];
  return c.op('Reshape', [w, c.i64(target)], { special_zero: false }, 'weights/group');
}

function lowerConv(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const group = c.int('group', 1);
  const w = c.input(1);
  const spatial = x.shape.length - 2;
  const attrs = spatialAttrs(c, spatial);
  const y =
    group === 1
      ? c.op('Convolution', [x, w], attrs)
      : c.op('GroupConvolution', [x, groupWeights(c, w, group)], attrs);
  return [addChannelBias(c, y, 2)];
}

function lowerConvTranspose(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const group = c.int('group', 1);
  const w = c.input(1);
  const spatial = x.shape.length - 2;
  const attrs = spatialAttrs(c, spatial);
  attrs.output_padding = c.ints('output_padding') ?? new Array<number>(spatial).fill(0);
  const outputShape = c.ints('output_shape');
  if (outputShape) {
    const strides = attrs.strides as number[];
    const dilations = attrs.dilations as number[];
    const outPad = attrs.output_padding;
    const spatialOut = outputShape.slice(-spatial);
    const begin: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < spatial; i++) {
      const d = x.shape[2 + i];
      if (d < 0) c.fail('has output_shape with dynamic spatial input dims.');
      const total =
        strides[i] * (d - 1) + outPad[i] + ((w.shape[2 + i] - 1) * dilations[i] + 1) - spatialOut[i];
      const half = Math.floor(total / 2);
      begin.push(c.string('auto_pad', 'NOTSET') === 'SAME_UPPER' ? half : total - half);
      end.push(c.string('auto_pad', 'NOTSET') === 'SAME_UPPER' ? total - half : half);
    }
    Object.assign(attrs, { pads_begin: begin, pads_end: end, auto_pad: 'explicit' });
  }
  const y =
    group === 1
      ? c.op('ConvolutionBackpropData', [x, w], attrs)
      : c.op('GroupConvolutionBackpropData', [x, groupWeights(c, w, group)], attrs);
  return [addChannelBias(c, y, 2)];
}

function lowerBatchNorm(c: LoweringContext): OvValue[] {
  const inputs = [0, 1, 2, 3, 4].map((i) => c.input(i));
  return [c.op('BatchNormInference', inputs, { epsilon: c.float('epsilon', 1e-5) })];
}

function mvn(c: LoweringContext, x: OvValue, axes: number[], eps: number): OvValue {
  return c.op('MVN', [x, c.i64(axes)], { eps, normalize_variance: true, eps_mode: 'inside_sqrt' }, 'mvn');
}

function lowerLayerNorm(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const rank = x.shape.length;
  const axis = c.int('axis', -1);
  const first = axis < 0 ? axis + rank : axis;
  const axes = Array.from({ length: rank - first }, (_, i) => first + i);
  let y = mvn(c, x, axes, c.float('epsilon', 1e-5));
  y = c.op('Multiply', [y, c.input(1)], NUMPY, 'scale');
  if (c.has(2)) y = c.op('Add', [y, c.input(2)], NUMPY, 'bias');
  return [y];
}

function lowerInstanceNorm(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const axes = Array.from({ length: x.shape.length - 2 }, (_, i) => i + 2);
  const target = c.i64([1, -1, ...axes.map(() => 1)]);
  let y = mvn(c, x, axes, c.float('epsilon', 1e-5));
  const scale = c.op('Reshape', [c.input(1), target], { special_zero: false }, 'scale/reshape');
  y = c.op('Multiply', [y, scale], NUMPY, 'scale');
  const bias = c.op('Reshape', [c.input(2), target], { special_zero: false }, 'bias/reshape');
  return [c.op('Add', [y, bias], NUMPY, 'bias')];
}

/**
 * The compressed 2-D weight W when input `i` is Transpose(W): tied embeddings feed LM heads
 * this way, and W itself is then the [N, K] weight MatMul reads with transpose_b.
 */
function transposedCompressedWeight(c: LoweringContext, i: number): string | undefined {
  const p = c.scope.producer(c.node.input[i]);
  if (p?.opType !== 'Transpose' || !c.scope.isCompressed(p.input[0])) return undefined;
  const perm = p.attribute.find((a) => a.name === 'perm')?.ints?.map(Number);
  const w = c.scope.compressed.get(p.input[0])!;
  return w.dims.length === 2 && (!perm || (perm[0] === 1 && perm[1] === 0)) ? p.input[0] : undefined;
}

/** MatMul with a compressed weight reads it as [N, K] with transpose_b, as OpenVINO stores them. */
function lowerMatMul(c: LoweringContext): OvValue[] {
  const viaTranspose = transposedCompressedWeight(c, 1);
  const columns = viaTranspose ? c.scope.get(viaTranspose, c.where) : c.weightColumns(1);
  if (columns) return [c.op('MatMul', [c.input(0), columns], { transpose_a: false, transpose_b: true })];
  return [c.op('MatMul', [c.input(0), c.input(1)], { transpose_a: false, transpose_b: false })];
}

function lowerGemm(c: LoweringContext): OvValue[] {
  const transB = c.int('transB', 0) === 1;
  const columns = transB ? undefined : c.weightColumns(1);
  let y = c.op('MatMul', [c.input(0), columns ?? c.input(1)], {
    transpose_a: c.int('transA', 0) === 1,
    transpose_b: transB || columns !== undefined,
  });
  const alpha = c.float('alpha', 1);
  if (alpha !== 1) y = c.op('Multiply', [y, c.scalar(alpha, y.type)], NUMPY, 'alpha');
  if (c.has(2)) {
    let bias = c.input(2);
    const beta = c.float('beta', 1);
    if (beta !== 1) bias = c.op('Multiply', [bias, c.scalar(beta, bias.type)], NUMPY, 'beta');
    y = c.op('Add', [y, bias], NUMPY, 'bias');
  }
  return [y];
}

/** Softmax/LogSoftmax: since opset 13 along one axis; before, over the input flattened to 2-D at `axis`. */
function softmaxFamily(type: 'SoftMax' | 'LogSoftmax'): OpLowering {
  return {
    lower: (c) => {
      const x = c.input(0);
      const rank = x.shape.length;
      const axis = c.int('axis', c.opset < 13 ? 1 : -1);
      const a = axis < 0 ? axis + rank : axis;
      if (c.opset >= 13 || a === rank - 1) return [c.op(type, [x], { axis: a })];
      const flat = flattenTo2D(c, x, a, 'coerce');
      const y = c.op(type, [flat], { axis: 1 }, 'inner');
      const shape = c.op('ShapeOf', [x], { output_type: 'i64' }, 'shape');
      return [c.op('Reshape', [y, shape], { special_zero: false })];
    },
  };
}

function globalPool(type: 'ReduceMean' | 'ReduceMax'): OpLowering {
  return {
    lower: (c) => {
      const x = c.input(0);
      const axes = Array.from({ length: x.shape.length - 2 }, (_, i) => i + 2);
      return [c.op(type, [x, c.i64(axes)], { keep_dims: true })];
    },
  };
}

function poolAttrs(c: LoweringContext, x: OvValue): Record<string, AttrValue> {
  const kernel = c.ints('kernel_shape') ?? [];
  const spatial = x.shape.length - 2;
  const pads = c.ints('pads') ?? new Array<number>(2 * spatial).fill(0);
  return {
    strides: c.ints('strides') ?? new Array<number>(spatial).fill(1),
    pads_begin: pads.slice(0, spatial),
    pads_end: pads.slice(spatial),
    kernel,
    rounding_type: c.int('ceil_mode', 0) === 1 ? 'ceil_torch' : 'floor',
    auto_pad: AUTO_PAD[c.string('auto_pad', 'NOTSET')] ?? 'explicit',
  };
}

function lowerAveragePool(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const attrs = poolAttrs(c, x);
  const ordered: Record<string, AttrValue> = {
    strides: attrs.strides,
    pads_begin: attrs.pads_begin,
    pads_end: attrs.pads_end,
    kernel: attrs.kernel,
    'exclude-pad': c.int('count_include_pad', 0) === 0,
    rounding_type: attrs.rounding_type,
    auto_pad: attrs.auto_pad,
  };
  return [c.op('AvgPool', [x], ordered)];
}

function lowerMaxPool(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const attrs = poolAttrs(c, x);
  const spatial = x.shape.length - 2;
  const [values, indices] = c.ops('MaxPool', [x], {
    ...attrs,
    dilations: c.ints('dilations') ?? new Array<number>(spatial).fill(1),
    index_element_type: 'i64',
    axis: 0,
  });
  return [values, indices];
}

function lowerReduce(type: string, axesInputSince: number): OpLowering {
  return {
    lower: (c) => {
      const x = c.input(0);
      const keep = c.int('keepdims', 1) === 1;
      let axes: number[] | undefined =
        c.opset < axesInputSince ? c.ints('axes') : c.has(1) ? c.constantNumbers(1) : undefined;
      if (c.opset >= axesInputSince && c.has(1) && !axes) c.fail('takes its axes from a computed tensor.');
      if (!axes || axes.length === 0) {
        if (c.int('noop_with_empty_axes', 0) === 1) return [x];
        axes = x.shape.map((_, i) => i);
      }
      return [c.op(type, [x, c.i64(axes)], { keep_dims: keep })];
    },
    check: (n, isConstant) =>
      n.opset >= axesInputSince && n.node.input[1] && !isConstant(1)
        ? 'takes its axes from a computed tensor; OpenVINO IR needs them constant'
        : undefined,
  };
}

const RESIZE_MODES: Record<string, string> = { nearest: 'nearest', linear: 'linear_onnx', cubic: 'cubic' };
const COORDINATE_MODES = new Set([
  'half_pixel',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_half_pixel_for_nn',
]);
const NEAREST_MODES = new Set(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']);

function checkResize(n: NodeAttributes): string | undefined {
  const mode = n.string('mode', 'nearest');
  if (!RESIZE_MODES[mode]) return `has mode "${mode}"`;
  if (n.opset >= 11) {
    const coord = n.string('coordinate_transformation_mode', 'half_pixel');
    if (!COORDINATE_MODES.has(coord)) return `has coordinate_transformation_mode "${coord}"`;
    const nearest = n.string('nearest_mode', 'round_prefer_floor');
    if (!NEAREST_MODES.has(nearest)) return `has nearest_mode "${nearest}"`;
    if (n.int('exclude_outside', 0) !== 0) return 'has exclude_outside=1';
    if (n.int('antialias', 0) !== 0) return 'has antialias=1';
    const policy = n.string('keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') return `has keep_aspect_ratio_policy "${policy}"`;
  }
  return undefined;
}

/** Resize (opset ≥ 10) and Upsample → Interpolate-11 over the axes whose size changes. */
function lowerResize(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const rank = x.shape.length;
  const legacy = c.node.opType === 'Upsample' || c.opset < 11;
  const scalesIndex = legacy ? 1 : 2;
  const useSizes = !legacy && c.has(3);
  let axes = c.ints('axes')?.map((a) => (a < 0 ? a + rank : a)) ?? Array.from({ length: rank }, (_, i) => i);
  let values: number[] | undefined;
  let input: OvValue | undefined;
  if (c.node.opType === 'Upsample' && c.opset < 9) values = c.floats('scales');
  else values = c.constantNumbers(useSizes ? 3 : scalesIndex);
  if (values) {
    // OpenVINO's linear_onnx mode wants exactly the spatial axes: keep those when only they change.
    const changes = (a: number, i: number): boolean =>
      useSizes ? values![i] !== x.shape[a] : values![i] !== 1;
    const onlySpatial = rank > 2 && axes.every((a, i) => a >= 2 || !changes(a, i));
    const chosen = axes.map((a, i) => ({ a, v: values![i] })).filter(({ a }) => !onlySpatial || a >= 2);
    axes = chosen.map(({ a }) => a);
    const kept = chosen.map(({ v }) => v);
    input = useSizes
      ? c.i64(kept)
      : c.b.constant(
          `${c.label}/scales`,
          'f32',
          [kept.length],
          new Uint8Array(Float32Array.from(kept).buffer),
          kept,
        );
  } else {
    input = c.input(useSizes ? 3 : scalesIndex);
  }
  const mode = RESIZE_MODES[c.string('mode', 'nearest')];
  const attrs: Record<string, AttrValue> = {
    mode,
    shape_calculation_mode: useSizes ? 'sizes' : 'scales',
    coordinate_transformation_mode: legacy
      ? 'asymmetric'
      : c.string('coordinate_transformation_mode', 'half_pixel'),
    nearest_mode: legacy ? 'simple' : c.string('nearest_mode', 'round_prefer_floor'),
    antialias: false,
    pads_begin: new Array<number>(rank).fill(0),
    pads_end: new Array<number>(rank).fill(0),
    cube_coeff: c.float('cubic_coeff_a', -0.75),
  };
  return [c.op('Interpolate', [x, input, c.i64(axes)], attrs)];
}

export const NN_LOWERINGS: Record<string, OpLowering> = {
  Conv: { lower: lowerConv },
  ConvTranspose: {
    lower: lowerConvTranspose,
    check: (n) =>
      ['SAME_UPPER', 'SAME_LOWER'].includes(n.string('auto_pad', 'NOTSET')) && !n.hasAttr('output_shape')
        ? `has auto_pad=${n.string('auto_pad', '')}; export with explicit pads`
        : undefined,
  },
  BatchNormalization: {
    lower: lowerBatchNorm,
    check: (n) =>
      n.int('training_mode', 0) === 1 || n.node.output.slice(1).some(Boolean)
        ? 'is in training mode (running statistics as outputs)'
        : undefined,
  },
  LayerNormalization: {
    lower: lowerLayerNorm,
    check: (n) => (n.node.output.slice(1).some(Boolean) ? 'uses the Mean/InvStdDev outputs' : undefined),
  },
  InstanceNormalization: { lower: lowerInstanceNorm },
  MatMul: { lower: lowerMatMul },
  Gemm: { lower: lowerGemm },
  Softmax: softmaxFamily('SoftMax'),
  LogSoftmax: softmaxFamily('LogSoftmax'),
  GlobalAveragePool: globalPool('ReduceMean'),
  GlobalMaxPool: globalPool('ReduceMax'),
  AveragePool: {
    lower: lowerAveragePool,
    check: (n) => ((n.ints('dilations') ?? []).some((d) => d !== 1) ? 'has dilations' : undefined),
  },
  MaxPool: {
    lower: lowerMaxPool,
    check: (n) =>
      n.int('storage_order', 0) === 1 && n.node.output[1]
        ? 'returns column-major indices (storage_order=1)'
        : undefined,
  },
  ReduceMean: lowerReduce('ReduceMean', 18),
  ReduceSum: lowerReduce('ReduceSum', 13),
  ReduceMax: lowerReduce('ReduceMax', 18),
  ReduceMin: lowerReduce('ReduceMin', 18),
  ReduceProd: lowerReduce('ReduceProd', 18),
  ReduceL2: lowerReduce('ReduceL2', 18),
  Resize: { lower: lowerResize, check: checkResize },
  Upsample: { lower: lowerResize, check: checkResize },
};
