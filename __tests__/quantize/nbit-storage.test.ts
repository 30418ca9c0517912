// Covers src/quantize/nbit-storage.ts: every way a quantized weight is stored, run in
// onnxruntime-node on tiny MatMul / Gemm(transB) / Conv / Gather models whose inputs are
// one-hot (identity rows, one-hot images, all indices), so each output *is* the weight the
// graph reconstructs and must equal dequantizeColumns' values (float32 rounding): ORT's
// MatMulNBits at 2/4/8 bits (zero points packed; Gemm's alpha folded into the scales),
// block-wise DequantizeLinear INT4/UINT4 (opset 21) and INT2/UINT2 (opset 25), the packed
// bytes + standard-op unpack subgraph at 2/3/4/8 bits (K not a multiple of the block size,
// conv 4-D weights, opset 11), and float16 storage. Also the exact bytes each form writes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostTensor, TensorMap } from '../../src/onnx/dtype.js';
import { writeModel } from '../../src/onnx/model-io.js';
import { onnx, type ModelProto, type NodeProto } from '../../src/onnx/proto/index.js';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/onnx/tensor.js';
import {
  dequantizeColumns,
  quantizeColumns,
  toColumns,
  type BlockQuantized,
} from '../../src/quantize/blockwise.js';
import {
  addBlockwiseDequantize,
  addFloat16Weight,
  addPackedUnpack,
  blockwiseDqOpset,
  matMulNBitsInitializers,
  matMulNBitsNode,
  packCodes,
  type GraphEdits,
} from '../../src/quantize/nbit-storage.js';
import { createOrtRunner } from '../../src/verify/ort-runner.js';
import { SeededRandom } from '../../src/verify/random.js';

const FLOAT = 1;
const INT64 = 7;

let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-nbit-storage-'))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeEdits(): GraphEdits {
  const used = new Set<string>();
  return {
    initializers: [],
    nodes: [],
    unique(base: string): string {
      let name = base;
      for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
      used.add(name);
      return name;
    },
  };
}

