// int8: the per-channel quantizer's arithmetic; weights / dynamic / static through the CLI
// on the transformer fixtures and the old-opset test models (verified within the int8
// tolerance at about a quarter of the weight bytes); the graphs each mode writes (integer
// kernels, QDQ pairs, a tied embedding/LM-head weight stored once); and the opset handling
// (safe upgrade to 13, Cast/Mul dequantization where an upgrade would change a node).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { opsetVersion } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import { int64ToNumber, onnx, type ModelProto } from '../../src/onnx/proto/index.js';
import { tensorByteLength, tensorToProto } from '../../src/onnx/tensor.js';
import {
  activationQuantParams,
  dequantizePerChannel,
  quantizeInt8,
  quantizePerChannel,
  roundHalfEven,
} from '../../src/quantize/int8.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shared = path.resolve(repo, '../shared/fixtures');
const models = path.join(repo, '__tests__/fixtures/models');

describe('per-channel quantizer', () => {
  test('roundHalfEven rounds ties to the even neighbour', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, -2, 2, -3,
    ]);
  });

  test('asymmetric uint8: the range of each column (with 0) maps onto 0..255', () => {
    // [2, 3] quantized along axis 1: columns {-1, 3}, {0, 0.5}, {2, -2}.
    const q = quantizePerChannel(Float32Array.of(-1, 0, 2, 3, 0.5, -2), [2, 3], 1, {
      symmetric: false,
      dtype: 'uint8',
    });
    expect(Array.from(q.scales)).toEqual([4 / 255, 0.5 / 255, 4 / 255].map(Math.fround));
    expect(Array.from(q.zeroPoints)).toEqual([64, 0, 128]); // 63.75 → 64; 127.5 → 128 (even)
    // −2 / float32(4/255) is −127.49999…, so it rounds to −127: code 1, within half a step of −2.
    expect(Array.from(q.values)).toEqual([0, 0, 255, 255, 255, 1]);
    const back = dequantizePerChannel(q);
    expect(back[1]).toBe(0);
    [-1, 0, 2, 3, 0.5, -2].forEach((v, i) =>
      expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scales[i % 3] / 2 + 1e-7),
    );
  });

  test('symmetric int8: zero point 0, ±max|w| → ±127, never -128; symmetric uint8 centres on 128', () => {
    const data = Float32Array.of(0.5, -1, 0.25, -0.1, 0.2, 0.05);
    const s8 = quantizePerChannel(data, [3, 2], 0, { symmetric: true, dtype: 'int8' });
    expect(Array.from(s8.zeroPoints)).toEqual([0, 0, 0]);
    expect(Array.from(s8.scales)).toEqual([1 / 127, 0.25 / 127, 0.2 / 127].map(Math.fround));
    expect(Array.from(s8.values)).toEqual([64, -127, 127, -51, 127, 32]);
    const u8 = quantizePerChannel(data, [3, 2], 0, { symmetric: true, dtype: 'uint8' });
    expect(Array.from(u8.zeroPoints)).toEqual([128, 128, 128]);
    expect(Array.from(u8.values)).toEqual([192, 1, 255, 77, 255, 160]);
  });

  test('Conv weights [M, C, kh, kw] get one scale per output channel; a zero channel gets scale 1', () => {
    const dims = [3, 2, 2, 2];
    const data = Float32Array.from({ length: 24 }, (_, i) =>
      i < 8 ? Math.sin(i) * 2 : i < 16 ? 0 : Math.cos(i) / 10,
    );
    const q = quantizePerChannel(data, dims, 0, { symmetric: true, dtype: 'int8' });
    expect(q.scales.length).toBe(3);
    expect(q.scales[0]).toBeCloseTo(Math.max(...Array.from(data.slice(0, 8), Math.abs)) / 127, 7);
    expect(q.scales[1]).toBe(1);
    expect(Array.from(q.values.slice(8, 16))).toEqual(new Array(8).fill(0));
    const back = dequantizePerChannel(q);
    for (let i = 0; i < 24; i++)
      expect(Math.abs(back[i] - data[i])).toBeLessThanOrEqual(q.scales[(i / 8) | 0] / 2 + 1e-7);
  });

  test('the round-trip error of 64k Gaussian-like weights is under half a step everywhere', () => {
    let seed = 7;
    const next = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.1;
    const data = Float32Array.from({ length: 256 * 256 }, next);
    for (const symmetric of [true, false]) {
      const q = quantizePerChannel(data, [256, 256], 1, { symmetric, dtype: symmetric ? 'int8' : 'uint8' });
      const back = dequantizePerChannel(q);
      let worst = 0;
      for (let i = 0; i < data.length; i++)
        worst = Math.max(worst, Math.abs(back[i] - data[i]) / q.scales[i % 256]);
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-4);
    }
  });

  test('activation parameters: uint8 over the range widened to include 0', () => {
    expect(activationQuantParams({ min: -1, max: 3 })).toEqual({
      scale: Math.fround(4 / 255),
      zeroPoint: 64,
    });
    expect(activationQuantParams({ min: 2, max: 5 })).toEqual({ scale: Math.fround(5 / 255), zeroPoint: 0 });
    expect(activationQuantParams({ min: -6, max: -1 })).toEqual({
      scale: Math.fround(6 / 255),
      zeroPoint: 255,
    });
    expect(activationQuantParams({ min: 0, max: 0 })).toEqual({ scale: 1, zeroPoint: 0 });
  });
});

