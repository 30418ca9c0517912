// The int8 precision, in three modes (settings.int8), over the weights findQuantizableWeights
// finds (MatMul, Gemm with either transB, Conv, Gather tables, tied LM heads):
// - 'weights': weights stored per output channel as int8 (symmetric) or uint8 with zero
//   points (asymmetric), dequantized in the graph (DequantizeLinear with axis at opset ≥ 13,
//   else Cast → Sub → Mul, which every opset has); compute stays float32.
// - 'dynamic': as ONNX Runtime's quantize_dynamic — activations quantized at run time
//   (DynamicQuantizeLinear) feeding MatMulInteger / ConvInteger, then one float Mul by the
//   activation scale × per-channel weight scales; Gemm becomes MatMul + Add.
// - 'static': QDQ — QuantizeLinear/DequantizeLinear on the activations entering those ops,
//   with scales from the calibration samples' ranges, and dequantized weights.
// A weight used by several ops (an embedding tied to the LM head) is stored once.
//   const { model } = await transformInt8(context);

import path from 'node:path';
import { UserError } from '../errors.js';
import { cloneModel } from '../onnx/clone.js';
import { Graph, outerScopeNames } from '../onnx/graph.js';
import {
  int64ToNumber,
  onnx,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../onnx/proto/index.js';
import { tensorFromProto, tensorToProto } from '../onnx/tensor.js';
import { collectActivationRanges, type ActivationRange } from './activation-ranges.js';
import {
  defaultOpset,
  mainGraph,
  makeNode,
  NameAllocator,
  removeUnusedNodes,
  setDefaultOpset,
  spliceNodes,
  type AttributeValue,
  type TypedGraph,
} from './graph-rewrite.js';
import { firstUpgradeBlocker, irVersionForOpset } from '../onnx/opset-upgrade.js';
import type { Int8Mode, TransformContext, TransformResult } from './types.js';
import { findQuantizableWeights, type QuantizableWeight, type WeightUseSite } from './weights.js';

const FLOAT = 1;

export type Int8Storage = 'int8' | 'uint8';

/** A tensor quantized per channel along `axis`: value = (q − zeroPoint[c]) × scale[c]. */
export interface PerChannelQuantized {
  dtype: Int8Storage;
  dims: number[];
  axis: number;
  values: Int8Array | Uint8Array;
  scales: Float32Array;
  zeroPoints: Int8Array | Uint8Array;
}

export interface PerChannelOptions {
  /** Symmetric: zero maps to the middle code (int8: 0, uint8: 128), ±max|w| to ±127. */
  symmetric: boolean;
  dtype: Int8Storage;
}

/** Round half to even, as QuantizeLinear rounds. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function layout(dims: readonly number[], axis: number): { outer: number; channels: number; inner: number } {
  const prod = (a: readonly number[]): number => a.reduce((x, y) => x * y, 1);
  return { outer: prod(dims.slice(0, axis)), channels: dims[axis], inner: prod(dims.slice(axis + 1)) };
}

/**
 * Per-channel round-to-nearest quantization. Asymmetric ranges always include 0, so zero
 * (padding, pruned weights) is exact; a channel of zeros gets scale 1.
 */
export function quantizePerChannel(
  data: Float32Array,
  dims: readonly number[],
  axis: number,
  options: PerChannelOptions,
): PerChannelQuantized {
  const { outer, channels, inner } = layout(dims, axis);
  const [qmin, qmax] = options.dtype === 'int8' ? [-128, 127] : [0, 255];
  const lo = new Float64Array(channels).fill(0);
  const hi = new Float64Array(channels).fill(0);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        const v = data[base + i];
        if (v < lo[c]) lo[c] = v;
        if (v > hi[c]) hi[c] = v;
      }
    }
  }
  const scales = new Float32Array(channels);
  const zeroPoints = options.dtype === 'int8' ? new Int8Array(channels) : new Uint8Array(channels);
  for (let c = 0; c < channels; c++) {
    let scale: number;
    let zp: number;
    if (options.symmetric) {
      scale = Math.max(-lo[c], hi[c]) / 127;
      zp = options.dtype === 'int8' ? 0 : 128;
    } else {
      scale = (hi[c] - lo[c]) / (qmax - qmin);
      zp = scale > 0 ? Math.min(qmax, Math.max(qmin, roundHalfEven(qmin - lo[c] / scale))) : qmin;
    }
    scales[c] = scale > 0 ? Math.fround(scale) : 1;
    zeroPoints[c] = zp;
  }
  const values = options.dtype === 'int8' ? new Int8Array(data.length) : new Uint8Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const s = scales[c];
      const zp = zeroPoints[c];
      for (let i = 0; i < inner; i++) {
        values[base + i] = Math.min(qmax, Math.max(qmin, roundHalfEven(data[base + i] / s) + zp));
      }
    }
  }
  return { dtype: options.dtype, dims: [...dims], axis, values, scales, zeroPoints };
}

