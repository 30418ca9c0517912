// Shape arithmetic folded in JavaScript while the graph is built: Shape, Size, Range,
// ConstantOfShape and the ops on their results (Gather, Concat, Slice, Equal, Where, Cast,
// arithmetic) feeding Reshape/Expand — with symbolic input dims, so nothing folds at
// generation time. Each model runs on ONNX Runtime and as the generated WebNN module.
import { crossCheck, tensor, type ModelSpec, type NodeSpec } from './cross-check.js';

const i64 = (name: string, data: number[], dims: number[] = [data.length]) =>
  tensor(name, 'int64', dims, { data, constant: true });
const x = tensor('x', 'float32', ['batch', 'seq', 8], { shape: [2, 5, 8] });
const node = (op: string, inputs: string[], outputs: string[], attrs: NodeSpec['attrs'] = {}): NodeSpec => ({
  op,
  inputs,
  outputs,
  attrs,
});

const cases: [string, ModelSpec][] = [
  [
    'Shape → Gather → Unsqueeze → Concat → Reshape (multi-head split)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['b']),
        node('Gather', ['s', 'one'], ['t']),
        node('Unsqueeze', ['b', 'axes0'], ['b1']),
        node('Unsqueeze', ['t', 'axes0'], ['t1']),
        node('Concat', ['b1', 't1', 'heads'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
      ],
      tensors: [x, i64('zero', [0], []), i64('one', [1], []), i64('axes0', [0]), i64('heads', [2, 4])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 2, 4] }],
    },
  ],
  [
    'Shape(start, end) → Slice → ReduceProd → Reshape (flatten the leading dims)',
    {
      nodes: [
        node('Shape', ['x'], ['s'], { start: 0, end: -1 }),
        node('ReduceProd', ['s'], ['n'], { keepdims: 1 }),
        node('Shape', ['x'], ['all']),
        node('Slice', ['all', 'minus1', 'big'], ['last']),
        node('Concat', ['n', 'last'], ['shape'], { axis: 0 }),
        node('Reshape', ['x', 'shape'], ['y']),
      ],
      tensors: [x, i64('minus1', [-1]), i64('big', [Number.MAX_SAFE_INTEGER])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['n', 8] }],
      opset: 15,
    },
  ],
  [
    'Range over a dim → Cast → Add (position ids)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'one'], ['t']),
        node('Range', ['start', 't', 'step'], ['r']),
        node('Cast', ['r'], ['rf'], { to: 1 }),
        node('Unsqueeze', ['rf', 'axes'], ['col']),
        node('Add', ['x', 'col'], ['y']),
      ],
      tensors: [x, i64('one', [1], []), i64('start', [0], []), i64('step', [1], []), i64('axes', [-1])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }],
    },
  ],
  [
    'ConstantOfShape from a shape, Mul into the input',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('ConstantOfShape', ['s'], ['c'], {
          value: { tensor: tensor('v', 'float32', [1], { data: [0.5] }) },
        }),
        node('Mul', ['x', 'c'], ['y']),
      ],
      tensors: [x],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }],
    },
  ],
  [
    'Equal/Where on shapes (reshape with -1 where a dim equals 1)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Equal', ['s', 'eight'], ['is8']),
        node('Where', ['is8', 'minus1', 's'], ['shape']),
        node('Expand', ['x', 'shape'], ['y']),
      ],
      tensors: [x, i64('eight', [8], []), i64('minus1', [1], [])],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }],
    },
  ],
  [
    'Size → Cast → Div (mean by element count)',
    {
      nodes: [
        node('Size', ['x'], ['n']),
        node('Cast', ['n'], ['nf'], { to: 1 }),
        node('Div', ['x', 'nf'], ['y']),
      ],
      tensors: [x],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 8] }],
    },
  ],
  [
    'causal mask: Range, Unsqueeze, GreaterOrEqual → Where (attention bias from shapes)',
    {
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'one'], ['t']),
        node('Range', ['start', 't', 'step'], ['r']),
        node('Unsqueeze', ['r', 'axes0'], ['row']),
        node('Unsqueeze', ['r', 'axes1'], ['col']),
        node('GreaterOrEqual', ['col', 'row'], ['keep']),
        node('Where', ['keep', 'zero', 'neg'], ['bias']),
        node('MatMul', ['x', 'xt'], ['scores']),
        node('Add', ['scores', 'bias'], ['y']),
        node('Transpose', ['x'], ['xt'], { perm: [0, 2, 1] }),
      ].sort((a, b) => (a.op === 'Transpose' ? -1 : b.op === 'Transpose' ? 1 : 0)),
      tensors: [
        x,
        i64('one', [1], []),
        i64('start', [0], []),
        i64('step', [1], []),
        i64('axes0', [0]),
        i64('axes1', [1]),
        tensor('zero', 'float32', [], { data: [0], constant: true }),
        tensor('neg', 'float32', [], { data: [-1e9], constant: true }),
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 'seq', 'seq'] }],
    },
  ],
];

test.each(cases)('%s matches ONNX Runtime', async (_, spec) => {
  const r = await crossCheck(spec);
  expect(r.worstRelL2).toBeLessThanOrEqual(2e-6);
});