interface Converted {
  code: number;
  err: string;
  variant: {
    status: string;
    compression: number;
    bytes: number;
    metrics: { rel_l2: number; cosine: number };
  };
  model: ModelProto;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-int8-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const runs = new Map<string, Promise<Converted>>();
/** One CLI conversion per (model, quantization settings), shared by the tests that look at it. */
function convert(model: string, quantization: string): Promise<Converted> {
  const key = `${model}\n${quantization}`;
  if (!runs.has(key)) {
    runs.set(
      key,
      (async () => {
        const dir = path.join(tmp, `run-${runs.size}`);
        const config = `${dir}.yml`;
        writeFileSync(config, `quantization: ${quantization}\n`);
        let out = '';
        let err = '';
        const code = await runCli(
          ['convert', model, '--precision', 'int8', '--config', config, '--out', dir, '--no-cache', '--json'],
          { out: (t) => (out += t), err: (t) => (err += `${t}\n`) },
        );
        const variant = JSON.parse(out).variants[0];
        return { code, err, variant, model: readModel(path.join(dir, 'onnx/int8/model.onnx')).proto };
      })(),
    );
  }
  return runs.get(key)!;
}

function opCounts(model: ModelProto): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of model.graph!.node!) counts[n.opType!] = (counts[n.opType!] ?? 0) + 1;
  return counts;
}

/** convert.yml `quantization:` for a mode; static calibrates on 4 generated samples (the default is 16). */
function settings(mode: string, extra = ''): string {
  return `{ int8: ${mode}${mode === 'static' ? ', calibration-samples: 4' : ''}${extra} }`;
}

const FIXTURES: [string, string, number][] = [
  // name, path, compression bound (file bytes; graph structure is ~10 % of the dynamo exports)
  ['bert.legacy', path.join(shared, 'bert.legacy.onnx'), 0.3],
  ['vit.legacy', path.join(shared, 'vit.legacy.onnx'), 0.3],
  ['gpt2.dynamo_static', path.join(shared, 'gpt2.dynamo_static.onnx'), 0.33],
  ['llama.dynamo_static', path.join(shared, 'llama.dynamo_static.onnx'), 0.34],
  ['opset9_constants', path.join(models, 'opset9_constants.onnx'), 1.25],
  ['opset11_conv', path.join(models, 'opset11_conv.onnx'), 0.95],
];

describe.each(['weights', 'dynamic', 'static'] as const)('int8 %s through the CLI', (mode) => {
  test.concurrent.each(FIXTURES)('%s passes the int8 tolerance', async (_name, file, maxCompression) => {
    const r = await convert(file, settings(mode));
    expect(r.variant.status).toBe('pass');
    expect(r.code).toBe(0);
    expect(r.variant.metrics.cosine).toBeGreaterThan(0.999);
    expect(r.variant.compression).toBeLessThan(maxCompression);
  });
});