/** (q − zeroPoint) × scale per channel, in float32. */
export function dequantizePerChannel(q: PerChannelQuantized): Float32Array {
  const { outer, channels, inner } = layout(q.dims, q.axis);
  const out = new Float32Array(q.values.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = (q.values[base + i] - q.zeroPoints[c]) * q.scales[c];
    }
  }
  return out;
}

/** uint8 scale and zero point of a per-tensor activation range (the range is widened to include 0). */
export function activationQuantParams(range: ActivationRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, range.min);
  const hi = Math.max(0, range.max);
  const scale = Math.fround((hi - lo) / 255);
  if (!(scale > 0)) return { scale: 1, zeroPoint: 0 };
  return { scale, zeroPoint: Math.min(255, Math.max(0, roundHalfEven(-lo / scale))) };
}

/** Output-channel axis of a weight: Conv's first axis, else the 2-D axis the op does not reduce. */
function channelAxis(w: QuantizableWeight): number {
  return w.sites.some((s) => s.use === 'conv') ? 0 : 1 - w.reductionAxis;
}

/**
 * Gather tables findQuantizableWeights leaves out — those read with constant indices, like
 * GPT-2's position embeddings — quantized per row like other embeddings. Any other reader
 * of such a table gets the dequantized float table.
 */
function otherGatherTables(graph: Graph, known: Set<string>): QuantizableWeight[] {
  const constants = graph.constants();
  const found = new Map<string, QuantizableWeight>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Gather' || ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx')) continue;
    const axis = node.attribute.find((a) => a.name === 'axis');
    if (axis && int64ToNumber(axis.i) !== 0) continue;
    const name = node.input[0];
    const tensor = constants.get(name);
    if (known.has(name) || !tensor || tensor.dataType !== FLOAT || tensor.dims.length !== 2) continue;
    const site: WeightUseSite = { node, use: 'gather', inputIndex: 0, transposed: false };
    const existing = found.get(name);
    if (existing) existing.sites.push(site);
    else {
      const dims = tensor.dims.map((d) => int64ToNumber(d));
      found.set(name, { name, tensor, dims, reductionAxis: 1, sites: [site] });
    }
  }
  return [...found.values()];
}

interface StoredWeight {
  weight: QuantizableWeight;
  q: PerChannelQuantized;
  /** Initializer holding q.values. */
  valuesName: string;
}

/** How dequantized weights are written: DequantizeLinear with axis (opset ≥ 13) or Cast → Sub → Mul. */
type Dequantizer = 'dequantize-linear' | 'cast-mul';

export interface Int8Options {
  mode: Int8Mode;
  symmetric: boolean;
  /** Model file name for messages. */
  where: string;
  warn(message: string): void;
  /** Static mode: activation ranges by value name (from collectActivationRanges). */
  ranges?: Map<string, ActivationRange>;
}

/** The activation values static mode quantizes: the data input of every MatMul/Gemm/Conv with a quantizable weight. */
export function staticActivationNames(model: ModelProto): string[] {
  const graph = new Graph(mainGraph(model), 'model');
  const names = new Set<string>();
  for (const w of findQuantizableWeights(graph)) {
    for (const s of w.sites) if (s.use !== 'gather' && s.node.input[0]) names.add(s.node.input[0]);
  }
  return [...names];
}

