// Finds the quantized weights of a transformed ONNX graph, as the shared quantizers write
// them, and reads out their codes, scales and zero points exactly as stored — the emitter
// writes them again in OpenVINO's compressed-weight pattern, never re-quantizing:
// - DequantizeLinear of constant int8/uint8 (per tensor or per axis) and int4/uint4/int2/uint2
//   (block-wise, block_size along axis);
// - Mul(Sub(Cast(codes), zero point), scale), with Reshape after the Cast: int8's form for
//   opsets before 13 and the n-bit unpack subgraph, whose codes (bytes packed at any width,
//   unpacked by Gather/Div/…) are folded to integers here (integer-folding.ts); the unpack's
//   trailing Reshape → Gather → Transpose → Reshape back to the weight's layout is absorbed.
// A weight is described as N columns of K codes in blocks (OpenVINO's [N, K/group, group]
// layout), and how its value lays them out: [outer, K, inner] reshaped to `dims`.
//   const weights = findCompressedWeights(view, 'model.onnx'); // value name → CompressedWeight

import type { HostTensor } from '../../onnx/dtype.js';
import { int64ToNumber, type NodeProto } from '../../onnx/proto/index.js';
import { float16BitsToNumber } from '../../onnx/tensor.js';
import { foldIntegerValue, resolveReshapeDims, type IntTensor } from './integer-folding.js';

/** Element types a compressed weight is stored in (2- and 3-bit codes widen to 4 bits). */
export type CodeElement = 'u8' | 'i8' | 'u4' | 'i4';

export interface CompressedWeight {
  /** The ONNX value this weight stands for. */
  name: string;
  /** Base for layer names (the weight's name where the graph keeps it). */
  label: string;
  element: CodeElement;
  /** Columns: N of them, K codes each, in blocks of blockSize sharing a scale (and zero point). */
  N: number;
  K: number;
  blockSize: number;
  blocks: number;
  /** codes[n·K + k]. */
  codes: Int16Array;
  /** scales[n·blocks + b]. */
  scales: Float32Array;
  /** zeroPoints[n·blocks + b]; absent when every one is 0. */
  zeroPoints?: Int16Array;
  /** The value is [outer, K, inner] (column n = o·inner + i) reshaped to dims. */
  outer: number;
  inner: number;
  dims: number[];
  /** Bits of the codes as the graph stored them, when fewer than the element holds and not 4. */
  sourceBits?: number;
}

/** What the recognizer needs to know about one graph (the model's or an If body's). */
export interface GraphView {
  nodes: readonly NodeProto[];
  producer(name: string): NodeProto | undefined;
  constant(name: string): HostTensor | undefined;
  /** Readers of a value: node inputs, subgraph reads and graph outputs. */
  readerCount(name: string): number;
  /** The nodes of this graph that read a value. */
  consumers(name: string): readonly NodeProto[];
}

const FLOAT = 1;
const ELEMENT_OF_DTYPE: Partial<Record<string, { element: CodeElement; bits: number }>> = {
  int8: { element: 'i8', bits: 8 },
  uint8: { element: 'u8', bits: 8 },
  int4: { element: 'i4', bits: 4 },
  uint4: { element: 'u4', bits: 4 },
  int2: { element: 'i4', bits: 2 },
  uint2: { element: 'u4', bits: 2 },
};

function isDefaultDomain(node: NodeProto): boolean {
  return (node.domain ?? '') === '' || node.domain === 'ai.onnx';
}

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? int64ToNumber(a.i) : fallback;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** A float constant's values (float32 or float16), or undefined. */
function floatValues(view: GraphView, name: string): { dims: number[]; data: Float32Array } | undefined {
  const t = view.constant(name);
  if (!t) return undefined;
  if (t.dtype === 'float32') return { dims: [...t.dims], data: t.data as Float32Array };
  if (t.dtype === 'float16')
    return {
      dims: [...t.dims],
      data: Float32Array.from(t.data as Uint16Array, (b) => float16BitsToNumber(b)),
    };
  return undefined;
}

/** Base name for layers: the weight's name without the suffixes the quantizers add. */
function labelOf(name: string): string {
  return name.replace(/(_dequantized|_quantized|_q\d|_scales?)$/, '') || name;
}

/** Storage element for integer codes and zero points by their range; undefined beyond 8 bits. */
function elementForRange(values: Iterable<number>): CodeElement | undefined {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0) return hi <= 15 ? 'u4' : hi <= 255 ? 'u8' : undefined;
  return lo >= -8 && hi <= 7 ? 'i4' : lo >= -128 && hi <= 127 ? 'i8' : undefined;
}

