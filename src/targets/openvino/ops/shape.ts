// Shape and data-movement ONNX ops → OpenVINO: Reshape, Transpose, Squeeze, Unsqueeze,
// Flatten, Expand, Shape, Size, Concat, Split, Slice, Gather(Elements|ND), Range,
// ConstantOfShape, Cast, Tile, Pad. Opset differences (attributes that became inputs) are
// handled here; axes and lengths that OpenVINO needs as constants are checked up front.
//   SHAPE_LOWERINGS.Unsqueeze.lower(ctx) // [Unsqueeze(x, Const axes)]

import { dtypeFromOnnx } from '../../../onnx/dtype.js';
import { tensorFromProto, encodeRawData } from '../../../onnx/tensor.js';
import type { TensorProto } from '../../../onnx/proto/index.js';
import { ovElementType } from '../element-types.js';
import type { OvValue } from '../ir-graph.js';
import type { LoweringContext, NodeAttributes, OpLowering } from '../lowering.js';

function rankOf(x: OvValue): number {
  return x.shape.length;
}

function normAxis(c: LoweringContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) c.fail(`has axis ${axis}, out of range for a rank-${rank} input.`);
  return a;
}

function product(dims: readonly number[]): number {
  return dims.some((d) => d < 0) ? -1 : dims.reduce((a, d) => a * d, 1);
}

/** Reshapes `x` to 2-D [prod(dims[:axis]), prod(dims[axis:])], with ShapeOf arithmetic when dims are dynamic. */
export function flattenTo2D(c: LoweringContext, x: OvValue, axis: number, suffix = 'flatten'): OvValue {
  const a = axis < 0 ? axis + rankOf(x) : axis;
  const lead = product(x.shape.slice(0, a));
  const rest = product(x.shape.slice(a));
  const reshape = (target: OvValue, specialZero: boolean): OvValue =>
    c.op('Reshape', [x, target], { special_zero: specialZero }, suffix);
  if (lead >= 0 || rest >= 0) return reshape(c.i64([lead >= 0 ? lead : -1, rest >= 0 ? rest : -1]), false);
  if (a === 1) return reshape(c.i64([0, -1]), true);
  const shape = c.op('ShapeOf', [x], { output_type: 'i64' }, `${suffix}/shape`);
  const head = c.op('Slice', [shape, c.i64([0]), c.i64([a]), c.i64([1])], {}, `${suffix}/head`);
  const headSize = c.op('ReduceProd', [head, c.i64([0])], { keep_dims: true }, `${suffix}/head_size`);
  const target = c.op('Concat', [headSize, c.i64([-1])], { axis: 0 }, `${suffix}/target`);
  return reshape(target, false);
}

/** Axes of a node: from an attribute (older opsets) or a constant input. */
function constantAxes(c: LoweringContext, inputIndex: number, sinceOpset: number): number[] | undefined {
  if (c.opset < sinceOpset) return c.ints('axes');
  if (!c.has(inputIndex)) return undefined;
  const v = c.constantNumbers(inputIndex);
  if (!v) c.fail(`needs constant axes; this one is computed in the graph.`);
  return v;
}

const axesMustBeConstant =
  (inputIndex: number, sinceOpset: number) =>
  (n: NodeAttributes, isConstant: (i: number) => boolean): string | undefined =>
    n.opset >= sinceOpset && n.node.input[inputIndex] && !isConstant(inputIndex)
      ? 'takes its axes from a computed tensor; OpenVINO IR needs them constant'
      : undefined;

function lowerReshape(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const target = c.opset < 5 ? c.i64(c.ints('shape') ?? []) : c.input(1);
  return [c.op('Reshape', [x, target], { special_zero: c.int('allowzero', 0) === 0 })];
}

function lowerTranspose(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const perm = c.ints('perm') ?? x.shape.map((_, i) => rankOf(x) - 1 - i);
  return [c.op('Transpose', [x, c.i64(perm)])];
}

function lowerSqueeze(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  let axes = constantAxes(c, 1, 13);
  if (!axes) {
    if (x.shape.some((d) => d < 0))
      c.fail('has no axes and a dynamic input shape; give the axes explicitly.');
    axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  }
  return [c.op('Squeeze', [x, c.i64(axes.map((a) => normAxis(c, a, rankOf(x))))])];
}