/** Collects new nodes and initializers, then splices them into the graph in one go. */
class Int8Rewriter {
  readonly graph: TypedGraph;
  readonly names: NameAllocator;
  readonly drop = new Set<NodeProto>();
  private readonly head: NodeProto[] = [];
  private readonly before = new Map<NodeProto, NodeProto[]>();
  private readonly made = new Map<string, string | string[]>();

  constructor(
    model: ModelProto,
    readonly dequantizer: Dequantizer,
  ) {
    this.graph = mainGraph(model);
    this.names = new NameAllocator(this.graph);
  }

  /** `make()` once per key; later calls return the first result. */
  memo<T extends string | string[]>(key: string, make: () => T): T {
    if (!this.made.has(key)) this.made.set(key, make());
    return this.made.get(key) as T;
  }

  initializer(key: string, base: string, make: (name: string) => TensorProto): string {
    return this.memo(key, () => {
      const name = this.names.fresh(base);
      this.graph.initializer.push(make(name));
      return name;
    });
  }

  floats(key: string, base: string, dims: number[], values: ArrayLike<number>): string {
    return this.initializer(key, base, (n) =>
      tensorToProto(n, { dtype: 'float32', dims, data: Float32Array.from(values) }),
    );
  }

  codes(key: string, base: string, dims: number[], dtype: Int8Storage, values: ArrayLike<number>): string {
    const data = dtype === 'int8' ? Int8Array.from(values) : Uint8Array.from(values);
    return this.initializer(key, base, (n) => tensorToProto(n, { dtype, dims, data }));
  }

  /** Adds a node before `at` (undefined: at the head of the graph); returns its outputs. */
  add(
    at: NodeProto | undefined,
    op: string,
    inputs: string[],
    outputs: string[],
    attributes: Record<string, AttributeValue> = {},
  ): NodeProto {
    const node = makeNode(op, inputs, outputs, this.names.fresh(`${outputs[0]}/${op}`), attributes);
    if (!at) this.head.push(node);
    else (this.before.get(at) ?? this.before.set(at, []).get(at)!).push(node);
    return node;
  }

  /** Like add, with one fresh output named after `base`. */
  value(
    at: NodeProto | undefined,
    op: string,
    inputs: string[],
    base: string,
    attributes: Record<string, AttributeValue> = {},
  ): string {
    return this.add(at, op, inputs, [this.names.fresh(base)], attributes).output[0];
  }

  /** Emits, at the head of the graph, nodes producing the float weight under its original name. */
  dequantize(s: StoredWeight): void {
    const { q } = s;
    const w = s.weight.name;
    const channels = q.dims[q.axis];
    const hasZeroPoint = q.zeroPoints.some((z) => z !== 0);
    if (this.dequantizer === 'dequantize-linear') {
      const inputs = [s.valuesName, this.floats(`${w}:scale`, `${w}_scale`, [channels], q.scales)];
      if (hasZeroPoint)
        inputs.push(this.codes(`${w}:zp`, `${w}_zero_point`, [channels], q.dtype, q.zeroPoints));
      this.add(undefined, 'DequantizeLinear', inputs, [w], { axis: { int: q.axis } });
      return;
    }
    // Per-channel tensors shaped [C, 1, …] so they broadcast along the channel axis.
    const shape = [channels, ...new Array<number>(q.dims.length - 1 - q.axis).fill(1)];
    let value = this.value(undefined, 'Cast', [s.valuesName], `${w}/codes_float`, { to: { int: FLOAT } });
    if (hasZeroPoint) {
      const zp = this.floats(`${w}:zp-float`, `${w}_zero_point`, shape, q.zeroPoints);
      value = this.value(undefined, 'Sub', [value, zp], `${w}/centered`);
    }
    this.add(undefined, 'Mul', [value, this.floats(`${w}:scale-bcast`, `${w}_scale`, shape, q.scales)], [w]);
  }

