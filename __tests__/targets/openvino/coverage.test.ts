// What the openvino target covers: every op the issue names lowers, and the IR reader can
// read back every layer type the emitter is able to write.
import { supportedOnnxOps } from '../../../src/targets/openvino/ops/index.js';
import { readableLayerTypes } from '../../../src/targets/openvino/ir-reader/ir-to-onnx.js';
import { shapeRuleLayerTypes } from '../../../src/targets/openvino/ov-shapes.js';

const ISSUE_OPS = [
  'Conv',
  'ConvTranspose',
  'BatchNormalization',
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Erf',
  'Gelu',
  'Softmax',
  'MatMul',
  'Gemm',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Neg',
  'Reciprocal',
  'ReduceMean',
  'LayerNormalization',
  'GlobalAveragePool',
  'AveragePool',
  'MaxPool',
  'Resize',
  'Concat',
  'Split',
  'Slice',
  'Gather',
  'GatherElements',
  'Reshape',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Expand',
  'Shape',
  'Cast',
  'Where',
  'Equal',
  'And',
  'IsNaN',
  'Range',
  'ConstantOfShape',
  'Constant',
  'Identity',
  'LSTM',
  'If',
];

test('every op named in the issue (and those the fixtures add) has a lowering', () => {
  const supported = new Set(supportedOnnxOps());
  expect([...ISSUE_OPS, 'GatherND', 'GreaterOrEqual'].filter((op) => !supported.has(op))).toEqual([]);
});

test('the IR reader reads every layer type the emitter writes', () => {
  const readable = new Set(readableLayerTypes());
  expect(shapeRuleLayerTypes().filter((t) => !readable.has(t))).toEqual([]);
});
