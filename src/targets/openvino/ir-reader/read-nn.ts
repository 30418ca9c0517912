// IR network layers → ONNX (reader side, from the operation specification): MatMul with
// transposes, (Group)Convolution(BackpropData), BatchNormInference, MVN, SoftMax, pooling,
// reductions, Interpolate and LSTMSequence (batch-major, gates f,i,c,o).
//   NN_READERS.MVN(ctx) // LayerNormalization or ReduceMean/Sub/… nodes

import {
  attrFloat,
  attrFloats,
  attrInt,
  attrInts,
  attrString,
  attrStrings,
  type IrLayerReader,
  type LayerReadContext,
} from './onnx-writer.js';

const AUTO_PAD: Record<string, string> = {
  explicit: 'NOTSET',
  notset: 'NOTSET',
  same_upper: 'SAME_UPPER',
  same_lower: 'SAME_LOWER',
  valid: 'VALID',
};

function autoPad(c: LayerReadContext): string {
  const v = c.str('auto_pad', 'explicit').toLowerCase();
  const p = AUTO_PAD[v];
  if (!p) c.fail(`has auto_pad "${v}".`);
  return p;
}

/** Transposes the last two dims of a rank ≥ 2 value. */
function swapLastTwo(c: LayerReadContext, value: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return c.g.node('Transpose', [value], 1, { perm: attrInts(perm) })[0];
}

const matMul: IrLayerReader = (c) => {
  let a = c.inputs[0];
  let b = c.inputs[1];
  if (c.bool('transpose_a', false) && c.inDims(0).length >= 2) a = swapLastTwo(c, a, c.inDims(0).length);
  if (c.bool('transpose_b', false) && c.inDims(1).length >= 2) b = swapLastTwo(c, b, c.inDims(1).length);
  c.emit('MatMul', [a, b]);
};

function convAttrs(c: LayerReadContext, spatial: number): Record<string, ReturnType<typeof attrInts>> {
  const pad = autoPad(c);
  const attrs: Record<string, ReturnType<typeof attrInts>> = {
    strides: attrInts(c.nums('strides') ?? new Array<number>(spatial).fill(1)),
    dilations: attrInts(c.nums('dilations') ?? new Array<number>(spatial).fill(1)),
    auto_pad: attrString(pad),
  };
  if (pad === 'NOTSET') {
    const begin = c.nums('pads_begin') ?? new Array<number>(spatial).fill(0);
    const end = c.nums('pads_end') ?? new Array<number>(spatial).fill(0);
    attrs.pads = attrInts([...begin, ...end]);
  }
  return attrs;
}

/** [G, A, B, k…] weights → [G·A, B, k…] for ONNX's grouped layout. */
function ungroup(c: LayerReadContext, index: number): { weights: string; groups: number } {
  const dims = c.inDims(index);
  if (dims.length < 3 || dims.slice(0, 2).some((d) => d < 0)) c.fail('has grouped weights of unknown shape.');
  const [groups, a, ...rest] = dims;
  const [w] = c.g.node('Reshape', [c.inputs[index], c.g.i64([groups * a, ...rest])]);
  return { weights: w, groups };
}

const convolution =
  (grouped: boolean): IrLayerReader =>
  (c) => {
    const spatial = c.inDims(0).length - 2;
    const { weights, groups } = grouped ? ungroup(c, 1) : { weights: c.inputs[1], groups: 1 };
    c.emit('Conv', [c.inputs[0], weights], { ...convAttrs(c, spatial), group: attrInt(groups) });
  };

const convolutionBackprop =
  (grouped: boolean): IrLayerReader =>
  (c) => {
    const spatial = c.inDims(0).length - 2;
    const { weights, groups } = grouped ? ungroup(c, 1) : { weights: c.inputs[1], groups: 1 };
    const attrs: Record<string, ReturnType<typeof attrInts>> = {
      ...convAttrs(c, spatial),
      group: attrInt(groups),
      output_padding: attrInts(c.nums('output_padding') ?? new Array<number>(spatial).fill(0)),
    };
    if (c.inputs[2]) {
      const shape = c.constantNumbers(2) ?? c.fail('has a computed output_shape input.');
      attrs.output_shape = attrInts(shape);
    }
    c.emit('ConvTranspose', [c.inputs[0], weights], attrs);
  };