  /** Drops a constant's initializer, Constant node and graph-input entry (its dequantized value takes the name). */
  removeConstant(name: string): void {
    this.graph.initializer = this.graph.initializer.filter((t) => t.name !== name);
    this.graph.input = this.graph.input.filter((v) => v.name !== name);
    this.graph.node = this.graph.node.filter((n) => !(n.opType === 'Constant' && n.output[0] === name));
  }

  /** True when a node that stays, a subgraph or a graph output reads `name`. */
  stillRead(name: string): boolean {
    if (this.graph.output.some((o) => o.name === name)) return true;
    return this.graph.node.some(
      (n) => !this.drop.has(n) && (n.input.includes(name) || outerScopeNames(n).includes(name)),
    );
  }

  finish(): void {
    this.graph.node = [
      ...this.head,
      ...spliceNodes(this.graph.node, { before: this.before, drop: this.drop }),
    ];
    removeUnusedNodes(this.graph);
  }
}

/** Storage type and symmetry of a weight in a mode. */
function storageFor(w: QuantizableWeight, mode: Int8Mode, symmetric: boolean): PerChannelOptions {
  if (mode === 'dynamic' && w.sites.some((s) => s.use !== 'gather')) {
    // uint8 codes so the integer kernels multiply uint8 × uint8 (a uint8 × int8 pair can
    // saturate 16-bit sums on x86 CPUs without VNNI); ConvInteger takes only a per-tensor
    // weight zero point, so convolution weights are symmetric (zero point 128).
    return { dtype: 'uint8', symmetric: symmetric || w.sites.some((s) => s.use === 'conv') };
  }
  return symmetric ? { dtype: 'int8', symmetric: true } : { dtype: 'uint8', symmetric: false };
}

function numberAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return fallback;
  return a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? fallback) : int64ToNumber(a.i);
}

/** DynamicQuantizeLinear of an activation, once per value, before its first rewritten consumer. */
function dynamicallyQuantized(r: Int8Rewriter, at: NodeProto, a: string): string[] {
  return r.memo(`dql:${a}`, () => {
    const outs = [
      r.names.fresh(`${a}/quantized`),
      r.names.fresh(`${a}/scale`),
      r.names.fresh(`${a}/zero_point`),
    ];
    r.add(at, 'DynamicQuantizeLinear', [a], outs);
    return outs;
  });
}

/**
 * Dynamic mode: replaces a MatMul / Gemm / Conv site by integer kernels, producing the
 * node's output under its name: Y = float(A_q ⊗ W_q) × (a_scale × w_scale[c]) (+ bias).
 */
