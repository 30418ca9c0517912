/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Ops that cut or join tensors → WebNN concat / split / slice (+ reverse for negative
// steps) / pad. Slice follows ONNX's clamping of starts/ends (INT64_MAX sentinels, negative
// indices); Pad's negative pads crop with a slice first; Split sizes come from the `split`
// attribute or input, num_outputs, or equal parts. Concat and Slice also evaluate on the
// host, for shape arithmetic.
//   slicingOps.Slice[1].lower(g, [x, starts, ends, axes, steps], {}, 'Slice_8')

import { notExpressible, type BuildContext, type OpTable, type Value } from './types.js';

type ConcatAttrs = { axis: number };
type SplitAttrs = { axis: number; split: number[] | null; outputs: number };
type SliceAttrs = { starts: number[] | null; ends: number[] | null; axes: number[] | null };
type PadAttrs = { mode: string; pads: number[] | null; value: number };

interface AxisSlice {
  start: number;
  size: number;
  step: number;
}

function lowerConcat(g: BuildContext, x: Value[], a: ConcatAttrs, label: string): Value {
  const dtype = x[0].dtype;
  const rank = x[0].dims.length;
  const axis = g.axis(a.axis, rank);
  const parts = x.filter((v) => v !== undefined && v.dims[axis] !== 0);
  if (parts.length === 1) return parts[0];
  const inputs = parts.map((v, i) => g.operandAs(v, dtype, `${label}#${i}`));
  return g.result(g.call('concat', { inputs }, inputs, axis, g.opts(label)), dtype);
}

function hostConcat(g: BuildContext, x: Value[], a: ConcatAttrs): Value {
  const parts = x.filter((v) => v !== undefined);
  const dims = parts[0].dims.slice();
  const axis = g.axis(a.axis, dims.length);
  const outer = dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  dims[axis] = parts.reduce((p, v) => p + v.dims[axis], 0);
  const out = new Float64Array(dims.reduce((p, d) => p * d, 1));
  const datas = parts.map((v) => g.numbers(v, 'an input'));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    parts.forEach((v, k) => {
      const chunk = v.dims[axis] * inner;
      for (let i = 0; i < chunk; i++) out[at++] = datas[k][o * chunk + i];
    });
  }
  return g.host(parts[0].dtype, dims, out);
}

function lowerSplit(g: BuildContext, x: Value[], a: SplitAttrs, label: string): Value[] {
  const input = g.operand(x[0]);
  const axis = g.axis(a.axis, input.shape.length);
  const size = input.shape[axis];
  let sizes = a.split ?? (x[1] !== undefined ? g.ints(x[1], 'the split sizes') : null);
  if (sizes === null) {
    const part = Math.ceil(size / a.outputs);
    sizes = Array.from({ length: a.outputs }, (_, i) => Math.max(0, Math.min(part, size - i * part)));
  }
  if (sizes.reduce((p, s) => p + s, 0) !== size)
    g.fail(`split sizes [${sizes.join(', ')}] do not add up to ${size}`);
  const outs = g.callMany('split', { input }, input, sizes, g.opts(label, { axis }));
  return outs.map((o) => g.result(o, x[0].dtype));
}

/** Per-axis start/size/step of an ONNX Slice on `dims`, ONNX clamping applied. */
export function sliceAxes(g: BuildContext, x: Value[], a: SliceAttrs): AxisSlice[] {
  const dims = x[0].dims;
  const starts = a.starts ?? g.ints(x[1], 'the starts');
  const ends = a.ends ?? g.ints(x[2], 'the ends');
  const axes = a.axes ?? (x[3] !== undefined ? g.ints(x[3], 'the axes') : starts.map((_, i) => i));
  const steps = x[4] !== undefined && a.starts === null ? g.ints(x[4], 'the steps') : starts.map(() => 1);
  const out: AxisSlice[] = dims.map((d) => ({ start: 0, size: d, step: 1 }));
  axes.forEach((rawAxis, i) => {
    const axis = g.axis(rawAxis, dims.length);
    const dim = dims[axis];
    const step = steps[i];
    if (step === 0) g.fail('a slice step is 0');
    let start = starts[i] < 0 ? starts[i] + dim : starts[i];
    let end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
      out[axis] = { start, size: Math.max(0, Math.ceil((end - start) / step)), step };
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
      out[axis] = { start, size: Math.max(0, Math.ceil((start - end) / -step)), step };
    }
  });
  return out;
}

