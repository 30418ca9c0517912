// `model-convert inspect`: what a model is made of — opsets, inputs/outputs, op counts
// (subgraphs and functions included), parameters, bytes, and a guess at its architecture.
//   const summary = inspectModel(readModel('model.onnx'));

import path from 'node:path';
import type { DType } from './dtype.js';
import { Graph, opsetVersion, valueInfoType, type Dim } from './graph.js';
import type { LoadedModel } from './model-io.js';
import { int64ToNumber, type GraphProto, type onnx } from './proto/index.js';
import { tensorByteLength } from './tensor.js';
import { allTensors } from './external-data.js';

export interface ModelSummary {
  file: string;
  irVersion: number;
  producer: string;
  opsets: Record<string, number>;
  inputs: { name: string; dtype: DType | undefined; dims: Dim[] | undefined }[];
  outputs: { name: string; dtype: DType | undefined; dims: Dim[] | undefined }[];
  /** op type (domain-qualified when not ai.onnx) → count, including subgraphs and functions. */
  ops: Record<string, number>;
  nodes: number;
  parameters: number;
  bytes: number;
  weightBytes: number;
  externalData: boolean;
  functions: string[];
  architecture: string;
}

function countOps(nodes: readonly onnx.INodeProto[], into: Record<string, number>): void {
  for (const n of nodes) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : (n.opType ?? '');
    into[key] = (into[key] ?? 0) + 1;
    for (const a of n.attribute ?? [])
      for (const g of [a.g, ...(a.graphs ?? [])]) if (g) countOps(g.node ?? [], into);
  }
}

/** A coarse label from the ops present: transformer encoder/decoder, CNN, MLP, recurrent. */
export function guessArchitecture(ops: Record<string, number>, outputs: string[]): string {
  const has = (...names: string[]): boolean =>
    names.some((n) => (ops[n] ?? 0) > 0 || Object.keys(ops).some((k) => k.endsWith(`::${n}`)));
  // Unfused attention: per Softmax two batched MatMuls (Q·Kᵀ, weights·V) and a head Transpose,
  // so a classifier's Softmax after Gemm/MatMul layers does not count.
  const softmax = ops.Softmax ?? 0;
  const attention =
    has('Attention', 'MultiHeadAttention', 'GroupQueryAttention') ||
    (softmax > 0 && (ops.MatMul ?? 0) >= 2 * softmax && has('Transpose'));
  if (attention && has('Conv')) return 'vision transformer (patch embedding + attention)';
  if (attention) {
    const lm = outputs.some((o) => /logits/i.test(o));
    const rms =
      has('SimplifiedLayerNormalization', 'RMSNormalization') ||
      (has('Pow', 'ReduceMean', 'Sqrt') && !has('LayerNormalization'));
    if (lm)
      return rms
        ? 'decoder-only language model (RMSNorm, Llama-like)'
        : 'language model with attention (decoder)';
    return 'transformer encoder';
  }
  if (has('LSTM', 'GRU', 'RNN')) return 'recurrent network';
  if (has('Conv')) return 'convolutional network';
  if (has('MatMul', 'Gemm')) return 'multilayer perceptron';
  return 'other';
}

export function inspectModel(model: LoadedModel): ModelSummary {
  const graph = new Graph(model.proto.graph as GraphProto, path.basename(model.path));
  const ops: Record<string, number> = {};
  countOps(graph.nodes, ops);
  for (const f of model.proto.functions ?? []) countOps(f.node ?? [], ops);
  const opsets: Record<string, number> = {};
  for (const o of model.proto.opsetImport ?? [])
    opsets[o.domain || 'ai.onnx'] = opsetVersion(model.proto, o.domain ?? '') ?? 0;
  let weightBytes = 0;
  for (const t of allTensors(model.proto)) weightBytes += tensorByteLength(t);
  const outputs = graph.outputs.map((v) => ({ name: v.name, ...valueInfoType(v) }));
  const sortedOps = Object.fromEntries(
    Object.entries(ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
  return {
    file: model.path,
    irVersion: int64ToNumber(model.proto.irVersion),
    producer: [model.proto.producerName, model.proto.producerVersion].filter(Boolean).join(' '),
    opsets,
    inputs: graph.inputs.map((v) => ({ name: v.name, ...valueInfoType(v) })),
    outputs,
    ops: sortedOps,
    nodes: Object.values(ops).reduce((a, b) => a + b, 0),
    parameters: graph.parameterCount(),
    bytes: model.bytes,
    weightBytes,
    externalData: model.hadExternalData,
    functions: (model.proto.functions ?? []).map((f) => `${f.domain}::${f.name}`),
    architecture: guessArchitecture(
      ops,
      outputs.map((o) => o.name),
    ),
  };
}
