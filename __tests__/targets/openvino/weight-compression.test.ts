// Quantized weights as OpenVINO stores them, emitted from the graphs the shared transforms
// make for this target (format qdq, int8 and fp16 'weights'): u8 / u4 Const →
// Convert(decompression) → Subtract(zero point) → Multiply(scale) [→ Reshape] in front of
// MatMul at int8 / int4 (block-wise ones as [N, K/32, 32]), f16 Const → Convert(decompression)
// at fp16 — checked on the IR as the reader parses it. The codes are the transform's: the IR
// computes exactly what the transformed graph computes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Graph } from '../../../src/onnx/graph.js';
import { readModel, writeModel, type LoadedModel } from '../../../src/onnx/model-io.js';
import {
  int64ToNumber,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../../src/onnx/proto/index.js';
import { tensorFromProto, tensorToProto } from '../../../src/onnx/tensor.js';
import { cloneModel } from '../../../src/onnx/clone.js';
import type { Precision } from '../../../src/pipeline/types.js';
import { emitOpenVinoIr } from '../../../src/targets/openvino/emit.js';
import { openvinoTarget } from '../../../src/targets/openvino/index.js';
import {
  parseIr,
  readConstTensor,
  type IrLayerInfo,
  type IrNetwork,
} from '../../../src/targets/openvino/ir-reader/parse-ir.js';
import { compareRuns, runSamples } from '../../../src/verify/compare-runs.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { generateSamples } from '../../../src/verify/sample-inputs.js';
import { modelFixtures, sharedFixtures, transformedFor } from './helpers.js';

function producerOf(net: IrNetwork, layer: IrLayerInfo, input: number): IrLayerInfo {
  const e = net.edges.find((x) => x.toLayer === layer.id && x.toPort === layer.inputs[input].id)!;
  return net.layers.find((l) => l.id === e.fromLayer)!;
}

/** Layer types from a layer's input back to its Const, e.g. Multiply ← Subtract ← Convert* ← Const(u8). */
function chain(net: IrNetwork, layer: IrLayerInfo, input: number): string[] {
  const out: string[] = [];
  let l = producerOf(net, layer, input);
  for (;;) {
    const marked = l.rtInfo.includes('decompression') ? '*' : '';
    out.push(l.type === 'Const' ? `Const(${l.data.element_type})` : `${l.type}${marked}`);
    if (l.type === 'Const' || l.type === 'Parameter') return out;
    l = producerOf(net, l, 0);
  }
}

async function emitted(
  file: string,
  precision: Precision,
): Promise<{ net: IrNetwork; bin: Uint8Array; model: ModelProto; source: LoadedModel }> {
  const source = readModel(file);
  const model = await transformedFor(source, precision);
  const { xml, bin } = emitOpenVinoIr(model, { where: path.basename(file) });
  return { net: parseIr(xml, bin, `${precision}.xml`).model.network, bin, model, source };
}

function initializer(model: ModelProto, name: string): TensorProto {
  return (model.graph!.initializer as TensorProto[]).find((t) => t.name === name)!;
}

test("int8 writes the transform's u8 codes per output channel in front of MatMul, transposed", async () => {
  const { net, bin, model } = await emitted(path.join(modelFixtures, 'opset9_constants.onnx'), 'int8');
  const matmuls = net.layers.filter((l) => l.type === 'MatMul');
  expect(matmuls.length).toBe(2);
  for (const m of matmuls) {
    expect(m.data.transpose_b).toBe('true');
    expect(chain(net, m, 1)).toEqual(['Multiply', 'Subtract', 'Convert*', 'Const(u8)']);
  }
  // The MatMul weight's codes: the DequantizeLinear input [K, N], stored as [N, K].
  const dq = (model.graph!.node as NodeProto[]).find(
    (n) => n.opType === 'DequantizeLinear' && int64ToNumber(n.attribute[0]?.i) === 1,
  )!;
  const codes = tensorFromProto(initializer(model, dq.input[0]), 'x');
  const [K, N] = codes.dims;
  const stored = net.layers.find(
    (l) => l.type === 'Const' && l.data.element_type === 'u8' && l.data.shape === `${N},${K}`,
  )!;
  const ir = readConstTensor(stored, bin).data as Uint8Array;
  const src = codes.data as Uint8Array;
  expect(Array.from({ length: K * N }, (_, i) => ir[(i % N) * K + Math.floor(i / N)])).toEqual(
    Array.from(src),
  );
});

test('int4 stores u4 codes as [N, K/32, 32] with [N, K/32, 1] scales; embeddings stay 8-bit', async () => {
  const { net } = await emitted(path.join(sharedFixtures, 'bert.dynamo_static.onnx'), 'int4');
  const chains = net.layers
    .filter((l) => l.type === 'MatMul' && producerOf(net, l, 1).type !== 'Parameter')
    .map((m) => chain(net, m, 1).join(' ← '))
    .filter((c) => c.includes('Const('));
  const u4 = 'Reshape ← Multiply ← Subtract ← Convert* ← Const(u4)';
  expect(chains.filter((c) => c === u4).length).toBe(12);
  const weight = net.layers.find((l) => l.type === 'Const' && l.data.element_type === 'u4')!;
  const [n, groups, group] = weight.data.shape!.split(',').map(Number);
  expect(group).toBe(32);
  expect(n * groups * group).toBe(128 * 128);
  const scale = net.layers.find((l) => l.name === `${weight.name}/scale`)!;
  expect(scale.data.shape).toBe(`${n},${groups},1`);
  // Embedding tables: 8-bit codes in blocks of 32 ([V, D/32, 32]), the shared recipe's choice.
  const tables = net.layers
    .filter((l) => l.type === 'Gather' && chain(net, l, 0).at(-1) === 'Const(u8)')
    .map((g) => chain(net, g, 0).join(' ← '));
  expect(tables.length).toBeGreaterThan(0);
  expect(new Set(tables)).toEqual(new Set(['Reshape ← Multiply ← Subtract ← Convert* ← Const(u8)']));
});

test('a last partial block (llama FFN 344 = 10 blocks of 32 + 24) is padded and sliced off', async () => {
  const { net } = await emitted(path.join(sharedFixtures, 'llama.dynamo_static.onnx'), 'int4');
  const down = net.layers.filter(
    (l) =>
      l.type === 'MatMul' &&
      chain(net, l, 1).join(' ← ') === 'Slice ← Reshape ← Multiply ← Subtract ← Convert* ← Const(u4)',
  );
  expect(down.length).toBe(2);
  const weight = net.layers.find(
    (l) => l.type === 'Const' && l.data.element_type === 'u4' && l.data.shape === '128,11,32',
  );
  expect(weight).toBeDefined();
});

test("old opsets: the transform's bit-packed weights (unpacked by Gather/Div/Mul/Sub) become u4 / u8 Consts", async () => {
  const { net, model } = await emitted(path.join(modelFixtures, 'opset9_constants.onnx'), 'int4');
  expect((model.graph!.node as NodeProto[]).filter((n) => n.opType === 'Div').length).toBeGreaterThan(0);
  const types = new Set(net.layers.map((l) => l.type));
  expect([...types].filter((t) => ['Divide', 'Gather', 'Transpose'].includes(t))).toEqual([]);
  const matmuls = net.layers.filter((l) => l.type === 'MatMul');
  // The hidden layer at 4 bits, the output layer (the head) at 8, as the shared recipe assigns them.
  expect(matmuls.map((m) => chain(net, m, 1).at(-1)).sort()).toEqual(['Const(u4)', 'Const(u8)']);
});

test('fp16 reads every float16 weight of the transform through a decompression Convert', async () => {
  const { net, model } = await emitted(path.join(sharedFixtures, 'vit.dynamo_static.onnx'), 'fp16');
  const f16 = net.layers.filter((l) => l.type === 'Const' && l.data.element_type === 'f16');
  const stored = (model.graph!.initializer as TensorProto[]).filter((t) => t.dataType === 10);
  expect(stored.length).toBeGreaterThan(15);
  expect(f16.length).toBe(stored.length);
  for (const c of f16) {
    const consumers = net.edges
      .filter((e) => e.fromLayer === c.id)
      .map((e) => net.layers.find((l) => l.id === e.toLayer)!);
    expect(consumers.map((l) => `${l.type}:${l.data.destination_type}:${l.rtInfo.join()}`)).toEqual([
      'Convert:f32:decompression',
    ]);
  }
  const bigF32 = net.layers.filter(
    (l) => l.type === 'Const' && l.data.element_type === 'f32' && Number(l.data.size) > 1024,
  );
  expect(bigF32).toEqual([]);
});

/** The transformed graph with each DequantizeLinear replaced by its float32 result, worked out here from the ONNX definition. */
function withDequantizeFolded(model: ModelProto): ModelProto {
  const m = cloneModel(model);
  const g = m.graph as GraphProto;
  const inits = new Map((g.initializer as TensorProto[]).map((t) => [t.name, t]));
  const kept: NodeProto[] = [];
  for (const n of g.node as NodeProto[]) {
    if (n.opType !== 'DequantizeLinear') {
      kept.push(n);
      continue;
    }
    const [x, s, z] = n.input.map((name) => (name ? tensorFromProto(inits.get(name)!, 'test') : undefined));
    const attr = (k: string, d: number): number => {
      const a = n.attribute.find((a) => a.name === k);
      return a ? int64ToNumber(a.i) : d;
    };
    const dims = x!.dims;
    const axis = (attr('axis', 1) + dims.length) % dims.length;
    const block = attr('block_size', 0);
    const stride = (d: readonly number[], i: number): number => d.slice(i + 1).reduce((a, b) => a * b, 1);
    const codes = x!.data as ArrayLike<number>;
    const scales = s!.data as Float32Array;
    const out = new Float32Array(codes.length);
    for (let e = 0; e < out.length; e++) {
      let j = 0;
      if (scales.length > 1 && block === 0) j = Math.floor(e / stride(dims, axis)) % dims[axis];
      if (scales.length > 1 && block > 0)
        dims.forEach((_, d) => {
          const idx = Math.floor(e / stride(dims, d)) % dims[d];
          j += (d === axis ? Math.floor(idx / block) : idx) * stride(s!.dims, d);
        });
      const zp = z ? Number((z.data as ArrayLike<number>)[j]) : 0;
      out[e] = Math.fround((codes[e] - zp) * scales[j]);
    }
    g.initializer.push(tensorToProto(n.output[0], { dtype: 'float32', dims, data: out }));
  }
  g.node = kept;
  return m;
}

test.each<[string, Precision]>([
  ['bert.legacy', 'int8'],
  ['bert.legacy', 'int4'],
  ['llama.dynamo_static', 'int4'],
  ['gpt2.dynamo_static', 'mixed'],
])(
  '%s at %s: the IR computes what the transformed graph computes (no re-quantization)',
  async (name, precision) => {
    const file = path.join(sharedFixtures, `${name}.onnx`);
    const source = readModel(file);
    const model = await transformedFor(source, precision);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-exact-'));
    try {
      const reference = path.join(dir, 'transformed.onnx');
      writeModel(withDequantizeFolded(model), reference);
      const variant = await openvinoTarget.emit({ source, model, precision, dir, warn: () => {} });
      const expectedRunner = await createOrtRunner(reference);
      const samples = generateSamples(
        new Graph(source.proto.graph as GraphProto, name),
        expectedRunner.inputs,
        {
          count: 2,
          seed: 0,
          dims: {},
          intRange: [0, 8],
        },
      );
      const expected = await runSamples(expectedRunner, samples);
      await expectedRunner.dispose();
      const candidate = await openvinoTarget.runner(variant);
      const actual = await runSamples(candidate, samples);
      await candidate.dispose();
      expect(compareRuns(expected, actual, () => ({})).metrics!.rel_l2).toBeLessThanOrEqual(1e-6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