interface Layout {
  outer: number;
  K: number;
  inner: number;
  blocks: number;
  blockSize: number;
}

/**
 * Columns of codes from a row-major [outer, K, inner] tensor, with scales and zero points
 * given row-major as [outer, blocks, inner] (`at` maps that index into their data).
 */
function toColumns(
  codes: ArrayLike<number>,
  l: Layout,
  scaleAt: (j: number) => number,
  zeroAt: ((j: number) => number) | undefined,
): Pick<
  CompressedWeight,
  'N' | 'K' | 'blocks' | 'blockSize' | 'outer' | 'inner' | 'codes' | 'scales' | 'zeroPoints'
> {
  const N = l.outer * l.inner;
  const columns = new Int16Array(N * l.K);
  const scales = new Float32Array(N * l.blocks);
  const zeros = zeroAt ? new Int16Array(N * l.blocks) : undefined;
  for (let o = 0; o < l.outer; o++) {
    for (let i = 0; i < l.inner; i++) {
      const n = o * l.inner + i;
      for (let k = 0; k < l.K; k++) columns[n * l.K + k] = codes[(o * l.K + k) * l.inner + i];
      for (let b = 0; b < l.blocks; b++) {
        const j = (o * l.blocks + b) * l.inner + i;
        scales[n * l.blocks + b] = scaleAt(j);
        if (zeros) zeros[n * l.blocks + b] = zeroAt!(j);
      }
    }
  }
  const zeroPoints = zeros && zeros.some((z) => z !== 0) ? zeros : undefined;
  return {
    N,
    K: l.K,
    blocks: l.blocks,
    blockSize: l.blockSize,
    outer: l.outer,
    inner: l.inner,
    codes: columns,
    scales,
    zeroPoints,
  };
}

/**
 * The layout of codes `dims` whose scales have `scaleDims` (same rank, NumPy-broadcast):
 * per tensor, per first axis, per last axis, or grouped [N, blocks, group] with [N, blocks, 1].
 */
function broadcastLayout(dims: readonly number[], scaleDims: readonly number[]): Layout | undefined {
  const r = dims.length;
  const total = product(dims);
  const ones = (from: number, to: number): boolean => scaleDims.slice(from, to).every((d) => d === 1);
  if (scaleDims.length !== r || total === 0) return undefined;
  if (ones(0, r)) return { outer: 1, K: total, inner: 1, blocks: 1, blockSize: total };
  if (scaleDims[0] === dims[0] && ones(1, r))
    return { outer: dims[0], K: total / dims[0], inner: 1, blocks: 1, blockSize: total / dims[0] };
  if (r >= 2 && scaleDims[r - 1] === dims[r - 1] && ones(0, r - 1))
    return {
      outer: 1,
      K: total / dims[r - 1],
      inner: dims[r - 1],
      blocks: 1,
      blockSize: total / dims[r - 1],
    };
  if (r === 3 && scaleDims[0] === dims[0] && scaleDims[1] === dims[1] && scaleDims[2] === 1)
    return { outer: dims[0], K: dims[1] * dims[2], inner: 1, blocks: dims[1], blockSize: dims[2] };
  return undefined;
}

function padRank(dims: readonly number[], rank: number): number[] {
  return [...new Array<number>(Math.max(rank - dims.length, 0)).fill(1), ...dims];
}

