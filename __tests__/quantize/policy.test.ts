// Covers src/quantize/policy.ts: ruleMatches (role prefix, block indices counted from either
// end, node-name regex, all conditions together), policyBitsFor (first match wins; keep and
// fp32 leave a weight alone; the fallback when nothing matches), DEFAULT_MIXED_POLICY and
// the pure n-bit recipe (defaultBitsFor) on real graphs, and `mixed` end to end: a
// convert.yml policy on llama gives a report whose `layers` list carries each layer's
// precision, the kept node stays float32 in the file, and the variant passes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import type { GraphProto } from '../../src/onnx/proto/index.js';
import {
  DEFAULT_MIXED_POLICY,
  PRECISION_BITS,
  defaultBitsFor,
  policyBitsFor,
  precisionOfBits,
  ruleMatches,
} from '../../src/quantize/policy.js';
import { detectLayerRoles, type LayerRole } from '../../src/quantize/roles.js';
import type { PolicyRule } from '../../src/quantize/types.js';
import { findQuantizableWeights, type QuantizableWeight } from '../../src/quantize/weights.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');

const role = (r: string, block: number, node = 'n', blocks = 4): LayerRole => ({
  role: r,
  block,
  blocks,
  node,
});

function load(file: string): { graph: Graph; weights: QuantizableWeight[]; roles: Map<string, LayerRole> } {
  const graph = new Graph(readModel(file).proto.graph as GraphProto, path.basename(file));
  const weights = findQuantizableWeights(graph);
  return { graph, weights, roles: detectLayerRoles(graph, weights) };
}

describe('ruleMatches', () => {
  test('role: a prefix up to a dot ("attention" takes attention.q/k/v/qkv/out, "ffn.up" only itself)', () => {
    const rule: PolicyRule = { role: 'attention', precision: 'int8' };
    expect(
      ['attention.q', 'attention.qkv', 'attention.out', 'ffn.up', 'head'].map((r) =>
        ruleMatches(rule, role(r, 0)),
      ),
    ).toEqual([true, true, true, false, false]);
    expect(ruleMatches({ role: 'ffn.up', precision: 'int4' }, role('ffn.up', 1))).toBe(true);
    expect(ruleMatches({ role: 'ffn.up', precision: 'int4' }, role('ffn.upper', 1))).toBe(false);
  });

  test('blocks: non-negative indices as given, negative ones from the end (-1 = blocks − 1)', () => {
    const rule: PolicyRule = { blocks: [0, -1], precision: 'int8' };
    expect([0, 1, 2, 3, 4, -1].map((b) => ruleMatches(rule, role('ffn.up', b, 'n', 4)))).toEqual([
      true,
      false,
      false,
      true,
      false,
      false,
    ]);
    expect(ruleMatches({ blocks: [-2], precision: 'int8' }, role('ffn.up', 2, 'n', 4))).toBe(true);
    // The head sits after the last block; embeddings (block −1) before the first: neither is "-1".
    expect(ruleMatches(rule, role('head', 4, 'n', 4))).toBe(false);
    expect(ruleMatches(rule, role('embedding', -1, 'n', 4))).toBe(false);
  });

  test('name: a regular expression searched in the node name', () => {
    const rule: PolicyRule = { name: 'layer\\.1/.*MatMul$', precision: 'keep' };
    expect(ruleMatches(rule, role('ffn.up', 1, '/m/encoder/layer.1/intermediate/dense/MatMul'))).toBe(true);
    expect(ruleMatches(rule, role('ffn.up', 0, '/m/encoder/layer.0/intermediate/dense/MatMul'))).toBe(false);
    expect(ruleMatches(rule, role('ffn.up', 1, '/m/encoder/layer.1/intermediate/dense/MatMul_1'))).toBe(
      false,
    );
    expect(
      ruleMatches({ name: 'linear_1', precision: 'int8' }, role('attention.k', 0, 'node_linear_13')),
    ).toBe(true);
  });

  test('all conditions must hold; a rule with none matches everything', () => {
    const rule: PolicyRule = { role: 'ffn', blocks: [-1], name: '_1', precision: 'int8' };
    expect(ruleMatches(rule, role('ffn.down', 3, 'node_linear_13'))).toBe(true);
    expect(ruleMatches(rule, role('ffn.down', 2, 'node_linear_13'))).toBe(false);
    expect(ruleMatches(rule, role('attention.q', 3, 'node_linear_13'))).toBe(false);
    expect(ruleMatches(rule, role('ffn.down', 3, 'node_linear_6'))).toBe(false);
    expect(ruleMatches({ precision: 'fp16' }, role('anything', 99))).toBe(true);
  });
});