describe('int8 graphs', () => {
  const gpt2 = path.join(shared, 'gpt2.dynamo_static.onnx');
  const initializer = (m: ModelProto, name: string): onnx.ITensorProto | undefined =>
    m.graph!.initializer!.find((t) => t.name === name);

  test('weights: int8 codes are one byte per weight element; no float32 weight matrix remains', async () => {
    const r = await convert(gpt2, '{ int8: weights }');
    const inits = r.model.graph!.initializer!;
    const codes = inits.filter((t) => t.dataType === 2 || t.dataType === 3);
    const codeBytes = codes.reduce((n, t) => n + tensorByteLength(t as never), 0);
    const elements = codes.reduce(
      (n, t) => n + (t.dims ?? []).reduce<number>((a, d) => a * int64ToNumber(d), 1),
      0,
    );
    expect(codeBytes).toBe(elements);
    expect(inits.filter((t) => t.dataType === 1 && (t.dims ?? []).length === 2)).toHaveLength(0);
    // Gemm weights [K, N] dequantize per output column (axis 1), the tied [vocab, hidden] table per row.
    const dq = r.model.graph!.node!.filter((n) => n.opType === 'DequantizeLinear');
    const axisOf = (output: string): number =>
      int64ToNumber(dq.find((n) => n.output![0] === output)!.attribute!.find((a) => a.name === 'axis')!.i);
    expect(axisOf('m.transformer.h.0.attn.c_attn.weight')).toBe(1);
    expect(axisOf('m.lm_head.weight')).toBe(0);
    expect(opCounts(r.model).Gemm).toBe(8);
  });

  test('dynamic: Gemm becomes MatMulInteger; the tied embedding / LM head is stored once', async () => {
    const r = await convert(gpt2, '{ int8: dynamic }');
    const ops = opCounts(r.model);
    expect(ops.Gemm ?? 0).toBe(0);
    expect(ops.MatMulInteger).toBe(9); // 8 projections + the LM head
    expect(ops.DynamicQuantizeLinear).toBe(9);
    const codes = initializer(r.model, 'm.lm_head.weight_quantized')!;
    expect(codes.dims!.map((d) => int64ToNumber(d))).toEqual([1024, 128]);
    const readers = r.model.graph!.node!.filter((n) => n.input!.includes('m.lm_head.weight_quantized'));
    expect(readers.map((n) => n.opType).sort()).toEqual(['DequantizeLinear', 'Transpose']);
    const tables = r.model.graph!.initializer!.filter(
      (t) => (t.dims ?? []).map(Number).join() === '1024,128',
    );
    expect(tables).toHaveLength(1);
  });

  test('dynamic: Conv becomes ConvInteger with a per-tensor weight zero point', async () => {
    const r = await convert(path.join(models, 'opset11_conv.onnx'), '{ int8: dynamic }');
    const conv = r.model.graph!.node!.find((n) => n.opType === 'ConvInteger')!;
    expect(initializer(r.model, conv.input![3])!.dims).toEqual([]);
    expect(opCounts(r.model).Conv ?? 0).toBe(0);
  });

  test('static: each quantized op reads its activation through one QuantizeLinear → DequantizeLinear pair', async () => {
    const r = await convert(path.join(shared, 'bert.legacy.onnx'), settings('static'));
    const nodes = r.model.graph!.node!;
    const producer = new Map(nodes.flatMap((n) => n.output!.map((o) => [o, n] as const)));
    const matmulsWithWeights = nodes.filter(
      (n) => n.opType === 'MatMul' && producer.get(n.input![1])?.opType === 'DequantizeLinear',
    );
    expect(matmulsWithWeights).toHaveLength(12);
    for (const m of matmulsWithWeights) {
      const dq = producer.get(m.input![0])!;
      expect(dq.opType).toBe('DequantizeLinear');
      expect(producer.get(dq.input![0])!.opType).toBe('QuantizeLinear');
    }
    // q, k and v read the same LayerNorm output: one shared pair per activation.
    expect(opCounts(r.model).QuantizeLinear).toBe(new Set(matmulsWithWeights.map((m) => m.input![0])).size);
  });

  test('symmetric: int8 codes without zero points (weights, static), uint8 centred on 128 (dynamic)', async () => {
    const conv = path.join(models, 'opset11_conv.onnx');
    for (const mode of ['weights', 'static', 'dynamic']) {
      const r = await convert(conv, settings(mode, ', symmetric: true'));
      expect([mode, r.variant.status]).toEqual([mode, 'pass']);
      const codes = initializer(r.model, 'conv.weight_quantized')!;
      expect([mode, codes.dataType]).toEqual([mode, mode === 'dynamic' ? 2 : 3]);
    }
  });
});

