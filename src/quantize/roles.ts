// Layer roles from graph structure (not names): for each quantizable weight, what it does —
// attention q/k/v/qkv/output projection, feed-forward up/gate/down, embedding, head (LM
// head or classifier), convolution — and which block it belongs to, so a policy can say
// "attention int8, FFN int4, first and last blocks int8".
//   const roles = detectLayerRoles(graph, findQuantizableWeights(graph));
//   roles.get('model.layers.0.mlp.down_proj.weight') // { role: 'ffn.down', block: 0, … }

import type { Graph } from '../onnx/graph.js';
import type { NodeProto } from '../onnx/proto/index.js';
import { findQuantizableWeights, type QuantizableWeight } from './weights.js';

export interface LayerRole {
  /** attention.q | attention.k | attention.v | attention.qkv | attention.out | ffn.up | ffn.gate | ffn.down | embedding | head | conv | linear */
  role: string;
  /** Transformer block (0-based) or, without attention, the index among weighted layers; -1 for embeddings. */
  block: number;
  /** Blocks in the model (for negative block indices in policies). */
  blocks: number;
  /** Name of the node using the weight (for name patterns). */
  node: string;
}

/** Ops that pass values along without computing on them across features. */
const PASS_THROUGH = new Set([
  'Reshape',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Identity',
  'Cast',
  'Split',
  'Slice',
  'Gather',
  'Concat',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Expand',
  'Where',
  'Dropout',
  'Sqrt',
  'Pow',
  'ReduceMean',
]);
const ACTIVATIONS = new Set([
  'Gelu',
  'Erf',
  'Relu',
  'Sigmoid',
  'Tanh',
  'FastGelu',
  'QuickGelu',
  'Elu',
  'LeakyRelu',
  'HardSwish',
  'Mish',
  'Softplus',
]);
const NORMS = new Set([
  'LayerNormalization',
  'SimplifiedLayerNormalization',
  'RMSNormalization',
  'BatchNormalization',
  'InstanceNormalization',
  'GroupNormalization',
]);

/** An activation×activation MatMul (attention scores or context). */
function isActivationMatMul(node: NodeProto, weightNodes: Set<NodeProto>): boolean {
  return node.opType === 'MatMul' && !weightNodes.has(node);
}

