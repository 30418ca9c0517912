// Generation-time constant folding: every node whose inputs are all constants (initializers,
// Constant nodes, or outputs of such nodes) is evaluated once with onnxruntime-node, and
// its result replaces it as an initializer — unless that would grow the model (a result
// bigger than 1024 elements and than the node's inputs, e.g. ConstantOfShape or a float16 →
// float32 Cast of a weight), in which case the node stays and runs in the target.
// Dequantization (DequantizeLinear) and random ops are never folded: quantized weights stay
// quantized. Nodes fed by graph inputs (Shape of an input, …) are left to the target, as is
// everything when ONNX Runtime cannot evaluate the constant subgraph by itself.
//   const folded = await foldConstants(model, 'bert.onnx'); // a new ModelProto

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Graph } from '../../onnx/graph.js';
import { writeModel } from '../../onnx/model-io.js';
import { onnx, type ModelProto, type NodeProto, type TensorProto } from '../../onnx/proto/index.js';
import { tensorByteLength, tensorToProto } from '../../onnx/tensor.js';
import { createOrtRunner } from '../../verify/ort-runner.js';

/** Ops never evaluated ahead of time. */
const NOT_FOLDED = new Set([
  'DequantizeLinear',
  'QuantizeLinear',
  'DynamicQuantizeLinear',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
  'If',
  'Loop',
  'Scan',
  'Constant',
]);

/** Results up to this many elements are always folded. */
const SMALL_ELEMENTS = 1024;

export interface FoldResult {
  model: ModelProto;
  /** Nodes replaced by initializers. */
  folded: number;
}

export async function foldConstants(model: ModelProto, where: string): Promise<FoldResult> {
  const graph = new Graph(model.graph as Graph['proto'], where);
  const order = graph.topologicalOrder();
  const constants = graph.constants();
  const known = new Set(constants.keys());
  const foldable: NodeProto[] = [];
  for (const node of order) {
    const standard = (node.domain ?? '') === '' || node.domain === 'ai.onnx';
    const hasSubgraph = node.attribute.some((a) => a.g || (a.graphs ?? []).length > 0);
    const inputs = node.input.filter((i) => i);
    if (!standard || hasSubgraph || NOT_FOLDED.has(node.opType) || inputs.length === 0) continue;
    if (!inputs.every((i) => known.has(i))) continue;
    foldable.push(node);
    for (const o of node.output) if (o) known.add(o);
  }
  if (foldable.length === 0) return { model, folded: 0 };

  let values: Map<string, TensorProto>;
  try {
    values = await evaluate(model, graph, foldable);
  } catch {
    // ONNX Runtime could not run the constant subgraph on its own: leave it to the target,
    // which evaluates shape arithmetic in JavaScript and everything else in WebNN.
    return { model, folded: 0 };
  }
  const producer = new Map<string, NodeProto>();
  for (const n of foldable) for (const o of n.output) if (o) producer.set(o, n);
  const bytesOf = (name: string): number => {
    const t = values.get(name) ?? constants.get(name);
    return t ? tensorByteLength(t) : 0;
  };
  // Bytes a value costs to store at its cheapest: itself, or whatever produces it.
  const cost = new Map<string, number>();
  const costOf = (name: string): number => cost.get(name) ?? bytesOf(name);
  const inputCost = (node: NodeProto): number =>
    [...new Set(node.input.filter((i) => i))].reduce((a, i) => a + costOf(i), 0);
  for (const n of foldable) {
    const making = inputCost(n);
    for (const o of n.output) if (o) cost.set(o, Math.min(bytesOf(o), making));
  }

  // Walk back from what the rest of the graph reads: fold a value, or keep its producer.
  const folded = new Set(foldable);
  const consumers = graph.consumers();
  const kept = new Set<NodeProto>();
  const materialized = new Set<string>();
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const queue: string[] = [...graphOutputs];
  for (const n of order) if (!folded.has(n)) queue.push(...n.input.filter((i) => i));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const p = producer.get(name);
    if (!p) continue;
    const t = values.get(name)!;
    const count = (t.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
    // A big result is worth storing only when it is no bigger than what makes it and
    // replaces its inputs (they have no other reader).
    const inputsFreed = p.input.every(
      (i) => !i || (consumers.get(i) ?? []).every((c) => folded.has(c) && !kept.has(c)),
    );
    if (graphOutputs.has(name) || count <= SMALL_ELEMENTS || (bytesOf(name) <= inputCost(p) && inputsFreed)) {
      materialized.add(name);
    } else if (!kept.has(p)) {
      kept.add(p);
      queue.push(...p.input.filter((i) => i));
    }
  }

  const nodes = graph.nodes.filter((n) => !folded.has(n) || kept.has(n));
  const newInitializers = [...materialized].map((name) => values.get(name)!);
  const out = new onnx.ModelProto({ ...model, graph: new onnx.GraphProto({ ...model.graph, node: nodes }) });
  const g = out.graph!;
  const referenced = new Set<string>([...nodes.flatMap((n) => n.input), ...graph.outputs.map((o) => o.name)]);
  g.initializer = [
    ...(model.graph?.initializer ?? []).filter((t) => referenced.has(t.name!)),
    ...newInitializers,
  ];
  const initializerNames = new Set(g.initializer.map((t) => t.name));
  const originalInitializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  // Old exporters list initializers among the inputs; drop the ones no longer present.
  g.input = (model.graph?.input ?? []).filter(
    (v) => !originalInitializers.has(v.name!) || initializerNames.has(v.name!),
  );
  return { model: out as ModelProto, folded: foldable.length - kept.size };
}

/** Runs the foldable nodes on onnxruntime-node; returns their outputs as TensorProtos. */
async function evaluate(
  model: ModelProto,
  graph: Graph,
  foldable: NodeProto[],
): Promise<Map<string, TensorProto>> {
  const needed = new Set(foldable.flatMap((n) => n.input).filter((i) => i));
  const constantNodes = graph.nodes.filter(
    (n) => n.opType === 'Constant' && (n.domain ?? '') === '' && n.output.some((o) => needed.has(o)),
  );
  const outputs = foldable.flatMap((n) => n.output.filter((o) => o));
  const evalModel = new onnx.ModelProto({
    ...model,
    graph: new onnx.GraphProto({
      name: 'fold',
      node: [...constantNodes, ...foldable],
      initializer: (model.graph?.initializer ?? []).filter((t) => needed.has(t.name!)),
      input: [],
      output: outputs.map((name) => new onnx.ValueInfoProto({ name })),
    }),
  }) as ModelProto;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-convert-fold-'));
  try {
    const file = path.join(dir, 'fold.onnx');
    writeModel(evalModel, file, { externalData: 'auto' });
    const runner = await createOrtRunner(file);
    try {
      const results = await runner.run({});
      const map = new Map<string, TensorProto>();
      for (const [name, t] of Object.entries(results)) map.set(name, tensorToProto(name, t));
      return map;
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