describe('policyBitsFor', () => {
  const weight = (name: string): QuantizableWeight => ({ name, dims: [4, 4] }) as QuantizableWeight;
  const roles = new Map<string, LayerRole>([
    ['q', role('attention.q', 0, 'q_node')],
    ['up', role('ffn.up', 3, 'up_node')],
    ['down', role('ffn.down', 1, 'down_node')],
    ['emb', role('embedding', -1, 'emb_node')],
  ]);

  test('first matching rule wins; keep and fp32 leave the weight alone; fp16 is 16; unmatched → fallback', () => {
    const rules: PolicyRule[] = [
      { name: '^down_node$', precision: 'keep' },
      { role: 'ffn', blocks: [-1], precision: 'int8' },
      { role: 'ffn', precision: 'int4' },
      { role: 'attention', precision: 'fp16' },
      { role: 'attention', precision: 'int2' }, // shadowed by the rule above
      { role: 'embedding', precision: 'fp32' },
    ];
    const bitsFor = policyBitsFor(rules, roles, () => 3);
    expect(['q', 'up', 'down', 'emb', 'no-role'].map((n) => bitsFor(weight(n)))).toEqual([
      16,
      8,
      undefined,
      undefined,
      3,
    ]);
  });

  test('PRECISION_BITS and precisionOfBits agree both ways', () => {
    expect(PRECISION_BITS).toEqual({
      fp32: undefined,
      keep: undefined,
      fp16: 16,
      int8: 8,
      int4: 4,
      int3: 3,
      int2: 2,
    });
    expect([undefined, 16, 8, 4, 3, 2].map(precisionOfBits)).toEqual([
      'fp32',
      'fp16',
      'int8',
      'int4',
      'int3',
      'int2',
    ]);
  });
});

describe('recipes on real graphs', () => {
  const precisions = (
    file: string,
    bitsFor: (l: ReturnType<typeof load>) => (w: QuantizableWeight) => number | undefined,
  ) => {
    const l = load(file);
    const f = bitsFor(l);
    return l.weights.map((w) => `${l.roles.get(w.name)!.role}:${precisionOfBits(f(w))}`);
  };

  test('DEFAULT_MIXED_POLICY on vit: conv int8 (block 0), blocks 0 and −1 int8 — a 2-block model is int8 throughout', () => {
    const got = precisions(path.join(SHARED, 'vit.legacy.onnx'), (l) =>
      policyBitsFor(DEFAULT_MIXED_POLICY, l.roles, () => undefined),
    );
    expect(new Set(got.map((g) => g.split(':')[1]))).toEqual(new Set(['int8']));
    expect(got.length).toBe(13);
  });

  test('DEFAULT_MIXED_POLICY on opset11_conv: conv is the last block (int8), the classifier head int8', () => {
    const got = precisions(path.join(MODELS, 'opset11_conv.onnx'), (l) =>
      policyBitsFor(DEFAULT_MIXED_POLICY, l.roles, () => undefined),
    );
    expect(got).toEqual(['conv:int8', 'head:int8']);
  });

  test('defaultBitsFor(4) on llama: embedding and head int8, the 14 projections int4', () => {
    const got = precisions(path.join(SHARED, 'llama.dynamo_static.onnx'), (l) =>
      defaultBitsFor(4, l.graph, l.roles),
    );
    expect(got[0]).toBe('embedding:int8');
    expect(got[got.length - 1]).toBe('head:int8');
    expect(got.slice(1, -1).every((g) => g.endsWith(':int4'))).toBe(true);
    expect(got.length).toBe(16);
  });

  test('defaultBitsFor(2) on vit: the patch conv reads the image (int8), every other layer int2', () => {
    const got = precisions(path.join(SHARED, 'vit.legacy.onnx'), (l) => defaultBitsFor(2, l.graph, l.roles));
    expect(got[0]).toBe('conv:int8');
    expect(got.slice(1).every((g) => g.endsWith(':int2'))).toBe(true);
  });
});

