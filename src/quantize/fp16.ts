// The fp16 precision, in two modes (settings.fp16):
// - 'weights': float32 weights stored as float16, each followed by a Cast back to float32,
//   so compute stays float32 and every runtime (ONNX Runtime's CPU included) runs it.
// - 'full': the whole graph in float16 with float32 graph inputs and outputs kept (Casts at
//   the boundary); ops that lose accuracy in float16 (FP16_KEEP_FLOAT32_OPS), ops of other
//   domains and ops with subgraphs stay float32 behind Casts; constants are clamped to the
//   float16 range with a warning naming them.
//   const { model } = await transformFp16(context);
//
// ONNX Runtime's CPU provider has float16 kernels for few compute ops (LayerNormalization,
// Cast, data movement); it runs the others in float32 behind Casts it inserts and then
// drops float32→float16→float32 Cast pairs, so on that runtime a 'full' graph rounds to
// float16 only where such a kernel sits. Where a value leaves the float16 range there, the
// output holds inf/NaN and verification fails on its nan/inf bounds.

import path from 'node:path';
import { UserError } from '../errors.js';
import { Graph, outerScopeNames } from '../onnx/graph.js';
import { cloneModel } from '../onnx/clone.js';
import { onnx, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto/index.js';
import { tensorElementCount, tensorFromProto } from '../onnx/tensor.js';
import {
  defaultOpset,
  mainGraph,
  makeAttribute,
  makeNode,
  NameAllocator,
  removeUnusedNodes,
  renameReads,
} from './graph-rewrite.js';
import type { TransformContext, TransformResult } from './types.js';
import { inferValueDtypes } from './value-dtypes.js';

const FLOAT = 1;
const FLOAT16 = 10;

/** Largest finite float16. */
export const FP16_MAX = 65504;
/** Smallest positive (subnormal) float16, 2^-24. */
export const FP16_MIN_POSITIVE = 2 ** -24;

/** Constants with fewer elements stay float32 in 'weights' mode (scalars such as epsilons). */
const WEIGHT_MIN_ELEMENTS = 16;

/**
 * Ops kept in float32 by 'full' mode, with Casts around them.
 * - Reductions and running sums: a float16 sum overflows past 65504 and keeps 11
 *   significant bits, so sums over thousands of elements lose most of their accuracy.
 * - Pow and Exp overflow on ordinary activations: x² > 65504 for |x| > 256 (RMSNorm's
 *   Pow → ReduceMean), exp(x) for x > 11.1.
 * - Index and coordinate arithmetic: float16 holds integers exactly only up to 2048
 *   (Range over positions); Resize/Upsample take float32-only scales.
 * - Random generators and signal ops (dtype attributes, float32 results) and quantization
 *   ops (float32 scales before opset 19).
 * - Ops with subgraphs: their bodies read outer values by name and keep their own types.
 * Softmax and LayerNormalization stay float16: both normalise internally (LayerNormalization
 * computes in float32 by its stash_type; ONNX Runtime's float16 Softmax subtracts the max).
 */
export const FP16_KEEP_FLOAT32_OPS: ReadonlySet<string> = new Set([
  'ReduceSum',
  'ReduceSumSquare',
  'ReduceMean',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'CumSum',
  'Pow',
  'Exp',
  'Range',
  'Resize',
  'Upsample',
  'RoiAlign',
  'NonMaxSuppression',
  'GridSample',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'If',
  'Loop',
  'Scan',
  'TfIdfVectorizer',
  'STFT',
  'DFT',
  'MelWeightMatrix',
  'HannWindow',
  'HammingWindow',
  'BlackmanWindow',
]);

/** Ops that read their (first) input whatever its float type: no Cast is put in front of them. */
const TYPE_AGNOSTIC_READERS = new Set(['Shape', 'Size', 'Cast']);

export interface Fp16Bits {
  bits: Uint16Array;
  /** Finite values beyond ±65504, set to ±65504. */
  clampedHigh: number;
  /** With `raiseTiny`: non-zero values below 2^-24 in magnitude, set to ±2^-24 instead of 0. */
  raisedLow: number;
  /** Largest finite |value| seen. */
  maxAbs: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → float16 bits, round to nearest even (inf/NaN kept). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Converts float32 values to float16 bits, clamping to the float16 range (see Fp16Bits). */
export function toFloat16Clamped(values: ArrayLike<number>, raiseTiny = false): Fp16Bits {
  const bits = new Uint16Array(values.length);
  let clampedHigh = 0;
  let raisedLow = 0;
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    const a = Math.abs(v);
    if (Number.isFinite(v)) {
      if (a > maxAbs) maxAbs = a;
      if (a > FP16_MAX) {
        v = Math.sign(v) * FP16_MAX;
        clampedHigh++;
      } else if (raiseTiny && a > 0 && a < FP16_MIN_POSITIVE) {
        v = Math.sign(v) * FP16_MIN_POSITIVE;
        raisedLow++;
      }
    }
    bits[i] = float32ToFloat16Bits(v);
  }
  return { bits, clampedHigh, raisedLow, maxAbs };
}

function float16Tensor(name: string, dims: TensorProto['dims'], bits: Uint16Array): TensorProto {
  return new onnx.TensorProto({
    name,
    dataType: FLOAT16,
    dims: dims.slice(),
    rawData: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength),
  });
}