const batchNorm: IrLayerReader = (c) => {
  // BatchNormInference-1 takes gamma, beta first; -5 takes the data first.
  const [x, gamma, beta, mean, variance] =
    c.layer.version === 'opset1'
      ? [c.inputs[2], c.inputs[0], c.inputs[1], c.inputs[3], c.inputs[4]]
      : c.inputs;
  c.emit('BatchNormalization', [x, gamma, beta, mean, variance], {
    epsilon: attrFloat(c.num('epsilon', 1e-5)),
  });
};

/** MVN-6: a LayerNormalization when it normalizes trailing static dims inside the sqrt, else the formula. */
const mvn: IrLayerReader = (c) => {
  const dims = c.inDims(0);
  const rank = dims.length;
  const axes = (c.constantNumbers(1) ?? c.fail('has computed axes.'))
    .map((a) => (a < 0 ? a + rank : a))
    .sort((a, b) => a - b);
  const eps = c.num('eps', 1e-9);
  const insideSqrt = c.str('eps_mode', 'inside_sqrt').toLowerCase() === 'inside_sqrt';
  const variance = c.bool('normalize_variance', true);
  const trailing = axes.length > 0 && axes.every((a, i) => a === rank - axes.length + i);
  const normDims = axes.map((a) => dims[a]);
  const type = c.inType(0);
  if (variance && insideSqrt && trailing && normDims.every((d) => d >= 0) && type === 'float32') {
    const count = normDims.reduce((a, d) => a * d, 1);
    const ones = c.g.tensor(
      { dtype: 'float32', dims: normDims, data: new Float32Array(count).fill(1) },
      'mvn_scale',
    );
    c.emit('LayerNormalization', [c.inputs[0], ones], { axis: attrInt(axes[0]), epsilon: attrFloat(eps) });
    return;
  }
  const axesName = c.g.i64(axes);
  const [mean] = c.g.node('ReduceMean', [c.inputs[0], axesName], 1, { keepdims: attrInt(1) });
  const [centered] = c.g.node('Sub', [c.inputs[0], mean]);
  if (!variance) {
    c.g.node('Identity', [centered], c.outputs);
    return;
  }
  const [sq] = c.g.node('Mul', [centered, centered]);
  const [varianceValue] = c.g.node('ReduceMean', [sq, axesName], 1, { keepdims: attrInt(1) });
  const epsName = c.g.cast(c.g.scalar(eps, 'float32'), type);
  let denom: string;
  if (insideSqrt) [denom] = c.g.node('Sqrt', [c.g.node('Add', [varianceValue, epsName])[0]]);
  else [denom] = c.g.node('Add', [c.g.node('Sqrt', [varianceValue])[0], epsName]);
  c.emit('Div', [centered, denom]);
};

function poolAttrs(c: LayerReadContext): Record<string, ReturnType<typeof attrInts>> {
  const kernel = c.nums('kernel') ?? c.fail('has no kernel.');
  const spatial = kernel.length;
  const pad = autoPad(c);
  const rounding = c.str('rounding_type', 'floor').toLowerCase();
  const attrs: Record<string, ReturnType<typeof attrInts>> = {
    kernel_shape: attrInts(kernel),
    strides: attrInts(c.nums('strides') ?? new Array<number>(spatial).fill(1)),
    ceil_mode: attrInt(rounding === 'floor' ? 0 : 1),
    auto_pad: attrString(pad),
  };
  if (pad === 'NOTSET') {
    attrs.pads = attrInts([
      ...(c.nums('pads_begin') ?? new Array<number>(spatial).fill(0)),
      ...(c.nums('pads_end') ?? new Array<number>(spatial).fill(0)),
    ]);
  }
  return attrs;
}

const avgPool: IrLayerReader = (c) => {
  c.emit('AveragePool', [c.inputs[0]], {
    ...poolAttrs(c),
    count_include_pad: attrInt(c.bool('exclude-pad', false) ? 0 : 1),
  });
};

