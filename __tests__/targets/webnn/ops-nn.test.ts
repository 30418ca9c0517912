// Cross-checks of the neural-network lowerings: activations, softmax, MatMul/Gemm, Conv/
// ConvTranspose (padding modes, groups, 1-D), pooling and normalizations — one-node ONNX
// models on ONNX Runtime vs the generated WebNN module on the reference runtime.
import { crossCheck, oneOp, tensor, type ModelSpec } from './cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const w = (name: string, dims: number[]) => f(name, dims, { constant: true });
const y = (dims: (number | string)[]) => [{ name: 'y', dtype: 'float32' as const, dims }];

const cases: [string, ModelSpec][] = [
  ['Relu', oneOp('Relu', [f('x', [3, 4])], y([3, 4]))],
  ['Sigmoid', oneOp('Sigmoid', [f('x', [3, 4])], y([3, 4]))],
  ['Tanh', oneOp('Tanh', [f('x', [3, 4])], y([3, 4]))],
  ['Softplus', oneOp('Softplus', [f('x', [3, 4])], y([3, 4]))],
  ['Softsign', oneOp('Softsign', [f('x', [3, 4])], y([3, 4]))],
  ['HardSwish', oneOp('HardSwish', [f('x', [3, 4])], y([3, 4]))],
  ['LeakyRelu alpha 0.2', oneOp('LeakyRelu', [f('x', [3, 4])], y([3, 4]), { alpha: { float: 0.2 } })],
  ['Elu alpha 0.5', oneOp('Elu', [f('x', [3, 4])], y([3, 4]), { alpha: { float: 0.5 } })],
  [
    'HardSigmoid',
    oneOp('HardSigmoid', [f('x', [3, 4])], y([3, 4]), { alpha: { float: 0.3 }, beta: { float: 0.4 } }),
  ],
  ['Selu (γ·elu)', oneOp('Selu', [f('x', [3, 4])], y([3, 4]))],
  ['PRelu with a per-channel slope', oneOp('PRelu', [f('x', [2, 3, 4]), w('s', [3, 1])], y([2, 3, 4]))],
  ['Gelu (erf)', oneOp('Gelu', [f('x', [64])], y([64]), {}, { opset: 20 })],
  [
    'Gelu (tanh approximation, decomposed)',
    oneOp('Gelu', [f('x', [64])], y([64]), { approximate: 'tanh' }, { opset: 20 }),
  ],
  [
    'Clip opset 6 (attributes)',
    oneOp('Clip', [f('x', [8])], y([8]), { min: { float: -0.5 }, max: { float: 0.7 } }, { opset: 6 }),
  ],
  [
    'Clip with constant bounds',
    oneOp(
      'Clip',
      [
        f('x', [8]),
        f('lo', [], { data: [-0.5], constant: true }),
        f('hi', [], { data: [0.7], constant: true }),
      ],
      y([8]),
      {},
      { opset: 13 },
    ),
  ],
  [
    'Clip with a run-time min',
    oneOp('Clip', [f('x', [8]), f('lo', [], { data: [-0.3] })], y([8]), {}, { opset: 13 }),
  ],
  [
    'Softmax axis 1 (opset 13)',
    oneOp('Softmax', [f('x', [2, 5, 3])], y([2, 5, 3]), { axis: 1 }, { opset: 13 }),
  ],
  [
    'Softmax opset 11 (flattened at axis 1)',
    oneOp('Softmax', [f('x', [2, 5, 3])], y([2, 5, 3]), { axis: 1 }, { opset: 11 }),
  ],
  ['LogSoftmax (decomposed)', oneOp('LogSoftmax', [f('x', [4, 6])], y([4, 6]), {}, { opset: 13 })],
  ['LogSoftmax opset 11', oneOp('LogSoftmax', [f('x', [2, 3, 4])], y([2, 3, 4]), { axis: 1 }, { opset: 11 })],
  ['MatMul 2-D', oneOp('MatMul', [f('a', [3, 4]), w('b', [4, 5])], y([3, 5]))],
  [
    'MatMul batched with broadcast batch dims',
    oneOp('MatMul', [f('a', [2, 1, 3, 4]), f('b', [5, 4, 6])], y([2, 5, 3, 6])),
  ],
  ['MatMul 1-D × 2-D', oneOp('MatMul', [f('a', [4]), f('b', [2, 4, 3])], y([2, 3]))],
  ['MatMul 2-D × 1-D', oneOp('MatMul', [f('a', [3, 4]), f('b', [4])], y([3]))],
  ['MatMul 1-D × 1-D', oneOp('MatMul', [f('a', [4]), f('b', [4])], y([]))],
  [
    'Gemm transA, transB, alpha, beta, C [N]',
    oneOp('Gemm', [f('a', [4, 3]), w('b', [5, 4]), w('c', [5])], y([3, 5]), {
      transA: 1,
      transB: 1,
      alpha: { float: 0.5 },
      beta: { float: 2 },
    }),
  ],
  ['Gemm without C', oneOp('Gemm', [f('a', [3, 4]), w('b', [4, 5])], y([3, 5]))],
  [
    'Conv 2-D pads, strides, dilations, bias',
    oneOp('Conv', [f('x', [1, 3, 9, 8]), w('w', [4, 3, 3, 3]), w('b', [4])], y([1, 4, 4, 3]), {
      pads: [1, 0, 2, 1],
      strides: [2, 2],
      dilations: [1, 2],
    }),
  ],
  [
    'Conv grouped (depthwise)',
    oneOp('Conv', [f('x', [2, 4, 6, 6]), w('w', [4, 1, 3, 3])], y([2, 4, 4, 4]), { group: 4 }),
  ],
  [
    'Conv auto_pad SAME_UPPER',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [3, 2, 4, 3])], y([1, 3, 4, 3]), {
      auto_pad: 'SAME_UPPER',
      strides: [2, 2],
    }),
  ],
  [
    'Conv auto_pad SAME_LOWER',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [3, 2, 4, 3])], y([1, 3, 4, 3]), {
      auto_pad: 'SAME_LOWER',
      strides: [2, 2],
    }),
  ],
  [
    'Conv auto_pad VALID',
    oneOp('Conv', [f('x', [1, 2, 7, 6]), w('w', [3, 2, 3, 3])], y([1, 3, 5, 4]), { auto_pad: 'VALID' }),
  ],
  [
    'Conv 1-D',
    oneOp('Conv', [f('x', [2, 3, 10]), w('w', [5, 3, 3]), w('b', [5])], y([2, 5, 5]), {
      pads: [1, 1],
      strides: [2],
    }),
  ],
  [
    'ConvTranspose strides, pads, output_padding',
    oneOp('ConvTranspose', [f('x', [1, 3, 4, 5]), w('w', [3, 2, 3, 3]), w('b', [2])], y([1, 2, 8, 9]), {
      strides: [2, 2],
      pads: [1, 1, 0, 1],
      output_padding: [1, 0],
    }),
  ],
  [
    'ConvTranspose grouped',
    oneOp('ConvTranspose', [f('x', [1, 4, 3, 3]), w('w', [4, 1, 2, 2])], y([1, 2, 4, 4]), { group: 2 }),
  ],
  [
    'ConvTranspose output_shape',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 3]), w('w', [2, 3, 3, 3])], y([1, 3, 6, 7]), {
      strides: [2, 2],
      output_shape: [6, 7],
    }),
  ],
  [
    'ConvTranspose auto_pad SAME_UPPER',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 4]), w('w', [2, 2, 3, 3])], y([1, 2, 6, 8]), {
      strides: [2, 2],
      auto_pad: 'SAME_UPPER',
    }),
  ],
  [
    'ConvTranspose auto_pad SAME_LOWER',
    oneOp('ConvTranspose', [f('x', [1, 2, 3, 4]), w('w', [2, 2, 3, 3])], y([1, 2, 6, 8]), {
      strides: [2, 2],
      auto_pad: 'SAME_LOWER',
    }),
  ],
  [
    'ConvTranspose 1-D',
    oneOp('ConvTranspose', [f('x', [1, 2, 5]), w('w', [2, 3, 3])], y([1, 3, 11]), { strides: [2] }),
  ],
  [
    'MaxPool pads and strides',
    oneOp('MaxPool', [f('x', [1, 2, 7, 7])], y([1, 2, 4, 4]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'MaxPool ceil_mode',
    oneOp('MaxPool', [f('x', [1, 1, 6, 6])], y([1, 1, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      ceil_mode: 1,
    }),
  ],
  [
    'MaxPool dilations',
    oneOp('MaxPool', [f('x', [1, 1, 7, 7])], y([1, 1, 3, 3]), {
      kernel_shape: [2, 2],
      dilations: [2, 2],
      strides: [2, 2],
    }),
  ],
  [
    'AveragePool excluding pads',
    oneOp('AveragePool', [f('x', [1, 2, 5, 5])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    }),
  ],
  [
    'AveragePool count_include_pad',
    oneOp('AveragePool', [f('x', [1, 2, 5, 5])], y([1, 2, 3, 3]), {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      count_include_pad: 1,
    }),
  ],
  [
    'AveragePool SAME_UPPER',
    oneOp('AveragePool', [f('x', [1, 1, 5, 6])], y([1, 1, 3, 3]), {
      kernel_shape: [2, 3],
      strides: [2, 2],
      auto_pad: 'SAME_UPPER',
    }),
  ],
  [
    'AveragePool 1-D',
    oneOp('AveragePool', [f('x', [2, 3, 9])], y([2, 3, 4]), { kernel_shape: [3], strides: [2] }),
  ],
  [
    'LpPool p=2',
    oneOp('LpPool', [f('x', [1, 2, 4, 4])], y([1, 2, 2, 2]), { kernel_shape: [2, 2], strides: [2, 2] }),
  ],
  ['GlobalAveragePool', oneOp('GlobalAveragePool', [f('x', [2, 3, 4, 5])], y([2, 3, 1, 1]))],
  ['GlobalMaxPool', oneOp('GlobalMaxPool', [f('x', [2, 3, 4, 5])], y([2, 3, 1, 1]))],
  [
    'LayerNormalization last axis',
    oneOp('LayerNormalization', [f('x', [2, 5, 8]), w('s', [8]), w('b', [8])], y([2, 5, 8]), {
      epsilon: { float: 1e-5 },
    }),
  ],
  [
    'LayerNormalization over axes 1.. with scale only',
    oneOp('LayerNormalization', [f('x', [2, 3, 4]), w('s', [3, 4])], y([2, 3, 4]), { axis: 1 }),
  ],
  [
    'RMSNormalization (opset 23, decomposed)',
    oneOp(
      'RMSNormalization',
      [f('x', [2, 5, 8]), w('s', [8])],
      y([2, 5, 8]),
      { epsilon: { float: 1e-5 } },
      { opset: 23 },
    ),
  ],
  [
    'BatchNormalization',
    oneOp(
      'BatchNormalization',
      [
        f('x', [2, 3, 4, 4]),
        w('s', [3]),
        w('b', [3]),
        w('m', [3]),
        f('v', [3], { constant: true, data: [0.5, 1, 2] }),
      ],
      y([2, 3, 4, 4]),
    ),
  ],
  [
    'InstanceNormalization 4-D',
    oneOp('InstanceNormalization', [f('x', [2, 3, 4, 5]), w('s', [3]), w('b', [3])], y([2, 3, 4, 5])),
  ],
  [
    'InstanceNormalization 3-D',
    oneOp('InstanceNormalization', [f('x', [2, 3, 7]), w('s', [3]), w('b', [3])], y([2, 3, 7])),
  ],
];

test.each(cases)('%s matches ONNX Runtime', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});
