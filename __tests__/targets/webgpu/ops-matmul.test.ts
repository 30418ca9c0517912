// Cross-checks of the WebGPU matrix kernels against ONNX Runtime: MatMul (batched,
// broadcast, 1-D), Gemm (transposes, alpha/beta, broadcast C), MatMulNBits (2/4/8-bit,
// with and without zero points, bias) and DequantizeLinear feeding MatMul (int8/uint8
// per channel, read as codes) or another op (dequantized by a kernel).
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { crossCheck, oneOp, tensor, type ModelSpec } from '../webnn/cross-check.js';

const target = webgpuTarget;
const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const y = (dims: (number | string)[]) => [{ name: 'y', dtype: 'float32' as const, dims }];
const bytes = (count: number, seed: number) =>
  Array.from({ length: count }, (_, i) => (i * 37 + seed * 11 + ((i * i) % 13)) % 256);

const cases: [string, ModelSpec][] = [
  ['MatMul [16,128]×[128,96]', oneOp('MatMul', [f('a', [16, 128]), f('b', [128, 96])], y([16, 96]))],
  [
    'MatMul with a constant weight and odd sizes',
    oneOp('MatMul', [f('a', [5, 37]), f('b', [37, 45], { constant: true })], y([5, 45])),
  ],
  [
    'MatMul batched [2,4,16,8]×[2,4,8,16]',
    oneOp('MatMul', [f('a', [2, 4, 16, 8]), f('b', [2, 4, 8, 16])], y([2, 4, 16, 16])),
  ],
  [
    'MatMul broadcasts batch [3,1,6,5]×[4,5,7]',
    oneOp('MatMul', [f('a', [3, 1, 6, 5]), f('b', [4, 5, 7])], y([3, 4, 6, 7])),
  ],
  ['MatMul 1-D × 2-D', oneOp('MatMul', [f('a', [9]), f('b', [9, 4])], y([4]))],
  ['MatMul 2-D × 1-D', oneOp('MatMul', [f('a', [3, 9]), f('b', [9])], y([3]))],
  [
    'MatMul of 70 rows (a 3-row-tile remainder)',
    oneOp('MatMul', [f('a', [70, 33]), f('b', [33, 65])], y([70, 65])),
  ],
  [
    'Gemm with transB, alpha, beta and a bias row',
    oneOp(
      'Gemm',
      [f('a', [4, 6]), f('b', [5, 6], { constant: true }), f('c', [5], { constant: true })],
      y([4, 5]),
      { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } },
    ),
  ],
  [
    'Gemm with transA and a [M,1] C',
    oneOp('Gemm', [f('a', [6, 4]), f('b', [6, 5]), f('c', [4, 1])], y([4, 5]), { transA: 1 }),
  ],
  ['Gemm without C', oneOp('Gemm', [f('a', [3, 8]), f('b', [8, 2])], y([3, 2]))],
];

function nbits(
  bits: number,
  opts: { zp?: boolean; bias?: boolean; K?: number; N?: number; M?: number; blockSize?: number },
): ModelSpec {
  const K = opts.K ?? 64;
  const N = opts.N ?? 24;
  const M = opts.M ?? 5;
  const bs = opts.blockSize ?? 32;
  const blocks = Math.ceil(K / bs);
  const blob = (bs * bits) / 8;
  const tensors = [
    f('a', [M, K]),
    tensor('b', 'uint8', [N, blocks, blob], { constant: true, data: bytes(N * blocks * blob, bits) }),
    f('s', [N * blocks], {
      constant: true,
      data: Array.from({ length: N * blocks }, (_, i) => 0.01 + (i % 7) * 0.003),
    }),
  ];
  const inputs = ['a', 'b', 's'];
  if (opts.zp) {
    const perRow = Math.ceil((blocks * bits) / 8);
    tensors.push(tensor('z', 'uint8', [N * perRow], { constant: true, data: bytes(N * perRow, 3) }));
    inputs.push('z');
  } else if (opts.bias) inputs.push('');
  if (opts.bias) {
    inputs.push('', 'bias');
    tensors.push(f('bias', [N], { constant: true }));
  }
  return oneOp(
    'MatMulNBits',
    tensors,
    y([M, N]),
    { K, N, bits, block_size: bs },
    {
      domain: 'com.microsoft',
      inputNames: inputs,
      extraOpsets: { 'com.microsoft': 1 },
    },
  );
}

