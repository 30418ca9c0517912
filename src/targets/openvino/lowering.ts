// What an ONNX → OpenVINO lowering sees: the node, its inputs as IR values (constants turned
// into Const layers on first use, compressed weights into OpenVINO's decompression pattern),
// its attributes, and helpers to add layers and small constants. Lowerings live in
// ops/*.ts, one file per op family, each a table entry { lower, check }.
//   const relu: OpLowering = { lower: (c) => [c.op('ReLU', [c.input(0)])] };

import { UserError } from '../../errors.js';
import type { HostTensor } from '../../onnx/dtype.js';
import { elementCount } from '../../onnx/dtype.js';
import { encodeRawData, numberToFloat16Bits, tensorFromProto } from '../../onnx/tensor.js';
import {
  int64ToNumber,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
} from '../../onnx/proto/index.js';
import { DecompressedWeight } from './decompression.js';
import { ovElementType, type OvElementType } from './element-types.js';
import type { AttrValue, IrGraphBuilder, OvValue } from './ir-graph.js';
import type { CompressedWeight } from './weight-patterns.js';

/** Most elements a Const keeps as known values for shape inference. */
const MAX_KNOWN_VALUES = 64;

export interface EmitSettings {
  /** The model file, for messages. */
  where: string;
  /** ai.onnx opset of the model. */
  opset: number;
  warn(message: string): void;
}

/** An If body emitted into its own graph: Results in order, and outer values it reads. */
export interface BodyEmission {
  builder: IrGraphBuilder;
  results: { layerId: number; value: OvValue }[];
  captures: { outer: OvValue; parameterLayerId: number }[];
}

/** Values and constants visible while emitting one graph (the model or an If body). */
export class Scope {
  readonly builder: IrGraphBuilder;
  readonly values = new Map<string, OvValue>();
  readonly constants: Map<string, TensorProto>;
  readonly captures: { outer: OvValue; parameterLayerId: number }[] = [];
  /** Quantized weights of this graph, by the value that carries them (weight-patterns.ts). */
  compressed = new Map<string, CompressedWeight>();
  private readonly parent?: Scope;
  private readonly settings: EmitSettings;
  private readonly constantLayers = new Map<string, OvValue>();
  private readonly decompressed = new Map<string, DecompressedWeight>();
  private readonly hostCache = new Map<string, HostTensor>();
  private readonly producers = new Map<string, NodeProto>();

  constructor(
    builder: IrGraphBuilder,
    graph: GraphProto,
    constants: Map<string, TensorProto>,
    settings: EmitSettings,
    parent?: Scope,
  ) {
    for (const n of graph.node ?? [])
      for (const o of n.output ?? []) if (o) this.producers.set(o, n as NodeProto);
    this.builder = builder;
    this.constants = constants;
    this.settings = settings;
    this.parent = parent;
  }

  /** The decoded tensor of an ONNX constant visible here. */
  host(name: string): HostTensor | undefined {
    const cached = this.hostCache.get(name);
    if (cached) return cached;
    const proto = this.constants.get(name);
    if (!proto) return undefined;
    const t = tensorFromProto(proto, this.settings.where);
    this.hostCache.set(name, t);
    return t;
  }

  /** The IR value of an ONNX value name. */
  get(name: string, where: string): OvValue {
    const local = this.values.get(name);
    if (local) return local;
    const weight = this.decompressedWeight(name);
    if (weight) return weight.natural();
    if (this.constants.has(name)) return this.constantLayer(name);
    if (this.parent) {
      const outer = this.parent.get(name, where);
      const parameter = this.builder.parameter(name, outer.type, outer.shape);
      this.captures.push({ outer, parameterLayerId: parameter.layer.id });
      this.values.set(name, parameter);
      return parameter;
    }
    throw new UserError(`${where}: input "${name}" is not produced by any node, input or initializer.`);
  }

  /** True when `name` is a compressed weight of this graph. */
  isCompressed(name: string): boolean {
    return this.compressed.has(name);
  }

