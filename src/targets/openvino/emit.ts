// ONNX graph → OpenVINO IR v11 (model.xml text + model.bin bytes). Graph inputs become
// Parameters, constants become Const layers on first use (fp16 / int8 / int4 compressed per
// precision), each node goes through its lowering (ops/*.ts), If branches become bodies, and
// graph outputs become Results. findUnsupported lists every node the table cannot express,
// before anything is emitted.
//   const { xml, bin } = emitOpenVinoIr(model.proto, { precision: 'int4', where: 'model.onnx' });

import { UserError } from '../../errors.js';
import { Graph, constantNodeTensor, opsetVersion, valueInfoType } from '../../onnx/graph.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, onnx } from '../../onnx/proto/index.js';
import type { Precision } from '../../pipeline/types.js';
import type { Unsupported } from '../types.js';
import { isOvDtypeSupported, ovElementType } from './element-types.js';
import { IrBinWriter, IrGraphBuilder, irDocumentXml } from './ir-graph.js';
import type { WeightCandidate } from './int4-backup.js';
import {
  LoweringContext,
  NodeAttributes,
  Scope,
  type BodyEmission,
  type EmitSettings,
  type WeightLayout,
} from './lowering.js';
import { OV_LOWERINGS, PASS_THROUGH_OPS } from './ops/index.js';

/** Default int4 group size along a weight row (OpenVINO's own default is 128; 32 keeps more accuracy). */
export const DEFAULT_INT4_GROUP_SIZE = 32;

export interface EmitIrOptions {
  precision: Precision;
  /** The model file name, for messages. */
  where: string;
  groupSize?: number;
  /** Weights (constant names) kept at int8 when the precision is int4; default: the last MatMul/Gemm's. */
  int8Weights?: readonly string[];
  warn?: (message: string) => void;
}

export interface EmittedIr {
  xml: string;
  bin: Uint8Array;
}

function isDefaultDomain(node: NodeProto | onnx.INodeProto): boolean {
  return !node.domain || node.domain === 'ai.onnx';
}

/** Initializers and Constant-node tensors of one graph, by value name. */
function graphConstants(g: GraphProto | onnx.IGraphProto): Map<string, TensorProto> {
  const m = new Map<string, TensorProto>();
  for (const t of g.initializer ?? []) m.set(t.name ?? '', t as TensorProto);
  for (const n of g.node ?? []) {
    if (n.opType !== 'Constant' || !isDefaultDomain(n)) continue;
    const t = constantNodeTensor(n);
    if (t && n.output?.[0]) m.set(n.output[0], t);
  }
  return m;
}

function emitNodes(g: GraphProto, scope: Scope, settings: EmitSettings): void {
  const graph = new Graph(g, settings.where);
  const bodyEmitter = (body: GraphProto, parent: Scope): BodyEmission => emitBody(body, parent, settings);
  for (const node of graph.topologicalOrder()) {
    const label = node.name || node.output[0] || node.opType;
    if (!isDefaultDomain(node)) {
      throw new UserError(
        `${settings.where}: node "${label}" is in domain "${node.domain}", which the openvino target does not handle.`,
      );
    }
    if (node.opType === 'Constant') continue;
    if (node.opType === 'Identity' || node.opType === 'Dropout') {
      const v = scope.get(node.input[0], `${settings.where}: node "${label}"`);
      scope.values.set(node.output[0], v);
      scope.builder.nameValue(v, node.output[0]);
      continue;
    }
    const lowering = OV_LOWERINGS[node.opType];
    if (!lowering) {
      throw new UserError(
        `${settings.where}: node "${label}" (${node.opType}) has no OpenVINO IR lowering; use --targets onnx for this model.`,
      );
    }
    const ctx = new LoweringContext(node, scope, settings, bodyEmitter);
    const outputs = lowering.lower(ctx);
    node.output.forEach((name, i) => {
      if (!name) return;
      const v =
        outputs[i] ?? ctx.fail(`output ${i + 1} ("${name}") is not supported by the openvino target.`);
      scope.values.set(name, v);
      scope.builder.nameValue(v, name);
    });
  }
}

function emitBody(g: GraphProto, parent: Scope, settings: EmitSettings): BodyEmission {
  if ((g.input ?? []).length > 0) {
    throw new UserError(
      `${settings.where}: subgraph "${g.name}" has inputs; only If branches (no inputs) are supported.`,
    );
  }
  const builder = new IrGraphBuilder(parent.builder.bin, settings.where);
  const constants = new Map([...parent.constants, ...graphConstants(g)]);
  const scope = new Scope(builder, g, constants, settings, parent);
  emitNodes(g, scope, settings);
  const results = (g.output ?? []).map((o) => {
    const name = o.name ?? '';
    const value = scope.get(name, `${settings.where}: subgraph "${g.name}"`);
    const layer = builder.result(name, value);
    return { layerId: layer.id, value };
  });
  return { builder, results, captures: scope.captures };
}

/**
 * Constant 2-D weights of the main graph's MatMul/Gemm nodes in graph order, with the layout
 * their compression uses ([K, N] weights are stored transposed; Transpose(W) feeds W's rows).
 */
