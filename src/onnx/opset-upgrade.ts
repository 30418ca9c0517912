// Raising a model's ai.onnx opset import, which quantized storage needs (per-axis
// DequantizeLinear: 13; block-wise INT4: 21; INT2: 25).
// - Up to 13 (old exporters): only when no node changes meaning — an op whose attributes,
//   inputs or semantics changed in between (Slice 10, Clip 11, Unsqueeze 13, …) blocks it,
//   and the caller uses a formulation the old opset has (firstUpgradeBlocker).
// - From 13 upward: the only breaking change among the ops we meet is that Reduce* ops
//   (ReduceSum moved at 13 already) take `axes` as an input from 18; upgradeOpset rewrites
//   those, in subgraphs and local functions too.
//   if (canUpgradeOpset(model)) upgradeOpset(model, 21);
//   if (!firstUpgradeBlocker(graph, 9, 13)) setOpset(…)

import { opsetVersion, type Graph } from './graph.js';
import { int64ToNumber, onnx, type ModelProto, type NodeProto } from './proto/index.js';

const REDUCE_AXES_TO_INPUT_AT_18 = new Set([
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
]);

/** Lowest opset this pass can upgrade from. */
export const MIN_UPGRADABLE_OPSET = 13;

export function canUpgradeOpset(model: ModelProto): boolean {
  return (opsetVersion(model) ?? 0) >= MIN_UPGRADABLE_OPSET;
}

/** Upgrades in place to `target` (no-op when already there). Throws if below MIN_UPGRADABLE_OPSET. */
export function upgradeOpset(model: ModelProto, target: number): void {
  const current = opsetVersion(model) ?? 0;
  if (current >= target) return;
  if (current < MIN_UPGRADABLE_OPSET) throw new Error(`cannot upgrade opset ${current} to ${target}`);
  let counter = 0;
  const rewriteNodes = (
    nodes: onnx.INodeProto[],
    initializers: onnx.ITensorProto[] | undefined,
    extra: onnx.INodeProto[],
  ): void => {
    for (const node of nodes) {
      for (const a of node.attribute ?? []) {
        if (a.g) rewriteGraph(a.g);
        for (const g of a.graphs ?? []) rewriteGraph(g);
      }
      if ((node.domain ?? '') !== '' || !REDUCE_AXES_TO_INPUT_AT_18.has(node.opType ?? '')) continue;
      if (current >= 18 || target < 18) continue;
      const attrs = node.attribute ?? [];
      const axes = attrs.find((a) => a.name === 'axes');
      if (!axes) continue;
      node.attribute = attrs.filter((a) => a !== axes);
      const name = `${node.name || node.opType}_axes_opset18_${counter++}`;
      const tensor = new onnx.TensorProto({
        name,
        dataType: 7,
        dims: [(axes.ints ?? []).length],
        int64Data: (axes.ints ?? []).map((i) => int64ToNumber(i)),
      });
      if (initializers) initializers.push(tensor);
      else
        extra.push(
          new onnx.NodeProto({
            opType: 'Constant',
            output: [name],
            attribute: [{ name: 'value', type: 4, t: tensor }],
          }),
        );
      node.input = [...(node.input ?? []), name];
    }
  };
  const rewriteGraph = (g: onnx.IGraphProto): void => {
    g.initializer ??= [];
    rewriteNodes(g.node ?? [], g.initializer, []);
  };
  rewriteGraph(model.graph!);
  for (const f of model.functions ?? []) {
    const extra: onnx.INodeProto[] = [];
    rewriteNodes(f.node ?? [], undefined, extra);
    f.node = [...extra, ...(f.node ?? [])];
    for (const o of f.opsetImport ?? [])
      if ((o.domain ?? '') === '' && int64ToNumber(o.version) < target) o.version = target;
  }
  for (const o of model.opsetImport ?? [])
    if ((o.domain ?? '') === '' || o.domain === 'ai.onnx') o.version = target;
  if (int64ToNumber(model.irVersion) < 10) model.irVersion = 10;
}

