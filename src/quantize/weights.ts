// Finds the weights a quantizer can compress: constant float tensors (initializers or
// Constant nodes) used as MatMul B (directly or through a 2-D Transpose, as tied LM heads
// are), Gemm B (either transB), Conv W, and Gather tables (embeddings). Each comes with the
// axis it reduces over, which is the axis blocks run along.
//   for (const w of findQuantizableWeights(graph)) …

import { int64ToNumber, type NodeProto, type TensorProto } from '../onnx/proto/index.js';
import type { Graph } from '../onnx/graph.js';

export type WeightUse = 'matmul' | 'gemm' | 'conv' | 'gather';

export interface WeightUseSite {
  node: NodeProto;
  use: WeightUse;
  /** Index of the node input that carries the weight (or the Transpose's output). */
  inputIndex: number;
  /** True when the weight reaches the node through a Transpose(perm=[1,0]). */
  transposed: boolean;
}

export interface QuantizableWeight {
  /** Name of the constant (initializer or Constant-node output). */
  name: string;
  tensor: TensorProto;
  dims: number[];
  /** Axis of `dims` that the consuming ops reduce over (blocks run along it). */
  reductionAxis: number;
  sites: WeightUseSite[];
}

const FLOAT = 1;

function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? int64ToNumber(a.i) : fallback;
}

function transposeOf(graph: Graph, value: string): string | undefined {
  const p = graph.producers().get(value);
  if (!p || p.opType !== 'Transpose') return undefined;
  const perm = p.attribute.find((a) => a.name === 'perm');
  const ints = perm ? (perm.ints ?? []).map((i) => int64ToNumber(i)) : [1, 0];
  return ints.length === 2 && ints[0] === 1 && ints[1] === 0 ? p.input[0] : undefined;
}

/**
 * Every float weight with the axis each use reduces over. A weight whose uses disagree on
 * the reduction axis (rare) is left out.
 */
export function findQuantizableWeights(graph: Graph): QuantizableWeight[] {
  const constants = graph.constants();
  const found = new Map<string, QuantizableWeight>();
  const conflicts = new Set<string>();
  const add = (name: string, axis: number, site: WeightUseSite): void => {
    const tensor = constants.get(name);
    if (!tensor || tensor.dataType !== FLOAT) return;
    const dims = tensor.dims.map((d) => int64ToNumber(d));
    const existing = found.get(name);
    if (existing) {
      if (existing.reductionAxis !== axis) conflicts.add(name);
      existing.sites.push(site);
    } else {
      found.set(name, { name, tensor, dims, reductionAxis: axis, sites: [site] });
    }
  };
  for (const node of graph.nodes) {
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') continue;
    switch (node.opType) {
      case 'MatMul': {
        const b = node.input[1];
        if (constants.has(b)) {
          if (constants.get(b)!.dims.length === 2)
            add(b, 0, { node, use: 'matmul', inputIndex: 1, transposed: false });
        } else {
          const src = transposeOf(graph, b);
          if (src && constants.has(src) && constants.get(src)!.dims.length === 2) {
            add(src, 1, { node, use: 'matmul', inputIndex: 1, transposed: true });
          }
        }
        break;
      }
      case 'Gemm': {
        const b = node.input[1];
        if (attrInt(node, 'transA', 0) !== 0) break;
        if (constants.has(b) && constants.get(b)!.dims.length === 2) {
          add(b, attrInt(node, 'transB', 0) ? 1 : 0, { node, use: 'gemm', inputIndex: 1, transposed: false });
        }
        break;
      }
      case 'Conv': {
        const w = node.input[1];
        if (constants.has(w) && constants.get(w)!.dims.length >= 3)
          add(w, 1, { node, use: 'conv', inputIndex: 1, transposed: false });
        break;
      }
      case 'Gather': {
        const data = node.input[0];
        if (
          constants.has(data) &&
          !constants.has(node.input[1]) &&
          constants.get(data)!.dims.length === 2 &&
          attrInt(node, 'axis', 0) === 0
        ) {
          add(data, 1, { node, use: 'gather', inputIndex: 0, transposed: false });
        }
        break;
      }
    }
  }
  return [...found.values()].filter((w) => !conflicts.has(w.name));
}