const maxPool: IrLayerReader = (c) => {
  const attrs = { ...poolAttrs(c) };
  const dilations = c.nums('dilations');
  if (dilations) attrs.dilations = attrInts(dilations);
  const outputs = [...c.outputs];
  if (outputs.length > 1) {
    if (c.num('axis', 0) !== 0) c.fail('returns indices relative to an axis other than 0.');
    const indices = c.g.fresh('indices');
    c.g.node('MaxPool', [c.inputs[0]], [outputs[0], indices], attrs);
    const type = c.outType(1);
    c.g.node(
      type === 'int64' ? 'Identity' : 'Cast',
      [indices],
      [outputs[1]],
      type === 'int64' ? {} : { to: attrInt(6) },
    );
    return;
  }
  c.g.node('MaxPool', [c.inputs[0]], outputs, attrs);
};

function reduce(opType: string): IrLayerReader {
  return (c) => {
    const axes = c.inType(1) === 'int64' ? c.inputs[1] : c.g.cast(c.inputs[1], 'int64');
    c.emit(opType, [c.inputs[0], axes], { keepdims: attrInt(c.bool('keep_dims', false) ? 1 : 0) });
  };
}

const INTERPOLATE_MODES: Record<string, string> = {
  nearest: 'nearest',
  linear_onnx: 'linear',
  linear: 'linear',
  cubic: 'cubic',
};
const NEAREST_MODES: Record<string, string> = {
  round_prefer_floor: 'round_prefer_floor',
  round_prefer_ceil: 'round_prefer_ceil',
  floor: 'floor',
  ceil: 'ceil',
  simple: 'floor',
};

/** Interpolate-4/-11 → Resize (opset 19) with an axes attribute. */
const interpolate: IrLayerReader = (c) => {
  const rank = c.inDims(0).length;
  const mode = INTERPOLATE_MODES[c.str('mode', 'nearest')] ?? c.fail(`has mode "${c.str('mode', '')}".`);
  for (const p of ['pads_begin', 'pads_end']) if ((c.nums(p) ?? []).some((v) => v !== 0)) c.fail(`has ${p}.`);
  const bySizes = c.str('shape_calculation_mode', 'sizes') === 'sizes';
  const v4 = c.layer.version === 'opset4';
  const valueIndex = v4 ? (bySizes ? 1 : 2) : 1;
  const axesIndex = v4 ? 3 : 2;
  const axes = c.inputs[axesIndex]
    ? (c.constantNumbers(axesIndex) ?? c.fail('has computed axes.'))
    : Array.from({ length: rank }, (_, i) => i);
  let value = c.inputs[valueIndex];
  if (bySizes && c.inType(valueIndex) !== 'int64') value = c.g.cast(value, 'int64');
  if (!bySizes && c.inType(valueIndex) !== 'float32') value = c.g.cast(value, 'float32');
  const nearest = c.str('nearest_mode', 'round_prefer_floor');
  c.emit('Resize', [c.inputs[0], '', bySizes ? '' : value, bySizes ? value : ''], {
    mode: attrString(mode),
    axes: attrInts(axes.map((a) => (a < 0 ? a + rank : a))),
    coordinate_transformation_mode: attrString(c.str('coordinate_transformation_mode', 'half_pixel')),
    nearest_mode: attrString(NEAREST_MODES[nearest] ?? c.fail(`has nearest_mode "${nearest}".`)),
    cubic_coeff_a: attrFloat(c.num('cube_coeff', -0.75)),
    antialias: attrInt(c.bool('antialias', false) ? 1 : 0),
  });
};

const ACTIVATION_NAMES: Record<string, string> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' };
/** OpenVINO gate order f, i, c, o → ONNX i, o, f, c: ONNX chunk k comes from OpenVINO chunk FROM_OV[k]. */
const FROM_OV = [1, 3, 0, 2];