/** x [n, 4] → Unsqueeze(axes=[0]) → MatMul(W [4, 3]) → Squeeze: opset 11, where Unsqueeze still takes axes as an attribute. */
function opset11UnsqueezeModel(file: string): void {
  const io = (name: string, dims: (number | string)[]): onnx.ValueInfoProto =>
    new onnx.ValueInfoProto({
      name,
      type: {
        tensorType: {
          elemType: 1,
          shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
  const axes = new onnx.AttributeProto({
    name: 'axes',
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: [0],
  });
  const model = new onnx.ModelProto({
    irVersion: 6,
    opsetImport: [{ domain: '', version: 11 }],
    graph: {
      name: 'opset11_unsqueeze',
      node: [
        new onnx.NodeProto({
          opType: 'Unsqueeze',
          input: ['x'],
          output: ['u'],
          name: 'unsqueeze',
          attribute: [axes],
        }),
        new onnx.NodeProto({ opType: 'MatMul', input: ['u', 'W'], output: ['m'], name: 'matmul' }),
        new onnx.NodeProto({
          opType: 'Squeeze',
          input: ['m'],
          output: ['y'],
          name: 'squeeze',
          attribute: [axes],
        }),
      ],
      input: [io('x', ['n', 4])],
      output: [io('y', ['n', 3])],
      initializer: [
        tensorToProto('W', {
          dtype: 'float32',
          dims: [4, 3],
          data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
        }),
      ],
    },
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe('opsets', () => {
  test('an opset 9 model whose ops did not change is raised to opset 13 for per-axis DequantizeLinear', async () => {
    const r = await convert(path.join(models, 'opset9_constants.onnx'), '{ int8: weights }');
    expect(opsetVersion(r.model)).toBe(13);
    expect(int64ToNumber(r.model.irVersion)).toBeGreaterThanOrEqual(7);
    expect(opCounts(r.model).DequantizeLinear).toBe(2);
  });

  test('where raising the opset would change a node, weights dequantize through Cast → Mul at the model opset', async () => {
    const file = path.join(tmp, 'opset11_unsqueeze.onnx');
    opset11UnsqueezeModel(file);
    for (const mode of ['weights', 'static', 'dynamic']) {
      const r = await convert(file, settings(mode));
      expect([mode, r.variant.status, opsetVersion(r.model)]).toEqual([mode, 'pass', 11]);
      const ops = opCounts(r.model);
      if (mode === 'dynamic') expect(ops.MatMulInteger).toBe(1);
      else {
        expect([mode, ops.Cast, ops.Mul]).toEqual([mode, 1, 1]);
        expect(
          r.model.graph!.node!.filter(
            (n) => n.opType === 'DequantizeLinear' && n.input![0] === 'W_quantized',
          ),
        ).toHaveLength(0);
      }
    }
  });
});

test('two runs write byte-identical models', () => {
  const source = readModel(path.join(shared, 'gpt2.dynamo_static.onnx')).proto;
  const bytes = (): Buffer => {
    const options = { mode: 'dynamic' as const, symmetric: false, where: 'gpt2', warn: () => {} };
    return Buffer.from(onnx.ModelProto.encode(quantizeInt8(source, options)).finish());
  };
  expect(bytes().equals(bytes())).toBe(true);
});