/** Ops whose meaning and attributes are the same from opset 7 through 13 (new types aside). */
const STABLE_OPS = new Set(
  (
    'Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BitShift Cast Ceil Compress ' +
    'Concat Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumSum DepthToSpace ' +
    'DequantizeLinear Det Div DynamicQuantizeLinear Einsum Elu Equal Erf Exp Expand EyeLike Flatten ' +
    'Floor GRU Gather GatherElements GatherND Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater ' +
    'GreaterOrEqual HardSigmoid Identity If InstanceNormalization IsInf IsNaN LRN LSTM LeakyRelu Less ' +
    'LessOrEqual Log Loop LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool ' +
    'Mean MeanVarianceNormalization Min Mod Mul Neg NonMaxSuppression NonZero Not OneHot Or PRelu Pow ' +
    'QLinearConv QLinearMatMul QuantizeLinear RNN Range Reciprocal ReduceL1 ReduceL2 ReduceLogSum ' +
    'ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSumSquare Relu Reshape ' +
    'ReverseSequence RoiAlign Round ScatterElements ScatterND Selu Shape Shrink Sigmoid Sign Sin Sinh ' +
    'Size Softplus Softsign SpaceToDepth Sqrt Sub Sum Tan Tanh ThresholdedRelu Tile Transpose Where Xor'
  ).split(' '),
);

/** Opset versions at which an op's attributes, inputs or meaning changed. */
const BREAKING_VERSIONS: Record<string, number[]> = {
  BatchNormalization: [9, 14],
  Dropout: [10, 12],
  Slice: [10],
  TopK: [10],
  Upsample: [9, 10],
  Resize: [11],
  Clip: [11],
  Pad: [11],
  Scatter: [11],
  Scan: [9],
  ReduceSum: [13],
  Squeeze: [13],
  Unsqueeze: [13],
  Split: [13],
};

/** Softmax-family ops changed at 13 from "flatten to 2-D at axis" to "one axis". */
const AXIS_SEMANTICS_CHANGED_AT_13 = new Set(['Softmax', 'LogSoftmax', 'Hardmax']);

/** The IR version that came with an opset (opset 10 → IR 5, 11 → 6, 13 → 7). */
export function irVersionForOpset(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 13) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  return 3;
}

function softmaxIsOnLastAxis(graph: Graph, node: NodeProto): boolean {
  const rank = (graph.typeOf(node.input[0]).dims ?? graph.typeOf(node.output[0]).dims)?.length;
  if (rank === undefined) return false;
  const attr = node.attribute.find((a) => a.name === 'axis');
  const axis = attr ? int64ToNumber(attr.i) : 1;
  return (axis < 0 ? axis + rank : axis) === rank - 1;
}

/**
 * Why raising the opset from `from` to `to` would change `node`, or undefined when it would
 * not. Only ai.onnx nodes are checked; other domains keep their own opset.
 */
export function opsetUpgradeBlocker(
  graph: Graph,
  node: NodeProto,
  from: number,
  to: number,
): string | undefined {
  if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') return undefined;
  const op = node.opType;
  if (AXIS_SEMANTICS_CHANGED_AT_13.has(op)) {
    return from < 13 && to >= 13 && !softmaxIsOnLastAxis(graph, node)
      ? `${op} changed its axis semantics at opset 13`
      : undefined;
  }
  const breaking = BREAKING_VERSIONS[op];
  if (breaking) {
    const v = breaking.find((b) => b > from && b <= to);
    return v === undefined ? undefined : `${op} changed at opset ${v}`;
  }
  if (!STABLE_OPS.has(op)) return `${op} is not known to be unchanged between opsets ${from} and ${to}`;
  return from < 7 ? `${op} used broadcast attributes before opset 7` : undefined;
}

/** True when every node of the graph (subgraphs included) means the same at opset `to` (≤ 13) as at `from`. */
export function canRaiseOpsetBelow13(graph: Graph, from: number, to: number): boolean {
  return firstUpgradeBlocker(graph, from, to) === undefined;
}

/** The first reason the upgrade is unsafe ("node "x": Slice changed at opset 10"), or undefined. */
export function firstUpgradeBlocker(graph: Graph, from: number, to: number): string | undefined {
  const visit = (nodes: NodeProto[]): string | undefined => {
    for (const node of nodes) {
      const why = opsetUpgradeBlocker(graph, node, from, to);
      if (why) return `node "${node.name || node.opType}": ${why}`;
      for (const a of node.attribute) {
        for (const sub of [a.g, ...(a.graphs ?? [])]) {
          const inner = sub ? visit((sub.node ?? []) as NodeProto[]) : undefined;
          if (inner) return inner;
        }
      }
    }
    return undefined;
  };
  return visit(graph.nodes);
}