  /**
   * A compressed 2-D weight [K, N] of this graph as its [N, K] columns — the layout OpenVINO
   * stores MatMul weights in (read with transpose_b) — or undefined when the weight is no
   * such matrix or is stored the other way round.
   */
  weightColumns(name: string): OvValue | undefined {
    const d = this.decompressedWeight(name);
    const w = d?.weight;
    if (!d || !w || w.outer !== 1 || w.dims.length !== 2 || w.dims[0] !== w.K || w.dims[1] !== w.inner)
      return undefined;
    return d.columns();
  }

  private decompressedWeight(name: string): DecompressedWeight | undefined {
    let d = this.decompressed.get(name);
    if (!d) {
      const w = this.compressed.get(name);
      if (!w) return undefined;
      d = new DecompressedWeight(this.builder, w);
      this.decompressed.set(name, d);
    }
    return d;
  }

  private constantLayer(name: string): OvValue {
    const known = this.constantLayers.get(name);
    if (known) return known;
    const value = this.hostConstant(name, this.host(name)!);
    this.constantLayers.set(name, value);
    return value;
  }

  /** A Const layer holding `t` as it is (element type and bytes unchanged). */
  hostConstant(name: string, t: HostTensor): OvValue {
    const type = ovElementType(t.dtype, `${this.settings.where}: constant "${name}"`);
    const count = elementCount(t.dims);
    const values =
      count <= MAX_KNOWN_VALUES && !Array.isArray(t.data)
        ? Array.from(t.data as ArrayLike<number | bigint>, Number)
        : undefined;
    return this.builder.constant(name, type, t.dims, encodeRawData(t), values);
  }

  /** The ONNX node producing `name` in this graph (undefined for inputs and constants). */
  producer(name: string): NodeProto | undefined {
    return this.producers.get(name);
  }
}

const INT64_MAX = 2n ** 63n - 1n;

/** A number as int64, saturating at the int64 range (INT64_MAX slice ends arrive as 2^63). */
function int64OfNumber(v: number): bigint {
  if (v >= 2 ** 63) return INT64_MAX;
  if (v <= -(2 ** 63)) return -INT64_MAX - 1n;
  return BigInt(Math.trunc(v));
}

/** Little-endian bytes of `values` as OpenVINO element `type` (no 4-bit types). */
export function encodeValues(type: OvElementType, values: readonly number[]): Uint8Array {
  switch (type) {
    case 'f32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'f64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'f16':
      return new Uint8Array(Uint16Array.from(values, (v) => numberToFloat16Bits(v)).buffer);
    case 'i64':
      return new Uint8Array(BigInt64Array.from(values, int64OfNumber).buffer);
    case 'u64':
      return new Uint8Array(BigUint64Array.from(values, (v) => BigInt(Math.trunc(v))).buffer);
    case 'i32':
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'u32':
      return new Uint8Array(Uint32Array.from(values).buffer);
    case 'i16':
      return new Uint8Array(Int16Array.from(values).buffer);
    case 'u16':
      return new Uint8Array(Uint16Array.from(values).buffer);
    case 'i8':
      return new Uint8Array(Int8Array.from(values).buffer);
    case 'u8':
    case 'boolean':
      return Uint8Array.from(values, (v) => (type === 'boolean' ? Number(v !== 0) : v));
    default:
      throw new Error(`cannot encode constants of type ${type}`);
  }
}

/** A node's attributes with ONNX defaults, for lowerings and their checks. */
export class NodeAttributes {
  readonly node: NodeProto;
  readonly opset: number;
  private readonly attrMap: Map<string, AttributeProto>;

