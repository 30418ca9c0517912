// Cross-checks of the quantized forms the precision transforms emit: ONNX DequantizeLinear
// (per-tensor int8, per-axis uint8, block-wise int4/uint4 at opset 21) feeding MatMul,
// ONNX Runtime's com.microsoft MatMulNBits (4- and 8-bit, with and without zero points,
// with bias), and the activation ops of int8 static/dynamic (QuantizeLinear,
// DynamicQuantizeLinear, MatMulInteger, ConvInteger). ONNX Runtime (graph optimizations
// off: its QDQ fusions quantize the activations too) vs the generated WebNN module.
import { crossCheck, tensor, type ModelSpec } from './cross-check.js';

const x = tensor('x', 'float32', [3, 64]);
const scales = (name: string, dims: number[]) =>
  tensor(name, 'float32', dims, {
    constant: true,
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.01 + (i % 7) * 0.003),
  });

function dequantizeThenMatMul(
  weight: ReturnType<typeof tensor>,
  scale: ReturnType<typeof tensor>,
  zero: ReturnType<typeof tensor> | undefined,
  attrs: Record<string, number>,
  opset: number,
): ModelSpec {
  return {
    nodes: [
      { op: 'DequantizeLinear', inputs: ['w', 's', ...(zero ? ['z'] : [])], outputs: ['wf'], attrs },
      { op: 'MatMul', inputs: ['x', 'wf'], outputs: ['y'] },
    ],
    tensors: [x, weight, scale, ...(zero ? [zero] : [])],
    outputs: [{ name: 'y', dtype: 'float32', dims: [3, 16] }],
    opset,
  };
}

function matMulNBits(bits: number, withZeros: boolean, withBias: boolean, rank3 = false): ModelSpec {
  const K = 64;
  const N = 16;
  const blockSize = 32;
  const blocks = K / blockSize;
  const blob = (blockSize * bits) / 8;
  const zeroBytes = Math.ceil((blocks * bits) / 8);
  const inputs = ['x', 'b', 's', withZeros ? 'z' : '', '', withBias ? 'bias' : ''];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const input = rank3 ? tensor('x', 'float32', [2, 3, K]) : x;
  return {
    nodes: [
      {
        op: 'MatMulNBits',
        domain: 'com.microsoft',
        inputs,
        outputs: ['y'],
        attrs: { K, N, bits, block_size: blockSize },
      },
    ],
    tensors: [
      input,
      tensor('b', 'uint8', [N, blocks, blob], { constant: true, low: 0, high: 256 }),
      scales('s', [N * blocks]),
      ...(withZeros ? [tensor('z', 'uint8', [N * zeroBytes], { constant: true, low: 0, high: 256 })] : []),
      ...(withBias ? [tensor('bias', 'float32', [N], { constant: true })] : []),
    ],
    outputs: [{ name: 'y', dtype: 'float32', dims: rank3 ? [2, 3, N] : [3, N] }],
    extraOpsets: { 'com.microsoft': 1 },
  };
}

