/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Pooling → WebNN averagePool2d / maxPool2d / l2Pool2d with explicit padding and the output
// size ONNX Runtime computes (ceil_mode drops a last window that would start in the end
// padding), passed as outputSizes. WebNN averages over the real elements only, ONNX's
// default; count_include_pad=1 pads with zeros first. Global pools are reduceMean/Max over
// the spatial axes. 1-D pools run as 2-D over a height of 1.
//   poolOps.MaxPool[0].lower(g, [x], { op: 'maxPool2d', kernel: [2, 2], ... }, 'MaxPool_4')

import {
  notExpressible,
  type BuildContext,
  type OnnxNodeView,
  type OpTable,
  type OpVersion,
  type Value,
} from './types.js';

type PoolAttrs = {
  op: string;
  kernel: number[];
  autoPad: string;
  pads: number[] | null;
  strides: number[] | null;
  dilations: number[] | null;
  ceil: boolean;
  countIncludePad: boolean;
  p: number;
};
type GlobalPoolAttrs = { op: string };

function lowerPool(g: BuildContext, x: Value[], a: PoolAttrs, label: string): Value {
  const dtype = x[0].dtype;
  let input = g.operand(x[0]);
  const rank = input.shape.length;
  if (rank !== 3 && rank !== 4) g.fail(`${rank - 2}-D pooling: WebNN pools 1-D (as 2-D) and 2-D only`);
  const oneD = rank === 3;
  const spatial = (list: number[] | null, fallback: number) =>
    oneD ? [fallback === 0 ? 0 : 1, ...(list ?? [fallback])] : (list ?? [fallback, fallback]);
  if (oneD) input = g.reshape(input, [input.shape[0], input.shape[1], 1, input.shape[2]], `${label}#input2d`);
  const kernel = oneD ? [1, a.kernel[0]] : a.kernel;
  const strides = spatial(a.strides, 1);
  const dilations = spatial(a.dilations, 1);
  const inSize = [input.shape[2], input.shape[3]];
  const begin = [0, 0];
  const end = [0, 0];
  for (let i = 0; i < 2; i++) {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      const total = Math.max(0, (Math.ceil(inSize[i] / strides[i]) - 1) * strides[i] + extent - inSize[i]);
      begin[i] = a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
      end[i] = total - begin[i];
    } else if (a.autoPad !== 'VALID' && a.pads !== null) {
      begin[i] = oneD ? (i === 0 ? 0 : a.pads[0]) : a.pads[i];
      end[i] = oneD ? (i === 0 ? 0 : a.pads[1]) : a.pads[i + 2];
    }
  }
  const outputSizes = [0, 1].map((i) => {
    const extent = (kernel[i] - 1) * dilations[i] + 1;
    const span = inSize[i] + begin[i] + end[i] - extent;
    if (!a.ceil) return Math.floor(span / strides[i]) + 1;
    let size = Math.ceil(span / strides[i]) + 1;
    if ((size - 1) * strides[i] >= inSize[i] + begin[i]) size--;
    return size;
  });
  let padding = [begin[0], end[0], begin[1], end[1]];
  if (a.op === 'averagePool2d' && a.countIncludePad && padding.some((p) => p > 0)) {
    input = g.call(
      'pad',
      { input },
      input,
      [0, 0, begin[0], begin[1]],
      [0, 0, end[0], end[1]],
      g.opts(`${label}#pad`, { mode: 'constant', value: 0 }),
    );
    padding = [0, 0, 0, 0];
  }
  const options = {
    windowDimensions: kernel,
    padding,
    strides,
    dilations,
    outputSizes,
    roundingType: a.ceil ? 'ceil' : 'floor',
  };
  const out = g.call(a.op, { input }, input, g.opts(oneD ? `${label}#pool2d` : label, options));
  if (!oneD) return g.result(out, dtype);
  return g.result(g.reshape(out, [out.shape[0], out.shape[1], out.shape[3]], label), dtype);
}

function lowerGlobalPool(g: BuildContext, x: Value[], a: GlobalPoolAttrs, label: string): Value {
  const input = g.operand(x[0]);
  const axes = Array.from(input.shape.keys()).slice(2);
  return g.result(g.call(a.op, { input }, input, g.opts(label, { axes, keepDimensions: true })), x[0].dtype);
}

function poolAttributes(op: string) {
  return (n: OnnxNodeView) => {
    const kernel = n.ints('kernel_shape');
    if (!kernel) return notExpressible('has no kernel_shape');
    if (kernel.length !== 1 && kernel.length !== 2)
      return notExpressible(`pools over ${kernel.length} axes; WebNN pools 1-D (as 2-D) and 2-D only`);
    if (n.outputs.length > 1 && n.outputs[1])
      return notExpressible('returns indices, which WebNN pooling does not');
    return {
      op,
      kernel,
      autoPad: n.string('auto_pad', 'NOTSET'),
      pads: n.ints('pads') ?? null,
      strides: n.ints('strides') ?? null,
      dilations: n.ints('dilations') ?? null,
      ceil: n.int('ceil_mode', 0) === 1,
      countIncludePad: n.int('count_include_pad', 0) === 1,
      p: n.int('p', 2),
    };
  };
}

const pool = (op: string, since: number): OpVersion[] => [
  { since, attributes: poolAttributes(op), lower: lowerPool },
];
const globalPool = (op: string): OpVersion[] => [
  { since: 1, attributes: () => ({ op }), lower: lowerGlobalPool },
];

export const poolOps: OpTable = {
  AveragePool: pool('averagePool2d', 7),
  MaxPool: pool('maxPool2d', 8),
  LpPool: [
    {
      since: 11,
      attributes: (n) =>
        n.int('p', 2) === 2
          ? poolAttributes('l2Pool2d')(n)
          : notExpressible('has p ≠ 2; WebNN has L2 pooling only'),
      lower: lowerPool,
    },
  ],
  GlobalAveragePool: globalPool('reduceMean'),
  GlobalMaxPool: globalPool('reduceMax'),
};
