// The quantized-weight forms the shared storage writers (src/quantize/nbit-storage.ts) can
// produce, each on a one-MatMul model, as the openvino emitter reads them back out: codes
// packed at 3 bits and unpacked by standard ops (a partial last block included) → u4 Const;
// symmetric INT4 DequantizeLinear → i4 Const without zero point; UINT2 → u4 Const with a
// warning; int8's Cast → Sub → Mul form → u8 Const. Plus the integer evaluator those unpack
// subgraphs need.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostTensor } from '../../../src/onnx/dtype.js';
import { writeModel } from '../../../src/onnx/model-io.js';
import { onnx, type ModelProto, type NodeProto } from '../../../src/onnx/proto/index.js';
import { quantizeColumns, toColumns, type BlockQuantized } from '../../../src/quantize/blockwise.js';
import {
  addBlockwiseDequantize,
  addPackedUnpack,
  type GraphEdits,
} from '../../../src/quantize/nbit-storage.js';
import { emitOpenVinoIr } from '../../../src/targets/openvino/emit.js';
import { foldIntegerValue } from '../../../src/targets/openvino/integer-folding.js';
import {
  parseIr,
  readConstTensor,
  type IrNetwork,
} from '../../../src/targets/openvino/ir-reader/parse-ir.js';
import { createRoundTripRunner } from '../../../src/targets/openvino/runner.js';
import { createOrtRunner } from '../../../src/verify/ort-runner.js';
import { SeededRandom } from '../../../src/verify/random.js';

const FLOAT = 1;

function quantized(K: number, N: number, bits: number, symmetric: boolean): BlockQuantized {
  const rng = new SeededRandom(K * N + bits);
  const w = Float32Array.from({ length: K * N }, () => rng.normal());
  return quantizeColumns(toColumns(w, [K, N], 0), { K, N, bits, blockSize: 32, symmetric, search: false });
}

