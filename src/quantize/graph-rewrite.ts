// Small building blocks the fp16 and int8 transforms rewrite graphs with: node and
// attribute constructors, fresh value names, renaming a value everywhere it is read
// (subgraphs included), dropping nodes and initializers nothing reads any more, and the
// model's ai.onnx opset.
//   const names = new NameAllocator(model.graph);  const q = names.fresh('fc.weight_quantized');
//   graph.node.push(makeNode('DequantizeLinear', [q, s], ['fc.weight'], names.fresh('fc.weight/dq')));

import { opsetVersion, outerScopeNames } from '../onnx/graph.js';
import {
  onnx,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../onnx/proto/index.js';

const ATTR = onnx.AttributeProto.AttributeType;

/** An attribute from a plain value: integer, float, int list, float list or tensor. */
export type AttributeValue =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { tensor: onnx.ITensorProto };

export function makeAttribute(name: string, value: AttributeValue): onnx.AttributeProto {
  if ('int' in value) return new onnx.AttributeProto({ name, type: ATTR.INT, i: value.int });
  if ('float' in value) return new onnx.AttributeProto({ name, type: ATTR.FLOAT, f: value.float });
  if ('ints' in value) return new onnx.AttributeProto({ name, type: ATTR.INTS, ints: value.ints });
  if ('floats' in value) return new onnx.AttributeProto({ name, type: ATTR.FLOATS, floats: value.floats });
  return new onnx.AttributeProto({ name, type: ATTR.TENSOR, t: value.tensor });
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: Record<string, AttributeValue> = {},
  domain = '',
): NodeProto {
  return new onnx.NodeProto({
    opType,
    input: inputs,
    output: outputs,
    name,
    domain,
    attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
  });
}

function collectNames(g: onnx.IGraphProto, into: Set<string>): void {
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) into.add(v.name ?? '');
  for (const t of g.initializer ?? []) into.add(t.name ?? '');
  for (const n of g.node ?? []) {
    into.add(n.name ?? '');
    for (const o of n.output ?? []) into.add(o);
    for (const i of n.input ?? []) into.add(i);
    for (const a of n.attribute ?? [])
      for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) collectNames(sub, into);
  }
}

/** Hands out value and node names that no value, node or initializer in the graph (or its subgraphs) uses. */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(graph: onnx.IGraphProto) {
    collectNames(graph, this.used);
  }

  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** Every read of `from` in `g`'s nodes and in subgraphs that see it from an outer scope becomes `to`. */
export function renameReads(g: onnx.IGraphProto, from: string, to: string): void {
  for (const n of g.node ?? []) {
    n.input = (n.input ?? []).map((i) => (i === from ? to : i));
    for (const a of n.attribute ?? []) {
      for (const sub of [a.g, ...(a.graphs ?? [])])
        if (sub && !definesLocally(sub, from)) renameReads(sub, from, to);
    }
  }
}

function definesLocally(g: onnx.IGraphProto, name: string): boolean {
  return (
    (g.input ?? []).some((v) => v.name === name) ||
    (g.initializer ?? []).some((t) => t.name === name) ||
    (g.node ?? []).some((n) => (n.output ?? []).includes(name))
  );
}

/**
 * Removes nodes none of whose outputs is read (by a node, a subgraph or a graph output),
 * repeatedly, then initializers nothing reads. Returns how many nodes went.
 */
export function removeUnusedNodes(graph: GraphProto): number {
  let removed = 0;
  for (;;) {
    const nodes = graph.node as NodeProto[];
    const read = new Set<string>((graph.output as ValueInfoProto[]).map((o) => o.name));
    for (const n of nodes) {
      for (const i of n.input) read.add(i);
      for (const i of outerScopeNames(n)) read.add(i);
    }
    const keep = nodes.filter((n) => n.output.some((o) => o && read.has(o)));
    if (keep.length === nodes.length) {
      const inputs = new Set((graph.input as ValueInfoProto[]).map((v) => v.name));
      graph.initializer = (graph.initializer as TensorProto[]).filter(
        (t) => read.has(t.name) || inputs.has(t.name),
      );
      return removed;
    }
    removed += nodes.length - keep.length;
    graph.node = keep;
  }
}

/** The main graph of a decoded model, typed (decoded messages carry every field). */
export function mainGraph(model: ModelProto): TypedGraph {
  return model.graph as TypedGraph;
}

/** A GraphProto whose repeated fields are the decoded message classes. */
export interface TypedGraph extends GraphProto {
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

/** The model's ai.onnx opset version (1 when it imports none). */
export function defaultOpset(model: ModelProto): number {
  return opsetVersion(model, '') ?? 1;
}

/** Sets the ai.onnx opset import to `version` (and the IR version to at least `minIrVersion`). */
export function setDefaultOpset(model: ModelProto, version: number, minIrVersion: number): void {
  const entry = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (entry) entry.version = version;
  else model.opsetImport.push(new onnx.OperatorSetIdProto({ domain: '', version }));
  if (Number(model.irVersion) < minIrVersion) model.irVersion = minIrVersion;
}

/**
 * Nodes in topological order with `before` inserted ahead of given nodes and `after`
 * behind them; used to splice new nodes in without reordering the rest.
 */
export function spliceNodes(
  nodes: NodeProto[],
  edits: { before?: Map<NodeProto, NodeProto[]>; after?: Map<NodeProto, NodeProto[]>; drop?: Set<NodeProto> },
): NodeProto[] {
  const out: NodeProto[] = [];
  for (const n of nodes) {
    out.push(...(edits.before?.get(n) ?? []));
    if (!edits.drop?.has(n)) out.push(n);
    out.push(...(edits.after?.get(n) ?? []));
  }
  return out;
}