/** A float32 TensorProto as float16, warning (with `what` naming it) when values were clamped. */
function convertTensor(t: TensorProto, what: string, where: string, warn: (m: string) => void): TensorProto {
  const values = tensorFromProto(t, where).data as Float32Array;
  // Small constants (epsilons, thresholds) keep their sign and stay non-zero; weights round to nearest.
  const c = toFloat16Clamped(values, values.length < WEIGHT_MIN_ELEMENTS);
  if (c.clampedHigh > 0) {
    warn(
      `fp16: ${what} has ${c.clampedHigh} value(s) beyond the float16 range (largest |value| ${c.maxAbs.toPrecision(6)}); clamped to ±${FP16_MAX}.`,
    );
  }
  if (c.raisedLow > 0) {
    warn(
      `fp16: ${what} has ${c.raisedLow} non-zero value(s) below ${FP16_MIN_POSITIVE.toPrecision(3)} in magnitude; stored as ±${FP16_MIN_POSITIVE.toPrecision(3)} instead of 0.`,
    );
  }
  return float16Tensor(t.name, t.dims, c.bits);
}

function withinFloat16Range(t: TensorProto, where: string): boolean {
  const values = tensorFromProto(t, where).data as Float32Array;
  for (let i = 0; i < values.length; i++)
    if (Math.abs(values[i]) > FP16_MAX && Number.isFinite(values[i])) return false;
  return true;
}

function castNode(input: string, output: string, to: number, name: string): NodeProto {
  return makeNode('Cast', [input], [output], name, { to: { int: to } });
}

export interface Fp16Options {
  /** Model file name for messages. */
  where: string;
  warn(message: string): void;
}

/**
 * 'weights' mode: every float32 constant of at least 16 elements is stored as float16 and
 * cast back to float32 where it was defined. Constants with values beyond the float16 range
 * stay float32 (with a warning), so the graph computes what the source computes up to the
 * rounding of its weights.
 */