function lowerUnsqueeze(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const axes = constantAxes(c, 1, 13);
  if (!axes) c.fail('has no axes.');
  return [c.op('Unsqueeze', [x, c.i64(axes)])];
}

function lowerShape(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const shape = c.op('ShapeOf', [x], { output_type: 'i64' });
  const rank = rankOf(x);
  const start = c.int('start', 0);
  const end = c.hasAttr('end') ? c.int('end', rank) : rank;
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  if (clamp(start) === 0 && clamp(end) === rank) return [shape];
  return [c.op('Slice', [shape, c.i64([clamp(start)]), c.i64([clamp(end)]), c.i64([1])], {}, 'slice')];
}

function lowerConcat(c: LoweringContext): OvValue[] {
  const inputs = c.node.input.map((_, i) => c.input(i));
  return [c.op('Concat', inputs, { axis: normAxis(c, c.int('axis', 0), rankOf(inputs[0])) })];
}

function lowerSplit(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const axis = normAxis(c, c.int('axis', 0), rankOf(x));
  const parts = c.node.output.length;
  let lengths: number[] | undefined;
  if (c.opset < 13) lengths = c.ints('split');
  else if (c.has(1)) lengths = c.constantNumbers(1) ?? c.fail('takes split lengths from a computed tensor.');
  const dim = x.shape[axis];
  if (!lengths && dim >= 0 && dim % parts !== 0) {
    const chunk = Math.ceil(dim / parts);
    lengths = Array.from({ length: parts }, (_, i) => Math.min(chunk, dim - i * chunk));
  }
  const axisConst = c.scalar(axis, 'i64');
  if (lengths) return c.ops('VariadicSplit', [x, axisConst, c.i64(lengths)]);
  return c.ops('Split', [x, axisConst], { num_splits: parts });
}

function lowerSlice(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  if (c.opset < 10) {
    const starts = c.ints('starts') ?? [];
    const ends = c.ints('ends') ?? [];
    const axes = c.ints('axes') ?? starts.map((_, i) => i);
    return [c.op('Slice', [x, c.i64(starts), c.i64(ends), c.i64(starts.map(() => 1)), c.i64(axes)])];
  }
  const starts = c.input(1);
  const ends = c.input(2);
  let steps = c.optional(4);
  if (!steps) {
    const n = starts.shape[0];
    steps =
      n >= 0
        ? c.b.constant(
            `${c.label}/steps`,
            starts.type,
            [n],
            encodeOnes(starts.type, n),
            new Array<number>(n).fill(1),
          )
        : c.op(
            'Broadcast',
            [c.scalar(1, starts.type), c.op('ShapeOf', [starts], { output_type: 'i64' }, 'n')],
            { mode: 'numpy' },
            'steps',
          );
  }
  const axes = c.optional(3);
  return [c.op('Slice', axes ? [x, starts, ends, steps, axes] : [x, starts, ends, steps])];
}

function encodeOnes(type: OvValue['type'], n: number): Uint8Array {
  const bytes = type === 'i32' ? 4 : 8;
  const out = new Uint8Array(n * bytes);
  for (let i = 0; i < n; i++) out[i * bytes] = 1;
  return out;
}

function lowerGather(c: LoweringContext): OvValue[] {
  const axis = c.int('axis', 0);
  const data = c.input(0);
  return [
    c.op('Gather', [data, c.input(1), c.scalar(normAxis(c, axis, rankOf(data)), 'i64')], { batch_dims: 0 }),
  ];
}

function lowerConstantOfShape(c: LoweringContext): OvValue[] {
  const attr = c.node.attribute.find((a) => a.name === 'value');
  const t = attr?.t
    ? tensorFromProto(attr.t as TensorProto, c.settings.where)
    : { dtype: 'float32' as const, dims: [1], data: new Float32Array(1) };
  const type = ovElementType(t.dtype, c.where);
  const value = c.b.constant(
    `${c.label}/value`,
    type,
    [],
    encodeRawData(t),
    Array.from(t.data as ArrayLike<number | bigint>, Number),
  );
  return [c.op('Broadcast', [value, c.input(0)], { mode: 'numpy' })];
}

const FLOAT16 = 10;

