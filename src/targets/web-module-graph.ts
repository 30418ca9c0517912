// What both generated web module targets (webnn, webgpu) check of a graph before emitting:
// every node, initializer and graph input/output they cannot express, listed at once
// (moduleGaps), and the inputs/outputs of the module contract (moduleIoList).
//   const gaps = moduleGaps(model, 'bert.onnx', 'WebGPU', (node, graph, opsets) => findGpuLowering(node, graph, opsets));

import { UserError } from '../errors.js';
import { Graph, valueInfoType } from '../onnx/graph.js';
import type { ModelProto, NodeProto } from '../onnx/proto/index.js';
import type { Unsupported } from './types.js';
import { elementTypeNamed, elementTypeOf, modelOpsets, type Opsets } from './webnn/op-registry.js';
import type { ElementType } from './webnn/ops/types.js';

/** Everything in `model` the target (runtime `api`, e.g. 'WebNN') cannot express, all at once. */
export function moduleGaps(
  model: ModelProto,
  where: string,
  api: string,
  find: (node: NodeProto, graph: Graph, opsets: Opsets) => object,
): Unsupported[] {
  const graph = new Graph(model.graph as Graph['proto'], where);
  const opsets = modelOpsets(model);
  const gaps: Unsupported[] = [];
  graph.nodes.forEach((node, index) => {
    if (node.opType === 'Constant' && (node.domain ?? '') === '') return;
    const found = find(node, graph, opsets);
    if ('reason' in found)
      gaps.push({
        node: node.name || `${node.opType}_${index}`,
        opType: node.opType,
        reason: String(found.reason),
      });
  });
  for (const t of graph.initializers) {
    if (!elementTypeOf(t.dataType))
      gaps.push({
        node: t.name,
        opType: 'initializer',
        reason: `has element type ${t.dataType}, which ${api} has no data type for`,
      });
  }
  for (const io of [...graph.inputs, ...graph.outputs]) {
    const type = valueInfoType(io);
    if (!elementTypeNamed(type.dtype))
      gaps.push({
        node: io.name,
        opType: 'graph input/output',
        reason: `has element type ${type.dtype ?? 'unknown'}, which ${api} has no data type for`,
      });
    else if (!type.dims)
      gaps.push({ node: io.name, opType: 'graph input/output', reason: 'has no declared shape (rank)' });
  }
  return gaps;
}

/** A graph's inputs or outputs as the module contract lists them (symbolic dims as strings). */
export function moduleIoList(
  values: { name?: string | null }[],
  where: string,
  target: string,
  api: string,
): { name: string; dtype: ElementType; dims: (number | string)[] }[] {
  return values.map((v) => {
    const type = valueInfoType(v as Parameters<typeof valueInfoType>[0]);
    const dtype = elementTypeNamed(type.dtype);
    if (!dtype)
      throw new UserError(
        `${where}: "${v.name}" has element type ${type.dtype ?? 'unknown'}, which ${api} cannot take.`,
      );
    if (!type.dims)
      throw new UserError(
        `${where}: "${v.name}" has no declared shape; the ${target} target needs the rank of every input and output.`,
      );
    return { name: v.name ?? '', dtype, dims: type.dims };
  });
}