export function storeWeightsAsFp16(source: ModelProto, options: Fp16Options): ModelProto {
  const model = cloneModel(source);
  const graph = mainGraph(model);
  const names = new NameAllocator(graph);
  const convertible = (t: TensorProto): boolean => {
    if (t.dataType !== FLOAT || tensorElementCount(t) < WEIGHT_MIN_ELEMENTS) return false;
    if (withinFloat16Range(t, options.where)) return true;
    options.warn(`fp16: "${t.name}" has values beyond ±${FP16_MAX}; kept in float32.`);
    return false;
  };
  const stored = (t: TensorProto, name: string): TensorProto =>
    float16Tensor(
      name,
      t.dims,
      toFloat16Clamped(tensorFromProto(t, options.where).data as Float32Array).bits,
    );
  const nodes: NodeProto[] = [];
  const converted = new Set<string>();
  graph.initializer = graph.initializer.map((t) => {
    if (!convertible(t as TensorProto)) return t;
    const name = names.fresh(`${t.name}_fp16`);
    nodes.push(castNode(name, t.name, FLOAT, names.fresh(`${t.name}/cast_to_fp32`)));
    converted.add(t.name);
    return stored(t as TensorProto, name);
  });
  // Initializers listed as graph inputs (older IR versions) become plain constants.
  graph.input = graph.input.filter((v) => !converted.has(v.name));
  for (const node of graph.node as NodeProto[]) {
    nodes.push(node);
    if (node.opType !== 'Constant' || !isDefaultDomain(node)) continue;
    const attr = node.attribute[0];
    const t = attr?.name === 'value' ? (attr.t as TensorProto | undefined) : undefined;
    if (!t || !convertible(t)) continue;
    const out = node.output[0];
    const name = names.fresh(`${out}_fp16`);
    node.attribute = [makeAttribute('value', { tensor: stored(t, name) })];
    node.output = [name];
    nodes.push(castNode(name, out, FLOAT, names.fresh(`${out}/cast_to_fp32`)));
  }
  graph.node = nodes;
  return model;
}

function isDefaultDomain(node: NodeProto): boolean {
  return (node.domain ?? '') === '' || node.domain === 'ai.onnx';
}

function hasSubgraph(node: NodeProto): boolean {
  return node.attribute.some((a) => a.g || (a.graphs ?? []).length > 0);
}

/** Outputs that stay float32 whatever the op's input type (LayerNormalization's Mean/InvStdDev). */
function keepsFloat32Output(node: NodeProto, index: number): boolean {
  return index > 0 && (node.opType === 'LayerNormalization' || node.opType === 'BatchNormalization');
}

/**
 * 'full' mode: see the module comment. Values of other element types are never touched;
 * graph inputs and outputs keep float32; value_info follows the new types.
 */
export function convertGraphToFp16(source: ModelProto, options: Fp16Options): ModelProto {
  const model = cloneModel(source);
  const gp = mainGraph(model);
  const graph = new Graph(gp, options.where);
  const dtypes = inferValueDtypes(graph, defaultOpset(model));
  const isFloat32 = (v: string): boolean => !!v && dtypes.get(v) === 'float32';
  // A node reading a value of unknown element type (the output of another domain's op
  // without value_info) stays float32 too: its type constraints cannot be checked.
  const keepsFloat32 = (n: NodeProto): boolean =>
    FP16_KEEP_FLOAT32_OPS.has(n.opType) ||
    !isDefaultDomain(n) ||
    hasSubgraph(n) ||
    n.input.some((i) => i && !dtypes.has(i));
  const order = graph.topologicalOrder();
  const consumers = graph.consumers();
  const names = new NameAllocator(gp);

  // 1. Which float32 values become float16: outputs of converted nodes, and constants that
  //    a converted node reads.
  const half = new Set<string>();
  for (const node of order) {
    if (node.opType === 'Constant' || keepsFloat32(node)) continue;
    node.output.forEach((o, i) => {
      if (isFloat32(o) && !keepsFloat32Output(node, i)) half.add(o);
    });
  }
  for (const [name, t] of graph.constants()) {
    if (t.dataType !== FLOAT) continue;
    if ((consumers.get(name) ?? []).some((n) => !keepsFloat32(n) && !TYPE_AGNOSTIC_READERS.has(n.opType)))
      half.add(name);
  }

  // 2. Constants.
  gp.initializer = gp.initializer.map((t) =>
    half.has(t.name)
      ? convertTensor(t as TensorProto, `initializer "${t.name}"`, options.where, options.warn)
      : (t as TensorProto),
  );
  for (const node of order) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node) || !half.has(node.output[0])) continue;
    const tensor = graph.constant(node.output[0])!;
    const converted = convertTensor(tensor, `constant "${node.output[0]}"`, options.where, options.warn);
    node.attribute = [makeAttribute('value', { tensor: converted })];
  }
  for (const v of [...gp.input, ...gp.valueInfo]) {
    if (half.has(v.name) && v.type?.tensorType) v.type.tensorType.elemType = FLOAT16;
  }

  // 3. Nodes, with Casts where a float32 value meets a float16 node and back.
  const toHalf = new Map<string, string>();
  const toFloat = new Map<string, string>();
  const nodes: NodeProto[] = [];
  const cast = (value: string, to: number): string => {
    const cache = to === FLOAT16 ? toHalf : toFloat;
    let out = cache.get(value);
    if (!out) {
      out = names.fresh(`${value}/${to === FLOAT16 ? 'fp16' : 'fp32'}`);
      nodes.push(
        castNode(value, out, to, names.fresh(`${value}/cast_to_${to === FLOAT16 ? 'fp16' : 'fp32'}`)),
      );
      cache.set(value, out);
    }
    return out;
  };
  for (const node of order) {
    if (node.opType !== 'Constant' && keepsFloat32(node)) {
      node.input = node.input.map((i) => (half.has(i) ? cast(i, FLOAT) : i));
      for (const outer of outerScopeNames(node)) {
        if (!half.has(outer)) continue;
        const replacement = cast(outer, FLOAT);
        for (const a of node.attribute)
          for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) renameReads(sub, outer, replacement);
      }
    } else if (node.opType !== 'Constant') {
      node.input = node.input.map((input, i) =>
        isFloat32(input) && !half.has(input) && !(i === 0 && TYPE_AGNOSTIC_READERS.has(node.opType))
          ? cast(input, FLOAT16)
          : input,
      );
      retypeAttributes(node, half, options);
    }
    nodes.push(node);
  }
  gp.node = nodes;

  // 4. Graph outputs stay float32: the float16 value is renamed and cast back.
  for (const out of gp.output) {
    if (!half.has(out.name)) continue;
    const inner = names.fresh(`${out.name}/fp16`);
    for (const n of gp.node) n.output = n.output.map((o) => (o === out.name ? inner : o));
    for (const t of gp.initializer) if (t.name === out.name) t.name = inner;
    for (const v of gp.valueInfo) if (v.name === out.name) v.name = inner;
    renameReads(gp, out.name, inner);
    gp.node.push(castNode(inner, out.name, FLOAT, names.fresh(`${out.name}/cast_to_fp32`)));
  }
  removeUnusedNodes(gp);
  return model;
}