const cases: [string, ModelSpec][] = [
  [
    'DequantizeLinear per-tensor int8',
    dequantizeThenMatMul(
      tensor('w', 'int8', [64, 16], { constant: true, low: -128, high: 128 }),
      scales('s', []),
      tensor('z', 'int8', [], { constant: true, data: [3] }),
      {},
      13,
    ),
  ],
  [
    'DequantizeLinear per-axis uint8 (axis 1)',
    dequantizeThenMatMul(
      tensor('w', 'uint8', [64, 16], { constant: true, low: 0, high: 256 }),
      scales('s', [16]),
      tensor('z', 'uint8', [16], { constant: true, low: 100, high: 150 }),
      { axis: 1 },
      13,
    ),
  ],
  [
    'DequantizeLinear block-wise int4 (opset 21)',
    dequantizeThenMatMul(
      tensor('w', 'int4', [64, 16], { constant: true, low: -8, high: 8 }),
      scales('s', [2, 16]),
      undefined,
      { axis: 0, block_size: 32 },
      21,
    ),
  ],
  [
    'DequantizeLinear block-wise uint4 with zero points',
    dequantizeThenMatMul(
      tensor('w', 'uint4', [64, 16], { constant: true, low: 0, high: 16 }),
      scales('s', [2, 16]),
      tensor('z', 'uint4', [2, 16], { constant: true, low: 0, high: 16 }),
      { axis: 0, block_size: 32 },
      21,
    ),
  ],
  ['MatMulNBits 4-bit with zero points', matMulNBits(4, true, false)],
  ['MatMulNBits 4-bit symmetric with bias', matMulNBits(4, false, true)],
  ['MatMulNBits 4-bit on a rank-3 input', matMulNBits(4, true, false, true)],
  ['MatMulNBits 8-bit', matMulNBits(8, true, false)],
];

const exactCases: [string, ModelSpec][] = [
  [
    'QuantizeLinear per-axis to int8 (round half to even, saturating)',
    {
      nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attrs: { axis: 1 } }],
      tensors: [
        tensor('x', 'float32', [2, 3], { data: [0.25, -0.75, 100, 0.5, 1.5, -100] }),
        tensor('s', 'float32', [3], { constant: true, data: [0.5, 0.5, 0.25] }),
        tensor('z', 'int8', [3], { constant: true, data: [0, 1, -2] }),
      ],
      outputs: [{ name: 'y', dtype: 'int8', dims: [2, 3] }],
      opset: 13,
    },
  ],
  [
    'DynamicQuantizeLinear',
    {
      nodes: [{ op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['y', 'ys', 'yz'] }],
      tensors: [tensor('x', 'float32', [4, 8])],
      outputs: [
        { name: 'y', dtype: 'uint8', dims: [4, 8] },
        { name: 'ys', dtype: 'float32', dims: [] },
        { name: 'yz', dtype: 'uint8', dims: [] },
      ],
      opset: 13,
    },
  ],
  [
    'MatMulInteger with per-column weight zero points',
    {
      nodes: [{ op: 'MatMulInteger', inputs: ['a', 'b', 'az', 'bz'], outputs: ['y'] }],
      tensors: [
        tensor('a', 'uint8', [3, 16], { low: 0, high: 256 }),
        tensor('b', 'int8', [16, 5], { constant: true, low: -128, high: 128 }),
        tensor('az', 'uint8', [], { constant: true, data: [7] }),
        tensor('bz', 'int8', [5], { constant: true, low: -3, high: 3 }),
      ],
      outputs: [{ name: 'y', dtype: 'int32', dims: [3, 5] }],
      opset: 13,
    },
  ],
  [
    'ConvInteger with zero points',
    {
      nodes: [
        { op: 'ConvInteger', inputs: ['x', 'w', 'xz', 'wz'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } },
      ],
      tensors: [
        tensor('x', 'uint8', [1, 2, 5, 5], { low: 0, high: 256 }),
        tensor('w', 'uint8', [3, 2, 3, 3], { constant: true, low: 0, high: 256 }),
        tensor('xz', 'uint8', [], { constant: true, data: [128] }),
        tensor('wz', 'uint8', [], { constant: true, data: [120] }),
      ],
      outputs: [{ name: 'y', dtype: 'int32', dims: [1, 3, 5, 5] }],
      opset: 13,
    },
  ],
];

test.each(exactCases)('%s matches ONNX Runtime exactly', async (_, spec) => {
  const r = await crossCheck(spec, { unoptimizedReference: true });
  expect(r.mismatched).toEqual([]);
  expect(r.worstRelL2).toBe(0);
});

test.each(cases)('%s matches ONNX Runtime', async (_, spec) => {
  const r = await crossCheck(spec, { unoptimizedReference: true });
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});