/** Cast → Convert; an f16 constant cast to f32 is fp16 weight storage, so its Convert is marked as decompression. */
function lowerCast(c: LoweringContext): OvValue[] {
  const to = ovElementType(castTarget(c), c.where);
  const fp16Weight = to === 'f32' && c.scope.constants.get(c.node.input[0])?.dataType === FLOAT16;
  return c.b.op('Convert', {
    name: c.label,
    inputs: [c.input(0)],
    attrs: { destination_type: to },
    rtInfo: fp16Weight ? ['decompression'] : [],
  });
}

function castTarget(c: LoweringContext | NodeAttributes): ReturnType<typeof dtypeFromOnnx> {
  return dtypeFromOnnx(c.int('to', 0));
}

function lowerPad(c: LoweringContext): OvValue[] {
  const x = c.input(0);
  const mode = c.string('mode', 'constant');
  const rank = rankOf(x);
  let begin: OvValue;
  let end: OvValue;
  const pads = c.opset < 11 ? (c.ints('pads') ?? c.ints('paddings')) : c.constantNumbers(1);
  if (pads) {
    begin = c.i64(pads.slice(0, rank));
    end = c.i64(pads.slice(rank));
  } else {
    [begin, end] = c.ops('Split', [c.input(1), c.scalar(0, 'i64')], { num_splits: 2 }, 'pads');
  }
  const inputs = [x, begin, end];
  if (mode === 'constant') {
    const value =
      c.opset < 11 ? c.scalar(c.float('value', 0), x.type) : (c.optional(2) ?? c.scalar(0, x.type));
    inputs.push(value);
  }
  return [c.op('Pad', inputs, { pad_mode: mode === 'edge' ? 'edge' : mode })];
}

export const SHAPE_LOWERINGS: Record<string, OpLowering> = {
  Reshape: { lower: lowerReshape },
  Transpose: { lower: lowerTranspose },
  Squeeze: { lower: lowerSqueeze, check: axesMustBeConstant(1, 13) },
  Unsqueeze: { lower: lowerUnsqueeze, check: axesMustBeConstant(1, 13) },
  Flatten: { lower: (c) => [flattenTo2D(c, c.input(0), c.int('axis', 1), '')] },
  Expand: { lower: (c) => [c.op('Broadcast', [c.input(0), c.input(1)], { mode: 'bidirectional' })] },
  Shape: { lower: lowerShape },
  Size: {
    lower: (c) => {
      const shape = c.op('ShapeOf', [c.input(0)], { output_type: 'i64' }, 'shape');
      return [c.op('ReduceProd', [shape, c.i64([0])], { keep_dims: false })];
    },
  },
  Concat: { lower: lowerConcat },
  Split: {
    lower: lowerSplit,
    check: (n, isConstant) =>
      n.opset >= 13 && n.node.input[1] && !isConstant(1)
        ? 'takes its split lengths from a computed tensor; OpenVINO IR needs them constant'
        : undefined,
  },
  Slice: { lower: lowerSlice },
  Gather: { lower: lowerGather },
  GatherElements: {
    lower: (c) => {
      const data = c.input(0);
      return [
        c.op('GatherElements', [data, c.input(1)], { axis: normAxis(c, c.int('axis', 0), rankOf(data)) }),
      ];
    },
  },
  GatherND: {
    lower: (c) => [c.op('GatherND', [c.input(0), c.input(1)], { batch_dims: c.int('batch_dims', 0) })],
  },
  Range: {
    lower: (c) => {
      const start = c.input(0);
      return [c.op('Range', [start, c.input(1), c.input(2)], { output_type: start.type })];
    },
  },
  ConstantOfShape: { lower: lowerConstantOfShape },
  Cast: {
    lower: lowerCast,
    check: (n) => {
      const t = castTarget(n);
      return t && t !== 'string' && t !== 'int2' && t !== 'uint2'
        ? undefined
        : `casts to element type ${n.int('to', 0)}, which OpenVINO IR does not have`;
    },
  },
  CastLike: { lower: (c) => [c.op('Convert', [c.input(0)], { destination_type: c.input(1).type })] },
  Tile: { lower: (c) => [c.op('Tile', [c.input(0), c.input(1)])] },
  Pad: {
    lower: lowerPad,
    check: (n) => {
      const mode = n.string('mode', 'constant');
      if (!['constant', 'reflect', 'edge'].includes(mode)) return `has mode "${mode}"`;
      return n.node.input[3] ? 'pads only some axes (axes input); OpenVINO Pad pads every axis' : undefined;
    },
  },
};