export function detectLayerRoles(graph: Graph, weights: QuantizableWeight[]): Map<string, LayerRole> {
  const consumers = graph.consumers();
  const producers = graph.producers();
  const order = graph.topologicalOrder();
  const position = new Map(order.map((n, i) => [n, i]));
  const weightNodes = new Set(weights.flatMap((w) => w.sites.map((s) => s.node)));
  const outputs = new Set(graph.outputs.map((o) => o.name));

  // Forward search from a value: the first "interesting" nodes reached through pass-through ops.
  const forward = (value: string, limit = 40): { node: NodeProto; via: string }[] => {
    const found: { node: NodeProto; via: string }[] = [];
    const seen = new Set<string>();
    const queue = [value];
    while (queue.length > 0 && seen.size < limit) {
      const v = queue.shift()!;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const c of consumers.get(v) ?? []) {
        if (PASS_THROUGH.has(c.opType) && !weightNodes.has(c)) queue.push(...c.output.filter(Boolean));
        else found.push({ node: c, via: v });
      }
    }
    return found;
  };
  const reachesOutputDirectly = (value: string): boolean => {
    const seen = new Set<string>();
    const queue = [value];
    while (queue.length > 0) {
      const v = queue.shift()!;
      if (seen.has(v)) continue;
      seen.add(v);
      if (outputs.has(v)) return true;
      for (const c of consumers.get(v) ?? []) {
        // A classifier's Softmax / LogSoftmax / Sigmoid still leaves its layer a head.
        const passes =
          (PASS_THROUGH.has(c.opType) && c.opType !== 'ReduceMean') ||
          ['Softmax', 'LogSoftmax', 'Sigmoid'].includes(c.opType);
        if (passes && !weightNodes.has(c)) queue.push(...c.output.filter(Boolean));
      }
    }
    return false;
  };
  // Backward search from a value to the first interesting producer.
  const backward = (value: string, limit = 40): NodeProto | undefined => {
    const seen = new Set<string>();
    const queue = [value];
    while (queue.length > 0 && seen.size < limit) {
      const v = queue.shift()!;
      if (seen.has(v)) continue;
      seen.add(v);
      const p = producers.get(v);
      if (!p) continue;
      if (PASS_THROUGH.has(p.opType) && !weightNodes.has(p)) queue.push(p.input[0]);
      else return p;
    }
    return undefined;
  };

  const softmaxFed = (node: NodeProto): boolean =>
    forward(node.output[0]).some((f) => f.node.opType === 'Softmax');
  const roleOf = (w: QuantizableWeight): string => {
    const site = w.sites[0];
    if (w.sites.some((s) => s.use === 'gather')) return 'embedding';
    if (site.use === 'conv') return 'conv';
    const node = site.node;
    if (reachesOutputDirectly(node.output[0])) return 'head';
    const next = forward(node.output[0]);
    const attentionRoles = new Set<string>();
    for (const { node: n, via } of next) {
      if (!isActivationMatMul(n, weightNodes)) continue;
      if (softmaxFed(n)) attentionRoles.add(n.input[0] === via ? 'attention.q' : 'attention.k');
      else attentionRoles.add('attention.v');
    }
    if (attentionRoles.size > 1) return 'attention.qkv';
    if (attentionRoles.size === 1) return [...attentionRoles][0];
    if (next.some(({ node: n }) => n.opType === 'Split')) return 'attention.qkv';
    const from = backward(node.input[0]);
    if (from && isActivationMatMul(from, weightNodes)) return 'attention.out';
    if (from && (ACTIVATIONS.has(from.opType) || (from.opType === 'Mul' && !weightNodes.has(from))))
      return 'ffn.down';
    if (next.some(({ node: n }) => ACTIVATIONS.has(n.opType))) {
      // SwiGLU: the gate feeds Sigmoid and Mul; the up projection feeds only the Mul.
      return next.some(({ node: n }) => n.opType === 'Sigmoid') ? 'ffn.gate' : 'ffn.up';
    }
    if (from && NORMS.has(from.opType)) return 'ffn.up';
    return 'linear';
  };

  const roles = new Map<string, LayerRole>();
  for (const w of weights)
    roles.set(w.name, {
      role: roleOf(w),
      block: 0,
      blocks: 1,
      node: w.sites[0].node.name || w.sites[0].node.opType,
    });
  // Feed-forward pairs the first pass could not name from activations alone (SwiGLU's up
  // projection feeds only a Mul; decomposed GELUs hide the activation): a linear layer whose
  // output reaches another weighted layer is an up projection, that layer a down projection.
  const byNode = new Map(weights.flatMap((w) => w.sites.map((s) => [s.node, w] as const)));
  for (const w of weights) {
    const r = roles.get(w.name)!;
    if (!['linear', 'ffn.up', 'ffn.gate'].includes(r.role)) continue;
    for (const { node: n } of forward(w.sites[0].node.output[0])) {
      const target = byNode.get(n);
      if (!target || target === w) continue;
      const t = roles.get(target.name)!;
      if (t.role === 'linear' || t.role === 'ffn.down') {
        if (r.role === 'linear') r.role = 'ffn.up';
        t.role = 'ffn.down';
      }
    }
  }
  // Blocks: one per attention (its scores MatMul, the one feeding Softmax). q/k/v belong to
  // the first scores MatMul after them; everything else to the last one before it.
  // Without attention, every weighted layer is its own block.
  const firstIndex = (w: QuantizableWeight): number =>
    Math.min(...w.sites.map((s) => position.get(s.node) ?? 0));
  const scores = order
    .filter((n) => isActivationMatMul(n, weightNodes) && softmaxFed(n))
    .map((n) => position.get(n)!)
    .sort((a, b) => a - b);
  // Embeddings come before every block and the head after the last one, in both kinds of model.
  const layered = weights
    .filter((w) => !['embedding', 'head'].includes(roles.get(w.name)!.role))
    .sort((a, b) => firstIndex(a) - firstIndex(b));
  const blocks = scores.length > 0 ? scores.length : layered.length;
  for (const w of weights) {
    const r = roles.get(w.name)!;
    const p = firstIndex(w);
    r.blocks = Math.max(1, blocks);
    if (r.role === 'embedding') r.block = -1;
    else if (r.role === 'head') r.block = blocks;
    else if (scores.length === 0) r.block = layered.indexOf(w);
    else if (['attention.q', 'attention.k', 'attention.v', 'attention.qkv'].includes(r.role)) {
      const i = scores.findIndex((s) => s > p);
      r.block = i < 0 ? scores.length - 1 : i;
    } else r.block = Math.max(0, scores.filter((s) => s < p).length - 1);
  }
  return roles;
}

/** Does `role` match a policy role ("attention" matches "attention.q")? */
export function roleMatches(role: string, pattern: string): boolean {
  return role === pattern || role.startsWith(`${pattern}.`);
}

export interface LayerRoleRow extends LayerRole {
  weight: string;
  dims: number[];
  parameters: number;
}

/** Every quantizable weight with its role and block, in graph order (for `inspect`). */
export function listLayerRoles(graph: Graph): LayerRoleRow[] {
  const weights = findQuantizableWeights(graph);
  const roles = detectLayerRoles(graph, weights);
  return weights.map((w) => ({
    weight: w.name,
    dims: w.dims,
    parameters: w.dims.reduce((a, b) => a * b, 1),
    ...roles.get(w.name)!,
  }));
}