describe('mixed precision through the CLI', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-policy-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { out: (t) => (out += t), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  }

  test('llama with a convert.yml policy: layers list per rule, kept node untouched, variant passes', async () => {
    const config = path.join(tmp, 'convert.yml');
    fs.writeFileSync(
      config,
      [
        'quantization:',
        '  policy:',
        "    - { name: '^node_linear_3$', precision: keep }  # block 0 attention output",
        '    - { role: embedding, precision: int8 }',
        '    - { role: ffn, blocks: [-1], precision: int8 }',
        '    - { role: attention, precision: int8 }',
        '    - { role: ffn, precision: int4 }',
        '    - { blocks: [0, -1], precision: int8 }',
        '    - { precision: fp16 }',
        '',
      ].join('\n'),
    );
    const out = path.join(tmp, 'out');
    const r = await cli(
      'convert',
      path.join(SHARED, 'llama.dynamo_static.onnx'),
      '--config',
      config,
      '--precision',
      'mixed',
      '--inputs',
      `input_ids=${path.join(SHARED, 'llama.input.input_ids.npy')}`,
      '--out',
      out,
      '--no-cache',
      '--json',
    );
    const variant = JSON.parse(r.out).variants[0];
    expect([r.code, variant.precision, variant.status]).toEqual([0, 'mixed', 'pass']);
    const layers = variant.layers as { node: string; role: string; precision: string; bytes: number }[];
    const rows = layers.map((l) => `${l.node} ${l.role} ${l.precision}`);
    expect(rows).toEqual([
      'node_embedding embedding int8',
      'node_linear attention.q int8',
      'node_linear_1 attention.k int8',
      'node_linear_2 attention.v int8',
      'node_linear_4 ffn.gate int4',
      'node_linear_5 ffn.up int4',
      'node_linear_6 ffn.down int4',
      'node_linear_7 attention.q int8',
      'node_linear_8 attention.k int8',
      'node_linear_9 attention.v int8',
      'node_linear_10 attention.out int8',
      'node_linear_11 ffn.gate int8',
      'node_linear_12 ffn.up int8',
      'node_linear_13 ffn.down int8',
      'node_linear_14 head fp16',
    ]);
    // Bytes per layer follow the precision: [128, 344] at int4 < int8; the fp16 head is 2 bytes a weight.
    const bytes = (node: string) => layers.find((l) => l.node === node)!.bytes;
    expect(bytes('node_linear_4')).toBeLessThan(0.6 * bytes('node_linear_11'));
    expect(bytes('node_linear_14')).toBe(128 * 1024 * 2);
    // The kept node still reads its float32 initializer.
    const m = readModel(path.join(out, variant.files[0])).proto;
    const kept = m.graph!.node!.find((n) => n.name === 'node_linear_3')!;
    expect(kept.opType).toBe('MatMul');
    const init = m.graph!.initializer!.find((t) => t.name === kept.input![1])!;
    expect([init.dataType, init.dims!.map(Number)]).toEqual([1, [128, 128]]);
    expect(variant.compression).toBeLessThan(0.5);
    expect(variant.metrics.rel_l2).toBeLessThanOrEqual(0.1);
  });

  test('an invalid name pattern is a one-line usage error (exit 2)', async () => {
    const config = path.join(tmp, 'bad.yml');
    fs.writeFileSync(config, "quantization:\n  policy:\n    - { name: '(', precision: int8 }\n");
    const r = await cli(
      'convert',
      path.join(MODELS, 'opset9_constants.onnx'),
      '--config',
      config,
      '--precision',
      'mixed',
      '--out',
      path.join(tmp, 'bad'),
    );
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: quantization.policy[0].name "(" is not a valid regular expression.');
  });
});
