// fp16: the float16 bit conversion and range clamps; both modes through the CLI on the
// transformer fixtures and the old-opset test models (verified within the fp16 tolerance at
// about half the bytes); 'full' keeps graph inputs/outputs and its blocklisted ops in float32;
// and an activation beyond 65504 fails verification with inf > 0 instead of passing silently.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { Graph } from '../../src/onnx/graph.js';
import { readModel } from '../../src/onnx/model-io.js';
import { int64ToNumber, onnx, type GraphProto, type ModelProto } from '../../src/onnx/proto/index.js';
import { numberToFloat16Bits, tensorToProto } from '../../src/onnx/tensor.js';
import {
  convertGraphToFp16,
  float32ToFloat16Bits,
  FP16_KEEP_FLOAT32_OPS,
  toFloat16Clamped,
} from '../../src/quantize/fp16.js';
import { inferValueDtypes } from '../../src/quantize/value-dtypes.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shared = path.resolve(repo, '../shared/fixtures');
const models = path.join(repo, '__tests__/fixtures/models');

interface Converted {
  code: number;
  err: string;
  variant: {
    status: string;
    compression: number;
    bytes: number;
    reason?: string;
    metrics: { rel_l2: number; cosine: number; nan: number; inf: number };
  };
  model: ModelProto;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mc-fp16-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const runs = new Map<string, Promise<Converted>>();
/** One CLI conversion per (model, mode), shared by the tests that look at it. */
function convert(model: string, mode: 'weights' | 'full'): Promise<Converted> {
  const key = `${model}\n${mode}`;
  if (!runs.has(key)) {
    runs.set(
      key,
      (async () => {
        const dir = path.join(tmp, `run-${runs.size}`);
        const config = `${dir}.yml`;
        writeFileSync(config, `quantization: { fp16: ${mode} }\n`);
        let out = '';
        let err = '';
        const code = await runCli(
          ['convert', model, '--precision', 'fp16', '--config', config, '--out', dir, '--no-cache', '--json'],
          { out: (t) => (out += t), err: (t) => (err += `${t}\n`) },
        );
        const variant = JSON.parse(out).variants[0];
        return { code, err, variant, model: readModel(path.join(dir, 'onnx/fp16/model.onnx')).proto };
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

describe('float16 conversion', () => {
  test('float32ToFloat16Bits rounds to nearest even like @petamoriken/float16 on 50 000 values', () => {
    const special = [
      0,
      -0,
      1,
      -1,
      65504,
      65519.99,
      65520,
      -65520,
      1e-8,
      2 ** -24,
      2 ** -25,
      3 * 2 ** -26,
      6.1e-5,
    ];
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const values = [
      ...special,
      ...Array.from({ length: 50000 }, () => next() * 2 ** Math.round(next() * 30)),
    ];
    let mismatches = 0;
    for (const v of values) if (float32ToFloat16Bits(v) !== numberToFloat16Bits(Math.fround(v))) mismatches++;
    expect(mismatches).toBe(0);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  test('toFloat16Clamped clamps beyond ±65504, keeps ±inf, and raises tiny values only when asked', () => {
    const values = [1e5, -3.4e38, 65504, Infinity, -Infinity, 1e-12, -1e-12, 0.5];
    const weights = toFloat16Clamped(values);
    expect(weights.clampedHigh).toBe(2);
    expect(weights.raisedLow).toBe(0);
    expect(Array.from(weights.bits)).toEqual([
      0x7bff, 0xfbff, 0x7bff, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x3800,
    ]);
    const epsilons = toFloat16Clamped(values, true);
    expect(epsilons.raisedLow).toBe(2);
    expect(Array.from(epsilons.bits.slice(5, 7))).toEqual([0x0001, 0x8001]);
    expect(weights.maxAbs).toBeCloseTo(3.4e38, -36);
  });
});

const FIXTURES: [string, string, number, number][] = [
  // file, path, compression bounds (file bytes include the graph: ~10 % of the dynamo exports)
  ['bert.legacy', path.join(shared, 'bert.legacy.onnx'), 0.45, 0.53],
  ['vit.legacy', path.join(shared, 'vit.legacy.onnx'), 0.45, 0.53],
  ['gpt2.dynamo_static', path.join(shared, 'gpt2.dynamo_static.onnx'), 0.45, 0.56],
  ['llama.dynamo_static', path.join(shared, 'llama.dynamo_static.onnx'), 0.45, 0.56],
  ['opset9_constants', path.join(models, 'opset9_constants.onnx'), 0.5, 0.85],
  ['opset11_conv', path.join(models, 'opset11_conv.onnx'), 0.5, 0.75],
];

describe.each(['weights', 'full'] as const)('fp16 %s through the CLI', (mode) => {
  test.concurrent.each(FIXTURES)(
    '%s passes the fp16 tolerance at about half the bytes',
    async (_name, file, low, high) => {
      const r = await convert(file, mode);
      expect(r.variant.status).toBe('pass');
      expect(r.code).toBe(0);
      expect(r.variant.metrics.rel_l2).toBeLessThan(1e-3);
      expect(r.variant.metrics.nan + r.variant.metrics.inf).toBe(0);
      expect(r.variant.compression).toBeGreaterThan(low);
      expect(r.variant.compression).toBeLessThan(high);
    },
  );
});

describe('fp16 graph structure', () => {
  test('weights: every float32 weight is stored as float16 and cast back to float32 once', async () => {
    const file = path.join(shared, 'bert.legacy.onnx');
    const r = await convert(file, 'weights');
    const g = r.model.graph!;
    const big = (t: onnx.ITensorProto): boolean =>
      (t.dims ?? []).reduce<number>((a, d) => a * int64ToNumber(d), 1) >= 16;
    const sourceWeights = readModel(file).proto.graph!.initializer!.filter((t) => t.dataType === 1 && big(t));
    expect(sourceWeights.length).toBeGreaterThan(10);
    expect(g.initializer!.filter((t) => t.dataType === 1 && big(t))).toHaveLength(0);
    const halves = g.initializer!.filter((t) => t.dataType === 10);
    expect(halves.length).toBe(sourceWeights.length);
    for (const t of halves) {
      const readers = g.node!.filter((n) => n.input!.includes(t.name!));
      expect(readers.map((n) => [n.opType, int64ToNumber(n.attribute![0].i)])).toEqual([['Cast', 1]]);
    }
  });

  test('full: inputs and outputs stay float32, MatMuls read float16, blocklisted ops read float32', async () => {
    const r = await convert(path.join(shared, 'llama.dynamo_static.onnx'), 'full');
    const g = new Graph(r.model.graph as GraphProto, 'llama');
    expect(g.outputs.map((o) => o.type!.tensorType!.elemType)).toEqual([1]);
    const types = inferValueDtypes(g, 20);
    const readTypes = (op: string): Set<string | undefined> =>
      new Set(g.nodes.filter((n) => n.opType === op).flatMap((n) => [types.get(n.input[0])]));
    expect(readTypes('MatMul')).toEqual(new Set(['float16']));
    expect(readTypes('Softmax')).toEqual(new Set(['float16']));
    expect(readTypes('Pow')).toEqual(new Set(['float32']));
    expect(readTypes('ReduceMean')).toEqual(new Set(['float32']));
    expect(FP16_KEEP_FLOAT32_OPS.has('Pow')).toBe(true);
    expect(opCounts(r.model).Cast).toBeGreaterThan(10);
    // The attention-mask constant (float32 lowest) is clamped, and the warning names it.
    expect(r.err).toMatch(
      /fp16: initializer "val_198" has 120 value\(s\) beyond the float16 range .*clamped to ±65504/,
    );
  });

  test('full: If subgraphs and model-local functions stay float32 behind Casts and still verify', async () => {
    for (const file of ['if_subgraph.onnx', 'local_function.onnx']) {
      const r = await convert(path.join(models, file), 'full');
      expect([file, r.variant.status]).toEqual([file, 'pass']);
    }
  });
});

/** y = Reshape(x · 300I · 300I): every |x| > 0.73 takes the activation past 65504. */
function overflowingModel(file: string): void {
  const eye = (k: number): Float32Array => Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? k : 0));
  const io = (name: string): onnx.ValueInfoProto =>
    new onnx.ValueInfoProto({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 4 }] } } },
    });
  const model = new onnx.ModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'overflow',
      node: [
        new onnx.NodeProto({ opType: 'MatMul', input: ['x', 'W1'], output: ['h1'], name: 'mm1' }),
        new onnx.NodeProto({ opType: 'MatMul', input: ['h1', 'W2'], output: ['h2'], name: 'mm2' }),
        new onnx.NodeProto({ opType: 'Reshape', input: ['h2', 'shape'], output: ['y'], name: 'reshape' }),
      ],
      input: [io('x')],
      output: [io('y')],
      initializer: [
        tensorToProto('W1', { dtype: 'float32', dims: [4, 4], data: eye(300) }),
        tensorToProto('W2', { dtype: 'float32', dims: [4, 4], data: eye(300) }),
        tensorToProto('shape', { dtype: 'int64', dims: [2], data: BigInt64Array.of(-1n, 4n) }),
      ],
    },
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe('values beyond the float16 range at run time', () => {
  test('full fp16 fails verification with inf > 0; weights-only fp16 computes in float32 and passes', async () => {
    const file = path.join(tmp, 'overflow.onnx');
    overflowingModel(file);
    const full = await convert(file, 'full');
    expect(full.code).toBe(1);
    expect(full.variant.status).toBe('fail');
    expect(full.variant.metrics.inf).toBeGreaterThan(0);
    expect(full.variant.reason).toMatch(/y: inf \d+ > 0/);
    const weights = await convert(file, 'weights');
    expect(weights.variant.status).toBe('pass');
    expect(weights.variant.metrics.inf).toBe(0);
  });
});

test('two runs write byte-identical models', () => {
  const source = readModel(path.join(shared, 'llama.dynamo_static.onnx')).proto;
  const bytes = (): Buffer =>
    Buffer.from(
      onnx.ModelProto.encode(convertGraphToFp16(source, { where: 'llama', warn: () => {} })).finish(),
    );
  expect(bytes().equals(bytes())).toBe(true);
});
