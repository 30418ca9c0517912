// Covers src/onnx/inspect.ts: inspectModel's op counts (subgraphs and functions included),
// parameters, opsets, inputs, bytes, external-data flag, functions and the architecture guess,
// on bert.legacy, vit.legacy, gpt2, llama and the small fixture models.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Graph } from '../../src/onnx/graph.js';
import { guessArchitecture, inspectModel } from '../../src/onnx/inspect.js';
import { readModel } from '../../src/onnx/model-io.js';
import type { GraphProto } from '../../src/onnx/proto/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(repoRoot, '__tests__/fixtures/models');
const SHARED = path.resolve(repoRoot, '../shared/fixtures');

describe('inspectModel on bert.legacy', () => {
  const loaded = readModel(path.join(SHARED, 'bert.legacy.onnx'));
  const s = inspectModel(loaded);

  test('op counts', () => {
    expect([s.ops.MatMul, s.ops.LayerNormalization, s.ops.Softmax, s.ops.Erf]).toEqual([16, 5, 2, 2]);
    expect(s.nodes).toBe(loaded.proto.graph!.node!.length);
    expect(Object.values(s.ops).reduce((a, b) => a + b, 0)).toBe(s.nodes);
    // Sorted by count, most frequent first.
    const counts = Object.values(s.ops);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  test('parameters equal Graph.parameterCount and are positive', () => {
    const count = new Graph(loaded.proto.graph as GraphProto, 'bert.legacy.onnx').parameterCount();
    expect(s.parameters).toBeGreaterThan(0);
    expect(s.parameters).toBe(count);
  });

  test('opsets, IR version, producer, inputs and outputs', () => {
    expect(s.opsets).toEqual({ 'ai.onnx': 17 });
    expect([s.irVersion, s.producer]).toEqual([8, 'pytorch 2.11.0']);
    expect(s.inputs).toEqual([
      { name: 'input_ids', dtype: 'int64', dims: ['batch', 'seq'] },
      { name: 'attention_mask', dtype: 'int64', dims: ['batch', 'seq'] },
    ]);
    expect(s.outputs.map((o) => [o.name, o.dtype, o.dims?.length, o.dims?.[2]])).toEqual([
      ['last_hidden_state', 'float32', 3, 128],
    ]);
  });

  test('bytes, weights, no external data, no functions, a transformer encoder', () => {
    expect(s.bytes).toBe(fs.statSync(path.join(SHARED, 'bert.legacy.onnx')).size);
    expect(s.weightBytes).toBeGreaterThan(0);
    expect(s.weightBytes).toBeLessThan(s.bytes);
    expect(s.externalData).toBe(false);
    expect(s.functions).toEqual([]);
    expect(s.architecture).toBe('transformer encoder');
  });
});

describe('architecture of the other transformer fixtures', () => {
  test.each([
    ['llama.dynamo_static.onnx', /decoder-only/],
    ['gpt2.dynamo_static.onnx', /language model with attention \(decoder\)/],
    ['vit.legacy.onnx', /vision transformer/],
    ['vit.dynamo_static.onnx', /vision transformer/],
    ['bert.dynamo_static.onnx', /^transformer encoder$/],
  ])('%s', (file, pattern) => {
    expect(inspectModel(readModel(path.join(SHARED, file))).architecture).toMatch(pattern);
  });

  test('llama: opset 20, RMSNorm pieces and 19 MatMuls, static input', () => {
    const s = inspectModel(readModel(path.join(SHARED, 'llama.dynamo_static.onnx')));
    expect(s.opsets).toEqual({ 'ai.onnx': 20 });
    expect([s.ops.MatMul, s.ops.Softmax, s.ops.Pow, s.ops.ReduceMean, s.ops.LayerNormalization]).toEqual([
      19,
      2,
      5,
      5,
      undefined,
    ]);
    expect(s.inputs).toEqual([{ name: 'input_ids', dtype: 'int64', dims: [1, 16] }]);
    expect(s.outputs).toEqual([{ name: 'logits', dtype: 'float32', dims: [1, 16, 1024] }]);
  });
});

describe('inspectModel on the small fixtures', () => {
  test('local_function.onnx lists its function and counts ops inside it, domain-qualified', () => {
    const s = inspectModel(readModel(path.join(MODELS, 'local_function.onnx')));
    expect(s.functions).toEqual(['custom.fn::ScaledTanh']);
    expect(s.opsets).toEqual({ 'ai.onnx': 17, 'custom.fn': 1 });
    // Graph: MatMul, 2× ScaledTanh, Add; function body: Constant, Tanh, Mul.
    expect(s.ops).toEqual({ 'custom.fn::ScaledTanh': 2, Add: 1, Constant: 1, MatMul: 1, Mul: 1, Tanh: 1 });
    expect(s.nodes).toBe(7);
    expect(s.parameters).toBe(4 * 4 + 4);
  });

  test('external/model.onnx: externalData true, bytes = .onnx + weights.bin', () => {
    const file = path.join(MODELS, 'external/model.onnx');
    const s = inspectModel(readModel(file));
    expect(s.externalData).toBe(true);
    expect(s.bytes).toBe(
      fs.statSync(file).size + fs.statSync(path.join(MODELS, 'external/weights.bin')).size,
    );
    expect(s.bytes).toBe(565 + 3232);
    expect(s.weightBytes).toBe(3232);
    expect(s.parameters).toBe(16 * 32 + 32 + 32 * 8 + 8);
    expect(s.architecture).toBe('multilayer perceptron');
  });

  test('if_subgraph.onnx and loop_scan.onnx count the nodes inside their subgraphs', () => {
    const ifs = inspectModel(readModel(path.join(MODELS, 'if_subgraph.onnx')));
    expect(ifs.ops).toEqual({ MatMul: 2, Add: 1, Greater: 1, If: 1, Mul: 1, ReduceSum: 1, Relu: 1, Tanh: 1 });
    const loop = inspectModel(readModel(path.join(MODELS, 'loop_scan.onnx')));
    // Loop body: Identity + Add; Scan body: Add + Identity.
    expect(loop.ops).toEqual({ Add: 2, Identity: 2, Loop: 1, Scan: 1 });
  });

  test('opset11_conv.onnx is a convolutional network; opset9_constants an MLP with 212 parameters', () => {
    expect(inspectModel(readModel(path.join(MODELS, 'opset11_conv.onnx'))).architecture).toBe(
      'convolutional network',
    );
    const mlp = inspectModel(readModel(path.join(MODELS, 'opset9_constants.onnx')));
    expect([mlp.architecture, mlp.parameters, mlp.opsets]).toEqual([
      'multilayer perceptron',
      212,
      { 'ai.onnx': 9 },
    ]);
  });
});

describe('guessArchitecture', () => {
  test.each([
    [{ LSTM: 1, MatMul: 2 }, [], 'recurrent network'],
    [{ 'com.microsoft::Attention': 1, MatMul: 1 }, ['last_hidden_state'], 'transformer encoder'],
    [
      { Softmax: 2, MatMul: 5, Gemm: 8, Transpose: 11 },
      ['logits'],
      'language model with attention (decoder)',
    ],
    [
      { Softmax: 1, MatMul: 3, Transpose: 2, SimplifiedLayerNormalization: 1 },
      ['logits'],
      'decoder-only language model (RMSNorm, Llama-like)',
    ],
    [{ Relu: 1 }, ['y'], 'other'],
    // A classifier's Softmax is not attention.
    [{ Conv: 2, Relu: 2, Gemm: 1, Softmax: 1 }, ['probs'], 'convolutional network'],
    [{ MatMul: 2, Relu: 1, Softmax: 1 }, ['probs'], 'multilayer perceptron'],
  ])('%j, outputs %j → %s', (ops, outputs, label) => {
    expect(guessArchitecture(ops as Record<string, number>, outputs as string[])).toBe(label);
  });
});
