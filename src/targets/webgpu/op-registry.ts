// The ONNX → WebGPU op table: every family's entries under one key per op ('Add',
// 'com.microsoft::MatMulNBits'); for a node, the entry with the highest `since` ≤ the
// model's opset for its domain wins. Shape arithmetic ops (Shape, Size, Range,
// ConstantOfShape) and the host halves of Reshape/Gather/Concat/Slice/… are the webnn
// target's own host evaluations: both web targets fold shape chains the same way.
//   const found = findGpuLowering(node, graph, opsets); // { entry, attrs } | { reason }

import type { Graph } from '../../onnx/graph.js';
import type { NodeProto } from '../../onnx/proto/index.js';
import { findEntry, type Opsets } from '../webnn/op-registry.js';
import { shapeValueOps } from '../webnn/ops/shape-values.js';
import { convOps } from './ops/conv.js';
import { elementwiseOps } from './ops/elementwise.js';
import { gatherOps } from './ops/gather.js';
import { layoutOps } from './ops/layout.js';
import { matmulOps } from './ops/matmul.js';
import { normalizationOps } from './ops/normalization.js';
import { reduceOps } from './ops/reduce.js';
import { viewOps } from './ops/views.js';
import type { Attrs, GpuOpTable, GpuOpVersion } from './ops/types.js';

const FAMILIES: GpuOpTable[] = [
  shapeValueOps as unknown as GpuOpTable,
  elementwiseOps,
  viewOps,
  layoutOps,
  gatherOps,
  matmulOps,
  normalizationOps,
  reduceOps,
  convOps,
];

export const WEBGPU_OPS: GpuOpTable = Object.assign({}, ...FAMILIES);

/** Op keys the webgpu target lowers, sorted (for `model-convert list`). */
export function supportedGpuOpKeys(): string[] {
  return Object.keys(WEBGPU_OPS).sort();
}

export function findGpuLowering(
  node: NodeProto,
  graph: Graph,
  opsets: Opsets,
): { entry: GpuOpVersion; attrs: Attrs } | { reason: string } {
  return findEntry(WEBGPU_OPS, 'WebGPU', node, graph, opsets) as
    { entry: GpuOpVersion; attrs: Attrs } | { reason: string };
}