function valueInfo(name: string, elemType: number, dims: number[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function weights(count: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  // Gaussian with a ×8 outlier every 29 values, so blocks differ in range.
  return Float32Array.from({ length: count }, (_, i) =>
    Math.fround(rng.normal() * 0.1 * (i % 29 === 3 ? 8 : 1)),
  );
}

function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

const f32 = (dims: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', dims, data });

/** One sub-model: its graph input, the nodes that consume the stored weight, and the output it must give. */
interface Case {
  label: string;
  /** The weight as quantized: its matrix dims, blocks along `axis`, and the dims the op needs. */
  dims: number[];
  axis: number;
  finalDims: number[];
  q: BlockQuantized;
  /** The float weight, row-major in `dims`. */
  source: Float32Array;
  input: onnx.IValueInfoProto;
  feed: HostTensor;
  consume(weight: string, output: string): onnx.INodeProto[];
  outputDims: number[];
  /** The output the stored weight must produce, from the reconstructed matrix (matrix layout, row-major). */
  expected(deq: Float32Array): Float32Array;
}

function quantize(
  matrix: Float32Array,
  dims: number[],
  axis: number,
  bits: number,
  symmetric: boolean,
): BlockQuantized {
  const K = dims[axis];
  return quantizeColumns(toColumns(matrix, dims, axis), {
    K,
    N: matrix.length / K,
    bits,
    blockSize: 32,
    symmetric,
    search: true,
  });
}

/** MatMul: x = I_K [K, K] · W [K, N] → W. */
function matmulCase(K: number, N: number, bits: number, symmetric: boolean, seed: number): Case {
  const w = weights(K * N, seed);
  const tag = `mm${K}`;
  return {
    label: `MatMul K=${K}`,
    source: w,
    dims: [K, N],
    axis: 0,
    finalDims: [K, N],
    q: quantize(w, [K, N], 0, bits, symmetric),
    input: valueInfo(`${tag}_x`, FLOAT, [K, K]),
    feed: f32([K, K], identity(K)),
    consume: (wv, out) => [
      { name: `${tag}_MatMul`, opType: 'MatMul', input: [`${tag}_x`, wv], output: [out] },
    ],
    outputDims: [K, N],
    expected: (deq) => Float32Array.from({ length: K * N }, (_, i) => deq[(i % N) * K + Math.floor(i / N)]),
  };
}

/** Gemm transB=1: W stored [N, K]; x = I_K gives Wᵀ [K, N]. */
function gemmCase(K: number, N: number, bits: number, symmetric: boolean): Case {
  const w = weights(N * K, 21);
  return {
    label: `Gemm(transB) K=${K}`,
    source: w,
    dims: [N, K],
    axis: 1,
    finalDims: [N, K],
    q: quantize(w, [N, K], 1, bits, symmetric),
    input: valueInfo('gemm_x', FLOAT, [K, K]),
    feed: f32([K, K], identity(K)),
    consume: (wv, out) => [
      {
        name: 'gemm',
        opType: 'Gemm',
        input: ['gemm_x', wv],
        output: [out],
        attribute: [{ name: 'transB', type: 2, i: 1 }],
      },
    ],
    outputDims: [K, N],
    expected: (deq) => Float32Array.from({ length: K * N }, (_, i) => deq[(i % N) * K + Math.floor(i / N)]),
  };
}

/** Conv [O=6, I=4, 3, 3] (quantized as [6, 36] along axis 1: K = 36, blocks of 32 + 4); one-hot images give W. */
function convCase(bits: number, symmetric: boolean): Case {
  const O = 6;
  const R = 36;
  const w = weights(O * R, 22);
  const x = new Float32Array(R * R);
  for (let j = 0; j < R; j++) x[j * R + j] = 1; // image j has a single 1 at flat position j of [4, 3, 3]
  return {
    label: 'Conv [6,4,3,3]',
    source: w,
    dims: [O, R],
    axis: 1,
    finalDims: [O, 4, 3, 3],
    q: quantize(w, [O, R], 1, bits, symmetric),
    input: valueInfo('conv_x', FLOAT, [R, 4, 3, 3]),
    feed: f32([R, 4, 3, 3], x),
    consume: (wv, out) => [{ name: 'conv', opType: 'Conv', input: ['conv_x', wv], output: [out] }],
    outputDims: [R, O, 1, 1],
    expected: (deq) => Float32Array.from({ length: R * O }, (_, i) => deq[(i % O) * R + Math.floor(i / O)]),
  };
}

/** Gather: table [V=10, D=48] (blocks along D: 32 + 16), every index → the whole table. */
function gatherCase(bits: number, symmetric: boolean): Case {
  const V = 10;
  const D = 48;
  const w = weights(V * D, 23);
  return {
    label: 'Gather [10,48]',
    source: w,
    dims: [V, D],
    axis: 1,
    finalDims: [V, D],
    q: quantize(w, [V, D], 1, bits, symmetric),
    input: valueInfo('ids', INT64, [V]),
    feed: { dtype: 'int64', dims: [V], data: BigInt64Array.from({ length: V }, (_, i) => BigInt(i)) },
    consume: (wv, out) => [{ name: 'gather', opType: 'Gather', input: [wv, 'ids'], output: [out] }],
    outputDims: [V, D],
    expected: (deq) => deq,
  };
}

function model(
  edits: GraphEdits,
  nodes: onnx.INodeProto[],
  inputs: onnx.IValueInfoProto[],
  outputs: onnx.IValueInfoProto[],
  opset: number,
  contrib = false,
): ModelProto {
  return new onnx.ModelProto({
    irVersion: opset >= 21 ? 10 : 7,
    opsetImport: [
      { domain: '', version: opset },
      ...(contrib ? [{ domain: 'com.microsoft', version: 1 }] : []),
    ],
    graph: {
      name: 'storage',
      input: inputs,
      output: outputs,
      initializer: edits.initializers,
      node: [...(edits.nodes as onnx.INodeProto[]), ...nodes],
    },
  }) as ModelProto;
}

let fileCounter = 0;
async function run(m: ModelProto, feeds: TensorMap): Promise<TensorMap> {
  const file = path.join(tmp, `m${fileCounter++}.onnx`);
  writeModel(m, file, { externalData: 'never' });
  const runner = await createOrtRunner(file);
  try {
    return await runner.run(feeds);
  } finally {
    await runner.dispose();
  }
}

/** Largest |a − b| relative to max |b|. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

type Storage = (edits: GraphEdits, base: string, c: Case) => string;
const dqStorage: Storage = (edits, base, c) =>
  addBlockwiseDequantize(edits, base, c.q, c.dims, c.axis, c.finalDims);
const unpackStorage: Storage = (edits, base, c) =>
  addPackedUnpack(edits, base, c.q, c.dims, c.axis, c.finalDims);

/** Runs every case through one model with `storage` and returns per-case max relative differences. */
async function runCases(cases: Case[], storage: Storage, opset: number): Promise<Record<string, number>> {
  const edits = makeEdits();
  const nodes: onnx.INodeProto[] = [];
  const outputs: onnx.IValueInfoProto[] = [];
  const feeds: TensorMap = {};
  cases.forEach((c, i) => {
    const wv = storage(edits, `w${i}`, c);
    nodes.push(...c.consume(wv, `y${i}`));
    outputs.push(valueInfo(`y${i}`, FLOAT, c.outputDims));
    feeds[c.input.name!] = c.feed;
  });
  const out = await run(
    model(
      edits,
      nodes,
      cases.map((c) => c.input),
      outputs,
      opset,
    ),
    feeds,
  );
  const diffs: Record<string, number> = {};
  cases.forEach((c, i) => {
    expect(out[`y${i}`].dims).toEqual(c.outputDims);
    diffs[c.label] = maxRelDiff(out[`y${i}`].data as Float32Array, c.expected(dequantizeColumns(c.q)));
  });
  return diffs;
}

function allCases(bits: number, symmetric: boolean): Case[] {
  return [
    matmulCase(64, 16, bits, symmetric, 31),
    matmulCase(40, 8, bits, symmetric, 32),
    gemmCase(64, 8, bits, symmetric),
    convCase(bits, symmetric),
    gatherCase(bits, symmetric),
  ];
}

/** Labels of the cases whose output differs from the expected weight by more than `bound` (relative to its max). */
const beyond = (diffs: Record<string, number>, bound: number): string[] =>
  Object.entries(diffs)
    .filter(([, d]) => !(d <= bound))
    .map(([label, d]) => `${label}: ${d}`);
/** One float32 ulp at the largest magnitude: ORT fuses DequantizeLinear→MatMul into its own kernel. */
const ULP = 2 ** -23;

describe('MatMulNBits (com.microsoft) reproduces dequantizeColumns', () => {
  for (const bits of [2, 4, 8]) {
    for (const symmetric of [false, true]) {
      test(`${bits} bits, ${symmetric ? 'symmetric (no zero points)' : 'asymmetric (packed zero points)'}: K=64 and K=40, alpha 0.5`, async () => {
        const cases = [matmulCase(64, 16, bits, symmetric, 41), matmulCase(40, 8, bits, symmetric, 42)];
        const edits = makeEdits();
        const nodes: NodeProto[] = [];
        const feeds: TensorMap = {};
        cases.forEach((c, i) => {
          const inputs = matMulNBitsInitializers(edits, `w${i}`, c.q);
          expect(inputs.length).toBe(symmetric ? 2 : 3);
          nodes.push(matMulNBitsNode(`nbits${i}`, c.input.name!, inputs, `y${i}`, c.q));
          feeds[c.input.name!] = c.feed;
        });
        // Gemm's alpha folds into the scales: the same weight at scaleFactor 0.5 gives half of it.
        const halfInputs = matMulNBitsInitializers(edits, 'half', cases[0].q, 0.5);
        nodes.push(matMulNBitsNode('nbits_half', cases[0].input.name!, halfInputs, 'y_half', cases[0].q));
        const outputs = [
          valueInfo('y0', FLOAT, [64, 16]),
          valueInfo('y1', FLOAT, [40, 8]),
          valueInfo('y_half', FLOAT, [64, 16]),
        ];
        const out = await run(
          model(
            edits,
            nodes,
            cases.map((c) => c.input),
            outputs,
            21,
            true,
          ),
          feeds,
        );
        const e0 = cases[0].expected(dequantizeColumns(cases[0].q));
        expect(maxRelDiff(out.y0.data as Float32Array, e0)).toBeLessThanOrEqual(ULP);
        expect(
          maxRelDiff(out.y1.data as Float32Array, cases[1].expected(dequantizeColumns(cases[1].q))),
        ).toBeLessThanOrEqual(1e-6);
        expect(
          maxRelDiff(
            out.y_half.data as Float32Array,
            e0.map((v) => v * 0.5),
          ),
        ).toBeLessThanOrEqual(1e-6);
      });
    }
  }
});

describe('block-wise DequantizeLinear reproduces dequantizeColumns on MatMul, Gemm, Conv and Gather', () => {
  for (const bits of [4, 2]) {
    for (const symmetric of [true, false]) {
      const type = `${symmetric ? '' : 'U'}INT${bits}`;
      test(`${type} at opset ${blockwiseDqOpset(bits)}`, async () => {
        const cases = allCases(bits, symmetric);
        const diffs = await runCases(cases, dqStorage, blockwiseDqOpset(bits)!);
        expect(beyond(diffs, ULP)).toEqual([]);
        // Gemm, Conv and Gather read the dequantized weight itself: bit-exact.
        expect([diffs['Gemm(transB) K=64'], diffs['Conv [6,4,3,3]'], diffs['Gather [10,48]']]).toEqual([
          0, 0, 0,
        ]);
      });
    }
  }
});

describe('packed bytes + unpack subgraph reproduce dequantizeColumns (opset 11)', () => {
  for (const bits of [2, 3, 4, 8]) {
    for (const symmetric of [false, true]) {
      test(`${bits} bits ${symmetric ? 'symmetric' : 'asymmetric'}`, async () => {
        const cases = allCases(bits, symmetric);
        const diffs = await runCases(cases, unpackStorage, 11);
        expect(beyond(diffs, 0)).toEqual([]);
      });
    }
  }
});

describe('float16 weight storage', () => {
  test('fp16 initializer (2 bytes a value) + Cast gives the float16-rounded weight on MatMul, Conv and Gather', async () => {
    const cases = [matmulCase(40, 8, 4, false, 51), convCase(4, false), gatherCase(4, false)];
    const edits = makeEdits();
    const nodes: onnx.INodeProto[] = [];
    const feeds: TensorMap = {};
    const rounded: Float32Array[] = [];
    cases.forEach((c, i) => {
      // The matrix row-major is also the op's layout (conv: [6, 36] = [6, 4, 3, 3]).
      const bits = Uint16Array.from(c.source, (v) => numberToFloat16Bits(v));
      rounded.push(Float32Array.from(bits, (b) => float16BitsToNumber(b)));
      nodes.push(...c.consume(addFloat16Weight(edits, `w${i}`, bits, c.finalDims), `y${i}`));
      feeds[c.input.name!] = c.feed;
    });
    expect(edits.initializers.map((t) => [t.dataType, t.dims.map(Number), t.rawData!.length])).toEqual([
      [10, [40, 8], 640],
      [10, [6, 4, 3, 3], 432],
      [10, [10, 48], 960],
    ]);
    expect(edits.nodes.map((n) => [n.opType, n.attribute[0].name, Number(n.attribute[0].i)])).toEqual([
      ['Cast', 'to', 1],
      ['Cast', 'to', 1],
      ['Cast', 'to', 1],
    ]);
    const outputs = cases.map((c, i) => valueInfo(`y${i}`, FLOAT, c.outputDims));
    const out = await run(
      model(
        edits,
        nodes,
        cases.map((c) => c.input),
        outputs,
        13,
      ),
      feeds,
    );
    // expected() maps the matrix (row-major in the quantization layout) to the output.
    cases.forEach((c, i) => {
      const asColumns = toColumns(rounded[i], c.dims, c.axis);
      expect(Array.from(out[`y${i}`].data as Float32Array)).toEqual(Array.from(c.expected(asColumns)));
    });
  });
});

describe('bytes written', () => {
  test('packCodes: 3-bit codes form a little-endian bit stream, ceil(count·3/8) bytes', () => {
    expect(Array.from(packCodes(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 0]), 3))).toEqual([0xd1, 0x58, 0x1f]);
    expect(Array.from(packCodes(Uint8Array.from([5, 1, 7, 2, 0, 3, 6, 4, 1]), 3))).toEqual([
      0xcd, 0x85, 0x99, 0x01,
    ]);
    expect(Array.from(packCodes(Uint8Array.from([1, 2, 3, 4, 15]), 4))).toEqual([0x21, 0x43, 0x0f]);
    expect(Array.from(packCodes(Uint8Array.from([1, 2, 3, 0, 3]), 2))).toEqual([0x39, 0x03]);
    expect(Array.from(packCodes(Uint8Array.from([0, 200, 255]), 8))).toEqual([0, 200, 255]);
  });

  test('3-bit packed weight [64, 16]: exactly 384 = 1024·3/8 bytes of codes, + 4-byte scales and 1-byte zero points per block', () => {
    const c = matmulCase(64, 16, 3, false, 61);
    const edits = makeEdits();
    addPackedUnpack(edits, 'w', c.q, c.dims, c.axis);
    const byName = new Map(edits.initializers.map((t) => [t.name, t]));
    const packed = byName.get('w_packed3')!;
    expect([packed.dataType, packed.dims.map(Number), packed.rawData!.length]).toEqual([2, [128, 3], 384]);
    expect(packed.rawData!.length).toBe(Math.ceil((64 * 16 * 3) / 8));
    expect([byName.get('w_scales')!.dims.map(Number), byName.get('w_scales')!.rawData!.length]).toEqual([
      [16, 2, 1],
      128,
    ]);
    expect([
      byName.get('w_zero_points')!.dims.map(Number),
      byName.get('w_zero_points')!.rawData!.length,
    ]).toEqual([[16, 2, 1], 32]);
    // Everything else is shape/index constants: a fixed 132 bytes, whatever the weight's size.
    const total = edits.initializers.reduce((n, t) => n + t.rawData!.length, 0);
    expect(total).toBe(384 + 128 + 32 + 132);
    // The subgraph uses only standard ops.
    expect([...new Set(edits.nodes.map((n) => n.opType))].sort()).toEqual([
      'Add',
      'Cast',
      'Div',
      'Gather',
      'Mul',
      'Reshape',
      'Sub',
      'Transpose',
    ]);
    expect(edits.nodes.every((n) => (n.domain ?? '') === '')).toBe(true);
  });

  test('3-bit with K = 40 (blocks of 32): codes padded to whole blocks, 8·64·3/8 = 192 bytes, and a Gather keeps K', () => {
    const c = matmulCase(40, 8, 3, false, 62);
    const edits = makeEdits();
    addPackedUnpack(edits, 'w', c.q, c.dims, c.axis);
    const packed = edits.initializers.find((t) => t.name === 'w_packed3')!;
    expect([packed.dims.map(Number), packed.rawData!.length]).toEqual([[64, 3], 192]);
    const keep = edits.initializers.find((t) => t.name === 'w_keep_k')!;
    expect([keep.dataType, keep.dims.map(Number)]).toEqual([7, [40]]);
  });

  test('MatMulNBits layout: B [N, blocks, 16] for 4 bits, K = 40 padded with the block zero point; zero points two per byte', () => {
    // Hand-made: K = 40 (blocks of 32 → 2 blocks), N = 2, 4 bits, asymmetric.
    const codes = new Uint8Array(80);
    for (let i = 0; i < 80; i++) codes[i] = i % 16;
    const q: BlockQuantized = {
      K: 40,
      N: 2,
      bits: 4,
      blockSize: 32,
      blocks: 2,
      symmetric: false,
      codes,
      scales: Float32Array.from([0.5, 1, 2, 4]),
      zeroPoints: Uint8Array.from([3, 12, 5, 0]),
    };
    const edits = makeEdits();
    const names = matMulNBitsInitializers(edits, 'w', q, 2);
    expect(names).toEqual(['w_nbits', 'w_scales', 'w_zero_points']);
    const [b, scales, zps] = edits.initializers;
    expect([b.dataType, b.dims.map(Number), b.rawData!.length]).toEqual([2, [2, 2, 16], 64]);
    // Column 0, block 1: codes of k = 32..39 (i % 16 → 0..7), then 24 pad codes = zp 12.
    const block = Array.from(b.rawData!.subarray(16, 32));
    expect(block).toEqual([0x10, 0x32, 0x54, 0x76, ...new Array(12).fill(0xcc)]);
    // Scales × the Gemm alpha (2); zero points: column 0 = 3 | 12 << 4, column 1 = 5 | 0 << 4.
    expect(Array.from(new Float32Array(scales.rawData!.slice().buffer))).toEqual([1, 2, 4, 8]);
    expect([zps.dims.map(Number), Array.from(zps.rawData!)]).toEqual([[2], [0xc3, 0x05]]);
    const node = matMulNBitsNode('n', 'a', names, 'y', q);
    expect([node.opType, node.domain, node.attribute.map((a) => [a.name, Number(a.i)])]).toEqual([
      'MatMulNBits',
      'com.microsoft',
      [
        ['K', 40],
        ['N', 2],
        ['bits', 4],
        ['block_size', 32],
      ],
    ]);
  });

  test('MatMulNBits zero points at 2 bits: 3 blocks fit one byte per column', () => {
    const q: BlockQuantized = {
      K: 96,
      N: 1,
      bits: 2,
      blockSize: 32,
      blocks: 3,
      symmetric: false,
      codes: new Uint8Array(96),
      scales: Float32Array.from([1, 1, 1]),
      zeroPoints: Uint8Array.from([1, 2, 3]),
    };
    const edits = makeEdits();
    matMulNBitsInitializers(edits, 'w', q);
    expect([edits.initializers[0].dims.map(Number), edits.initializers[0].rawData!.length]).toEqual([
      [1, 3, 8],
      24,
    ]);
    expect(Array.from(edits.initializers[2].rawData!)).toEqual([0x39]);
  });

  test('block-wise DQ: symmetric 4-bit is INT4 (signed, no zero point), asymmetric UINT4 with packed zero points', () => {
    const q: BlockQuantized = {
      K: 4,
      N: 2,
      bits: 4,
      blockSize: 32,
      blocks: 1,
      symmetric: true,
      codes: Uint8Array.from([8, 9, 7, 15, 0, 8, 8, 8]),
      scales: Float32Array.from([0.5, 0.25]),
      zeroPoints: Uint8Array.from([8, 8]),
    };
    // Weight stored [N=2, K=4] (Gemm transB): codes already in layout order.
    const edits = makeEdits();
    addBlockwiseDequantize(edits, 'w', q, [2, 4], 1);
    expect(edits.initializers.map((t) => [t.name, t.dataType, t.dims.map(Number)])).toEqual([
      ['w_q4', 22, [2, 4]],
      ['w_scale', 1, [2, 1]],
    ]);
    // Signed values 0, 1, −1, 7 | −8, 0, 0, 0, two per byte, low nibble first.
    expect(Array.from(edits.initializers[0].rawData!)).toEqual([0x10, 0x7f, 0x08, 0x00]);
    const dq = edits.nodes[0];
    expect([dq.opType, dq.input, dq.attribute.map((a) => [a.name, Number(a.i)])]).toEqual([
      'DequantizeLinear',
      ['w_q4', 'w_scale'],
      [
        ['axis', 1],
        ['block_size', 32],
      ],
    ]);

    const asym = { ...q, symmetric: false, zeroPoints: Uint8Array.from([3, 14]) };
    const e2 = makeEdits();
    addBlockwiseDequantize(e2, 'w', asym, [2, 4], 1);
    expect(
      e2.initializers.map((t) => [t.name, t.dataType, t.dims.map(Number), Array.from(t.rawData!)]),
    ).toEqual([
      ['w_q4', 21, [2, 4], [0x98, 0xf7, 0x80, 0x88]],
      ['w_scale', 1, [2, 1], Array.from(new Uint8Array(Float32Array.from([0.5, 0.25]).buffer))],
      ['w_zero_point', 21, [2, 1], [0xe3]],
    ]);
  });

  test('block-wise DQ of a conv weight: [O, I·kh·kw] storage, scales [O, blocks], then a Reshape to [O, I, kh, kw]', () => {
    const c = convCase(2, false);
    const edits = makeEdits();
    const out = addBlockwiseDequantize(edits, 'w', c.q, c.dims, c.axis, c.finalDims);
    expect(
      edits.initializers.map((t) => [t.name, t.dataType, t.dims.map(Number), t.rawData!.length]),
    ).toEqual([
      ['w_q2', 25, [6, 36], 54],
      ['w_scale', 1, [6, 2], 48],
      ['w_zero_point', 25, [6, 2], 3],
      ['w_weight_shape', 7, [4], 32],
    ]);
    expect(edits.nodes.map((n) => n.opType)).toEqual(['DequantizeLinear', 'Reshape']);
    expect(out).toBe('w_reshaped');
  });
});
