// The graph model transforms work on: nodes, graph inputs/outputs, and constants —
// initializers and Constant-node tensors treated alike — with producer/consumer maps,
// topological order, and the dtypes/shapes the model declares.
//   const g = new Graph(model.graph, 'model.onnx');
//   g.constant('fc.weight')  // TensorProto whether initializer or Constant node
//   for (const node of g.topologicalOrder()) …

import { UserError } from '../errors.js';
import { dtypeFromOnnx, type DType } from './dtype.js';
import {
  int64ToNumber,
  onnx,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto/index.js';

export type Dim = number | string;

export interface ValueType {
  dtype: DType | undefined;
  /** undefined: rank unknown. A dim with neither value nor name is '?'. */
  dims: Dim[] | undefined;
}

/** Dims of a ValueInfoProto's tensor type. */
export function valueInfoType(v: ValueInfoProto | onnx.IValueInfoProto): ValueType {
  const tt = v.type?.tensorType;
  if (!tt) return { dtype: undefined, dims: undefined };
  const dims = tt.shape
    ? (tt.shape.dim ?? []).map((d): Dim => {
        if (d.dimParam) return d.dimParam;
        if (
          d.dimValue !== undefined &&
          d.dimValue !== null &&
          (d.value === 'dimValue' || int64ToNumber(d.dimValue) > 0)
        ) {
          return int64ToNumber(d.dimValue);
        }
        return '?';
      })
    : undefined;
  return { dtype: dtypeFromOnnx(tt.elemType ?? 0), dims };
}

/** The tensor a Constant node holds, as a TensorProto (value, value_float(s), value_int(s)). */
export function constantNodeTensor(node: NodeProto | onnx.INodeProto): TensorProto | undefined {
  const attr = (node.attribute ?? [])[0];
  if (!attr) return undefined;
  const name = node.output?.[0] ?? '';
  switch (attr.name) {
    case 'value':
      return (attr.t as TensorProto) ?? undefined;
    case 'value_float':
      return new onnx.TensorProto({ name, dataType: 1, dims: [], floatData: [attr.f ?? 0] });
    case 'value_floats':
      return new onnx.TensorProto({
        name,
        dataType: 1,
        dims: [(attr.floats ?? []).length],
        floatData: attr.floats ?? [],
      });
    case 'value_int':
      return new onnx.TensorProto({ name, dataType: 7, dims: [], int64Data: [attr.i ?? 0] });
    case 'value_ints':
      return new onnx.TensorProto({
        name,
        dataType: 7,
        dims: [(attr.ints ?? []).length],
        int64Data: attr.ints ?? [],
      });
    default:
      return undefined;
  }
}

export class Graph {
  readonly proto: GraphProto;
  readonly where: string;
  private producerMap?: Map<string, NodeProto>;
  private consumerMap?: Map<string, NodeProto[]>;

  constructor(proto: GraphProto, where: string) {
    this.proto = proto;
    this.where = where;
  }

  get nodes(): NodeProto[] {
    return this.proto.node as NodeProto[];
  }

  get initializers(): TensorProto[] {
    return this.proto.initializer as TensorProto[];
  }

  /** Graph inputs that are not initializers (what a caller must feed). */
  get inputs(): ValueInfoProto[] {
    const init = new Set(this.initializers.map((t) => t.name));
    return (this.proto.input as ValueInfoProto[]).filter((v) => !init.has(v.name));
  }

  get outputs(): ValueInfoProto[] {
    return this.proto.output as ValueInfoProto[];
  }

  /** Call after changing nodes so producer/consumer maps are rebuilt. */
  invalidate(): void {
    this.producerMap = undefined;
    this.consumerMap = undefined;
  }

  producers(): Map<string, NodeProto> {
    if (!this.producerMap) {
      const m = new Map<string, NodeProto>();
      for (const n of this.nodes) for (const o of n.output) if (o) m.set(o, n);
      this.producerMap = m;
    }
    return this.producerMap;
  }

  consumers(): Map<string, NodeProto[]> {
    if (!this.consumerMap) {
      const m = new Map<string, NodeProto[]>();
      for (const n of this.nodes) {
        for (const i of n.input) {
          if (!i) continue;
          const list = m.get(i);
          if (list) list.push(n);
          else m.set(i, [n]);
        }
      }
      this.consumerMap = m;
    }
    return this.consumerMap;
  }

  /** An initializer or a Constant node's tensor named `name`. */
  constant(name: string): TensorProto | undefined {
    const init = this.initializers.find((t) => t.name === name);
    if (init) return init;
    const p = this.producers().get(name);
    if (p && p.opType === 'Constant' && (p.domain ?? '') === '') return constantNodeTensor(p);
    return undefined;
  }

  /** Every constant (initializers and Constant nodes) by value name. */
  constants(): Map<string, TensorProto> {
    const m = new Map<string, TensorProto>();
    for (const t of this.initializers) m.set(t.name, t);
    for (const n of this.nodes) {
      if (n.opType !== 'Constant' || (n.domain ?? '') !== '') continue;
      const t = constantNodeTensor(n);
      if (t && n.output[0]) m.set(n.output[0], t);
    }
    return m;
  }

  /** Declared dtype and dims of a value (graph input/output, value_info or constant). */
  typeOf(name: string): ValueType {
    const all = [...(this.proto.input ?? []), ...(this.proto.output ?? []), ...(this.proto.valueInfo ?? [])];
    const vi = all.find((v) => v.name === name);
    if (vi) return valueInfoType(vi);
    const c = this.constant(name);
    if (c) return { dtype: dtypeFromOnnx(c.dataType), dims: (c.dims ?? []).map((d) => int64ToNumber(d)) };
    return { dtype: undefined, dims: undefined };
  }

  /**
   * Nodes in an order where every node comes after the producers of its inputs. Names
   * used by subgraphs from the outer scope count as inputs of the node that owns them.
   * A cycle is a UserError naming a node on it.
   */
  topologicalOrder(): NodeProto[] {
    const available = new Set<string>([
      ...this.proto.input.map((v) => v.name ?? ''),
      ...this.initializers.map((t) => t.name),
      '',
    ]);
    const nodes = this.nodes;
    const deps = nodes.map((n) => [...n.input, ...outerScopeNames(n)].filter((i) => i && !available.has(i)));
    const producerIndex = new Map<string, number>();
    nodes.forEach((n, i) => n.output.forEach((o) => o && producerIndex.set(o, i)));
    const waiting = new Map<number, number>();
    const dependents = new Map<number, number[]>();
    nodes.forEach((_, i) => {
      const needs = new Set(
        deps[i].map((d) => producerIndex.get(d)).filter((p): p is number => p !== undefined),
      );
      waiting.set(i, needs.size);
      for (const p of needs) (dependents.get(p) ?? dependents.set(p, []).get(p)!).push(i);
    });
    const ready = nodes.map((_, i) => i).filter((i) => waiting.get(i) === 0);
    const order: NodeProto[] = [];
    while (ready.length > 0) {
      const i = ready.shift()!;
      order.push(nodes[i]);
      for (const d of dependents.get(i) ?? []) {
        const w = waiting.get(d)! - 1;
        waiting.set(d, w);
        if (w === 0) ready.push(d);
      }
    }
    if (order.length !== nodes.length) {
      // A stuck node may only depend on a cycle: walk back through stuck producers until a
      // node repeats; that node lies on the cycle.
      const isStuck = (i: number | undefined): i is number => i !== undefined && (waiting.get(i) ?? 0) > 0;
      let at = nodes.findIndex((_, i) => isStuck(i));
      const seen = new Set<number>();
      while (!seen.has(at)) {
        seen.add(at);
        at = deps[at].map((d) => producerIndex.get(d)).find(isStuck)!;
      }
      const stuck = nodes[at];
      throw new UserError(
        `${this.where}: the graph has a cycle through node "${stuck.name || stuck.opType}"; ONNX graphs must be acyclic.`,
      );
    }
    return order;
  }

  /** Number of parameters: elements of every floating-point or integer constant with ≥ 2 elements. */
  parameterCount(): number {
    let n = 0;
    for (const t of this.constants().values()) {
      const count = (t.dims ?? []).reduce<number>((a, d) => a * int64ToNumber(d), 1);
      if (count >= 2) n += count;
    }
    return n;
  }
}

/** Names a node's subgraphs read from enclosing scopes (If/Loop/Scan bodies). */
export function outerScopeNames(node: NodeProto | onnx.INodeProto): string[] {
  const names = new Set<string>();
  const visit = (g: onnx.IGraphProto, outer: Set<string>): void => {
    const local = new Set<string>([
      ...(g.input ?? []).map((v) => v.name ?? ''),
      ...(g.initializer ?? []).map((t) => t.name ?? ''),
      ...(g.node ?? []).flatMap((n) => (n.output ?? []) as string[]),
    ]);
    for (const n of g.node ?? []) {
      for (const i of n.input ?? []) if (i && !local.has(i) && !outer.has(i)) names.add(i);
      for (const a of n.attribute ?? []) {
        for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) visit(sub, new Set([...outer, ...local]));
      }
    }
  };
  for (const a of node.attribute ?? [])
    for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) visit(sub, new Set());
  return [...names];
}

/** Opset version the model imports for `domain` ('' = ai.onnx). */
export function opsetVersion(model: onnx.IModelProto, domain = ''): number | undefined {
  const entry = (model.opsetImport ?? []).find(
    (o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'),
  );
  return entry ? int64ToNumber(entry.version) : undefined;
}
