// Evaluates integer values computed only from constants, so the emitter can store the codes
// an unpack subgraph produces (bytes packed at 2/3/4/8 bits, unpacked by Cast, Gather, Mul,
// Add, Div, Sub and Reshape) as an OpenVINO Const instead of emitting the arithmetic. Only
// those ops are evaluated, on int32 values with NumPy broadcasting (integer Div truncates);
// anything else, a float, or a value beyond int32 gives undefined and the emitter lowers the
// nodes as they are.
//   const codes = foldIntegerValue('w/u7', { producer, constant }); // { dims, data: Int32Array }

import type { HostTensor } from '../../onnx/dtype.js';
import { dtypeFromOnnx } from '../../onnx/dtype.js';
import { int64ToNumber, type NodeProto } from '../../onnx/proto/index.js';

export interface IntTensor {
  dims: number[];
  data: Int32Array;
}

export interface FoldingSources {
  /** The node producing a value (undefined for constants and inputs). */
  producer(name: string): NodeProto | undefined;
  /** The value of a constant visible here. */
  constant(name: string): HostTensor | undefined;
}

const INTEGER_DTYPES = new Set([
  'int64',
  'int32',
  'int16',
  'int8',
  'uint32',
  'uint16',
  'uint8',
  'int4',
  'uint4',
  'int2',
  'uint2',
]);
/** Cast targets that keep every value of the folded expressions (checked against the range). */
const CAST_RANGES: Record<string, [number, number]> = {
  int64: [-(2 ** 31), 2 ** 31 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  uint16: [0, 2 ** 16 - 1],
  int8: [-128, 127],
  uint8: [0, 255],
};
/** Deepest chain of nodes followed (the unpack subgraphs are about ten deep). */
const MAX_DEPTH = 32;

function count(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function fromHost(t: HostTensor): IntTensor | undefined {
  if (!INTEGER_DTYPES.has(t.dtype) || Array.isArray(t.data)) return undefined;
  const src = t.data as ArrayLike<number | bigint>;
  const data = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (v !== (v | 0)) return undefined;
    data[i] = v;
  }
  return { dims: [...t.dims], data };
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? int64ToNumber(a.i) : fallback;
}

function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Element strides of `dims` read as the broadcast shape `out` (0 along broadcast axes). */
function broadcastStrides(dims: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const j = out.length - dims.length + i;
    strides[j] = dims[i] === 1 ? 0 : s;
    s *= dims[i];
  }
  return strides;
}

type IntOp = (x: number, y: number) => number;
const BINARY: Record<string, IntOp> = {
  Add: (x, y) => (x + y) | 0,
  Sub: (x, y) => (x - y) | 0,
  Mul: (x, y) => Math.imul(x, y),
  Div: (x, y) => (x / y) | 0,
};

function binary(op: IntOp, a: IntTensor, b: IntTensor): IntTensor | undefined {
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims) return undefined;
  const rank = dims.length;
  const total = count(dims);
  const out = new Int32Array(total);
  if (total === 0) return { dims, data: out };
  const sa = broadcastStrides(a.dims, dims);
  const sb = broadcastStrides(b.dims, dims);
  const last = rank > 0 ? dims[rank - 1] : 1;
  const la = rank > 0 ? sa[rank - 1] : 0;
  const lb = rank > 0 ? sb[rank - 1] : 0;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let offA = 0;
  let offB = 0;
  for (let row = 0; row < total / last; row++) {
    const base = row * last;
    for (let j = 0; j < last; j++) out[base + j] = op(a.data[offA + j * la], b.data[offB + j * lb]);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      offA += sa[d];
      offB += sb[d];
      if (index[d] < dims[d]) break;
      offA -= sa[d] * dims[d];
      offB -= sb[d] * dims[d];
      index[d] = 0;
    }
  }
  return { dims, data: out };
}

function gather(data: IntTensor, indices: IntTensor, axisAttr: number): IntTensor | undefined {
  const rank = data.dims.length;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (axis < 0 || axis >= rank) return undefined;
  const outer = count(data.dims.slice(0, axis));
  const n = data.dims[axis];
  const inner = count(data.dims.slice(axis + 1));
  const k = indices.data.length;
  const out = new Int32Array(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      let idx = indices.data[j];
      if (idx < 0) idx += n;
      if (idx < 0 || idx >= n) return undefined;
      out.set(data.data.subarray((o * n + idx) * inner, (o * n + idx + 1) * inner), (o * k + j) * inner);
    }
  }
  return { dims: [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], data: out };
}

/** Dims a Reshape to `shape` gives a tensor of `input` dims (0 copies, -1 infers); undefined if invalid. */
export function resolveReshapeDims(
  input: readonly number[],
  shape: readonly number[],
  allowZero: boolean,
): number[] | undefined {
  const dims = shape.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  const total = count(input);
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = dims.indexOf(-1);
  if (free >= 0) dims[free] = known > 0 ? total / known : 0;
  if (dims.some((d) => d === undefined || d < 0 || !Number.isInteger(d)) || count(dims) !== total)
    return undefined;
  return dims;
}

function reshape(data: IntTensor, shape: IntTensor, allowZero: boolean): IntTensor | undefined {
  const dims = resolveReshapeDims(data.dims, Array.from(shape.data), allowZero);
  return dims ? { dims, data: data.data } : undefined;
}

/** The value of `name` when it is an integer computed from constants by the ops above; else undefined. */
export function foldIntegerValue(
  name: string,
  sources: FoldingSources,
  cache = new Map<string, IntTensor | undefined>(),
  depth = 0,
): IntTensor | undefined {
  if (cache.has(name)) return cache.get(name);
  const result = evaluate(name, sources, cache, depth);
  cache.set(name, result);
  return result;
}

function evaluate(
  name: string,
  sources: FoldingSources,
  cache: Map<string, IntTensor | undefined>,
  depth: number,
): IntTensor | undefined {
  const constant = sources.constant(name);
  if (constant) return fromHost(constant);
  const node = sources.producer(name);
  if (!node || depth >= MAX_DEPTH || ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx'))
    return undefined;
  const input = (i: number): IntTensor | undefined =>
    node.input[i] ? foldIntegerValue(node.input[i], sources, cache, depth + 1) : undefined;
  const op = node.opType;
  if (BINARY[op]) {
    const [a, b] = [input(0), input(1)];
    if (!a || !b || (op === 'Div' && b.data.includes(0))) return undefined;
    return binary(BINARY[op], a, b);
  }
  switch (op) {
    case 'Identity':
      return input(0);
    case 'Cast': {
      const x = input(0);
      const range = CAST_RANGES[dtypeFromOnnx(attrInt(node, 'to', 0)) ?? ''];
      if (!x || !range) return undefined;
      for (const v of x.data) if (v < range[0] || v > range[1]) return undefined;
      return x;
    }
    case 'Gather': {
      const [data, indices] = [input(0), input(1)];
      return data && indices ? gather(data, indices, attrInt(node, 'axis', 0)) : undefined;
    }
    case 'Reshape': {
      const [data, shape] = [input(0), input(1)];
      return data && shape ? reshape(data, shape, attrInt(node, 'allowzero', 0) === 1) : undefined;
    }
    default:
      return undefined;
  }
}
