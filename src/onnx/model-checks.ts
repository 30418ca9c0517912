// Structural checks run once on every decoded model, before anything walks it or sizes an
// allocation from it: subgraph nesting depth (our walkers recurse, so a hostile nesting
// must not overflow the stack), value names defined twice in one graph scope, and every
// tensor's dims and stored byte count. Each problem is a UserError naming what is wrong.
//   checkModelStructure(proto, 'model.onnx'); // after decoding, before any other walk

import { UserError } from '../errors.js';
import { DTYPE_BITS, dtypeFromOnnx } from './dtype.js';
import { int64ToNumber, onnx, type ModelProto } from './proto/index.js';

/** Deepest subgraph nesting accepted (the main graph is level 0; real models use a few). */
export const MAX_GRAPH_NESTING = 64;

interface ScopedGraph {
  graph: onnx.IGraphProto;
  depth: number;
  /** "node X attribute then_branch" trail for messages. */
  at: string;
}

/** Every graph of a model with its nesting depth, found without recursion. */
function* graphsByDepth(model: ModelProto, where: string): Generator<ScopedGraph> {
  const stack: ScopedGraph[] = [];
  if (model.graph) stack.push({ graph: model.graph, depth: 0, at: 'the main graph' });
  for (const ti of model.trainingInfo ?? []) {
    if (ti.initialization) stack.push({ graph: ti.initialization, depth: 0, at: 'training initialization' });
    if (ti.algorithm) stack.push({ graph: ti.algorithm, depth: 0, at: 'training algorithm' });
  }
  const pushNodeGraphs = (nodes: readonly onnx.INodeProto[], depth: number): void => {
    for (const n of nodes) {
      for (const a of n.attribute ?? []) {
        for (const g of [a.g, ...(a.graphs ?? [])]) {
          if (!g) continue;
          const at = `node "${n.name || n.opType}" attribute ${a.name}`;
          if (depth + 1 > MAX_GRAPH_NESTING) {
            throw new UserError(
              `${where}: subgraphs nest more than ${MAX_GRAPH_NESTING} levels deep (at ${at}); ` +
                `model-convert accepts at most ${MAX_GRAPH_NESTING}. Flatten the control flow before converting.`,
            );
          }
          stack.push({ graph: g, depth: depth + 1, at });
        }
      }
    }
  };
  for (const f of model.functions ?? []) pushNodeGraphs(f.node ?? [], 0);
  while (stack.length > 0) {
    const item = stack.pop()!;
    yield item;
    pushNodeGraphs(item.graph.node ?? [], item.depth);
  }
}

/** Names defined twice in one graph: two producers of one value, or a node output that shadows an input. */
function checkUniqueNames(g: onnx.IGraphProto, at: string, where: string): void {
  const duplicate = (name: string, what: string): UserError =>
    new UserError(
      `${where}: value "${name}" is defined twice in ${at} (${what}); every value must have exactly one producer.`,
    );
  const inputs = new Set<string>();
  for (const v of g.input ?? []) {
    const name = v.name ?? '';
    if (inputs.has(name)) throw duplicate(name, 'two graph inputs');
    inputs.add(name);
  }
  const initializers = new Set<string>();
  const initializerNames = [
    ...(g.initializer ?? []).map((t) => t.name ?? ''),
    ...(g.sparseInitializer ?? []).map((s) => s.values?.name ?? ''),
  ];
  for (const name of initializerNames) {
    if (initializers.has(name)) throw duplicate(name, 'two initializers');
    initializers.add(name);
  }
  const outputs = new Set<string>();
  for (const n of g.node ?? []) {
    for (const name of n.output ?? []) {
      if (!name) continue; // an omitted optional output
      const node = `node "${n.name || n.opType}"`;
      if (outputs.has(name)) throw duplicate(name, `${node} and another node both produce it`);
      if (initializers.has(name)) throw duplicate(name, `${node} produces an initializer's name`);
      if (inputs.has(name)) throw duplicate(name, `${node} produces a graph input's name`);
      outputs.add(name);
    }
  }
}

/** Dims must be non-negative and their product addressable; stored bytes must match them. */
function checkTensor(t: onnx.ITensorProto, where: string): void {
  const name = t.name ?? '';
  let count = 1;
  for (const d of t.dims ?? []) {
    const dim = int64ToNumber(d);
    if (!Number.isSafeInteger(dim) || dim < 0)
      throw new UserError(`${where}: tensor "${name}" has an invalid dim ${String(d)}.`);
    count *= dim;
    if (!Number.isSafeInteger(count))
      throw new UserError(
        `${where}: tensor "${name}" has dims ${(t.dims ?? []).map(String).join('×')}, more elements than can be addressed.`,
      );
  }
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return; // checked when loaded
  const dtype = dtypeFromOnnx(t.dataType ?? 0);
  if (!dtype || dtype === 'string') return;
  const raw = t.rawData?.length ?? 0;
  const need = Math.ceil((count * DTYPE_BITS[dtype]) / 8);
  if (raw > 0 && raw !== need) {
    throw new UserError(
      `${where}: tensor "${name}" holds ${raw} bytes but its dims ${(t.dims ?? []).map(String).join('×') || '(scalar)'} ` +
        `of ${dtype} need ${need}. The file is damaged or was written by a broken exporter.`,
    );
  }
}

/** Every tensor a graph holds directly (initializers, sparse parts, node attributes). */
function graphTensors(g: onnx.IGraphProto): onnx.ITensorProto[] {
  const out: onnx.ITensorProto[] = [...(g.initializer ?? [])];
  for (const s of g.sparseInitializer ?? []) {
    if (s.values) out.push(s.values);
    if (s.indices) out.push(s.indices);
  }
  for (const n of g.node ?? []) out.push(...nodeTensors(n));
  return out;
}

function nodeTensors(n: onnx.INodeProto): onnx.ITensorProto[] {
  const out: onnx.ITensorProto[] = [];
  for (const a of n.attribute ?? []) {
    if (a.t) out.push(a.t);
    out.push(...(a.tensors ?? []));
    for (const s of [a.sparseTensor, ...(a.sparseTensors ?? [])]) {
      if (s?.values) out.push(s.values);
      if (s?.indices) out.push(s.indices);
    }
  }
  return out;
}

/**
 * Checks a decoded model before anything else walks it: nesting depth, unique value names
 * per graph scope, tensor dims and byte counts. Throws a UserError naming the problem.
 */
export function checkModelStructure(model: ModelProto, where: string): void {
  for (const { graph, at } of graphsByDepth(model, where)) {
    checkUniqueNames(graph, at, where);
    for (const t of graphTensors(graph)) checkTensor(t, where);
  }
  for (const f of model.functions ?? [])
    for (const n of f.node ?? []) for (const t of nodeTensors(n)) checkTensor(t, where);
}
