// Cross-checks of the elementwise lowerings (arithmetic, comparison/logical, unary math,
// casts): each a one-node ONNX model run on ONNX Runtime and as a generated WebNN module on
// the reference runtime. Floats: rel_l2 ≤ 2e-6 (the fp32 default); ints and bools: exact.
import { crossCheck, oneOp, tensor, type ModelSpec } from './cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const y = (
  dims: (number | string)[],
  dtype: 'float32' | 'bool' | 'int64' | 'int32' | 'uint8' = 'float32',
) => [{ name: 'y', dtype, dims }];
const positive = (name: string, dims: number[]) =>
  f(name, dims, {
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.1 + ((i * 37) % 29) / 7),
  });

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
    'Pow with an int64 exponent',
    oneOp('Pow', [f('a', [6]), tensor('b', 'int64', [], { data: [3], constant: true })], y([6])),
  ],
  ['Max of three', oneOp('Max', [f('a', [2, 3]), f('b', [3]), f('c', [2, 1])], y([2, 3]))],
  ['Min of two', oneOp('Min', [f('a', [2, 3]), f('b', [2, 3])], y([2, 3]))],
  ['Sum of three', oneOp('Sum', [f('a', [4]), f('b', [4]), f('c', [4])], y([4]))],
  ['Mean of two', oneOp('Mean', [f('a', [4]), f('b', [4])], y([4]))],
  [
    'Where selects with a broadcast condition',
    oneOp('Where', [tensor('c', 'bool', [3, 1]), f('a', [3, 4]), f('b', [4])], y([3, 4])),
  ],
  ['Abs', oneOp('Abs', [f('x', [7])], y([7]))],
  ['Ceil', oneOp('Ceil', [f('x', [7])], y([7]))],
  ['Floor', oneOp('Floor', [f('x', [7])], y([7]))],
  ['Neg', oneOp('Neg', [f('x', [7])], y([7]))],
  ['Reciprocal', oneOp('Reciprocal', [positive('x', [7])], y([7]))],
  ['Sqrt', oneOp('Sqrt', [positive('x', [7])], y([7]))],
  ['Exp', oneOp('Exp', [f('x', [16])], y([16]))],
  ['Log', oneOp('Log', [positive('x', [16])], y([16]))],
  ['Erf', oneOp('Erf', [f('x', [64])], y([64]))],
  ['Sin', oneOp('Sin', [f('x', [16])], y([16]))],
  ['Cos', oneOp('Cos', [f('x', [16])], y([16]))],
  ['Tan', oneOp('Tan', [f('x', [16])], y([16]))],
  ['Sign', oneOp('Sign', [f('x', [5], { data: [-2, 0, 3, -0.5, 1] })], y([5]))],
  ['Round (half to even)', oneOp('Round', [f('x', [6], { data: [0.5, 1.5, 2.5, -0.5, -1.5, 2.4] })], y([6]))],
  ['Identity', oneOp('Identity', [f('x', [3, 2])], y([3, 2]))],
  ['Dropout (inference)', oneOp('Dropout', [f('x', [3, 2])], y([3, 2]))],
  [
    'Cast int64 → float32',
    oneOp('Cast', [tensor('x', 'int64', [5], { low: -50, high: 50 })], y([5]), { to: 1 }),
  ],
  ['Cast bool → float32', oneOp('Cast', [tensor('x', 'bool', [5])], y([5]), { to: 1 })],
  [
    'CastLike int32 → float32',
    oneOp(
      'CastLike',
      [tensor('x', 'int32', [5], { low: -9, high: 9 }), f('t', [1])],
      y([5]),
      {},
      { opset: 15 },
    ),
  ],
];

const exactCases: [string, ModelSpec][] = [
  [
    'Add on int64',
    oneOp(
      'Add',
      [tensor('a', 'int64', [2, 3], { low: -9, high: 9 }), tensor('b', 'int64', [3])],
      y([2, 3], 'int64'),
    ),
  ],
  [
    'Div on int32 truncates',
    oneOp(
      'Div',
      [
        tensor('a', 'int32', [4], { data: [7, -7, 9, 1] }),
        tensor('b', 'int32', [4], { data: [2, 2, -4, 3] }),
      ],
      y([4], 'int32'),
    ),
  ],
  [
    'Equal on int64',
    oneOp(
      'Equal',
      [tensor('a', 'int64', [6], { high: 3 }), tensor('b', 'int64', [6], { high: 3 })],
      y([6], 'bool'),
    ),
  ],
  ['Greater', oneOp('Greater', [f('a', [2, 3]), f('b', [3])], y([2, 3], 'bool'))],
  ['Less', oneOp('Less', [f('a', [2, 3]), f('b', [3])], y([2, 3], 'bool'))],
  [
    'GreaterOrEqual',
    oneOp(
      'GreaterOrEqual',
      [f('a', [4], { data: [1, 2, 3, 4] }), f('b', [4], { data: [1, 3, 2, 4] })],
      y([4], 'bool'),
    ),
  ],
  [
    'LessOrEqual',
    oneOp(
      'LessOrEqual',
      [f('a', [4], { data: [1, 2, 3, 4] }), f('b', [4], { data: [1, 3, 2, 4] })],
      y([4], 'bool'),
    ),
  ],
  ['And', oneOp('And', [tensor('a', 'bool', [8]), tensor('b', 'bool', [8])], y([8], 'bool'))],
  ['Or', oneOp('Or', [tensor('a', 'bool', [8]), tensor('b', 'bool', [8])], y([8], 'bool'))],
  ['Xor', oneOp('Xor', [tensor('a', 'bool', [8]), tensor('b', 'bool', [8])], y([8], 'bool'))],
  ['Not', oneOp('Not', [tensor('a', 'bool', [8])], y([8], 'bool'))],
  [
    'IsNaN (decomposed as x != x)',
    oneOp('IsNaN', [f('x', [5], { data: [NaN, 1, -Infinity, NaN, 0] })], y([5], 'bool')),
  ],
  [
    'IsInf, both signs',
    oneOp('IsInf', [f('x', [5], { data: [Infinity, 1, -Infinity, NaN, 0] })], y([5], 'bool')),
  ],
  [
    'IsInf, positive only',
    oneOp('IsInf', [f('x', [5], { data: [Infinity, 1, -Infinity, NaN, 0] })], y([5], 'bool'), {
      detect_negative: 0,
    }),
  ],
  [
    'Cast float32 → int32 truncates',
    oneOp('Cast', [f('x', [6], { data: [1.7, -1.7, 0.2, -0.2, 5.5, -5.5] })], y([6], 'int32'), { to: 6 }),
  ],
  [
    'Cast float32 → bool is x != 0',
    oneOp('Cast', [f('x', [4], { data: [0, 0.5, -2, 0] })], y([4], 'bool'), { to: 9 }),
  ],
  [
    'Cast int64 → uint8',
    oneOp('Cast', [tensor('x', 'int64', [4], { data: [0, 1, 7, 200] })], y([4], 'uint8'), { to: 2 }),
  ],
];

test.each(floatCases)('%s matches ONNX Runtime', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});

test.each(exactCases)('%s matches ONNX Runtime exactly', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.mismatched).toEqual([]);
});
