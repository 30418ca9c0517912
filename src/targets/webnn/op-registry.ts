// The ONNX → WebNN op table: every family's entries under one key per op ('Add',
// 'com.microsoft::MatMulNBits'); for a node, the entry with the highest `since` ≤ the
// model's opset for its domain wins. Also the generation-time view of a node
// (OnnxNodeView) that entries read their attributes through.
//   const found = findLowering(node, opsets); // { entry, attrs } | { reason }

import { dtypeFromOnnx } from '../../onnx/dtype.js';
import { valueInfoType, type Graph } from '../../onnx/graph.js';
import { int64ToNumber, onnx, type NodeProto, type TensorProto } from '../../onnx/proto/index.js';
import { float16BitsToNumber, tensorFromProto } from '../../onnx/tensor.js';
import { activationOps } from './ops/activation.js';
import { arithmeticOps } from './ops/arithmetic.js';
import { convOps } from './ops/conv.js';
import { gatherOps } from './ops/gather.js';
import { layoutOps } from './ops/layout.js';
import { logicalOps } from './ops/logical.js';
import { matmulOps } from './ops/matmul.js';
import { normalizationOps } from './ops/normalization.js';
import { poolOps } from './ops/pool.js';
import { quantizeOps } from './ops/quantize.js';
import { reduceOps } from './ops/reduce.js';
import { resizeOps } from './ops/resize.js';
import { shapeValueOps } from './ops/shape-values.js';
import { slicingOps } from './ops/slicing.js';
import type { Attrs, ElementType, NotExpressible, OnnxNodeView, OpTable, OpVersion } from './ops/types.js';
import { unaryOps } from './ops/unary.js';

const FAMILIES: OpTable[] = [
  arithmeticOps,
  logicalOps,
  unaryOps,
  activationOps,
  matmulOps,
  convOps,
  poolOps,
  normalizationOps,
  reduceOps,
  layoutOps,
  slicingOps,
  gatherOps,
  shapeValueOps,
  resizeOps,
  quantizeOps,
];

export const WEBNN_OPS: OpTable = Object.assign({}, ...FAMILIES);

const AI_ONNX = new Set(['', 'ai.onnx']);

export function opKey(node: Pick<NodeProto, 'opType' | 'domain'>): string {
  return AI_ONNX.has(node.domain ?? '') ? node.opType : `${node.domain}::${node.opType}`;
}

/** Op keys the webnn target lowers, sorted (for `model-convert list`). */
export function supportedOpKeys(): string[] {
  return Object.keys(WEBNN_OPS).sort();
}

/** Opset per domain ('' for ai.onnx) declared by the model. */
export type Opsets = Map<string, number>;

export function modelOpsets(model: onnx.IModelProto): Opsets {
  const out: Opsets = new Map();
  for (const o of model.opsetImport ?? [])
    out.set(AI_ONNX.has(o.domain ?? '') ? '' : o.domain!, int64ToNumber(o.version));
  return out;
}

export type Lookup = { entry: OpVersion; attrs: Attrs } | { reason: string };

export function findLowering(node: NodeProto, graph: Graph, opsets: Opsets): Lookup {
  return findEntry(WEBNN_OPS, 'WebNN', node, graph, opsets);
}

/** The entry of `table` for `node` (highest `since` ≤ the model's opset), with its attributes. */
export function findEntry<E extends { since: number; attributes?(node: OnnxNodeView): object }>(
  table: Record<string, E[]>,
  runtime: string,
  node: NodeProto,
  graph: Graph,
  opsets: Opsets,
): { entry: E; attrs: Attrs } | { reason: string } {
  const domain = AI_ONNX.has(node.domain ?? '') ? '' : node.domain!;
  const opset = opsets.get(domain) ?? 1;
  const versions = table[opKey(node)];
  if (!versions) return { reason: `has no ${runtime} lowering in this version` };
  const entry = versions.filter((v) => v.since <= opset).sort((p, q) => q.since - p.since)[0];
  if (!entry) return { reason: `is lowered from opset ${versions[0].since}; the model uses opset ${opset}` };
  const view = new NodeView(node, graph, opset);
  const attrs = entry.attributes ? entry.attributes(view) : {};
  if ('unsupported' in attrs && typeof (attrs as NotExpressible).unsupported === 'string')
    return { reason: (attrs as NotExpressible).unsupported };
  return { entry, attrs: attrs as Attrs };
}

const TENSOR_TYPES = new Set<string>([
  'float32',
  'float16',
  'int64',
  'uint64',
  'int32',
  'uint32',
  'int16',
  'uint16',
  'int8',
  'uint8',
  'bool',
  'int4',
  'uint4',
  'int2',
  'uint2',
]);

/** `dtype` (a DType name) as an element type a generated module handles, or undefined. */
export function elementTypeNamed(dtype: string | undefined): ElementType | undefined {
  return dtype && TENSOR_TYPES.has(dtype) ? (dtype as ElementType) : undefined;
}

/** The element type a generated module handles for ONNX code `code`, or undefined. */
export function elementTypeOf(code: number): ElementType | undefined {
  const d = dtypeFromOnnx(code);
  return d && TENSOR_TYPES.has(d) ? (d as ElementType) : undefined;
}

class NodeView implements OnnxNodeView {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: string[];
  readonly outputs: string[];

  constructor(
    private readonly node: NodeProto,
    private readonly graph: Graph,
    readonly opset: number,
  ) {
    this.name = node.name ?? '';
    this.opType = node.opType;
    this.domain = node.domain ?? '';
    this.inputs = [...node.input];
    this.outputs = [...node.output];
  }

  private attr(name: string): onnx.IAttributeProto | undefined {
    return this.node.attribute.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.attr(name) !== undefined;
  }

  int(name: string, fallback: number): number {
    const a = this.attr(name);
    return a ? int64ToNumber(a.i) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.attr(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v)) : undefined;
  }

  float(name: string, fallback: number): number {
    const a = this.attr(name);
    return a ? (a.f ?? 0) : fallback;
  }

  floats(name: string): number[] | undefined {
    const a = this.attr(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.attr(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  tensor(name: string): { dtype: ElementType; dims: number[]; values: number[] } | undefined {
    const t = this.attr(name)?.t;
    if (!t) return undefined;
    const host = tensorFromProto(t as TensorProto, this.name || this.opType);
    const dtype = elementTypeOf(t.dataType ?? 1);
    if (!dtype) return undefined;
    const values = Array.from(host.data as ArrayLike<number | bigint>, (v) => Number(v));
    return { dtype, dims: host.dims, values: dtype === 'float16' ? values.map(float16BitsToNumber) : values };
  }

  inputType(index: number): ElementType | undefined {
    const name = this.inputs[index];
    if (!name) return undefined;
    const code = this.graph.constant(name)?.dataType;
    if (code !== undefined) return elementTypeOf(code);
    const t = this.graph.typeOf(name);
    return t.dtype && TENSOR_TYPES.has(t.dtype) ? (t.dtype as ElementType) : undefined;
  }

  inputRank(index: number): number | undefined {
    const name = this.inputs[index];
    if (!name) return undefined;
    const c = this.graph.constant(name);
    if (c) return (c.dims ?? []).length;
    const vi = [...this.graph.proto.input, ...(this.graph.proto.valueInfo ?? [])].find(
      (v) => v.name === name,
    );
    return vi ? valueInfoType(vi).dims?.length : undefined;
  }
}
