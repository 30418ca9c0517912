/* istanbul ignore file -- lowerings are copied into generated model.js as source text; instrumenting them would break that copy */
// Conv and ConvTranspose → WebNN conv2d / convTranspose2d (nchw input, oihw / iohw
// filter — ONNX's own layouts). auto_pad SAME_UPPER/SAME_LOWER/VALID and ConvTranspose's
// output_shape become explicit padding from the concrete input dims; 1-D convolutions run
// as 2-D over a height of 1. ONNX pads [b1, b2, e1, e2] become WebNN [b1, e1, b2, e2].
//   convOps.Conv[0].lower(g, [x, w, bias], { autoPad: 'NOTSET', pads: [1, 1, 1, 1], ... }, 'Conv_0')

import { notExpressible, type BuildContext, type OnnxNodeView, type OpTable, type Value } from './types.js';

export type ConvAttrs = {
  transpose: boolean;
  autoPad: string;
  pads: number[] | null;
  strides: number[] | null;
  dilations: number[] | null;
  group: number;
  outputPadding: number[] | null;
  outputShape: number[] | null;
};

export function lowerConv(g: BuildContext, x: Value[], a: ConvAttrs, label: string): Value {
  const dtype = x[0].dtype;
  let input = g.operand(x[0]);
  let filter = g.operandAs(x[1], dtype, `${label}#filter`);
  const bias = x[2] === undefined ? undefined : g.operandAs(x[2], dtype, `${label}#bias`);
  const rank = input.shape.length;
  if (rank !== 3 && rank !== 4)
    g.fail(`${rank - 2}-D convolution: WebNN convolves 1-D (as 2-D) and 2-D only`);
  const oneD = rank === 3;
  const spatial = (list: number[] | null, fallback: number) => {
    const values = list ?? (oneD ? [fallback] : [fallback, fallback]);
    return oneD ? [fallback === 0 ? 0 : 1, ...values] : values;
  };
  if (oneD) {
    input = g.reshape(input, [input.shape[0], input.shape[1], 1, input.shape[2]], `${label}#input2d`);
    filter = g.reshape(filter, [filter.shape[0], filter.shape[1], 1, filter.shape[2]], `${label}#filter2d`);
  }
  const strides = spatial(a.strides, 1);
  const dilations = spatial(a.dilations, 1);
  const kernel = [filter.shape[2], filter.shape[3]];
  const inSize = [input.shape[2], input.shape[3]];
  let begin: number[];
  let end: number[];
  const outputPadding = a.transpose ? spatial(a.outputPadding, 0) : [0, 0];
  let outputSizes: number[] | undefined;
  if (a.transpose && a.outputShape !== null) {
    outputSizes = oneD ? [1, a.outputShape[a.outputShape.length - 1]] : a.outputShape.slice(-2);
  }
  if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER' || outputSizes !== undefined) {
    begin = [];
    end = [];
    for (let i = 0; i < 2; i++) {
      const extent = (kernel[i] - 1) * dilations[i] + 1;
      const total = a.transpose
        ? Math.max(
            0,
            strides[i] * (inSize[i] - 1) +
              outputPadding[i] +
              extent -
              (outputSizes ? outputSizes[i] : inSize[i] * strides[i]),
          )
        : Math.max(0, (Math.ceil(inSize[i] / strides[i]) - 1) * strides[i] + extent - inSize[i]);
      const small = Math.floor(total / 2);
      const upper = a.autoPad === 'SAME_UPPER';
      // SAME_UPPER puts an odd pixel of padding at the end; SAME_LOWER and output_shape at the start.
      const first = upper ? small : total - small;
      begin.push(first);
      end.push(total - first);
    }
  } else if (a.autoPad === 'VALID' || a.pads === null) {
    begin = [0, 0];
    end = [0, 0];
  } else {
    const half = a.pads.length / 2;
    begin = oneD ? [0, a.pads[0]] : a.pads.slice(0, half);
    end = oneD ? [0, a.pads[1]] : a.pads.slice(half);
  }
  const options = {
    padding: [begin[0], end[0], begin[1], end[1]],
    strides,
    dilations,
    groups: a.group,
    bias,
    outputPadding: a.transpose && outputSizes === undefined ? outputPadding : undefined,
    outputSizes,
  };
  const op = a.transpose ? 'convTranspose2d' : 'conv2d';
  const out = g.call(
    op,
    { input, filter, bias },
    input,
    filter,
    g.opts(oneD ? `${label}#conv2d` : label, options),
  );
  if (!oneD) return g.result(out, dtype);
  return g.result(g.reshape(out, [out.shape[0], out.shape[1], out.shape[3]], label), dtype);
}

export function convAttributes(transpose: boolean) {
  return (n: OnnxNodeView) => {
    const kernel = n.ints('kernel_shape');
    const rank = kernel?.length ?? (n.inputRank(1) !== undefined ? n.inputRank(1)! - 2 : undefined);
    if (rank !== undefined && rank !== 1 && rank !== 2)
      return notExpressible(`is a ${rank}-D convolution; WebNN convolves 1-D (as 2-D) and 2-D only`);
    return {
      transpose,
      autoPad: n.string('auto_pad', 'NOTSET'),
      pads: n.ints('pads') ?? null,
      strides: n.ints('strides') ?? null,
      dilations: n.ints('dilations') ?? null,
      group: n.int('group', 1),
      outputPadding: n.ints('output_padding') ?? null,
      outputShape: n.ints('output_shape') ?? null,
    };
  };
}

export const convOps: OpTable = {
  Conv: [{ since: 1, attributes: convAttributes(false), lower: lowerConv }],
  ConvTranspose: [{ since: 1, attributes: convAttributes(true), lower: lowerConv }],
};