/** y[1, N] = x[1, K] · W, with W written by `store` (one of the nbit-storage writers). */
function matMulModel(K: number, N: number, opset: number, store: (edits: GraphEdits) => string): ModelProto {
  const used = new Set<string>(['x', 'y']);
  const edits: GraphEdits = {
    initializers: [],
    nodes: [],
    unique(base) {
      let name = base;
      for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
      used.add(name);
      return name;
    },
  };
  const weight = store(edits);
  const info = (name: string, dims: number[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  return new onnx.ModelProto({
    irVersion: 10,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      input: [info('x', [1, K])],
      output: [info('y', [1, N])],
      initializer: edits.initializers,
      node: [...edits.nodes, { opType: 'MatMul', name: 'fc', input: ['x', weight], output: ['y'] }],
    },
  }) as ModelProto;
}

function weightChain(net: IrNetwork): string {
  const out: string[] = [];
  let layer = net.layers.find((l) => l.type === 'MatMul')!;
  let port = layer.inputs[1].id;
  for (;;) {
    const e = net.edges.find((x) => x.toLayer === layer.id && x.toPort === port)!;
    layer = net.layers.find((l) => l.id === e.fromLayer)!;
    out.push(layer.type === 'Const' ? `Const(${layer.data.element_type})` : layer.type);
    if (layer.type === 'Const') return out.join(' ← ');
    port = layer.inputs[0].id;
  }
}

test('3-bit codes packed into bytes (K = 40: a partial second block) are stored as u4 [N, 2, 32], values kept', async () => {
  const [K, N] = [40, 6];
  const q = quantized(K, N, 3, false);
  const model = matMulModel(K, N, 17, (e) => addPackedUnpack(e, 'fc.weight', q, [K, N], 0));
  const { xml, bin } = emitOpenVinoIr(model, { where: 'packed3.onnx' });
  const net = parseIr(xml, bin, 'packed3.xml').model.network;
  expect(weightChain(net)).toBe('Slice ← Reshape ← Multiply ← Subtract ← Convert ← Const(u4)');
  const codes = net.layers.find(
    (l) => l.type === 'Const' && l.data.element_type === 'u4' && l.data.shape === `${N},2,32`,
  )!;
  const stored = readConstTensor(codes, bin).data as Uint8Array;
  for (let n = 0; n < N; n++)
    expect(Array.from(stored.subarray(n * 64, n * 64 + K))).toEqual(
      Array.from(q.codes.subarray(n * K, (n + 1) * K)),
    );

  // The round trip computes what the ONNX model computes.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-packed-'));
  try {
    const file = path.join(dir, 'model.onnx');
    writeModel(model, file);
    writeFileSync(path.join(dir, 'model.xml'), xml);
    writeFileSync(path.join(dir, 'model.bin'), bin);
    const x: HostTensor = {
      dtype: 'float32',
      dims: [1, K],
      data: Float32Array.from({ length: K }, (_, i) => (i % 7) - 3),
    };
    const ort = await createOrtRunner(file);
    const ir = await createRoundTripRunner(path.join(dir, 'model.xml'));
    const [a, b] = [(await ort.run({ x })).y.data, (await ir.run({ x })).y.data] as Float32Array[];
    await Promise.all([ort.dispose(), ir.dispose()]);
    for (let i = 0; i < N; i++) expect(b[i]).toBeCloseTo(a[i], 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('symmetric INT4 DequantizeLinear becomes an i4 Const with per-block scales and no zero point', async () => {
  const [K, N] = [64, 8];
  const q = quantized(K, N, 4, true);
  const model = matMulModel(K, N, 21, (e) => addBlockwiseDequantize(e, 'fc.weight', q, [K, N], 0));
  const { xml, bin } = emitOpenVinoIr(model, { where: 'int4.onnx' });
  const net = parseIr(xml, bin, 'int4.xml').model.network;
  expect(weightChain(net)).toBe('Reshape ← Multiply ← Convert ← Const(i4)');
  const codes = net.layers.find((l) => l.type === 'Const' && l.data.element_type === 'i4')!;
  expect(codes.data.shape).toBe(`${N},2,32`);
  expect(Array.from(readConstTensor(codes, bin).data as Int8Array)).toEqual(
    Array.from(q.codes, (c) => c - 8),
  );
  const scale = net.layers.find((l) => l.name === `${codes.name}/scale`)!;
  expect(Array.from(readConstTensor(scale, bin).data as Float32Array)).toEqual(Array.from(q.scales));

  // Read back and run: y = x · W with W[k, n] = scale · (code − 8).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mc-ov-i4-'));
  try {
    writeFileSync(path.join(dir, 'model.xml'), xml);
    writeFileSync(path.join(dir, 'model.bin'), bin);
    const ir = await createRoundTripRunner(path.join(dir, 'model.xml'));
    const x = Float32Array.from({ length: K }, (_, i) => (i % 5) - 2);
    const y = (await ir.run({ x: { dtype: 'float32', dims: [1, K], data: x } })).y.data as Float32Array;
    await ir.dispose();
    for (let n = 0; n < N; n++) {
      let expected = 0;
      for (let k = 0; k < K; k++)
        expected += x[k] * q.scales[n * q.blocks + (k >> 5)] * (q.codes[n * K + k] - 8);
      expect(y[n]).toBeCloseTo(expected, 4);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('UINT2 codes, which the IR has no element type for here, keep their values in u4 with a warning', () => {
  const [K, N] = [32, 4];
  const q = quantized(K, N, 2, false);
  const model = matMulModel(K, N, 25, (e) => addBlockwiseDequantize(e, 'fc.weight', q, [K, N], 0));
  const warnings: string[] = [];
  const { xml, bin } = emitOpenVinoIr(model, { where: 'int2.onnx', warn: (m) => warnings.push(m) });
  const net = parseIr(xml, bin, 'int2.xml').model.network;
  expect(weightChain(net)).toBe('Multiply ← Subtract ← Convert ← Const(u4)');
  const codes = net.layers.find(
    (l) => l.type === 'Const' && l.data.element_type === 'u4' && l.data.shape === `${N},${K}`,
  )!;
  expect(Array.from(readConstTensor(codes, bin).data as Uint8Array)).toEqual(Array.from(q.codes));
  expect(warnings).toEqual([
    expect.stringMatching(/no 2-bit element type .* 1 weight\(s\) keep their codes in 4-bit elements/),
  ]);
});

test("int8's form for opsets before 13, Mul(Sub(Cast(u8 codes), zero point), scale), becomes u8 codes per column", () => {
  const [K, N] = [16, 4];
  const codes = Uint8Array.from({ length: K * N }, (_, i) => (i * 37) % 256);
  const floats = (name: string, values: number[]): onnx.ITensorProto => ({
    name,
    dataType: FLOAT,
    dims: [N],
    floatData: values,
  });
  const model = matMulModel(K, N, 11, (e) => {
    e.initializers.push(
      new onnx.TensorProto({ name: 'w_codes', dataType: 2, dims: [K, N], rawData: codes }),
      new onnx.TensorProto(floats('w_zero_point', [128, 120, 130, 127])),
      new onnx.TensorProto(floats('w_scale', [0.5, 0.25, 0.125, 1])),
    );
    e.nodes.push(
      new onnx.NodeProto({
        opType: 'Cast',
        input: ['w_codes'],
        output: ['w_float'],
        attribute: [{ name: 'to', type: 2, i: FLOAT }],
      }),
      new onnx.NodeProto({ opType: 'Sub', input: ['w_float', 'w_zero_point'], output: ['w_centered'] }),
      new onnx.NodeProto({ opType: 'Mul', input: ['w_centered', 'w_scale'], output: ['w'] }),
    );
    return 'w';
  });
  const { xml, bin } = emitOpenVinoIr(model, { where: 'int8-opset11.onnx' });
  const net = parseIr(xml, bin, 'int8.xml').model.network;
  expect(weightChain(net)).toBe('Multiply ← Subtract ← Convert ← Const(u8)');
  expect(net.layers.find((l) => l.type === 'MatMul')!.data.transpose_b).toBe('true');
  const stored = readConstTensor(
    net.layers.find(
      (l) => l.type === 'Const' && l.data.element_type === 'u8' && l.data.shape === `${N},${K}`,
    )!,
    bin,
  );
  expect(Array.from(stored.data as Uint8Array)).toEqual(
    Array.from({ length: K * N }, (_, i) => codes[(i % K) * N + Math.floor(i / K)]),
  );
});

describe('foldIntegerValue', () => {
  const constants = new Map<string, HostTensor>([
    ['bytes', { dtype: 'uint8', dims: [2, 2], data: Uint8Array.of(0x21, 1, 0x43, 2) }],
    ['col0', { dtype: 'int64', dims: [1], data: BigInt64Array.of(0n) }],
    ['divisors', { dtype: 'int32', dims: [1, 2], data: Int32Array.of(1, 16) }],
    ['sixteen', { dtype: 'int32', dims: [], data: Int32Array.of(16) }],
  ]);
  const node = (
    opType: string,
    input: string[],
    output: string,
    attribute: onnx.IAttributeProto[] = [],
  ): NodeProto => new onnx.NodeProto({ opType, input, output: [output], attribute }) as NodeProto;
  const nodes = [
    node('Cast', ['bytes'], 'ints', [{ name: 'to', type: 2, i: 6 }]),
    node('Gather', ['ints', 'col0'], 'first', [{ name: 'axis', type: 2, i: 1 }]),
    node('Div', ['first', 'divisors'], 'shifted'),
    node('Div', ['shifted', 'sixteen'], 'high'),
    node('Mul', ['high', 'sixteen'], 'highx16'),
    node('Sub', ['shifted', 'highx16'], 'nibbles'),
    node('Abs', ['nibbles'], 'abs'),
  ];
  const sources = {
    producer: (name: string) => nodes.find((n) => n.output[0] === name),
    constant: (name: string) => constants.get(name),
  };

  test('evaluates the unpack arithmetic with NumPy broadcasting: low nibble first', () => {
    const r = foldIntegerValue('nibbles', sources)!;
    expect(r.dims).toEqual([2, 2]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4]);
  });

  test('gives up on ops it does not evaluate', () => {
    expect(foldIntegerValue('abs', sources)).toBeUndefined();
  });
});