/** DequantizeLinear of constants: per tensor, per axis, or block-wise along axis. */
function fromDequantizeLinear(node: NodeProto, view: GraphView): CompressedWeight | undefined {
  const x = view.constant(node.input[0]);
  const storage = x ? ELEMENT_OF_DTYPE[x.dtype] : undefined;
  const scale = floatValues(view, node.input[1] ?? '');
  if (!x || !storage || !scale) return undefined;
  const zp = node.input[2] ? view.constant(node.input[2]) : undefined;
  if (node.input[2] && (!zp || zp.dtype !== x.dtype)) return undefined;
  const dims = [...x.dims];
  const r = dims.length;
  const rawAxis = attrInt(node, 'axis', 1);
  const axis = rawAxis < 0 ? rawAxis + r : rawAxis;
  const blockSize = attrInt(node, 'block_size', 0);
  let layout: Layout | undefined;
  if (scale.dims.length === 0 || product(scale.dims) === 1) {
    layout = broadcastLayout(
      dims,
      dims.map(() => 1),
    );
  } else if (blockSize > 0) {
    if (axis < 0 || axis >= r || scale.dims.length !== r) return undefined;
    const blocks = Math.ceil(dims[axis] / blockSize);
    if (scale.dims.some((d, i) => d !== (i === axis ? blocks : dims[i]))) return undefined;
    layout = {
      outer: product(dims.slice(0, axis)),
      K: dims[axis],
      inner: product(dims.slice(axis + 1)),
      blocks,
      blockSize,
    };
  } else {
    if (axis < 0 || axis >= r || scale.dims.length !== 1 || scale.dims[0] !== dims[axis]) return undefined;
    layout = broadcastLayout(
      dims,
      dims.map((d, i) => (i === axis ? d : 1)),
    );
  }
  if (!layout) return undefined;
  const zpData = zp?.data as ArrayLike<number> | undefined;
  const perTensor = product(scale.dims) === 1;
  const columns = toColumns(
    x.data as ArrayLike<number>,
    layout,
    (j) => scale.data[perTensor ? 0 : j],
    zpData ? (j) => zpData[perTensor ? 0 : j] : undefined,
  );
  return {
    name: node.output[0],
    label: labelOf(node.input[0]),
    element: storage.element,
    ...columns,
    dims,
    ...(storage.bits !== 8 && storage.bits !== 4 ? { sourceBits: storage.bits } : {}),
  };
}

function castsToFloat(node: NodeProto | undefined): node is NodeProto {
  return node?.opType === 'Cast' && isDefaultDomain(node) && attrInt(node, 'to', 0) === FLOAT;
}

/** Integer values a zero-point input stands for: a float constant of whole numbers, or Cast(integer constant). */
function zeroPointValues(
  name: string,
  view: GraphView,
  cache: Map<string, IntTensor | undefined>,
): IntTensor | undefined {
  const f = floatValues(view, name);
  if (f) {
    const data = new Int32Array(f.data.length);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(f.data[i])) return undefined;
      data[i] = f.data[i];
    }
    return { dims: f.dims, data };
  }
  const cast = view.producer(name);
  return castsToFloat(cast) ? foldIntegerValue(cast.input[0], view, cache) : undefined;
}

/** Mul(Sub(codes, zero point) | codes, scale) with codes = [Reshape](Cast to float(integers from constants)). */
function fromDequantizeExpression(
  node: NodeProto,
  view: GraphView,
  cache: Map<string, IntTensor | undefined>,
): CompressedWeight | undefined {
  for (const [scaleInput, valueInput] of [
    [1, 0],
    [0, 1],
  ]) {
    const scale = floatValues(view, node.input[scaleInput] ?? '');
    if (!scale) continue;
    let value = node.input[valueInput];
    let zero: IntTensor | undefined;
    const sub = view.producer(value);
    if (sub?.opType === 'Sub' && isDefaultDomain(sub)) {
      zero = zeroPointValues(sub.input[1], view, cache);
      if (!zero) return undefined;
      value = sub.input[0];
    }
    let producer = view.producer(value);
    let reshapeTo: IntTensor | undefined;
    if (producer?.opType === 'Reshape' && isDefaultDomain(producer)) {
      reshapeTo = foldIntegerValue(producer.input[1], view, cache);
      if (!reshapeTo) return undefined;
      producer = view.producer(producer.input[0]);
    }
    if (!castsToFloat(producer)) return undefined;
    const codes = foldIntegerValue(producer.input[0], view, cache);
    if (!codes) return undefined;
    const dims = reshapeTo ? resolveReshapeDims(codes.dims, Array.from(reshapeTo.data), false) : codes.dims;
    if (!dims) return undefined;
    const rank = Math.max(dims.length, scale.dims.length, zero?.dims.length ?? 0);
    const codeDims = padRank(dims, rank);
    const scaleDims = padRank(scale.dims, rank);
    const layout = broadcastLayout(codeDims, scaleDims);
    if (!layout || (zero && product(zero.dims) !== 1 && padRank(zero.dims, rank).join() !== scaleDims.join()))
      return undefined;
    const zeroData = zero?.data;
    const element = elementForRange([
      ...elementRange(codes.data),
      ...(zeroData ? elementRange(zeroData) : []),
    ]);
    if (!element) return undefined;
    const columns = toColumns(
      codes.data,
      layout,
      (j) => scale.data[scale.data.length === 1 ? 0 : j],
      zeroData ? (j) => zeroData[zeroData.length === 1 ? 0 : j] : undefined,
    );
    return { name: node.output[0], label: labelOf(node.input[scaleInput]), element, ...columns, dims };
  }
  return undefined;
}