/** Attributes that fix a float32 result type (Cast to, ConstantOfShape value, EyeLike dtype) follow the conversion. */
function retypeAttributes(node: NodeProto, half: Set<string>, options: Fp16Options): void {
  if (!half.has(node.output[0])) return;
  const label = `node "${node.name || node.opType}"`;
  switch (node.opType) {
    case 'Cast':
    case 'EyeLike': {
      const key = node.opType === 'Cast' ? 'to' : 'dtype';
      const a = node.attribute.find((x) => x.name === key);
      if (a && Number(a.i) === FLOAT) a.i = FLOAT16;
      break;
    }
    case 'ConstantOfShape': {
      const a = node.attribute.find((x) => x.name === 'value');
      const t = a?.t as TensorProto | undefined;
      const converted = t
        ? convertTensor(t, `${label}'s value`, options.where, options.warn)
        : float16Tensor('', [1], Uint16Array.of(0));
      node.attribute = [
        ...node.attribute.filter((x) => x.name !== 'value'),
        makeAttribute('value', { tensor: converted }),
      ];
      break;
    }
  }
}

/** The fp16 transform the registry runs: 'weights' or 'full' by settings.fp16. */
export async function transformFp16(context: TransformContext): Promise<TransformResult> {
  const options: Fp16Options = {
    where: path.basename(context.source.path),
    warn: (m) => context.warn(m),
  };
  const opset = defaultOpset(context.source.proto);
  if (opset < 6) {
    throw new UserError(
      `${options.where}: fp16 needs ai.onnx opset 6 or later (Cast with a numeric "to"); the model imports opset ${opset}. Re-export it with a newer opset.`,
    );
  }
  const model =
    context.settings.fp16 === 'full'
      ? convertGraphToFp16(context.source.proto, options)
      : storeWeightsAsFp16(context.source.proto, options);
  return { model };
}