export function matMulWeights(model: ModelProto): WeightCandidate[] {
  const g = model.graph as GraphProto;
  const constants = graphConstants(g);
  const producers = new Map<string, NodeProto>();
  for (const n of g.node as NodeProto[]) for (const o of n.output) producers.set(o, n);
  const found = new Map<string, WeightCandidate>();
  for (const n of new Graph(g, 'model').topologicalOrder()) {
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm') continue;
    let name = n.input[1];
    let layout: WeightLayout =
      n.opType === 'Gemm' && n.attribute.some((a) => a.name === 'transB' && Number(a.i) === 1)
        ? 'rows'
        : 'transposed';
    const p = producers.get(name);
    if (n.opType === 'MatMul' && p?.opType === 'Transpose' && constants.has(p.input[0])) {
      name = p.input[0];
      layout = 'rows';
    }
    const tensor = constants.get(name);
    if (tensor && (tensor.dims ?? []).length === 2 && tensor.dataType === 1) {
      found.delete(name);
      found.set(name, { name, layout, tensor });
    }
  }
  return [...found.values()];
}

/** Emits the IR of `model` at `precision`, compressing weights the way OpenVINO does. */
export function emitOpenVinoIr(model: ModelProto, options: EmitIrOptions): EmittedIr {
  const g = model.graph as GraphProto;
  const settings: EmitSettings = {
    precision: options.precision,
    groupSize: options.groupSize ?? DEFAULT_INT4_GROUP_SIZE,
    int8Weights: new Set(
      options.int8Weights ??
        matMulWeights(model)
          .slice(-1)
          .map((w) => w.name),
    ),
    where: options.where,
    opset: opsetVersion(model) ?? 1,
    warn: options.warn ?? (() => {}),
  };
  const bin = new IrBinWriter();
  const builder = new IrGraphBuilder(bin, options.where);
  const constants = graphConstants(g);
  const scope = new Scope(builder, g, constants, settings);
  for (const input of g.input) {
    const name = input.name ?? '';
    if (constants.has(name)) continue;
    const { dtype, dims } = valueInfoType(input);
    if (!dims) {
      throw new UserError(
        `${options.where}: input "${name}" has no shape (unknown rank); export the model with input shapes.`,
      );
    }
    const shape = dims.map((d) => (typeof d === 'number' ? d : -1));
    const type = ovElementType(dtype, `${options.where}: input "${name}"`);
    scope.values.set(name, builder.parameter(name, type, shape));
  }
  emitNodes(g, scope, settings);
  for (const output of g.output) {
    const name = output.name ?? '';
    const v = scope.get(name, `${options.where}: output "${name}"`);
    builder.nameValue(v, name);
    builder.result(name, v);
  }
  return { xml: irDocumentXml(g.name || 'model', builder), bin: bin.finish() };
}

/** Every node of `model` (subgraphs included) the openvino target cannot emit, with the reason. */
export function findUnsupported(model: ModelProto): Unsupported[] {
  const opset = opsetVersion(model) ?? 1;
  const found: Unsupported[] = [];
  const g = model.graph as GraphProto;
  for (const input of g.input ?? []) {
    const { dtype } = valueInfoType(input);
    if (!isOvDtypeSupported(dtype)) {
      found.push({
        node: input.name ?? '',
        opType: 'input',
        reason: `has element type ${dtype ?? 'unknown'}, which OpenVINO IR lacks`,
      });
    }
  }
  const visit = (graph: GraphProto | onnx.IGraphProto, outer: Map<string, TensorProto>): void => {
    const constants = new Map([...outer, ...graphConstants(graph)]);
    for (const n of graph.node ?? []) {
      const node = n as NodeProto;
      const name = node.name || node.output?.[0] || node.opType;
      const opType = isDefaultDomain(node) ? node.opType : `${node.domain}::${node.opType}`;
      if (!isDefaultDomain(node)) {
        found.push({ node: name, opType, reason: 'is in a custom domain, which has no OpenVINO IR mapping' });
        continue;
      }
      const attrs = new NodeAttributes(node, opset);
      if (node.opType === 'Constant') {
        if (!constantNodeTensor(node))
          found.push({ node: name, opType, reason: 'holds a sparse or string value' });
        continue;
      }
      if (node.opType === 'Dropout' && node.output[1]) {
        found.push({ node: name, opType, reason: 'uses its mask output' });
        continue;
      }
      if (PASS_THROUGH_OPS.has(node.opType)) continue;
      const lowering = OV_LOWERINGS[node.opType];
      if (!lowering) {
        found.push({ node: name, opType, reason: 'has no OpenVINO IR mapping in this version' });
        continue;
      }
      const reason = lowering.check?.(attrs, (i) => constants.has(node.input[i] ?? ''));
      if (reason) found.push({ node: name, opType, reason });
      if (node.opType === 'If') {
        for (const a of node.attribute) if (a.g) visit(a.g, constants);
      }
    }
  };
  visit(g, new Map());
  return found;
}
