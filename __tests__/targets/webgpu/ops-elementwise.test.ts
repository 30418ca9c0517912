// Cross-checks of the WebGPU elementwise kernels: each a one-node ONNX model run on ONNX
// Runtime and as a generated webgpu module on Dawn (SwiftShader in CI). Floats: rel_l2 ≤
// 2e-6 (the fp32 default); ints and bools: exact.
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { crossCheck, oneOp, tensor, type ModelSpec } from '../webnn/cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const y = (dims: (number | string)[], dtype: 'float32' | 'bool' | 'int64' | 'int32' = 'float32') => [
  { name: 'y', dtype, dims },
];
const positive = (name: string, dims: number[]) =>
  f(name, dims, {
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 + ((i * 37) % 29) / 7),
  });
const target = webgpuTarget;

const floatCases: [string, ModelSpec][] = [
  ['Add broadcasts [2,3,4] + [4]', oneOp('Add', [f('a', [2, 3, 4]), f('b', [4])], y([2, 3, 4]))],
  ['Sub broadcasts both ways [3,1] - [1,4]', oneOp('Sub', [f('a', [3, 1]), f('b', [1, 4])], y([3, 4]))],
  ['Mul by a constant', oneOp('Mul', [f('a', [2, 5]), f('b', [5], { constant: true })], y([2, 5]))],
  ['Div', oneOp('Div', [f('a', [4, 3]), positive('b', [4, 3])], y([4, 3]))],
  [
    'Pow with a float exponent',
    oneOp('Pow', [positive('a', [6]), f('b', [], { data: [1.5], constant: true })], y([6])),
  ],
  [
    'Pow by 3 of negative bases',
    oneOp('Pow', [f('a', [6]), f('b', [], { data: [3], constant: true })], y([6])),
  ],
  ['Max of three', oneOp('Max', [f('a', [2, 3]), f('b', [3]), f('c', [2, 1])], y([2, 3]))],
  [
    'Where selects with a broadcast condition',
    oneOp('Where', [tensor('c', 'bool', [3, 1]), f('a', [3, 4]), f('b', [4])], y([3, 4])),
  ],
  ['Erf', oneOp('Erf', [f('x', [64])], y([64]))],
  ['Tanh of large values', oneOp('Tanh', [f('x', [5], { data: [-100, -3, 0, 2, 90] })], y([5]))],
  ['Sigmoid', oneOp('Sigmoid', [f('x', [16])], y([16]))],
  ['Gelu (erf)', oneOp('Gelu', [f('x', [64])], y([64]), {}, { opset: 20 })],
  ['Gelu (tanh)', oneOp('Gelu', [f('x', [64])], y([64]), { approximate: 'tanh' }, { opset: 20 })],
  [
    'Clip with bounds',
    oneOp(
      'Clip',
      [
        f('x', [8]),
        f('lo', [], { data: [-0.5], constant: true }),
        f('hi', [], { data: [0.5], constant: true }),
      ],
      y([8]),
    ),
  ],
];

describe('webgpu elementwise kernels match ONNX Runtime', () => {
  test.each(floatCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('comparisons and logic give exact bools', async () => {
    const spec = oneOp('Greater', [f('a', [2, 3]), f('b', [3])], y([2, 3], 'bool'));
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });

  test('int64 arithmetic computes as i32 and returns int64', async () => {
    const spec = oneOp('Mul', [tensor('a', 'int64', [4]), tensor('b', 'int64', [4])], y([4], 'int64'));
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });

  test('Cast float → int64 truncates toward zero', async () => {
    const spec = oneOp('Cast', [f('x', [5], { data: [-1.7, -0.2, 0.5, 2.9, 7] })], y([5], 'int64'), {
      to: 7,
    });
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });
});

describe('elementwise fusion', () => {
  // GELU as the legacy exporter spells it: x * 0.5 * (1 + erf(x / √2)), five nodes.
  const gelu: ModelSpec = {
    nodes: [
      { op: 'Div', inputs: ['x', 'sqrt2'], outputs: ['d'], name: 'div' },
      { op: 'Erf', inputs: ['d'], outputs: ['e'], name: 'erf' },
      { op: 'Add', inputs: ['e', 'one'], outputs: ['a'], name: 'add' },
      { op: 'Mul', inputs: ['x', 'a'], outputs: ['m'], name: 'mul' },
      { op: 'Mul', inputs: ['m', 'half'], outputs: ['y'], name: 'mul_1' },
    ],
    tensors: [
      f('x', [4, 64]),
      f('sqrt2', [], { data: [Math.SQRT2], constant: true }),
      f('one', [], { data: [1], constant: true }),
      f('half', [], { data: [0.5], constant: true }),
    ],
    outputs: y([4, 64]),
    opset: 17,
  };

  test('a five-node GELU chain becomes one program and matches ONNX Runtime', async () => {
    const r = await crossCheck(gelu, { target });
    expect(r.code).toContain('// fused: div → erf → add → mul → mul_1');
    expect(r.code.match(/g\.node\(/g)).toHaveLength(1);
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('a value read by two nodes is not fused away', async () => {
    const spec: ModelSpec = {
      nodes: [
        { op: 'Exp', inputs: ['x'], outputs: ['e'], name: 'exp' },
        { op: 'Add', inputs: ['e', 'x'], outputs: ['a'], name: 'add' },
        { op: 'Mul', inputs: ['e', 'a'], outputs: ['y'], name: 'mul' },
      ],
      tensors: [f('x', [3, 5])],
      outputs: y([3, 5]),
      opset: 17,
    };
    const r = await crossCheck(spec, { target });
    expect(r.code.match(/g\.node\(/g)).toHaveLength(2);
    expect(r.code).toContain('// fused: add → mul');
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });
});

describe('more activations', () => {
  test.each([
    [
      'PRelu with a per-channel slope',
      oneOp('PRelu', [f('x', [2, 3, 4]), f('s', [3, 1], { constant: true })], y([2, 3, 4])),
    ],
    ['Mean of three', oneOp('Mean', [f('a', [4]), f('b', [4]), f('c', [2, 4])], y([2, 4]))],
    ['Selu', oneOp('Selu', [f('x', [16])], y([16]))],
    ['Celu', oneOp('Celu', [f('x', [16])], y([16]), { alpha: { float: 0.5 } }, { opset: 12 })],
    ['Softsign', oneOp('Softsign', [f('x', [16])], y([16]))],
    ['Atan', oneOp('Atan', [f('x', [16])], y([16]))],
    [
      'Clip-6 bounds as attributes',
      oneOp('Clip', [f('x', [16])], y([16]), { min: { float: -0.3 }, max: { float: 0.4 } }, { opset: 6 }),
    ],
    [
      'Clip-11 with only a max',
      oneOp(
        'Clip',
        [f('x', [8]), f('hi', [], { data: [0.25], constant: true })],
        y([8]),
        {},
        { opset: 11, inputNames: ['x', '', 'hi'] },
      ),
    ],
  ])('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });
});
