// Cross-checks of the reduction, layout, slicing, indexing and resize lowerings — one-node
// ONNX models on ONNX Runtime vs the generated WebNN module on the reference runtime.
import { crossCheck, oneOp, tensor, type ModelSpec } from './cross-check.js';

const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const i64 = (name: string, data: number[], dims: number[] = [data.length]) =>
  tensor(name, 'int64', dims, { data, constant: true });
const y = (dims: (number | string)[], dtype: 'float32' | 'int64' = 'float32') => [{ name: 'y', dtype, dims }];
const positive = (name: string, dims: number[]) =>
  f(name, dims, {
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.2 + ((i * 13) % 17) / 5),
  });

const floatCases: [string, ModelSpec][] = [
  [
    'ReduceMean axes input, keepdims 0',
    oneOp('ReduceMean', [f('x', [2, 3, 4]), i64('axes', [-1, 0])], y([3]), { keepdims: 0 }, { opset: 18 }),
  ],
  [
    'ReduceSum axes input (opset 13)',
    oneOp('ReduceSum', [f('x', [2, 3, 4]), i64('axes', [1])], y([2, 1, 4]), {}, { opset: 13 }),
  ],
  [
    'ReduceSum of everything (no axes)',
    oneOp('ReduceSum', [f('x', [2, 3, 4])], y([1, 1, 1]), {}, { opset: 13 }),
  ],
  [
    'ReduceSum noop_with_empty_axes',
    oneOp('ReduceSum', [f('x', [2, 3])], y([2, 3]), { noop_with_empty_axes: 1 }, { opset: 13 }),
  ],
  [
    'ReduceMax axes attribute (opset 17)',
    oneOp('ReduceMax', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] }),
  ],
  ['ReduceMin', oneOp('ReduceMin', [f('x', [2, 3, 4])], y([1, 3, 4]), { axes: [0] })],
  ['ReduceProd', oneOp('ReduceProd', [f('x', [2, 3, 4])], y([2, 1, 4]), { axes: [1] })],
  ['ReduceL1', oneOp('ReduceL1', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceL2', oneOp('ReduceL2', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceLogSum', oneOp('ReduceLogSum', [positive('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceLogSumExp', oneOp('ReduceLogSumExp', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceSumSquare', oneOp('ReduceSumSquare', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  [
    'CumSum exclusive, reverse',
    oneOp('CumSum', [f('x', [3, 5]), i64('axis', [1], [])], y([3, 5]), { exclusive: 1, reverse: 1 }),
  ],
  ['Reshape with 0 and -1', oneOp('Reshape', [f('x', [2, 3, 4]), i64('s', [0, -1, 2])], y([2, 6, 2]))],
  ['Flatten axis 2', oneOp('Flatten', [f('x', [2, 3, 4, 5])], y([6, 20]), { axis: 2 })],
  [
    'Squeeze axes input',
    oneOp('Squeeze', [f('x', [2, 1, 3, 1]), i64('axes', [-1])], y([2, 1, 3]), {}, { opset: 13 }),
  ],
  ['Squeeze opset 11 (all ones)', oneOp('Squeeze', [f('x', [2, 1, 3, 1])], y([2, 3]), {}, { opset: 11 })],
  [
    'Unsqueeze axes input',
    oneOp('Unsqueeze', [f('x', [2, 3]), i64('axes', [0, -1])], y([1, 2, 3, 1]), {}, { opset: 13 }),
  ],
  ['Transpose perm', oneOp('Transpose', [f('x', [2, 3, 4])], y([4, 2, 3]), { perm: [2, 0, 1] })],
  ['Transpose default (reversed)', oneOp('Transpose', [f('x', [2, 3, 4])], y([4, 3, 2]))],
  ['Expand broadcasts both ways', oneOp('Expand', [f('x', [3, 1]), i64('s', [2, 1, 4])], y([2, 3, 4]))],
  ['Tile', oneOp('Tile', [f('x', [2, 3]), i64('r', [2, 3])], y([4, 9]))],
  [
    'Concat of three on axis -1',
    oneOp('Concat', [f('a', [2, 3]), f('b', [2, 1]), f('c', [2, 2], { constant: true })], y([2, 6]), {
      axis: -1,
    }),
  ],
  [
    'Slice with steps',
    oneOp(
      'Slice',
      [f('x', [6, 7]), i64('s', [1, 0]), i64('e', [6, 7]), i64('a', [0, 1]), i64('st', [2, 3])],
      y([3, 3]),
    ),
  ],
  [
    'Slice with negative steps',
    oneOp(
      'Slice',
      [f('x', [6, 7]), i64('s', [-1, 5]), i64('e', [-100, 1]), i64('a', [0, 1]), i64('st', [-2, -1])],
      y([3, 4]),
    ),
  ],
  [
    'Slice with INT64_MAX ends and negative starts',
    oneOp(
      'Slice',
      [f('x', [4, 5]), i64('s', [-3]), i64('e', [Number.MAX_SAFE_INTEGER]), i64('a', [1])],
      y([4, 3]),
    ),
  ],
  [
    'Slice opset 9 (attributes)',
    oneOp('Slice', [f('x', [4, 5])], y([2, 5]), { starts: [1], ends: [3], axes: [0] }, { opset: 9 }),
  ],
  [
    'Pad constant with a value',
    oneOp(
      'Pad',
      [f('x', [2, 3]), i64('p', [0, 1, 2, 0]), f('v', [], { data: [1.5], constant: true })],
      y([4, 4]),
    ),
  ],
  ['Pad reflect', oneOp('Pad', [f('x', [3, 4]), i64('p', [1, 2, 1, 0])], y([5, 6]), { mode: 'reflect' })],
  ['Pad edge', oneOp('Pad', [f('x', [3, 4]), i64('p', [1, 2, 1, 0])], y([5, 6]), { mode: 'edge' })],
  ['Pad with negative pads crops', oneOp('Pad', [f('x', [4, 5]), i64('p', [-1, 1, 0, -2])], y([3, 4]))],
  [
    'Pad with axes (opset 18)',
    oneOp(
      'Pad',
      [f('x', [2, 3, 4]), i64('p', [1, 2]), f('v', [], { data: [0], constant: true }), i64('a', [-1])],
      y([2, 3, 7]),
      {},
      { opset: 18 },
    ),
  ],
  [
    'Pad opset 2 (attributes)',
    oneOp('Pad', [f('x', [2, 3])], y([3, 5]), { pads: [1, 1, 0, 1] }, { opset: 2 }),
  ],
  [
    'Gather axis 0 with negative indices',
    oneOp('Gather', [f('t', [5, 3]), tensor('i', 'int64', [2, 2], { data: [0, -1, 4, -5] })], y([2, 2, 3])),
  ],
  [
    'Gather axis 1',
    oneOp('Gather', [f('t', [2, 5, 3]), tensor('i', 'int64', [4], { low: 0, high: 5 })], y([2, 4, 3]), {
      axis: 1,
    }),
  ],
  [
    'Gather with a scalar index',
    oneOp('Gather', [f('t', [5, 3]), tensor('i', 'int64', [], { data: [2], constant: true })], y([3])),
  ],
  [
    'GatherElements',
    oneOp('GatherElements', [f('t', [3, 4]), tensor('i', 'int64', [3, 2], { low: -4, high: 4 })], y([3, 2]), {
      axis: 1,
    }),
  ],
  [
    'GatherND',
    oneOp('GatherND', [f('t', [3, 4, 2]), tensor('i', 'int64', [2, 2], { data: [0, 1, 2, 3] })], y([2, 2])),
  ],
  [
    'ScatterND',
    oneOp(
      'ScatterND',
      [f('t', [4, 3]), tensor('i', 'int64', [2, 1], { data: [3, 1], constant: true }), f('u', [2, 3])],
      y([4, 3]),
    ),
  ],
  [
    'ScatterElements',
    oneOp(
      'ScatterElements',
      [f('t', [3, 4]), tensor('i', 'int64', [3, 1], { data: [3, 0, 2], constant: true }), f('u', [3, 1])],
      y([3, 4]),
      { axis: 1 },
    ),
  ],
  [
    'Trilu upper with k',
    oneOp('Trilu', [f('x', [2, 4, 5]), i64('k', [1], [])], y([2, 4, 5]), { upper: 1 }, { opset: 14 }),
  ],
  ['Trilu lower', oneOp('Trilu', [f('x', [4, 5])], y([4, 5]), { upper: 0 }, { opset: 14 })],
  [
    'Resize linear half_pixel by scales',
    oneOp(
      'Resize',
      [
        f('x', [1, 2, 3, 4]),
        f('roi', [0], { constant: true }),
        f('s', [4], { data: [1, 1, 2, 2], constant: true }),
      ],
      y([1, 2, 6, 8]),
      { mode: 'linear' },
      { opset: 13 },
    ),
  ],
  [
    'Resize linear half_pixel by sizes (downsample)',
    oneOp(
      'Resize',
      [
        f('x', [1, 2, 6, 8]),
        f('roi', [0], { constant: true }),
        f('s', [0], { constant: true }),
        i64('z', [1, 2, 3, 5]),
      ],
      y([1, 2, 3, 5]),
      { mode: 'linear' },
      { opset: 13 },
    ),
  ],
  [
    'Resize nearest asymmetric floor 2×',
    oneOp(
      'Resize',
      [
        f('x', [1, 2, 3, 4]),
        f('roi', [0], { constant: true }),
        f('s', [4], { data: [1, 1, 2, 2], constant: true }),
      ],
      y([1, 2, 6, 8]),
      { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
      { opset: 13 },
    ),
  ],
  [
    'Resize nearest half_pixel 3× (opset 11)',
    oneOp(
      'Resize',
      [
        f('x', [1, 1, 2, 3]),
        f('roi', [0], { constant: true }),
        f('s', [4], { data: [1, 1, 3, 3], constant: true }),
      ],
      y([1, 1, 6, 9]),
      { mode: 'nearest' },
      { opset: 11 },
    ),
  ],
];

const splitCases: [string, ModelSpec][] = [
  [
    'Split with a sizes input',
    {
      ...oneOp(
        'Split',
        [f('x', [7, 2]), i64('s', [3, 4])],
        [
          { name: 'y1', dtype: 'float32', dims: [3, 2] },
          { name: 'y2', dtype: 'float32', dims: [4, 2] },
        ],
        {},
        { opset: 13 },
      ),
    },
  ],
  [
    'Split num_outputs uneven (opset 18)',
    oneOp(
      'Split',
      [f('x', [2, 7])],
      [
        { name: 'y1', dtype: 'float32', dims: [2, 3] },
        { name: 'y2', dtype: 'float32', dims: [2, 3] },
        { name: 'y3', dtype: 'float32', dims: [2, 1] },
      ],
      { axis: 1, num_outputs: 3 },
      { opset: 18 },
    ),
  ],
  [
    'Split equal parts (opset 11)',
    oneOp(
      'Split',
      [f('x', [6, 2])],
      [
        { name: 'y1', dtype: 'float32', dims: [3, 2] },
        { name: 'y2', dtype: 'float32', dims: [3, 2] },
      ],
      {},
      { opset: 11 },
    ),
  ],
];

const exactCases: [string, ModelSpec][] = [
  ['ArgMax keepdims 0', oneOp('ArgMax', [f('x', [3, 5])], y([3], 'int64'), { axis: 1, keepdims: 0 })],
  ['ArgMin', oneOp('ArgMin', [f('x', [3, 5])], y([1, 5], 'int64'), { axis: 0 })],
];

test.each([...floatCases, ...splitCases])('%s matches ONNX Runtime', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});

test.each(exactCases)('%s matches ONNX Runtime exactly', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.mismatched).toEqual([]);
});
