// Covers src/quantize/roles.ts: the role and block of every quantizable weight, found from
// graph structure (the fixtures' weight names are mostly val_N / onnx::MatMul_N), on llama
// (q/k/v/out, SwiGLU gate/up/down, head), gpt2 (fused qkv Gemm, tied embedding/head), bert
// and vit in both exporters' forms, the tiny example, an old-exporter MLP with Constant-node
// weights, a CNN and a sigmoid score head; roleMatches; and `inspect --json` listing them.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import type { GraphProto } from '../../src/onnx/proto/index.js';
import { detectLayerRoles, roleMatches } from '../../src/quantize/roles.js';
import { findQuantizableWeights } from '../../src/quantize/weights.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');

/** [role, block] of every weight in graph order, and the block count every weight reports. */
function rolesOf(file: string): {
  rows: [string, number][];
  blocks: number[];
  nodes: string[];
  names: string[];
} {
  const graph = new Graph(readModel(file).proto.graph as GraphProto, path.basename(file));
  const weights = findQuantizableWeights(graph);
  const roles = detectLayerRoles(graph, weights);
  const list = weights.map((w) => roles.get(w.name)!);
  return {
    rows: list.map((r) => [r.role, r.block]),
    blocks: [...new Set(list.map((r) => r.blocks))],
    nodes: list.map((r) => r.node),
    names: weights.map((w) => w.name),
  };
}

const attention = (b: number): [string, number][] => [
  ['attention.q', b],
  ['attention.k', b],
  ['attention.v', b],
  ['attention.out', b],
];
const mlp = (b: number): [string, number][] => [
  ['ffn.up', b],
  ['ffn.down', b],
];

describe('roles from graph structure on the fixtures', () => {
  test('llama: embedding, q/k/v/out and SwiGLU gate/up/down in blocks 0 and 1, head after the last block', () => {
    const r = rolesOf(path.join(SHARED, 'llama.dynamo_static.onnx'));
    const block = (b: number): [string, number][] => [
      ...attention(b),
      ['ffn.gate', b],
      ['ffn.up', b],
      ['ffn.down', b],
    ];
    expect(r.rows).toEqual([['embedding', -1], ...block(0), ...block(1), ['head', 2]]);
    expect(r.blocks).toEqual([2]);
    // Names say nothing (val_88 …): the roles come from the graph.
    expect(r.names.filter((n) => n.startsWith('val_')).length).toBe(15);
  });

  test('gpt2: fused attention.qkv Gemm, attention.out, ffn.up/down per block; the tied lm_head is the embedding', () => {
    const r = rolesOf(path.join(SHARED, 'gpt2.dynamo_static.onnx'));
    const block = (b: number): [string, number][] => [['attention.qkv', b], ['attention.out', b], ...mlp(b)];
    expect(r.rows).toEqual([['embedding', -1], ...block(0), ...block(1)]);
    expect(r.names[0]).toBe('m.lm_head.weight');
    expect(r.nodes.slice(1, 3)).toEqual(['node_Gemm_302', 'node_Gemm_304']);
  });

  test('bert (TorchScript exporter): 3 embeddings, q/k/v/out, ffn.up/down in blocks 0 and 1, named by node', () => {
    const r = rolesOf(path.join(SHARED, 'bert.legacy.onnx'));
    expect(r.rows).toEqual([
      ['embedding', -1],
      ['embedding', -1],
      ['embedding', -1],
      ...attention(0),
      ...mlp(0),
      ...attention(1),
      ...mlp(1),
    ]);
    expect(r.nodes[3]).toBe('/m/encoder/layer.0/attention/self/query/MatMul');
    expect(r.nodes[14]).toBe('/m/encoder/layer.1/output/dense/MatMul');
  });

  test('bert (torch.export exporter, opset 20): same roles, 2 embeddings', () => {
    const r = rolesOf(path.join(SHARED, 'bert.dynamo_static.onnx'));
    expect(r.rows).toEqual([
      ['embedding', -1],
      ['embedding', -1],
      ...attention(0),
      ...mlp(0),
      ...attention(1),
      ...mlp(1),
    ]);
  });

  for (const file of ['vit.legacy.onnx', 'vit.dynamo_static.onnx']) {
    test(`${file}: patch-embedding conv in block 0, then q/k/v/out and ffn.up/down in blocks 0 and 1`, () => {
      const r = rolesOf(path.join(SHARED, file));
      expect(r.rows).toEqual([['conv', 0], ...attention(0), ...mlp(0), ...attention(1), ...mlp(1)]);
      expect(r.blocks).toEqual([2]);
    });
  }

  test('examples/tiny: embedding, attention, GELU MLP (Gemm transB) and the classifier head', () => {
    const r = rolesOf(path.join(repoRoot, 'examples/tiny/model.onnx'));
    expect(r.rows).toEqual([['embedding', -1], ...attention(0), ...mlp(0), ['head', 1]]);
  });
});