function rewriteDynamicSite(r: Int8Rewriter, s: StoredWeight, site: WeightUseSite, where: string): void {
  const node = site.node;
  const { q } = s;
  const w = s.weight.name;
  const out = node.output[0];
  const channels = q.dims[q.axis];
  const sameZeroPoint = q.zeroPoints.every((z) => z === q.zeroPoints[0]);
  const weightZeroPoint = sameZeroPoint
    ? r.codes(`${w}:zp-scalar`, `${w}_zero_point`, [], q.dtype, [q.zeroPoints[0]])
    : r.codes(`${w}:zp`, `${w}_zero_point`, [channels], q.dtype, q.zeroPoints);
  const [aq, aScale, aZeroPoint] = dynamicallyQuantized(r, node, node.input[0]);
  const finish = (integer: string, scaleShape: number[], alpha: number, addend: string | undefined): void => {
    const asFloat = r.value(node, 'Cast', [integer], `${out}/float`, { to: { int: FLOAT } });
    const wScale = r.floats(
      `${w}:scale:${scaleShape.length}:${alpha}`,
      `${w}_scale`,
      scaleShape,
      Array.from(q.scales, (x) => x * alpha),
    );
    const scale = r.value(node, 'Mul', [aScale, wScale], `${out}/scale`);
    if (!addend) {
      r.add(node, 'Mul', [asFloat, scale], [out]);
      return;
    }
    const scaled = r.value(node, 'Mul', [asFloat, scale], `${out}/scaled`);
    r.add(node, 'Add', [scaled, addend], [out]);
  };
  const graph = new Graph(r.graph, where);

  if (site.use === 'conv') {
    const conv = r.add(
      node,
      'ConvInteger',
      [aq, s.valuesName, aZeroPoint, weightZeroPoint],
      [r.names.fresh(`${out}/integer`)],
    );
    conv.attribute = node.attribute.slice(); // Conv's attributes are ConvInteger's
    const shape = [channels, ...new Array<number>(q.dims.length - 2).fill(1)];
    let bias: string | undefined;
    if (node.input[2]) {
      const b = graph.constant(node.input[2]);
      bias = b
        ? r.floats(
            `bias:${node.input[2]}`,
            `${node.input[2]}_channels`,
            shape,
            tensorFromProto(b, where).data as Float32Array,
          )
        : r.value(
            node,
            'Reshape',
            [
              node.input[2],
              r.initializer(`shape:${shape}`, `${out}/bias_shape`, (n) =>
                tensorToProto(n, {
                  dtype: 'int64',
                  dims: [shape.length],
                  data: BigInt64Array.from(shape, BigInt),
                }),
              ),
            ],
            `${out}/bias`,
          );
    }
    finish(conv.output[0], shape, 1, bias);
    r.drop.add(node);
    return;
  }
  // MatMul and Gemm multiply by B as [K, N]; a weight stored [N, K] (transposed MatMul
  // head, Gemm transB=1) is transposed once in the graph, on its int8 codes.
  const transpose = site.use === 'gemm' ? q.axis === 0 : site.transposed;
  const b = transpose
    ? r.memo(`transposed:${w}`, () =>
        r.value(undefined, 'Transpose', [s.valuesName], `${w}_quantized_t`, { perm: { ints: [1, 0] } }),
      )
    : s.valuesName;
  const product = r.value(node, 'MatMulInteger', [aq, b, aZeroPoint, weightZeroPoint], `${out}/integer`);
  let addend: string | undefined;
  let alpha = 1;
  if (site.use === 'gemm') {
    alpha = numberAttribute(node, 'alpha', 1);
    const beta = numberAttribute(node, 'beta', 1);
    const c = node.input[2];
    if (c && beta !== 0) {
      const constant = graph.constant(c);
      addend =
        beta === 1
          ? c
          : constant
            ? r.floats(
                `beta:${c}:${beta}`,
                `${c}_times_beta`,
                constant.dims.map((d) => int64ToNumber(d)),
                Array.from(tensorFromProto(constant, where).data as Float32Array, (x) => x * beta),
              )
            : r.value(
                node,
                'Mul',
                [c, r.floats(`scalar:${beta}`, 'gemm_beta', [], [beta])],
                `${c}/times_beta`,
              );
    }
  }
  finish(product, [channels], alpha, addend);
  r.drop.add(node);
}

/** Static mode: QuantizeLinear → DequantizeLinear on a site's activation input, shared per value. */
function quantizeActivation(
  r: Int8Rewriter,
  site: WeightUseSite,
  ranges: Map<string, ActivationRange>,
): void {
  const a = site.node.input[0];
  const range = ranges.get(a);
  if (!range) return;
  site.node.input[0] = r.memo(`qdq:${a}`, () => {
    const { scale, zeroPoint } = activationQuantParams(range);
    const s = r.floats(`act-scale:${a}`, `${a}/scale`, [], [scale]);
    const z = r.codes(`act-zp:${a}`, `${a}/zero_point`, [], 'uint8', [zeroPoint]);
    const quantized = r.value(site.node, 'QuantizeLinear', [a, s, z], `${a}/quantized`);
    return r.value(site.node, 'DequantizeLinear', [quantized, s, z], `${a}/dequantized`);
  });
}

/** Lowest ai.onnx opset each mode's new ops need (per-axis DequantizeLinear needs 13 but has a fallback). */
const MODE_MIN_OPSET: Record<Int8Mode, number> = { weights: 7, static: 10, dynamic: 11 };