  constructor(node: NodeProto, opset: number) {
    this.node = node;
    this.opset = opset;
    this.attrMap = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a as AttributeProto]));
  }

  hasAttr(name: string): boolean {
    return this.attrMap.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.attrMap.get(name);
    return a ? int64ToNumber(a.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.attrMap.get(name);
    return a ? (a.f ?? fallback) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.attrMap.get(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v)) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.attrMap.get(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.attrMap.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  strings(name: string): string[] | undefined {
    const a = this.attrMap.get(name);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  }

  graph(name: string): GraphProto | undefined {
    return (this.attrMap.get(name)?.g as GraphProto | undefined) ?? undefined;
  }
}

/** One ONNX node being lowered. */
export class LoweringContext extends NodeAttributes {
  readonly scope: Scope;
  readonly settings: EmitSettings;
  private readonly bodyEmitter: (graph: GraphProto, parent: Scope) => BodyEmission;

  constructor(
    node: NodeProto,
    scope: Scope,
    settings: EmitSettings,
    bodyEmitter: (graph: GraphProto, parent: Scope) => BodyEmission,
  ) {
    super(node, settings.opset);
    this.scope = scope;
    this.settings = settings;
    this.bodyEmitter = bodyEmitter;
  }

  get b(): IrGraphBuilder {
    return this.scope.builder;
  }

  /** The node's name (or its first output), the base of its layer names. */
  get label(): string {
    return this.node.name || this.node.output[0] || this.node.opType;
  }

  get where(): string {
    return `${this.settings.where}: node "${this.label}" (${this.node.opType})`;
  }

  fail(reason: string): never {
    throw new UserError(`${this.where} ${reason}`);
  }

  has(i: number): boolean {
    return Boolean(this.node.input[i]);
  }

  get inputCount(): number {
    return this.node.input.length;
  }

  input(i: number): OvValue {
    const name = this.node.input[i];
    if (!name) this.fail(`needs input ${i + 1}, which is missing.`);
    return this.scope.get(name, this.where);
  }

  optional(i: number): OvValue | undefined {
    return this.has(i) ? this.input(i) : undefined;
  }

  /** The value of input `i` when it is an ONNX constant. */
  constant(i: number): HostTensor | undefined {
    const name = this.node.input[i];
    return name ? this.scope.host(name) : undefined;
  }

  /** Input `i` as numbers when it is a constant. */
  constantNumbers(i: number): number[] | undefined {
    const t = this.constant(i);
    return t && !Array.isArray(t.data) ? Array.from(t.data as ArrayLike<number | bigint>, Number) : undefined;
  }

  /** Input `i` as [N, K] columns when it is a compressed [K, N] weight (see Scope.weightColumns). */
  weightColumns(i: number): OvValue | undefined {
    const name = this.node.input[i];
    return name ? this.scope.weightColumns(name) : undefined;
  }

  /** Adds a layer and returns its first output. */
  op(type: string, inputs: readonly OvValue[], attrs: Record<string, AttrValue> = {}, suffix = ''): OvValue {
    return this.ops(type, inputs, attrs, suffix)[0];
  }

  ops(
    type: string,
    inputs: readonly OvValue[],
    attrs: Record<string, AttrValue> = {},
    suffix = '',
  ): OvValue[] {
    return this.b.op(type, { name: suffix ? `${this.label}/${suffix}` : this.label, inputs, attrs });
  }

  /** An i64 Const (1-D unless `shape` says otherwise). */
  i64(values: readonly number[], shape: readonly number[] = [values.length]): OvValue {
    return this.b.constant(`${this.label}/const`, 'i64', shape, encodeValues('i64', values), values);
  }

  /** A scalar Const of `type`. */
  scalar(value: number, type: OvElementType): OvValue {
    return this.b.constant(`${this.label}/const`, type, [], encodeValues(type, [value]), [value]);
  }

  emitBody(graph: GraphProto): BodyEmission {
    return this.bodyEmitter(graph, this.scope);
  }
}

/** An ONNX op's lowering to IR layers: one value per ONNX output (undefined for an unused optional one). */
export interface OpLowering {
  lower(ctx: LoweringContext): (OvValue | undefined)[];
  /** Why this node cannot be lowered (attribute values, missing constants), checked before any work. */
  check?(node: NodeAttributes, isConstant: (i: number) => boolean): string | undefined;
}
