// Element types of every value in a graph, from what the model declares (inputs, outputs,
// value_info, constants) and, where it declares nothing, from per-op rules of the ONNX
// schemas. The fp16 transform uses it to know which values are float32 without running
// the model; legacy exports carry no value_info at all.
//   const dtypes = inferValueDtypes(graph, opset);  dtypes.get('/attn/Softmax_output_0') // 'float32'

import { dtypeFromOnnx, type DType } from '../onnx/dtype.js';
import { constantNodeTensor, valueInfoType, type Graph } from '../onnx/graph.js';
import { int64ToNumber, type NodeProto, type onnx } from '../onnx/proto/index.js';

/** Ops whose outputs are all bool. */
const BOOL_OUTPUT_OPS = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'Not',
  'IsNaN',
  'IsInf',
]);

/** Ops whose outputs are all int64. */
const INT64_OUTPUT_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);

function attribute(node: NodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

function dtypeAttribute(node: NodeProto, name: string): DType | undefined {
  const a = attribute(node, name);
  return a ? dtypeFromOnnx(int64ToNumber(a.i)) : undefined;
}

/** Declared element types of a subgraph's outputs (If branches, Loop/Scan bodies). */
function subgraphOutputTypes(node: NodeProto, attrName: string): (DType | undefined)[] {
  const g = attribute(node, attrName)?.g;
  return (g?.output ?? []).map((o) => valueInfoType(o).dtype);
}

/**
 * Output element types of `node` given its input types, or undefined per output where no
 * rule applies (ops of other domains without value_info).
 */
export function inferNodeOutputDtypes(
  node: NodeProto,
  inputType: (index: number) => DType | undefined,
  opset: number,
): (DType | undefined)[] {
  const n = node.output.length;
  const all = (d: DType | undefined): (DType | undefined)[] => new Array<DType | undefined>(n).fill(d);
  if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') return all(undefined);
  const op = node.opType;
  if (BOOL_OUTPUT_OPS.has(op)) return all('bool');
  if (INT64_OUTPUT_OPS.has(op)) return all('int64');
  switch (op) {
    case 'Constant':
      return [constantNodeTensor(node) ? dtypeFromOnnx(constantNodeTensor(node)!.dataType) : undefined];
    case 'Cast':
      return [dtypeAttribute(node, 'to')];
    case 'CastLike':
      return [inputType(1)];
    case 'ConstantOfShape': {
      const t = attribute(node, 'value')?.t;
      return [t ? dtypeFromOnnx(t.dataType ?? 1) : 'float32'];
    }
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Bernoulli':
      return [dtypeAttribute(node, 'dtype') ?? inputType(0)];
    case 'RandomNormal':
    case 'RandomUniform':
      return [dtypeAttribute(node, 'dtype') ?? 'float32'];
    case 'Multinomial':
      return [dtypeAttribute(node, 'dtype') ?? 'int32'];
    case 'Where':
      return [inputType(1)];
    case 'OneHot':
      return [inputType(2)];
    case 'TopK':
      return [inputType(0), 'int64'];
    case 'Unique':
      return [inputType(0), 'int64', 'int64', 'int64'].slice(0, n) as DType[];
    case 'Dropout':
      return [inputType(0), 'bool'].slice(0, n) as DType[];
    case 'LayerNormalization':
    case 'BatchNormalization':
      // Mean / InvStdDev (and BN's running statistics) are kept in the stash type (float).
      return [inputType(0), ...new Array<DType>(Math.max(0, n - 1)).fill('float32')];
    case 'DequantizeLinear':
      return [dtypeAttribute(node, 'output_dtype') ?? (opset >= 19 ? inputType(1) : 'float32')];
    case 'QuantizeLinear':
      return [dtypeAttribute(node, 'output_dtype') ?? inputType(2) ?? 'uint8'];
    case 'DynamicQuantizeLinear':
      return ['uint8', 'float32', 'uint8'];
    case 'MatMulInteger':
    case 'ConvInteger':
      return ['int32'];
    case 'QLinearMatMul':
    case 'QLinearConv':
      return [inputType(7)];
    case 'If':
      return subgraphOutputTypes(node, 'then_branch');
    case 'Loop':
      return subgraphOutputTypes(node, 'body').slice(1);
    case 'Scan':
      return subgraphOutputTypes(node, 'body');
    default:
      // Element-wise, data movement, normalisation, reductions, pooling, MatMul/Gemm/Conv:
      // every output has the element type of the first input.
      return all(inputType(0));
  }
}

/**
 * Element type of every value in the main graph: declared types first (graph inputs and
 * outputs, value_info, initializers, Constant nodes), the rest inferred in topological order.
 */
export function inferValueDtypes(graph: Graph, opset: number): Map<string, DType> {
  const types = new Map<string, DType>();
  const declare = (v: onnx.IValueInfoProto): void => {
    const d = valueInfoType(v).dtype;
    if (d && v.name) types.set(v.name, d);
  };
  for (const v of graph.proto.input) declare(v);
  for (const v of graph.proto.valueInfo) declare(v);
  for (const v of graph.proto.output) declare(v);
  for (const [name, t] of graph.constants()) {
    const d = dtypeFromOnnx(t.dataType);
    if (d) types.set(name, d);
  }
  for (const node of graph.topologicalOrder()) {
    const inferred = inferNodeOutputDtypes(
      node,
      (i) => (node.input[i] ? types.get(node.input[i]) : undefined),
      opset,
    );
    node.output.forEach((o, i) => {
      if (o && !types.has(o) && inferred[i]) types.set(o, inferred[i]!);
    });
  }
  return types;
}