/**
 * Raises the opset to 13 (per-axis DequantizeLinear) when no node changes meaning, else to
 * the mode's minimum; a mode whose ops the model's opset cannot hold falls back to weights.
 */
function prepareOpset(
  model: ModelProto,
  graph: Graph,
  options: Int8Options,
): { mode: Int8Mode; dequantizer: Dequantizer } {
  const from = defaultOpset(model);
  let opset = from;
  let blocker: string | undefined;
  for (const to of [13, MODE_MIN_OPSET[options.mode]]) {
    if (opset >= to) continue;
    blocker = firstUpgradeBlocker(graph, from, to);
    if (!blocker) {
      setDefaultOpset(model, to, irVersionForOpset(to));
      opset = to;
    }
  }
  let mode = options.mode;
  if (opset < MODE_MIN_OPSET[mode]) {
    if (mode === 'weights') {
      throw new UserError(
        `${options.where}: int8 needs ai.onnx opset 7 or later; the model imports opset ${from}. Re-export it with a newer opset.`,
      );
    }
    options.warn(
      `int8 ${mode}: ${options.where} imports opset ${from} and cannot be raised to ${MODE_MIN_OPSET[mode]} (${blocker}); weights are quantized without activation quantization (int8: weights).`,
    );
    mode = 'weights';
  }
  return { mode, dequantizer: opset >= 13 ? 'dequantize-linear' : 'cast-mul' };
}

/** The int8 transform on a model (see the module comment); the source is not changed. */
export function quantizeInt8(source: ModelProto, options: Int8Options): ModelProto {
  const model = cloneModel(source);
  const gp = mainGraph(model);
  gp.node = new Graph(gp, options.where).topologicalOrder();
  const graph = new Graph(gp, options.where);
  const weights = findQuantizableWeights(graph);
  weights.push(...otherGatherTables(graph, new Set(weights.map((w) => w.name))));
  if (weights.length === 0) {
    options.warn(
      `int8: ${options.where} has no MatMul, Gemm, Conv or Gather weight to quantize; the graph is unchanged.`,
    );
    return model;
  }
  const { mode, dequantizer } = prepareOpset(model, graph, options);
  const r = new Int8Rewriter(model, dequantizer);
  const stored: StoredWeight[] = weights.map((weight) => {
    const values = tensorFromProto(weight.tensor, options.where).data as Float32Array;
    const q = quantizePerChannel(
      values,
      weight.dims,
      channelAxis(weight),
      storageFor(weight, mode, options.symmetric),
    );
    const valuesName = r.codes(`codes:${weight.name}`, `${weight.name}_quantized`, q.dims, q.dtype, q.values);
    return { weight, q, valuesName };
  });
  const position = new Map(gp.node.map((n, i) => [n, i]));
  const sites = stored
    .flatMap((s) => s.weight.sites.map((site) => ({ s, site })))
    .sort((x, y) => position.get(x.site.node)! - position.get(y.site.node)!);
  for (const { s, site } of sites) {
    if (site.use === 'gather') continue;
    if (mode === 'dynamic') rewriteDynamicSite(r, s, site, options.where);
    else if (mode === 'static') quantizeActivation(r, site, options.ranges ?? new Map());
  }
  for (const s of stored) {
    r.removeConstant(s.weight.name);
    if (r.stillRead(s.weight.name)) r.dequantize(s);
  }
  r.finish();
  return model;
}

/** The int8 transform the registry runs: mode from settings.int8, calibration for 'static'. */
export async function transformInt8(context: TransformContext): Promise<TransformResult> {
  const options: Int8Options = {
    mode: context.settings.int8,
    symmetric: context.settings.symmetric,
    where: path.basename(context.source.path),
    warn: (m) => context.warn(m),
  };
  if (options.mode === 'static') {
    const values = staticActivationNames(context.source.proto);
    options.ranges = await collectActivationRanges(context.source.proto, values, await context.calibration());
  }
  return { model: quantizeInt8(context.source.proto, options) };
}
