// Cross-checks of the WebGPU data-movement kernels (Transpose, Expand, Slice, Concat, Split,
// Tile, Pad, Trilu): each a small ONNX model run on ONNX Runtime and as a generated webgpu
// module on Dawn. Floats: rel_l2 ≤ 2e-6 (they only move values, so in practice 0); ints
// exact. Also the host paths (shape arithmetic folded in JavaScript while planning).
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { crossCheck, oneOp, tensor, type ModelSpec, type NodeSpec } from '../webnn/cross-check.js';

const target = webgpuTarget;
const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const i64 = (name: string, data: number[], dims: number[] = [data.length]) =>
  tensor(name, 'int64', dims, { data, constant: true });
const y = (dims: (number | string)[], dtype: 'float32' | 'int64' | 'bool' = 'float32') => [
  { name: 'y', dtype, dims },
];
const outs = (...dims: number[][]) =>
  dims.map((d, k) => ({ name: `y${k}`, dtype: 'float32' as const, dims: d }));
const node = (op: string, inputs: string[], outputs: string[], attrs: NodeSpec['attrs'] = {}): NodeSpec => ({
  op,
  inputs,
  outputs,
  attrs,
});

const floatCases: [string, ModelSpec][] = [
  [
    'Transpose attention [1,16,4,32] → [0,2,1,3]',
    oneOp('Transpose', [f('x', [1, 16, 4, 32])], y([1, 4, 16, 32]), { perm: [0, 2, 1, 3] }),
  ],
  [
    'Transpose K [2,3,4,5] → [0,2,3,1]',
    oneOp('Transpose', [f('x', [2, 3, 4, 5])], y([2, 4, 5, 3]), { perm: [0, 2, 3, 1] }),
  ],
  ['Transpose default perm (reversed)', oneOp('Transpose', [f('x', [2, 3, 4])], y([4, 3, 2]))],
  ['Transpose identity perm', oneOp('Transpose', [f('x', [2, 3])], y([2, 3]), { perm: [0, 1] })],
  [
    'Transpose moving unit dims only (a view)',
    oneOp('Transpose', [f('x', [1, 6, 1])], y([6, 1, 1]), { perm: [1, 0, 2] }),
  ],
  ['Expand broadcasts both ways', oneOp('Expand', [f('x', [3, 1]), i64('s', [2, 1, 4])], y([2, 3, 4]))],
  ['Expand to a lower-rank shape', oneOp('Expand', [f('x', [2, 1, 3]), i64('s', [5, 1])], y([2, 5, 3]))],
  ['Expand to the same dims', oneOp('Expand', [f('x', [2, 3]), i64('s', [2, 3])], y([2, 3]))],
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
    'Slice reversing a whole axis',
    oneOp(
      'Slice',
      [f('x', [3, 5]), i64('s', [-1]), i64('e', [-Number.MAX_SAFE_INTEGER]), i64('a', [1]), i64('st', [-1])],
      y([3, 5]),
    ),
  ],
  [
    'Slice with INT64_MAX ends, negative starts and axes',
    oneOp(
      'Slice',
      [f('x', [4, 5]), i64('s', [-3]), i64('e', [Number.MAX_SAFE_INTEGER]), i64('a', [-1])],
      y([4, 3]),
    ),
  ],
  [
    'Slice of the last token [2,5,8] → [2,1,8]',
    oneOp('Slice', [f('x', [2, 5, 8]), i64('s', [-1]), i64('e', [5]), i64('a', [1])], y([2, 1, 8])),
  ],
  [
    'Slice opset 9 (attributes)',
    oneOp('Slice', [f('x', [4, 5])], y([2, 5]), { starts: [1], ends: [3], axes: [0] }, { opset: 9 }),
  ],
  [
    'Slice of everything',
    oneOp('Slice', [f('x', [4, 5]), i64('s', [0]), i64('e', [10]), i64('a', [0])], y([4, 5])),
  ],
  [
    'Concat of three on axis -1 with a constant',
    oneOp('Concat', [f('a', [2, 3]), f('b', [2, 1]), f('c', [2, 2], { constant: true })], y([2, 6]), {
      axis: -1,
    }),
  ],
  [
    'Concat on axis 1 of rank 3',
    oneOp('Concat', [f('a', [2, 3, 4]), f('b', [2, 5, 4])], y([2, 8, 4]), { axis: 1 }),
  ],
  [
    'Concat of nine inputs (more than one kernel binds)',
    oneOp(
      'Concat',
      Array.from({ length: 9 }, (_, k) => f(`p${k}`, [2, k + 1])),
      y([2, 45]),
      { axis: 1 },
    ),
  ],
  [
    'Split with a sizes input',
    oneOp('Split', [f('x', [7, 2]), i64('s', [3, 4])], outs([3, 2], [4, 2]), {}, { opset: 13 }),
  ],
  [
    'Split num_outputs uneven (opset 18)',
    oneOp(
      'Split',
      [f('x', [2, 7])],
      outs([2, 3], [2, 3], [2, 1]),
      { axis: 1, num_outputs: 3 },
      { opset: 18 },
    ),
  ],
  [
    'Split equal parts, negative axis (opset 11)',
    oneOp('Split', [f('x', [2, 6, 3])], outs([2, 3, 3], [2, 3, 3]), { axis: -2 }, { opset: 11 }),
  ],
  [
    'Split with the split attribute (opset 7)',
    oneOp('Split', [f('x', [5, 2])], outs([1, 2], [4, 2]), { split: [1, 4] }, { opset: 7 }),
  ],
  [
    'Split into nine parts (more than one kernel)',
    oneOp(
      'Split',
      [f('x', [3, 9])],
      outs(...Array.from({ length: 9 }, () => [3, 1])),
      { axis: 1 },
      { opset: 13 },
    ),
  ],
  ['Tile', oneOp('Tile', [f('x', [2, 3]), i64('r', [2, 3])], y([4, 9]))],
  ['Tile of a unit dim', oneOp('Tile', [f('x', [1, 3, 2]), i64('r', [2, 1, 2])], y([2, 3, 4]))],
  [
    'Pad constant with a value',
    oneOp(
      'Pad',
      [f('x', [2, 3]), i64('p', [0, 1, 2, 0]), f('v', [], { data: [1.5], constant: true })],
      y([4, 4]),
    ),
  ],
  [
    'Pad constant with a runtime value',
    oneOp('Pad', [f('x', [2, 3]), i64('p', [1, 1, 1, 1]), f('v', [])], y([4, 5])),
  ],
  ['Pad reflect', oneOp('Pad', [f('x', [3, 4]), i64('p', [1, 2, 1, 0])], y([5, 6]), { mode: 'reflect' })],
  [
    'Pad reflect, rank 4 NCHW',
    oneOp('Pad', [f('x', [1, 2, 3, 4]), i64('p', [0, 0, 2, 3, 0, 0, 2, 3])], y([1, 2, 7, 10]), {
      mode: 'reflect',
    }),
  ],
  ['Pad edge', oneOp('Pad', [f('x', [3, 4]), i64('p', [1, 2, 1, 0])], y([5, 6]), { mode: 'edge' })],
  [
    'Pad wrap (opset 19)',
    oneOp('Pad', [f('x', [3, 4]), i64('p', [1, 2, 2, 1])], y([6, 7]), { mode: 'wrap' }, { opset: 19 }),
  ],
  ['Pad with negative pads crops', oneOp('Pad', [f('x', [4, 5]), i64('p', [-1, 1, 0, -2])], y([3, 4]))],
  [
    'Pad with axes (opset 18)',
    oneOp(
      'Pad',
      [f('x', [2, 3, 4]), i64('p', [1, 2]), f('v', [], { data: [0.25], constant: true }), i64('a', [-1])],
      y([2, 3, 7]),
      {},
      { opset: 18 },
    ),
  ],
  [
    'Pad opset 2 (attributes)',
    oneOp('Pad', [f('x', [2, 3])], y([3, 5]), { pads: [1, 1, 0, 1], value: { float: -2 } }, { opset: 2 }),
  ],
  [
    'Trilu upper with k',
    oneOp('Trilu', [f('x', [2, 4, 5]), i64('k', [1], [])], y([2, 4, 5]), { upper: 1 }, { opset: 14 }),
  ],
  ['Trilu lower', oneOp('Trilu', [f('x', [4, 5])], y([4, 5]), { upper: 0 }, { opset: 14 })],
  [
    'Trilu lower with a negative k',
    oneOp('Trilu', [f('x', [5, 3]), i64('k', [-2], [])], y([5, 3]), { upper: 0 }, { opset: 14 }),
  ],
];