/** LSTMSequence-5 → ONNX LSTM (sequence-major), gates reordered with Split/Concat. */
const lstmSequence: IrLayerReader = (c) => {
  const hidden = c.num('hidden_size', NaN);
  if (!Number.isInteger(hidden)) c.fail('has no hidden_size.');
  const direction = c.str('direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const reorder = (value: string): string => {
    const parts = c.g.node('Split', [value, c.g.i64([hidden, hidden, hidden, hidden])], 4, {
      axis: attrInt(1),
    });
    return c.g.node(
      'Concat',
      FROM_OV.map((k) => parts[k]),
      1,
      { axis: attrInt(1) },
    )[0];
  };
  const swap01 = (value: string): string =>
    c.g.node('Transpose', [value], 1, { perm: attrInts([1, 0, 2]) })[0];
  const [x, h0, c0, lengths, w, r, b] = c.inputs;
  const bias = reorder(b);
  const [zeros] = c.g.node('ConstantOfShape', [c.g.node('Shape', [bias])[0]]);
  const [onnxBias] = c.g.node('Concat', [bias, zeros], 1, { axis: attrInt(1) });
  const lens = c.inType(3) === 'int32' ? lengths : c.g.cast(lengths, 'int32');
  const activations = (c.str('activations', 'sigmoid,tanh,tanh') || 'sigmoid,tanh,tanh')
    .split(',')
    .map((a) => ACTIVATION_NAMES[a.trim().toLowerCase()] ?? c.fail(`has activation "${a}".`));
  const attrs: Record<string, ReturnType<typeof attrInt>> = {
    hidden_size: attrInt(hidden),
    direction: attrString(direction),
    activations: attrStrings(dirs === 2 ? [...activations, ...activations] : activations),
  };
  const alpha = c.nums('activations_alpha');
  const beta = c.nums('activations_beta');
  if (alpha && alpha.length > 0)
    attrs.activation_alpha = attrFloats(dirs === 2 ? [...alpha, ...alpha] : alpha);
  if (beta && beta.length > 0) attrs.activation_beta = attrFloats(dirs === 2 ? [...beta, ...beta] : beta);
  const clip = c.num('clip', 0);
  if (Number.isFinite(clip) && clip > 0) attrs.clip = attrFloat(clip);
  const y = c.g.fresh('Y');
  const yh = c.g.fresh('Y_h');
  const yc = c.g.fresh('Y_c');
  c.g.node(
    'LSTM',
    [swap01(x), reorder(w), reorder(r), onnxBias, lens, swap01(h0), swap01(c0)],
    [y, yh, yc],
    attrs,
  );
  c.g.node('Transpose', [y], [c.outputs[0]], { perm: attrInts([2, 1, 0, 3]) });
  c.g.node('Transpose', [yh], [c.outputs[1]], { perm: attrInts([1, 0, 2]) });
  c.g.node('Transpose', [yc], [c.outputs[2]], { perm: attrInts([1, 0, 2]) });
};

export const NN_READERS: Record<string, IrLayerReader> = {
  MatMul: matMul,
  Convolution: convolution(false),
  GroupConvolution: convolution(true),
  ConvolutionBackpropData: convolutionBackprop(false),
  GroupConvolutionBackpropData: convolutionBackprop(true),
  BatchNormInference: batchNorm,
  MVN: mvn,
  SoftMax: (c) => c.emit('Softmax', [c.inputs[0]], { axis: attrInt(c.num('axis', 1)) }),
  Softmax: (c) => c.emit('Softmax', [c.inputs[0]], { axis: attrInt(c.num('axis', 1)) }),
  LogSoftmax: (c) => c.emit('LogSoftmax', [c.inputs[0]], { axis: attrInt(c.num('axis', 1)) }),
  AvgPool: avgPool,
  MaxPool: maxPool,
  ReduceMean: reduce('ReduceMean'),
  ReduceSum: reduce('ReduceSum'),
  ReduceMax: reduce('ReduceMax'),
  ReduceMin: reduce('ReduceMin'),
  ReduceProd: reduce('ReduceProd'),
  ReduceL2: reduce('ReduceL2'),
  Interpolate: interpolate,
  LSTMSequence: lstmSequence,
  CumSum: (c) =>
    c.emit('CumSum', [c.inputs[0], c.inputs[1] ?? c.g.i64([0], [])], {
      exclusive: attrInt(c.bool('exclusive', false) ? 1 : 0),
      reverse: attrInt(c.bool('reverse', false) ? 1 : 0),
    }),
};
