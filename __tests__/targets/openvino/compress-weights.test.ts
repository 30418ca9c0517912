// Weight compression as OpenVINO writes it: the quantizers' error bounds and 4-bit packing,
// and the emitted patterns — f16 Const → Convert(decompression) at fp16; u8 / u4 Const →
// Convert(decompression) → Subtract(zero point) → Multiply(scale) [→ Reshape] → MatMul at
// int8 / int4 — checked on the IR as the reader parses it.
import path from 'node:path';
import { readModel } from '../../../src/onnx/model-io.js';
import { SeededRandom } from '../../../src/verify/random.js';
import { numberToFloat16Bits } from '../../../src/onnx/tensor.js';
import {
  dequantizeRows,
  packU4,
  pickGroupSize,
  quantizeRows,
  toFloat16Bits,
} from '../../../src/targets/openvino/compress-weights.js';
import { emitOpenVinoIr } from '../../../src/targets/openvino/emit.js';
import {
  parseIr,
  type IrLayerInfo,
  type IrNetwork,
} from '../../../src/targets/openvino/ir-reader/parse-ir.js';
import { modelFixtures, sharedFixtures } from './helpers.js';

function gaussian(n: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function relL2(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2;
  }
  return Math.sqrt(num / den);
}

test('int8 per row keeps every weight within half a step and zero exact', () => {
  const w = gaussian(4 * 64, 1);
  w[5] = 0;
  const q = quantizeRows(w, 4, 64, { bits: 8 });
  const back = dequantizeRows(q);
  for (let i = 0; i < w.length; i++)
    expect(Math.abs(back[i] - w[i])).toBeLessThanOrEqual(q.scales[Math.floor(i / 64)] / 2 + 1e-7);
  expect(back[5]).toBe(0);
  expect(relL2(w, back)).toBeLessThan(0.01);
});

test('int4 group-wise with the clipping search beats plain round-to-nearest and stays under 8% on Gaussian weights', () => {
  const w = gaussian(64 * 128, 2);
  const searched = relL2(
    w,
    dequantizeRows(quantizeRows(w, 64, 128, { bits: 4, groupSize: 32, clipSearch: true })),
  );
  const plain = relL2(w, dequantizeRows(quantizeRows(w, 64, 128, { bits: 4, groupSize: 32 })));
  expect(searched).toBeLessThan(plain);
  expect(searched).toBeLessThan(0.08);
  expect(Math.max(...quantizeRows(w, 64, 128, { bits: 4, groupSize: 32 }).levels)).toBeLessThanOrEqual(15);
});

test('u4 packs the first element into the low nibble; group sizes fall back to smaller powers of two', () => {
  expect(Array.from(packU4(Uint8Array.of(1, 2, 3)))).toEqual([0x21, 0x03]);
  expect([pickGroupSize(128, 32), pickGroupSize(48, 32), pickGroupSize(24, 32)]).toEqual([32, 16, undefined]);
});

function producerOf(net: IrNetwork, layer: IrLayerInfo, input: number): IrLayerInfo {
  const e = net.edges.find((x) => x.toLayer === layer.id && x.toPort === layer.inputs[input].id)!;
  return net.layers.find((l) => l.id === e.fromLayer)!;
}

/** Layer types from a MatMul's weight input back to its Const, e.g. Multiply ← Subtract ← Convert ← Const(u8). */
function weightChain(net: IrNetwork, matmul: IrLayerInfo): string[] {
  const chain: string[] = [];
  let l = producerOf(net, matmul, 1);
  for (;;) {
    const marked = l.rtInfo.includes('decompression') ? '*' : '';
    chain.push(l.type === 'Const' ? `Const(${l.data.element_type})` : `${l.type}${marked}`);
    if (l.type === 'Const') return chain;
    l = producerOf(net, l, 0);
  }
}

test('int8 writes the u8 decompression pattern in front of MatMul with transposed weights', () => {
  const source = readModel(path.join(modelFixtures, 'opset9_constants.onnx'));
  const { xml, bin } = emitOpenVinoIr(source.proto, { precision: 'int8', where: 'opset9_constants.onnx' });
  const net = parseIr(xml, bin, 'int8.xml').model.network;
  const matmuls = net.layers.filter((l) => l.type === 'MatMul');
  expect(matmuls.length).toBe(2);
  for (const m of matmuls) {
    expect(m.data.transpose_b).toBe('true');
    expect(weightChain(net, m)).toEqual(['Multiply', 'Subtract', 'Convert*', 'Const(u8)']);
  }
});

test('int4 stores u4 weights as [N, K/32, 32] with per-group scales and keeps the last layer at int8', () => {
  const source = readModel(path.join(sharedFixtures, 'bert.dynamo_static.onnx'));
  const { xml, bin } = emitOpenVinoIr(source.proto, { precision: 'int4', where: 'bert.dynamo_static.onnx' });
  const net = parseIr(xml, bin, 'int4.xml').model.network;
  const chains = net.layers
    .filter((l) => l.type === 'MatMul' && producerOf(net, l, 1).type !== 'Parameter')
    .map((m) => weightChain(net, m).join(' ← '));
  const u4 = 'Reshape ← Multiply ← Subtract ← Convert* ← Const(u4)';
  expect(chains.filter((c) => c === u4).length).toBe(11);
  expect(chains[chains.length - 1]).toBe('Multiply ← Subtract ← Convert* ← Const(u8)');
  const weight = net.layers.find((l) => l.type === 'Const' && l.data.element_type === 'u4')!;
  const [n, groups, group] = weight.data.shape.split(',').map(Number);
  expect(group).toBe(32);
  expect(n * groups * group).toBe(128 * 128);
  const scale = net.layers.find((l) => l.name === `${weight.name}/scale`)!;
  expect(scale.data.shape).toBe(`${n},${groups},1`);
});

test('fp16 turns float weights into f16 Consts each read through a decompression Convert', () => {
  const source = readModel(path.join(sharedFixtures, 'vit.dynamo_static.onnx'));
  const { xml, bin } = emitOpenVinoIr(source.proto, { precision: 'fp16', where: 'vit.dynamo_static.onnx' });
  const net = parseIr(xml, bin, 'fp16.xml').model.network;
  const f16 = net.layers.filter((l) => l.type === 'Const' && l.data.element_type === 'f16');
  expect(f16.length).toBeGreaterThan(20);
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

test('the float32 → float16 conversion matches a reference library bit for bit, ties and subnormals included', () => {
  const values = Float32Array.from([
    ...gaussian(2000, 3).map((v, i) => v * 10 ** ((i % 11) - 7)),
    0,
    -0,
    1,
    65504,
    65503.9,
    6.1035e-5,
    5.96e-8,
    2.98e-8,
    1e-9,
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    Infinity,
    -Infinity,
  ]);
  const mine = toFloat16Bits(values)!;
  const reference = values.map((v) => numberToFloat16Bits(v));
  expect(Array.from(mine)).toEqual(Array.from(reference));
  expect(toFloat16Bits(Float32Array.of(1, -70000))).toBeUndefined();
});