/** Smallest and largest value (what elementForRange needs, without copying a large array). */
function elementRange(data: Int32Array): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The node reading `name` when it is the only reader and of type `opType`. */
function soleReader(view: GraphView, name: string, opType: string): NodeProto | undefined {
  if (view.readerCount(name) !== 1) return undefined;
  const [node] = view.consumers(name);
  return node && node.opType === opType && isDefaultDomain(node) ? node : undefined;
}

function constantInts(view: GraphView, name: string | undefined): number[] | undefined {
  const t = name ? view.constant(name) : undefined;
  if (!t || Array.isArray(t.data) || !['int64', 'int32'].includes(t.dtype)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

/**
 * The unpack subgraph's way back to the weight's layout, absorbed: [N, span] columns →
 * Reshape [outer, inner, span] → (Gather the first K along axis 2) → Transpose [0, 2, 1] →
 * Reshape to the weight's dims. Returns the weight ending at the last Reshape, or undefined.
 */
function throughUnpackTail(w: CompressedWeight, view: GraphView): CompressedWeight | undefined {
  if (w.inner !== 1) return undefined;
  const first = soleReader(view, w.name, 'Reshape');
  const shape = constantInts(view, first?.input[1]);
  if (!first || !shape || shape.length !== 3 || shape[0] * shape[1] !== w.N || shape[2] !== w.K)
    return undefined;
  let value = first.output[0];
  let K = w.K;
  const gather = view.consumers(value)[0];
  if (gather?.opType === 'Gather' && view.readerCount(value) === 1) {
    const keep = constantInts(view, gather.input[1]);
    const axis = attrInt(gather, 'axis', 0);
    if (!keep || (axis !== 2 && axis !== -1) || keep.some((k, i) => k !== i)) return undefined;
    K = keep.length;
    if (K > w.blocks * w.blockSize || K <= (w.blocks - 1) * w.blockSize) return undefined;
    value = gather.output[0];
  }
  const transpose = soleReader(view, value, 'Transpose');
  const perm = transpose?.attribute.find((a) => a.name === 'perm')?.ints?.map(Number);
  if (!transpose || perm?.join() !== '0,2,1') return undefined;
  const last = soleReader(view, transpose.output[0], 'Reshape');
  const target = constantInts(view, last?.input[1]);
  const [outer, inner] = shape;
  const dims = target && resolveReshapeDims([outer, K, inner], target, attrInt(last!, 'allowzero', 0) === 1);
  if (!last || !dims) return undefined;
  let codes = w.codes;
  if (K < w.K) {
    codes = new Int16Array(w.N * K);
    for (let n = 0; n < w.N; n++) codes.set(w.codes.subarray(n * w.K, n * w.K + K), n * K);
  }
  return { ...w, name: last.output[0], K, codes, outer, inner, dims };
}

/** A Reshape to constant dims that only this weight feeds, absorbed (element order is unchanged). */
function throughReshape(w: CompressedWeight, view: GraphView): CompressedWeight | undefined {
  const reshape = soleReader(view, w.name, 'Reshape');
  const target = constantInts(view, reshape?.input[1]);
  const dims = target && resolveReshapeDims(w.dims, target, attrInt(reshape!, 'allowzero', 0) === 1);
  return reshape && dims ? { ...w, name: reshape.output[0], dims } : undefined;
}

/**
 * Every compressed weight of one graph, by the ONNX value that carries its float32 value
 * (nodes between the constants and that value are no longer needed to emit it).
 */
export function findCompressedWeights(view: GraphView): Map<string, CompressedWeight> {
  const found = new Map<string, CompressedWeight>();
  const cache = new Map<string, IntTensor | undefined>();
  for (const node of view.nodes) {
    if (!isDefaultDomain(node)) continue;
    let w: CompressedWeight | undefined;
    if (node.opType === 'DequantizeLinear') w = fromDequantizeLinear(node, view);
    else if (node.opType === 'Mul') w = fromDequantizeExpression(node, view, cache);
    if (!w) continue;
    w = throughUnpackTail(w, view) ?? w;
    for (let next = throughReshape(w, view); next; next = throughReshape(w, view)) w = next;
    found.set(w.name, w);
  }
  return found;
}
