// Output element types and shapes of the OpenVINO operations the emitter writes, following
// the operation specification (one rule per layer type), plus the contents of small integer
// tensors where they are known (ShapeOf of a static shape, Concat/Gather/Slice of known
// values …) so that Reshape, Unsqueeze, Slice and friends get static port dims. -1 is a
// dynamic dim; every rule knows the rank of its outputs.
//   inferOutputs('MatMul', [a, b], { transpose_a: false, transpose_b: true }, where)

import { isOvFloat, type OvElementType } from './element-types.js';

export type AttrValue = string | number | boolean | readonly number[];

export interface ShapedValue {
  readonly type: OvElementType;
  readonly shape: readonly number[];
  /** Known contents (small constants, shape arithmetic), row-major. */
  readonly values?: readonly number[];
}

export interface InferredOutput {
  type: OvElementType;
  shape: number[];
  values?: number[];
}

type Rule = (
  inputs: readonly ShapedValue[],
  attrs: Record<string, AttrValue>,
  where: string,
) => InferredOutput[];

/** Largest tensor whose contents are tracked. */
const MAX_TRACKED_ELEMENTS = 64;

function count(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

function isStatic(shape: readonly number[]): boolean {
  return shape.every((d) => d >= 0);
}

function tracked(shape: readonly number[], values: number[] | undefined): number[] | undefined {
  return values && isStatic(shape) && count(shape) <= MAX_TRACKED_ELEMENTS && values.every(Number.isFinite)
    ? values
    : undefined;
}

function attrNumber(attrs: Record<string, AttrValue>, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

function attrInts(attrs: Record<string, AttrValue>, name: string): number[] {
  const v = attrs[name];
  return Array.isArray(v) ? [...(v as number[])] : [];
}

function attrBool(attrs: Record<string, AttrValue>, name: string, fallback: boolean): boolean {
  const v = attrs[name];
  return typeof v === 'boolean' ? v : fallback;
}

function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${where}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcast of shapes; -1 merges with anything but 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === -1) out.push(y);
    else if (y === -1 || x === y) out.push(x);
    else throw new Error(`${where}: shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
  }
  return out;
}

/** Element-wise evaluation of known values under numpy broadcasting. */
function broadcastValues(
  inputs: readonly ShapedValue[],
  outShape: readonly number[],
  fn: (...xs: number[]) => number,
): number[] | undefined {
  if (!isStatic(outShape) || count(outShape) > MAX_TRACKED_ELEMENTS) return undefined;
  if (inputs.some((i) => !i.values)) return undefined;
  const n = count(outShape);
  const rank = outShape.length;
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    const idx: number[] = [];
    let rest = flat;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
    }
    const args = inputs.map((inp) => {
      const s = inp.shape;
      let off = 0;
      for (let d = 0; d < s.length; d++) {
        const i = s[d] === 1 ? 0 : idx[rank - s.length + d];
        off = off * s[d] + i;
      }
      return inp.values![off];
    });
    out.push(fn(...args));
  }
  return out;
}

function isIntegerType(t: OvElementType): boolean {
  return !isOvFloat(t) && t !== 'boolean';
}

const same: Rule = ([x]) => [{ type: x.type, shape: [...x.shape] }];
const boolSame: Rule = ([x]) => [{ type: 'boolean', shape: [...x.shape] }];

function binary(fn?: (a: number, b: number) => number, resultType?: OvElementType): Rule {
  return ([a, b], _attrs, where) => {
    const shape = broadcastShapes(a.shape, b.shape, where);
    const type = resultType ?? a.type;
    const values =
      fn && (isIntegerType(a.type) || type === 'boolean') ? broadcastValues([a, b], shape, fn) : undefined;
    return [{ type, shape, values: tracked(shape, values) }];
  };
}

function convSpatial(
  inShape: readonly number[],
  kernel: readonly number[],
  attrs: Record<string, AttrValue>,
  transposed: boolean,
): number[] {
  const strides = attrInts(attrs, 'strides');
  const dilations = attrInts(attrs, 'dilations');
  const padsBegin = attrInts(attrs, 'pads_begin');
  const padsEnd = attrInts(attrs, 'pads_end');
  const outputPadding = attrInts(attrs, 'output_padding');
  const autoPad = String(attrs.auto_pad ?? 'explicit');
  const rounding = String(attrs.rounding_type ?? 'floor');
  return kernel.map((k, i) => {
    const d = inShape[i];
    if (d < 0) return -1;
    const s = strides[i] ?? 1;
    const dil = dilations[i] ?? 1;
    const ek = (k - 1) * dil + 1;
    if (transposed) {
      if (autoPad === 'same_upper' || autoPad === 'same_lower') return d * s;
      const pads = autoPad === 'valid' ? 0 : (padsBegin[i] ?? 0) + (padsEnd[i] ?? 0);
      return s * (d - 1) + ek - pads + (outputPadding[i] ?? 0);
    }
    if (autoPad === 'same_upper' || autoPad === 'same_lower') return Math.ceil(d / s);
    const pads = autoPad === 'valid' ? 0 : (padsBegin[i] ?? 0) + (padsEnd[i] ?? 0);
    const span = d + pads - ek;
    if (rounding === 'ceil' || rounding === 'ceil_torch') {
      let o = Math.ceil(span / s) + 1;
      // ceil_torch: the last window must start inside the input or the begin padding.
      if (rounding === 'ceil_torch' && (o - 1) * s >= d + (padsBegin[i] ?? 0)) o -= 1;
      return o;
    }
    return Math.floor(span / s) + 1;
  });
}

const convolution =
  (outChannels: (w: readonly number[]) => number, transposed: boolean, spatialFrom: number): Rule =>
  ([x, w], attrs) => {
    const kernel = w.shape.slice(spatialFrom);
    const c = outChannels(w.shape);
    return [
      {
        type: x.type,
        shape: [x.shape[0], c, ...convSpatial(x.shape.slice(2), kernel, attrs, transposed)],
      },
    ];
  };

const pool: Rule = ([x], attrs) => {
  const kernel = attrInts(attrs, 'kernel');
  const shape = [x.shape[0], x.shape[1], ...convSpatial(x.shape.slice(2), kernel, attrs, false)];
  return [{ type: x.type, shape }];
};

const reduce =
  (fn?: (acc: number, v: number) => number): Rule =>
  ([x, axes], attrs, where) => {
    const keep = attrBool(attrs, 'keep_dims', false);
    if (!axes.values) {
      if (!keep) throw new Error(`${where}: reduction axes must be known when keep_dims is false`);
      return [{ type: x.type, shape: x.shape.map(() => -1) }];
    }
    const set = new Set(axes.values.map((a) => normAxis(a, x.shape.length, where)));
    const shape: number[] = [];
    x.shape.forEach((d, i) => {
      if (!set.has(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    let values: number[] | undefined;
    if (fn && x.values && x.shape.length === 1 && set.has(0)) values = [x.values.reduce(fn)];
    return [{ type: x.type, shape, values: tracked(shape, values) }];
  };

function sliceBounds(
  dim: number,
  start: number,
  stop: number,
  step: number,
): { begin: number; length: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let b = start < 0 ? start + dim : start;
  let e = stop < 0 ? stop + dim : stop;
  if (step > 0) {
    b = clamp(b, 0, dim);
    e = clamp(e, 0, dim);
    return { begin: b, length: Math.max(0, Math.ceil((e - b) / step)) };
  }
  b = clamp(b, -1, dim - 1);
  e = clamp(e, -1, dim - 1);
  return { begin: b, length: Math.max(0, Math.ceil((b - e) / -step)) };
}

const slice: Rule = ([x, start, stop, step, axesIn], _attrs, where) => {
  const rank = x.shape.length;
  if (!start.values || !stop.values || !step.values || (axesIn && !axesIn.values)) {
    const n = start.shape[0] ?? -1;
    const affected = axesIn?.values
      ? new Set(axesIn.values.map((a) => normAxis(a, rank, where)))
      : !axesIn && n >= 0
        ? new Set(Array.from({ length: n }, (_, i) => i))
        : undefined;
    return [{ type: x.type, shape: x.shape.map((d, i) => (affected && !affected.has(i) ? d : -1)) }];
  }
  const axes = axesIn?.values
    ? axesIn.values.map((a) => normAxis(a, rank, where))
    : start.values.map((_, i) => i);
  const shape = [...x.shape];
  const bounds: ({ begin: number; step: number } | undefined)[] = new Array(rank).fill(undefined);
  axes.forEach((a, i) => {
    const dim = x.shape[a];
    if (dim < 0) {
      shape[a] = -1;
      return;
    }
    const st = step.values![i];
    const r = sliceBounds(dim, start.values![i], stop.values![i], st);
    shape[a] = r.length;
    bounds[a] = { begin: r.begin, step: st };
  });
  let values: number[] | undefined;
  if (x.values && rank === 1 && isStatic(shape)) {
    const b = bounds[0] ?? { begin: 0, step: 1 };
    values = Array.from({ length: shape[0] }, (_, i) => x.values![b.begin + i * b.step]);
  }
  return [{ type: x.type, shape, values: tracked(shape, values) }];
};

const gather: Rule = ([data, indices, axisIn], attrs, where) => {
  if (!axisIn.values) throw new Error(`${where}: Gather axis must be a constant`);
  const rank = data.shape.length;
  const axis = normAxis(axisIn.values[0], rank, where);
  const batchDims = attrNumber(attrs, 'batch_dims', 0);
  const bd = batchDims < 0 ? batchDims + indices.shape.length : batchDims;
  const shape = [...data.shape.slice(0, axis), ...indices.shape.slice(bd), ...data.shape.slice(axis + 1)];
  let values: number[] | undefined;
  if (data.values && indices.values && rank === 1 && bd === 0) {
    const n = data.shape[0];
    values = indices.values.map((i) => data.values![i < 0 ? i + n : i]);
  }
  return [{ type: data.type, shape, values: tracked(shape, values) }];
};

const concat: Rule = (inputs, attrs, where) => {
  const rank = inputs[0].shape.length;
  const axis = normAxis(attrNumber(attrs, 'axis', 0), rank, where);
  const shape = [...inputs[0].shape];
  shape[axis] = inputs.some((i) => i.shape[axis] < 0) ? -1 : inputs.reduce((n, i) => n + i.shape[axis], 0);
  for (let d = 0; d < rank; d++) {
    if (d === axis || shape[d] >= 0) continue;
    const known = inputs.find((i) => i.shape[d] >= 0);
    if (known) shape[d] = known.shape[d];
  }
  const values =
    rank === 1 && inputs.every((i) => i.values) ? inputs.flatMap((i) => [...i.values!]) : undefined;
  return [{ type: inputs[0].type, shape, values: tracked(shape, values) }];
};

/** Reshape target → output dims (special_zero copies input dims for zeros; one -1 is inferred). */
export function reshapeDims(
  input: readonly number[],
  target: readonly number[],
  specialZero: boolean,
): number[] {
  const out = target.map((t, i) => (t === 0 && specialZero ? (input[i] ?? 0) : t));
  const minus = out.indexOf(-1);
  if (minus >= 0 && out.filter((d) => d === -1).length === 1 && isStatic(input)) {
    const known = out.reduce((a, d, i) => (i === minus ? a : a * d), 1);
    out[minus] = known === 0 ? 0 : count(input) / known;
  }
  return out;
}

const reshape: Rule = ([x, target], attrs, where) => {
  const n = target.shape[0];
  if (n === undefined || n < 0) throw new Error(`${where}: Reshape target length must be known`);
  const shape = target.values
    ? reshapeDims(x.shape, target.values, attrBool(attrs, 'special_zero', false))
    : new Array<number>(n).fill(-1);
  return [{ type: x.type, shape, values: tracked(shape, x.values ? [...x.values] : undefined) }];
};

const transpose: Rule = ([x, order], _attrs, where) => {
  const rank = x.shape.length;
  if (!order.values) return [{ type: x.type, shape: x.shape.map(() => -1) }];
  const perm = order.values.length === 0 ? x.shape.map((_, i) => rank - 1 - i) : order.values;
  return [{ type: x.type, shape: perm.map((p) => x.shape[normAxis(p, rank, where)]) }];
};

const squeeze: Rule = ([x, axesIn], _attrs, where) => {
  let axes: Set<number>;
  if (!axesIn) {
    if (!isStatic(x.shape)) throw new Error(`${where}: Squeeze without axes needs a static input shape`);
    axes = new Set(x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0));
  } else {
    if (!axesIn.values) throw new Error(`${where}: Squeeze axes must be constant`);
    axes = new Set(axesIn.values.map((a) => normAxis(a, x.shape.length, where)));
  }
  const shape = x.shape.filter((_, i) => !axes.has(i));
  return [{ type: x.type, shape, values: tracked(shape, x.values ? [...x.values] : undefined) }];
};

const unsqueeze: Rule = ([x, axesIn], _attrs, where) => {
  if (!axesIn.values) throw new Error(`${where}: Unsqueeze axes must be constant`);
  const rank = x.shape.length + axesIn.values.length;
  const axes = new Set(axesIn.values.map((a) => normAxis(a, rank, where)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(axes.has(i) ? 1 : x.shape[j++]);
  return [{ type: x.type, shape, values: tracked(shape, x.values ? [...x.values] : undefined) }];
};

const broadcast: Rule = ([x, target], attrs, where) => {
  const mode = String(attrs.mode ?? 'numpy');
  const n = target.shape[0];
  if (n === undefined || n < 0) throw new Error(`${where}: Broadcast target length must be known`);
  let shape: number[];
  if (target.values) {
    shape = mode === 'bidirectional' ? broadcastShapes(x.shape, target.values, where) : [...target.values];
  } else {
    const rank = mode === 'bidirectional' ? Math.max(n, x.shape.length) : n;
    shape = new Array<number>(rank).fill(-1);
  }
  let values: number[] | undefined;
  if (x.values && isStatic(shape) && count(shape) <= MAX_TRACKED_ELEMENTS) {
    values = broadcastValues([x], shape, (v) => v);
  }
  return [{ type: x.type, shape, values: tracked(shape, values) }];
};

const shapeOf: Rule = ([x], attrs) => {
  const type = (attrs.output_type as OvElementType | undefined) ?? 'i64';
  return [{ type, shape: [x.shape.length], values: isStatic(x.shape) ? [...x.shape] : undefined }];
};

const convert: Rule = ([x], attrs) => {
  const type = attrs.destination_type as OvElementType;
  let values: number[] | undefined;
  if (x.values && isIntegerType(type)) values = x.values.map((v) => Math.trunc(v));
  else if (x.values && type === 'boolean') values = x.values.map((v) => (v ? 1 : 0));
  return [{ type, shape: [...x.shape], values: tracked(x.shape, values) }];
};

const range: Rule = ([start, stop, step], attrs) => {
  const type = (attrs.output_type as OvElementType | undefined) ?? start.type;
  if (start.values && stop.values && step.values) {
    const [a, b, s] = [start.values[0], stop.values[0], step.values[0]];
    const n = Math.max(0, Math.ceil((b - a) / s));
    const values = Array.from({ length: n }, (_, i) => a + i * s);
    return [{ type, shape: [n], values: tracked([n], isIntegerType(type) ? values : undefined) }];
  }
  return [{ type, shape: [-1] }];
};

const select: Rule = ([c, a, b], _attrs, where) => {
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape, where), b.shape, where);
  const values = isIntegerType(a.type)
    ? broadcastValues([c, a, b], shape, (x, y, z) => (x ? y : z))
    : undefined;
  return [{ type: a.type, shape, values: tracked(shape, values) }];
};

const matmul: Rule = ([a, b], attrs, where) => {
  let sa = [...a.shape];
  let sb = [...b.shape];
  const aVector = sa.length === 1;
  const bVector = sb.length === 1;
  if (aVector) sa = [1, sa[0]];
  if (bVector) sb = [sb[0], 1];
  if (attrBool(attrs, 'transpose_a', false) && !aVector)
    sa = [...sa.slice(0, -2), sa[sa.length - 1], sa[sa.length - 2]];
  if (attrBool(attrs, 'transpose_b', false) && !bVector)
    sb = [...sb.slice(0, -2), sb[sb.length - 1], sb[sb.length - 2]];
  const batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2), where);
  const shape = [...batch, sa[sa.length - 2], sb[sb.length - 1]];
  if (aVector) shape.splice(shape.length - 2, 1);
  if (bVector) shape.splice(shape.length - 1, 1);
  return [{ type: a.type, shape }];
};

const split: Rule = ([x, axisIn], attrs, where) => {
  if (!axisIn.values) throw new Error(`${where}: Split axis must be constant`);
  const axis = normAxis(axisIn.values[0], x.shape.length, where);
  const parts = attrNumber(attrs, 'num_splits', 1);
  const d = x.shape[axis];
  return Array.from({ length: parts }, () => {
    const shape = [...x.shape];
    shape[axis] = d < 0 ? -1 : d / parts;
    return { type: x.type, shape };
  });
};

const variadicSplit: Rule = ([x, axisIn, lengths], _attrs, where) => {
  if (!axisIn.values || !lengths.values)
    throw new Error(`${where}: VariadicSplit axis and lengths must be constant`);
  const axis = normAxis(axisIn.values[0], x.shape.length, where);
  const d = x.shape[axis];
  const known = lengths.values.filter((l) => l >= 0).reduce((a, l) => a + l, 0);
  return lengths.values.map((l) => {
    const shape = [...x.shape];
    shape[axis] = l >= 0 ? l : d < 0 ? -1 : d - known;
    return { type: x.type, shape };
  });
};

const interpolate: Rule = ([x, scalesOrSizes, axesIn], attrs) => {
  const axes = axesIn?.values ?? x.shape.map((_, i) => i);
  const shape = [...x.shape];
  const bySizes = attrs.shape_calculation_mode === 'sizes';
  axes.forEach((a, i) => {
    const v = scalesOrSizes.values?.[i];
    if (v === undefined) shape[a] = -1;
    else if (bySizes) shape[a] = v;
    else shape[a] = x.shape[a] < 0 ? -1 : Math.floor(x.shape[a] * v + 1e-5);
  });
  return [{ type: x.type, shape }];
};

const tile: Rule = ([x, repeats]) => {
  if (!repeats.values)
    return [{ type: x.type, shape: new Array<number>(Math.max(x.shape.length, repeats.shape[0])).fill(-1) }];
  const rank = Math.max(x.shape.length, repeats.values.length);
  const xs = [...new Array<number>(rank - x.shape.length).fill(1), ...x.shape];
  const rs = [...new Array<number>(rank - repeats.values.length).fill(1), ...repeats.values];
  return [{ type: x.type, shape: xs.map((d, i) => (d < 0 ? -1 : d * rs[i])) }];
};

const pad: Rule = ([x, begin, end]) => {
  if (!begin.values || !end.values) return [{ type: x.type, shape: x.shape.map(() => -1) }];
  return [
    { type: x.type, shape: x.shape.map((d, i) => (d < 0 ? -1 : d + begin.values![i] + end.values![i])) },
  ];
};

const lstmSequence: Rule = ([x, h], attrs) => {
  const hidden = attrNumber(attrs, 'hidden_size', -1);
  const dirs = attrs.direction === 'bidirectional' ? 2 : 1;
  const [batch, seq] = [x.shape[0], x.shape[1]];
  void h;
  return [
    { type: x.type, shape: [batch, dirs, seq, hidden] },
    { type: x.type, shape: [batch, dirs, hidden] },
    { type: x.type, shape: [batch, dirs, hidden] },
  ];
};

const gatherND: Rule = ([data, indices], attrs) => {
  const batchDims = attrNumber(attrs, 'batch_dims', 0);
  const last = indices.shape[indices.shape.length - 1];
  if (last < 0) return [{ type: data.type, shape: [-1] }];
  return [{ type: data.type, shape: [...indices.shape.slice(0, -1), ...data.shape.slice(batchDims + last)] }];
};

const RULES: Record<string, Rule> = {
  ReLU: same,
  Sigmoid: same,
  Tanh: same,
  Erf: same,
  Gelu: same,
  HSwish: same,
  HSigmoid: same,
  HardSigmoid: same,
  SoftPlus: same,
  Mish: same,
  Sqrt: same,
  Exp: same,
  Log: same,
  Abs: same,
  Floor: same,
  Ceiling: same,
  Sin: same,
  Cos: same,
  Sign: same,
  Elu: same,
  Round: same,
  Clamp: same,
  SoftMax: same,
  MVN: same,
  PReLU: same,
  CumSum: same,
  BatchNormInference: same,
  Negative: ([x]) => [
    { type: x.type, shape: [...x.shape], values: x.values ? x.values.map((v) => -v) : undefined },
  ],
  IsNaN: boolSame,
  IsInf: boolSame,
  LogicalNot: ([x]) => [{ type: 'boolean', shape: [...x.shape], values: x.values?.map((v) => (v ? 0 : 1)) }],
  Add: binary((a, b) => a + b),
  Subtract: binary((a, b) => a - b),
  Multiply: binary((a, b) => a * b),
  Divide: binary((a, b) => Math.trunc(a / b)),
  Power: binary(),
  Maximum: binary((a, b) => Math.max(a, b)),
  Minimum: binary((a, b) => Math.min(a, b)),
  FloorMod: binary(),
  Mod: binary(),
  SquaredDifference: binary(),
  Equal: binary((a, b) => Number(a === b), 'boolean'),
  NotEqual: binary((a, b) => Number(a !== b), 'boolean'),
  Greater: binary((a, b) => Number(a > b), 'boolean'),
  GreaterEqual: binary((a, b) => Number(a >= b), 'boolean'),
  Less: binary((a, b) => Number(a < b), 'boolean'),
  LessEqual: binary((a, b) => Number(a <= b), 'boolean'),
  LogicalAnd: binary((a, b) => Number(a && b), 'boolean'),
  LogicalOr: binary((a, b) => Number(a || b), 'boolean'),
  LogicalXor: binary((a, b) => Number(!a !== !b), 'boolean'),
  Select: select,
  Convert: convert,
  MatMul: matmul,
  Convolution: convolution((w) => w[0], false, 2),
  GroupConvolution: convolution((w) => w[0] * w[1], false, 3),
  ConvolutionBackpropData: convolution((w) => w[1], true, 2),
  GroupConvolutionBackpropData: convolution((w) => w[0] * w[2], true, 3),
  AvgPool: pool,
  MaxPool: (inputs, attrs, where) => {
    const [out] = pool(inputs, attrs, where);
    return [
      out,
      { type: (attrs.index_element_type as OvElementType | undefined) ?? 'i64', shape: [...out.shape] },
    ];
  },
  ReduceMean: reduce(),
  ReduceSum: reduce((a, v) => a + v),
  ReduceProd: reduce((a, v) => a * v),
  ReduceMax: reduce((a, v) => Math.max(a, v)),
  ReduceMin: reduce((a, v) => Math.min(a, v)),
  ReduceL2: reduce(),
  Interpolate: interpolate,
  Concat: concat,
  Split: split,
  VariadicSplit: variadicSplit,
  Slice: slice,
  Gather: gather,
  GatherElements: ([data, indices]) => [{ type: data.type, shape: [...indices.shape] }],
  GatherND: gatherND,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Broadcast: broadcast,
  ShapeOf: shapeOf,
  Range: range,
  Tile: tile,
  Pad: pad,
  LSTMSequence: lstmSequence,
};

/** Output types and shapes of a layer; an unknown type or an impossible shape is our bug (Error). */
export function inferOutputs(
  type: string,
  inputs: readonly ShapedValue[],
  attrs: Record<string, AttrValue>,
  where: string,
): InferredOutput[] {
  const rule = RULES[type];
  if (!rule) throw new Error(`${where}: no shape rule for OpenVINO layer type ${type}`);
  return rule(inputs, attrs, where);
}

/** Every layer type the emitter can write besides Parameter, Const, Result and If. */
export function shapeRuleLayerTypes(): string[] {
  return Object.keys(RULES).sort();
}
