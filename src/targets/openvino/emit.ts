// ONNX graph → OpenVINO IR v11 (model.xml text + model.bin bytes). The graph is emitted as
// the precision transform left it: graph inputs become Parameters, constants become Const
// layers on first use (float16 ones read through a decompression Convert), quantized weights
// (weight-patterns.ts) become OpenVINO's compressed-weight pattern with the transform's own
// codes and scales, each node needed by an output goes through its lowering (ops/*.ts), If
// branches become bodies, and graph outputs become Results. findUnsupported lists every node
// the table cannot express, before anything is emitted.
//   const { xml, bin } = emitOpenVinoIr(transformed, { where: 'model.onnx' });

import { UserError } from '../../errors.js';
import { Graph, constantNodeTensor, opsetVersion, outerScopeNames, valueInfoType } from '../../onnx/graph.js';
import type { GraphProto, ModelProto, NodeProto, TensorProto, onnx } from '../../onnx/proto/index.js';
import type { Unsupported } from '../types.js';
import { isOvDtypeSupported, ovElementType } from './element-types.js';
import { IrBinWriter, IrGraphBuilder, irDocumentXml } from './ir-graph.js';
import { LoweringContext, NodeAttributes, Scope, type BodyEmission, type EmitSettings } from './lowering.js';
import { OV_LOWERINGS, PASS_THROUGH_OPS } from './ops/index.js';
import { findCompressedWeights, type CompressedWeight, type GraphView } from './weight-patterns.js';

export interface EmitIrOptions {
  /** The model file name, for messages. */
  where: string;
  warn?: (message: string) => void;
}

/** What to do about ops the shared transforms write only in modes the openvino target does not use. */
const QUANTIZATION_HINTS: Record<string, string> = {
  MatMulNBits:
    'quantization.format "matmulnbits" writes ONNX Runtime\'s MatMulNBits, which OpenVINO IR has no equivalent for; leave quantization.format unset (the openvino target uses "qdq")',
  DequantizeLinear:
    'the openvino target stores weights quantized by DequantizeLinear of constants; activation quantization (quantization.int8 "static") has no IR form here, so leave quantization.int8 unset ("weights")',
  QuantizeLinear:
    'activation quantization (quantization.int8 "static") has no IR form here; leave quantization.int8 unset ("weights")',
  DynamicQuantizeLinear:
    'activation quantization (quantization.int8 "dynamic") has no IR form here; leave quantization.int8 unset ("weights")',
  MatMulInteger:
    'activation quantization (quantization.int8 "dynamic") has no IR form here; leave quantization.int8 unset ("weights")',
  ConvInteger:
    'activation quantization (quantization.int8 "dynamic") has no IR form here; leave quantization.int8 unset ("weights")',
};

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

/** The recognizer's view of one graph, its constants read through the scope. */
function graphView(order: NodeProto[], outputs: readonly string[], scope: Scope): GraphView {
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  const readers = new Map<string, number>();
  const read = (name: string): void => {
    readers.set(name, (readers.get(name) ?? 0) + 1);
  };
  for (const n of order) {
    for (const o of n.output) if (o) producers.set(o, n);
    for (const i of n.input) {
      if (!i) continue;
      read(i);
      const list = consumers.get(i) ?? [];
      if (!list.includes(n)) list.push(n);
      consumers.set(i, list);
    }
    for (const i of outerScopeNames(n)) read(i);
  }
  for (const o of outputs) read(o);
  return {
    nodes: order,
    producer: (name) => producers.get(name),
    constant: (name) => (scope.constants.has(name) ? scope.host(name) : undefined),
    readerCount: (name) => readers.get(name) ?? 0,
    consumers: (name) => consumers.get(name) ?? [],
  };
}

/** Nodes whose outputs the graph outputs need; a compressed weight's value needs none of the nodes that made it. */
function neededNodes(
  view: GraphView,
  outputs: readonly string[],
  compressed: Map<string, CompressedWeight>,
): Set<NodeProto> {
  const needed = new Set<NodeProto>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (compressed.has(name)) continue;
    const node = view.producer(name);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.input.filter(Boolean), ...outerScopeNames(node));
  }
  return needed;
}

/** Warns once per graph when 2-bit codes had to be stored in 4-bit elements. */
function warnWidened(compressed: Map<string, CompressedWeight>, settings: EmitSettings): void {
  const widened = [...compressed.values()].filter((w) => w.sourceBits !== undefined);
  if (widened.length === 0) return;
  settings.warn(
    `${settings.where}: OpenVINO IR has no ${widened[0].sourceBits}-bit element type this target writes; ` +
      `${widened.length} weight(s) keep their codes in 4-bit elements (same values, 4 bits each).`,
  );
}

function emitNodes(g: GraphProto, scope: Scope, settings: EmitSettings): void {
  const graph = new Graph(g, settings.where);
  const bodyEmitter = (body: GraphProto, parent: Scope): BodyEmission => emitBody(body, parent, settings);
  const order = graph.topologicalOrder();
  const outputs = (g.output ?? []).map((o) => o.name ?? '');
  const view = graphView(order, outputs, scope);
  scope.compressed = findCompressedWeights(view);
  warnWidened(scope.compressed, settings);
  const needed = neededNodes(view, outputs, scope.compressed);
  for (const node of order) {
    if (!needed.has(node)) continue;
    const label = node.name || node.output[0] || node.opType;
    if (!isDefaultDomain(node)) {
      const hint = QUANTIZATION_HINTS[node.opType];
      throw new UserError(
        `${settings.where}: node "${label}" is in domain "${node.domain}", which the openvino target does not handle${hint ? `: ${hint}` : ''}.`,
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
      const hint = QUANTIZATION_HINTS[node.opType];
      throw new UserError(
        `${settings.where}: node "${label}" (${node.opType}) has no OpenVINO IR lowering; ${hint ?? 'use --targets onnx for this model'}.`,
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

/** Emits the IR of `model` (a transformed graph), writing its quantized weights the way OpenVINO does. */
export function emitOpenVinoIr(model: ModelProto, options: EmitIrOptions): EmittedIr {
  const g = model.graph as GraphProto;
  const settings: EmitSettings = {
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