describe('models without attention: every weighted layer is a block, the head comes after them', () => {
  test('opset11_conv: conv in block 0, the Gemm classifier (→ Softmax → output) a head after it', () => {
    const r = rolesOf(path.join(MODELS, 'opset11_conv.onnx'));
    expect(r.rows).toEqual([
      ['conv', 0],
      ['head', 1],
    ]);
    expect(r.blocks).toEqual([1]);
    expect(r.nodes).toEqual(['conv', 'fc']);
  });

  test('opset9_constants: Constant-node weights found; Gemm(transB) → Relu is ffn.up, the MatMul → Add → Sigmoid a head', () => {
    const r = rolesOf(path.join(MODELS, 'opset9_constants.onnx'));
    expect(r.names).toEqual(['W1', 'W2']);
    expect(r.rows).toEqual([
      ['ffn.up', 0],
      ['head', 1],
    ]);
    expect(r.blocks).toEqual([1]);
  });

  test('multi_io: embedding table and the sigmoid score layer (MatMul → Add → Sigmoid → output) as head', () => {
    const r = rolesOf(path.join(MODELS, 'multi_io.onnx'));
    expect(r.rows).toEqual([
      ['embedding', -1],
      ['head', 0],
    ]);
  });
});

describe('roleMatches', () => {
  test('a pattern matches the role itself and its sub-roles, not other names sharing a prefix', () => {
    expect(roleMatches('attention.q', 'attention')).toBe(true);
    expect(roleMatches('attention.qkv', 'attention')).toBe(true);
    expect(roleMatches('attention', 'attention')).toBe(true);
    expect(roleMatches('ffn.up', 'ffn.up')).toBe(true);
    expect(roleMatches('ffn.up', 'ffn.down')).toBe(false);
    expect(roleMatches('attention.q', 'attention.qkv')).toBe(false);
    expect(roleMatches('attention.qkv', 'attention.q')).toBe(false);
    expect(roleMatches('attentionx', 'attention')).toBe(false);
    expect(roleMatches('head', 'ffn')).toBe(false);
  });
});

describe('inspect', () => {
  test('inspect --json lists every weight with role, block and shape (llama: 16 weights)', async () => {
    let out = '';
    const code = await runCli(['inspect', path.join(SHARED, 'llama.dynamo_static.onnx'), '--json'], {
      out: (t) => (out += t),
      err: () => {},
    });
    expect(code).toBe(0);
    const layers = JSON.parse(out).layers as {
      role: string;
      block: number;
      dims: number[];
      weight: string;
    }[];
    expect(layers.length).toBe(16);
    expect(layers.map((l) => l.role).filter((role) => role.startsWith('attention')).length).toBe(8);
    expect(layers[layers.length - 1]).toMatchObject({ role: 'head', block: 2, dims: [128, 1024] });
    expect(layers[0]).toMatchObject({
      role: 'embedding',
      block: -1,
      dims: [1024, 128],
      weight: 'm.model.embed_tokens.weight',
    });
  });
});
