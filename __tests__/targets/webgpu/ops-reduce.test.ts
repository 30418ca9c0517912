// Cross-checks of the WebGPU reduction kernels (Reduce*, ArgMax/ArgMin): each a one-node
// ONNX model run on ONNX Runtime and as a generated webgpu module on Dawn. Covers axes as
// attribute and as input, keepdims 0/1, empty axes (reduce all / noop), non-last and
// non-adjacent axes, long rows (one workgroup per row), many short rows (one thread per
// row) and more than 65535 workgroups. Floats: rel_l2 ≤ 2e-6; int64 results exact.
import { webgpuTarget } from '../../../src/targets/webgpu/index.js';
import { crossCheck, oneOp, tensor, type ModelSpec } from '../webnn/cross-check.js';

const target = webgpuTarget;
const f = (name: string, dims: (number | string)[], more = {}) => tensor(name, 'float32', dims, more);
const y = (dims: (number | string)[], dtype: 'float32' | 'int64' = 'float32') => [{ name: 'y', dtype, dims }];
const axes = (values: number[]) => tensor('axes', 'int64', [values.length], { data: values, constant: true });
const positive = (name: string, dims: number[]) =>
  f(name, dims, {
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => 0.2 + ((i * 13) % 17) / 5),
  });

const floatCases: [string, ModelSpec][] = [
  [
    'ReduceMean axes input [-1, 0], keepdims 0 (opset 18)',
    oneOp('ReduceMean', [f('x', [2, 3, 4]), axes([-1, 0])], y([3]), { keepdims: 0 }, { opset: 18 }),
  ],
  [
    'ReduceMean last axis keepdims (llama RMSNorm pattern, opset 20)',
    oneOp('ReduceMean', [f('x', [1, 7, 2048]), axes([-1])], y([1, 7, 1]), {}, { opset: 20 }),
  ],
  [
    'ReduceSum axes input (opset 13) over a middle axis',
    oneOp('ReduceSum', [f('x', [2, 3, 4]), axes([1])], y([2, 1, 4]), {}, { opset: 13 }),
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
    'ReduceSum with an empty axes input reduces everything',
    oneOp(
      'ReduceSum',
      [f('x', [3, 5]), tensor('axes', 'int64', [0], { data: [], constant: true })],
      y([]),
      { keepdims: 0 },
      { opset: 13 },
    ),
  ],
  [
    'ReduceSum axes attribute (opset 11)',
    oneOp('ReduceSum', [f('x', [4, 6])], y([6]), { axes: [0], keepdims: 0 }, { opset: 11 }),
  ],
  [
    'ReduceMax axes attribute (opset 17)',
    oneOp('ReduceMax', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] }),
  ],
  ['ReduceMin over axis 0', oneOp('ReduceMin', [f('x', [2, 3, 4])], y([1, 3, 4]), { axes: [0] })],
  ['ReduceProd', oneOp('ReduceProd', [f('x', [2, 3, 4])], y([2, 1, 4]), { axes: [1] })],
  ['ReduceL1', oneOp('ReduceL1', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  [
    'ReduceL2 over non-adjacent axes',
    oneOp('ReduceL2', [f('x', [3, 4, 5, 6])], y([1, 4, 1, 6]), { axes: [0, 2] }),
  ],
  ['ReduceLogSum', oneOp('ReduceLogSum', [positive('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceLogSumExp', oneOp('ReduceLogSumExp', [f('x', [2, 3, 40])], y([2, 3]), { axes: [2], keepdims: 0 })],
  [
    'ReduceLogSumExp (opset 18, long row)',
    oneOp('ReduceLogSumExp', [f('x', [3, 1000]), axes([1])], y([3, 1]), {}, { opset: 18 }),
  ],
  ['ReduceSumSquare', oneOp('ReduceSumSquare', [f('x', [2, 3, 4])], y([2, 3, 1]), { axes: [2] })],
  ['ReduceMean of a 1000-long row', oneOp('ReduceMean', [f('x', [2, 1000])], y([2, 1]), { axes: [1] })],
  ['ReduceMax of a 5000-long row (256 threads)', oneOp('ReduceMax', [f('x', [5000])], y([1]), { axes: [0] })],
  [
    'ReduceSum over a long strided axis',
    oneOp('ReduceSum', [f('x', [3, 300, 7])], y([3, 7]), { axes: [1], keepdims: 0 }, { opset: 11 }),
  ],
  [
    'ReduceMean over axis 0 with many columns (one thread per column)',
    oneOp('ReduceMean', [f('x', [100, 2000])], y([1, 2000]), { axes: [0] }),
  ],
  ['ReduceMean of 70000 rows of 4', oneOp('ReduceMean', [f('x', [70000, 4])], y([70000, 1]), { axes: [1] })],
  [
    'ReduceMax of 66000 rows of 40 (workgroups split over y)',
    oneOp('ReduceMax', [f('x', [66000, 40])], y([66000]), { axes: [1], keepdims: 0 }),
  ],
];

describe('webgpu reduction kernels match ONNX Runtime', () => {
  test.each(floatCases)('%s', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
  });

  test('int64 ReduceSum is exact', async () => {
    const spec = oneOp(
      'ReduceSum',
      [tensor('x', 'int64', [3, 5], { low: -50, high: 50 }), axes([1])],
      [{ name: 'y', dtype: 'int64', dims: [3, 1] }],
      {},
      { opset: 13 },
    );
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
  });

  test.each([
    ['ArgMax keepdims 0', oneOp('ArgMax', [f('x', [3, 5])], y([3], 'int64'), { axis: 1, keepdims: 0 })],
    ['ArgMin over axis 0', oneOp('ArgMin', [f('x', [4, 6])], y([1, 6], 'int64'), { axis: 0 })],
    [
      'ArgMax over a middle negative axis',
      oneOp('ArgMax', [f('x', [2, 7, 3])], y([2, 1, 3], 'int64'), { axis: -2 }),
    ],
    ['ArgMax of a 1000-long row', oneOp('ArgMax', [f('x', [3, 1000])], y([3, 1], 'int64'), { axis: 1 })],
    [
      'ArgMax ties: first index',
      oneOp('ArgMax', [f('x', [2, 6], { data: [1, 5, 5, 2, 5, 0, 3, 3, 3, 3, 3, 3] })], y([2, 1], 'int64'), {
        axis: 1,
      }),
    ],
    [
      'ArgMax ties: select_last_index',
      oneOp('ArgMax', [f('x', [2, 6], { data: [1, 5, 5, 2, 5, 0, 3, 3, 3, 3, 3, 3] })], y([2, 1], 'int64'), {
        axis: 1,
        select_last_index: 1,
      }),
    ],
    [
      'ArgMin ties over a long row: select_last_index',
      oneOp(
        'ArgMin',
        [f('x', [1, 300], { data: Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? -1 : i % 3)) })],
        y([1, 1], 'int64'),
        {
          axis: 1,
          select_last_index: 1,
        },
      ),
    ],
    [
      'ArgMax ties over a long row: first index',
      oneOp(
        'ArgMax',
        [f('x', [1, 300], { data: Array.from({ length: 300 }, (_, i) => (i % 50 === 7 ? 9 : i % 3)) })],
        y([1, 1], 'int64'),
        {
          axis: 1,
        },
      ),
    ],
    [
      'ArgMax of int64',
      oneOp('ArgMax', [tensor('x', 'int64', [4, 9], { low: -20, high: 20 })], y([4, 1], 'int64'), {
        axis: 1,
      }),
    ],
  ])('%s is exact', async (_title, spec) => {
    const r = await crossCheck(spec, { target });
    expect(r.mismatched).toEqual([]);
    expect(Object.keys(r.dims)).toEqual(['y']);
  });
});