const exactCases: [string, ModelSpec][] = [
  [
    'Transpose of int64',
    oneOp('Transpose', [tensor('x', 'int64', [3, 4], { low: -50, high: 50 })], y([4, 3], 'int64')),
  ],
  [
    'Concat of int64 with a host constant',
    oneOp('Concat', [tensor('a', 'int64', [2]), i64('b', [7, -3])], y([4], 'int64'), { axis: 0 }),
  ],
  ['Expand of bools', oneOp('Expand', [tensor('x', 'bool', [3, 1]), i64('s', [3, 4])], y([3, 4], 'bool'))],
  [
    'Pad int64 with a constant value',
    oneOp(
      'Pad',
      [tensor('x', 'int64', [2, 2]), i64('p', [1, 0, 0, 1]), i64('v', [-9], [])],
      y([3, 3], 'int64'),
    ),
  ],
  [
    'Slice of int64 with steps',
    oneOp(
      'Slice',
      [tensor('x', 'int64', [9]), i64('s', [1]), i64('e', [9]), i64('a', [0]), i64('st', [3])],
      y([3], 'int64'),
    ),
  ],
];

const x = tensor('x', 'float32', ['batch', 'seq', 8], { shape: [2, 5, 8] });
const hostCases: [string, ModelSpec][] = [
  [
    'Shape → Slice → Concat → Reshape (host shape arithmetic)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Slice', ['s', 'zero', 'two'], ['bs']),
        node('Concat', ['bs', 'heads'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
      ],
      tensors: [x, i64('zero', [0]), i64('two', [2]), i64('heads', [2, 4])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 2, 4] }],
    },
  ],
  [
    'Shape → Transpose → Expand → Split → Concat → Reshape (host)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Transpose', ['s'], ['t'], { perm: [0] }),
        node('Split', ['t', 'sizes'], ['bs', 'd']),
        node('Expand', ['d', 'one'], ['d2']),
        node('Concat', ['bs', 'minus1', 'd2'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['r']),
        node('Transpose', ['r'], ['y'], { perm: [0, 2, 1, 3] }),
      ],
      tensors: [x, i64('sizes', [2, 1]), i64('one', [1]), i64('minus1', [-1])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq2', 'n', 8] }],
      opset: 13,
    },
  ],
];

describe('webgpu layout kernels match ONNX Runtime', () => {
  test.each([...floatCases, ...hostCases])('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test.each(exactCases)('%s (exact)', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });

  test('an empty slice gives an empty output', async () => {
    const spec = oneOp('Slice', [f('x', [4, 5]), i64('s', [3]), i64('e', [1]), i64('a', [0])], y([0, 5]));
    const r = await crossCheck(spec, { target });
    expect(r.dims.y).toEqual([0, 5]);
    expect(r.worstRelL2).toBe(0);
  });

  test('Transpose bakes the permuted strides into one kernel', async () => {
    const spec = oneOp('Transpose', [f('x', [1, 16, 4, 32])], y([1, 4, 16, 32]), { perm: [0, 2, 1, 3] });
    const r = await crossCheck(spec, { target });
    expect(r.code).toContain('function lowerTranspose');
    expect(r.code).toContain('function hostTranspose');
    expect(r.worstRelL2).toBe(0);
  });
});