function lowerSlice(g: BuildContext, x: Value[], a: SliceAttrs, label: string): Value {
  const spec = sliceAxes(g, x, a);
  const dims = x[0].dims;
  if (spec.every((s, i) => s.start === 0 && s.size === dims[i] && s.step === 1)) return x[0];
  if (spec.some((s) => s.size === 0)) g.fail('the slice is empty, and WebNN has no empty tensors');
  let input = g.operand(x[0]);
  const reversed = spec.map((s, i) => (s.step < 0 ? i : -1)).filter((i) => i >= 0);
  if (reversed.length > 0)
    input = g.call('reverse', { input }, input, g.opts(`${label}#reverse`, { axes: reversed }));
  const starts = spec.map((s, i) => (s.step < 0 ? dims[i] - 1 - s.start : s.start));
  const strides = spec.map((s) => Math.abs(s.step));
  // WebNN sizes are input windows: ceil(window / stride) elements come out.
  const sizes = spec.map((s, i) => (s.size - 1) * strides[i] + 1);
  const options = strides.some((s) => s !== 1) ? { strides } : {};
  return g.result(g.call('slice', { input }, input, starts, sizes, g.opts(label, options)), x[0].dtype);
}

function hostSlice(g: BuildContext, x: Value[], a: SliceAttrs): Value {
  const spec = sliceAxes(g, x, a);
  const dims = x[0].dims;
  const data = g.numbers(x[0], 'the input');
  const outDims = spec.map((s) => s.size);
  const count = outDims.reduce((p, d) => p * d, 1);
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((p, d) => p * d, 1));
  const out = new Float64Array(count);
  const index = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < count; i++) {
    let from = 0;
    for (let k = 0; k < dims.length; k++) from += (spec[k].start + index[k] * spec[k].step) * strides[k];
    out[i] = data[from];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < outDims[k]) break;
      index[k] = 0;
    }
  }
  return g.host(x[0].dtype, outDims, out);
}

function lowerPad(g: BuildContext, x: Value[], a: PadAttrs, label: string): Value {
  const dims = x[0].dims;
  const rank = dims.length;
  const given = a.pads ?? g.ints(x[1], 'the pads');
  const axes =
    a.pads === null && x[3] !== undefined
      ? g.ints(x[3], 'the axes').map((ax) => g.axis(ax, rank))
      : dims.map((_, i) => i);
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((axis, i) => {
    begin[axis] = given[i];
    end[axis] = given[i + axes.length];
  });
  const value = a.pads === null && x[2] !== undefined ? g.numbers(x[2], 'the pad value')[0] : a.value;
  let input = g.operand(x[0]);
  if (begin.some((p) => p < 0) || end.some((p) => p < 0)) {
    const starts = begin.map((p) => Math.max(0, -p));
    const sizes = dims.map((d, i) => d - starts[i] - Math.max(0, -end[i]));
    input = g.call('slice', { input }, input, starts, sizes, g.opts(`${label}#crop`));
  }
  const before = begin.map((p) => Math.max(0, p));
  const after = end.map((p) => Math.max(0, p));
  if (before.every((p) => p === 0) && after.every((p) => p === 0)) return g.result(input, x[0].dtype);
  const mode = a.mode === 'reflect' ? 'reflection' : a.mode;
  const options = mode === 'constant' ? { mode, value } : { mode };
  return g.result(g.call('pad', { input }, input, before, after, g.opts(label, options)), x[0].dtype);
}

function padAttributes(fromInputs: boolean) {
  return (n: import('./types.js').OnnxNodeView) => {
    const mode = n.string('mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge')
      return notExpressible(`pads in mode "${mode}"; WebNN pads constant, edge and reflection only`);
    return fromInputs
      ? { mode, pads: null, value: 0 }
      : { mode, pads: n.ints('pads') ?? [], value: n.float('value', 0) };
  };
}

export const slicingOps: OpTable = {
  Concat: [
    { since: 4, attributes: (n) => ({ axis: n.int('axis', 0) }), lower: lowerConcat, host: hostConcat },
  ],
  Split: [
    {
      since: 2,
      attributes: (n) => ({
        axis: n.int('axis', 0),
        split: n.ints('split') ?? null,
        outputs: n.outputs.length,
      }),
      lower: lowerSplit,
    },
    {
      since: 13,
      attributes: (n) => ({ axis: n.int('axis', 0), split: null, outputs: n.outputs.length }),
      lower: lowerSplit,
    },
  ],
  Slice: [
    {
      since: 1,
      attributes: (n) => ({
        starts: n.ints('starts') ?? [],
        ends: n.ints('ends') ?? [],
        axes: n.ints('axes') ?? null,
      }),
      lower: lowerSlice,
      host: hostSlice,
      helpers: [sliceAxes],
    },
    {
      since: 10,
      attributes: () => ({ starts: null, ends: null, axes: null }),
      lower: lowerSlice,
      host: hostSlice,
      helpers: [sliceAxes],
    },
  ],
  Pad: [
    { since: 2, attributes: padAttributes(false), lower: lowerPad },
    { since: 11, attributes: padAttributes(true), lower: lowerPad },
  ],
};