describe('webgpu matrix kernels match ONNX Runtime', () => {
  test.each(cases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test.each([
    ['4-bit with zero points', nbits(4, { zp: true })],
    ['4-bit without zero points, with bias', nbits(4, { bias: true })],
    ['8-bit with zero points', nbits(8, { zp: true })],
    ['2-bit with zero points, K not a multiple of the block', nbits(2, { zp: true, K: 80 })],
    ['4-bit block 16 over 17 rows', nbits(4, { zp: true, blockSize: 16, M: 17, N: 40 })],
    ['4-bit over 40 rows (the tiled kernel)', nbits(4, { zp: true, M: 40, N: 36 })],
    ['2-bit over 40 rows, K not a multiple of the block', nbits(2, { zp: true, M: 40, K: 80 })],
  ])('MatMulNBits %s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  const dq = (dtype: 'int8' | 'uint8', consumer: 'MatMul' | 'Relu'): ModelSpec => ({
    nodes: [
      { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['w'], attrs: { axis: 1 } },
      consumer === 'MatMul'
        ? { op: 'MatMul', inputs: ['a', 'w'], outputs: ['y'] }
        : { op: 'Relu', inputs: ['w'], outputs: ['y'] },
    ],
    tensors: [
      f('a', [7, 48]),
      tensor('q', dtype, [48, 20], {
        constant: true,
        data: bytes(48 * 20, 1).map((v) => (dtype === 'int8' ? v - 128 : v)),
      }),
      f('s', [20], { constant: true, data: Array.from({ length: 20 }, (_, i) => 0.02 + i * 0.001) }),
      tensor('z', dtype, [20], {
        constant: true,
        data: Array.from({ length: 20 }, (_, i) => (dtype === 'int8' ? i - 10 : 120 + i)),
      }),
    ],
    outputs: consumer === 'MatMul' ? y([7, 20]) : y([48, 20]),
    opset: 17,
  });

  test.each([
    ['int8 codes read by MatMul', dq('int8', 'MatMul')],
    ['uint8 codes read by MatMul', dq('uint8', 'MatMul')],
    ['uint8 codes dequantized for Relu', dq('uint8', 'Relu')],
  ])('DequantizeLinear: %s', async (_title, spec) => {
    // Unoptimized reference: ORT's optimizer would quantize MatMul's activations too.
    const r = await crossCheck(spec, { target, unoptimizedReference: true });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('a quantized MatMul weight stays packed: the module holds no float copy of it', async () => {
    const r = await crossCheck(dq('uint8', 'MatMul'), { target, unoptimizedReference: true });
    // The codes go to the GPU as raw bytes (four per word) and MatMul reads them directly.
    expect(r.code).toMatch(/"gpu": "raw"/);
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });
});

test('a MatMul and the Add of its bias row become one kernel (either operand order)', async () => {
  const spec: ModelSpec = {
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'], name: 'fc' },
      { op: 'Add', inputs: ['b', 'h'], outputs: ['y'], name: 'fc_bias' },
    ],
    tensors: [f('x', [2, 9, 24]), f('w', [24, 40], { constant: true }), f('b', [40], { constant: true })],
    outputs: y([2, 9, 40]),
    opset: 17,
  };
  const r = await crossCheck(spec, { target });
  expect(r.code).toContain('// fused: fc → fc_bias');
  expect(r.code.match(/g\.node\(/g)).toHaveLength(1);
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});
