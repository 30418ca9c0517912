// ONNX LSTM → OpenVINO LSTMSequence-5. The layouts differ: OpenVINO is batch-major
// (X [B, S, I], states [B, D, H], Y [B, D, S, H]), keeps its gates in f, i, c, o order
// (ONNX: i, o, f, c) and takes one bias (ONNX: input and recurrence biases, summed here).
// Missing sequence lengths and initial states become full lengths and zeros.
//   RECURRENT_LOWERINGS.LSTM.lower(ctx) // [Y, Y_h, Y_c] in ONNX layouts

import type { HostTensor } from '../../../onnx/dtype.js';
import type { OvValue } from '../ir-graph.js';
import type { LoweringContext, NodeAttributes, OpLowering } from '../lowering.js';

const NUMPY = { auto_broadcast: 'numpy' } as const;
/** ONNX gate chunk for each OpenVINO gate position (f, i, c, o ← i, o, f, c). */
const GATE_ORDER = [2, 0, 3, 1];
const ACTIVATIONS: Record<string, string> = { Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu' };

/** Reorders 4 gate chunks along axis 1 of a [D, 4H, …] float tensor. */
function reorderGatesHost(t: HostTensor): HostTensor {
  const [dirs, rows] = t.dims;
  const inner = t.dims.slice(2).reduce((a, d) => a * d, 1);
  const chunk = (rows / 4) * inner;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let d = 0; d < dirs; d++) {
    const base = d * rows * inner;
    GATE_ORDER.forEach((from, to) => {
      out.set(src.subarray(base + from * chunk, base + (from + 1) * chunk), base + to * chunk);
    });
  }
  return { dtype: t.dtype, dims: [...t.dims], data: out };
}

function reorderGates(c: LoweringContext, index: number, name: string, hidden: number): OvValue {
  const t = c.constant(index);
  if (t && t.dtype === 'float32')
    return c.scope.hostConstant(`${c.node.input[index]}/fico`, reorderGatesHost(t));
  return reorderGatesLayers(c, c.input(index), name, hidden);
}

function reorderGatesLayers(c: LoweringContext, v: OvValue, name: string, hidden: number): OvValue {
  const parts = c.ops(
    'VariadicSplit',
    [v, c.scalar(1, 'i64'), c.i64([hidden, hidden, hidden, hidden])],
    {},
    `${name}/gates`,
  );
  return c.op(
    'Concat',
    GATE_ORDER.map((g) => parts[g]),
    { axis: 1 },
    `${name}/fico`,
  );
}

function lowerBias(c: LoweringContext, dirs: number, hidden: number): OvValue {
  const t = c.constant(3);
  if (c.has(3) && t && t.dtype === 'float32') {
    const src = t.data as Float32Array;
    const sum = new Float32Array(dirs * 4 * hidden);
    for (let d = 0; d < dirs; d++)
      for (let j = 0; j < 4 * hidden; j++)
        sum[d * 4 * hidden + j] = src[d * 8 * hidden + j] + src[d * 8 * hidden + 4 * hidden + j];
    return c.scope.hostConstant(
      `${c.node.input[3]}/fico`,
      reorderGatesHost({ dtype: 'float32', dims: [dirs, 4 * hidden], data: sum }),
    );
  }
  if (!c.has(3)) {
    const zeros: HostTensor = {
      dtype: 'float32',
      dims: [dirs, 4 * hidden],
      data: new Float32Array(dirs * 4 * hidden),
    };
    return c.scope.hostConstant(`${c.label}/B`, zeros);
  }
  const [wb, rb] = c.ops(
    'VariadicSplit',
    [c.input(3), c.scalar(1, 'i64'), c.i64([4 * hidden, 4 * hidden])],
    {},
    'B/split',
  );
  return reorderGatesLayers(c, c.op('Add', [wb, rb], NUMPY, 'B/sum'), 'B', hidden);
}

/** [B] or [B, D, H] built from X's batch dim (a Const when static). */
function batchShaped(c: LoweringContext, x: OvValue, tail: number[], name: string): OvValue {
  if (x.shape[0] >= 0) return c.i64([x.shape[0], ...tail]);
  const shape = c.op('ShapeOf', [x], { output_type: 'i64' }, `${name}/shape`);
  const batch = c.op('Gather', [shape, c.i64([0]), c.scalar(0, 'i64')], { batch_dims: 0 }, `${name}/batch`);
  return tail.length === 0 ? batch : c.op('Concat', [batch, c.i64(tail)], { axis: 0 }, `${name}/target`);
}

function lowerLstm(c: LoweringContext): (OvValue | undefined)[] {
  const batchMajor = c.int('layout', 0) === 1;
  const direction = c.string('direction', 'forward');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const w = c.input(1);
  const hidden = c.int('hidden_size', w.shape[1] > 0 ? w.shape[1] / 4 : -1);
  if (hidden < 0) c.fail('has no hidden_size and a weight of unknown shape.');
  let x = c.input(0);
  if (!batchMajor) x = c.op('Transpose', [x, c.i64([1, 0, 2])], {}, 'X/batch_major');
  const state = (index: number, name: string): OvValue => {
    if (c.has(index)) {
      const s = c.input(index);
      return batchMajor ? s : c.op('Transpose', [s, c.i64([1, 0, 2])], {}, `${name}/batch_major`);
    }
    return c.op(
      'Broadcast',
      [c.scalar(0, x.type), batchShaped(c, x, [dirs, hidden], name)],
      { mode: 'numpy' },
      name,
    );
  };
  const h0 = state(5, 'initial_h');
  const c0 = state(6, 'initial_c');
  let lengths: OvValue;
  if (c.has(4)) lengths = c.input(4);
  else if (x.shape[1] >= 0) {
    lengths = c.op(
      'Broadcast',
      [c.scalar(x.shape[1], 'i64'), batchShaped(c, x, [], 'sequence_lens')],
      { mode: 'numpy' },
      'sequence_lens',
    );
  } else {
    const shape = c.op('ShapeOf', [x], { output_type: 'i64' }, 'sequence_lens/shape');
    const seq = c.op(
      'Gather',
      [shape, c.scalar(1, 'i64'), c.scalar(0, 'i64')],
      { batch_dims: 0 },
      'sequence_lens/seq',
    );
    lengths = c.op(
      'Broadcast',
      [seq, batchShaped(c, x, [], 'sequence_lens')],
      { mode: 'numpy' },
      'sequence_lens',
    );
  }
  const activations = (c.strings('activations') ?? ['Sigmoid', 'Tanh', 'Tanh'])
    .slice(0, 3)
    .map((a) => ACTIVATIONS[a]);
  const attrs: Record<string, string | number | number[] | boolean> = {
    hidden_size: hidden,
    direction,
    activations: activations.join(','),
  };
  const alpha = c.floats('activation_alpha');
  const beta = c.floats('activation_beta');
  if (alpha) attrs.activations_alpha = alpha.slice(0, 3);
  if (beta) attrs.activations_beta = beta.slice(0, 3);
  if (c.hasAttr('clip')) attrs.clip = c.float('clip', 0);
  const inputs = [
    x,
    h0,
    c0,
    lengths,
    reorderGates(c, 1, 'W', hidden),
    reorderGates(c, 2, 'R', hidden),
    lowerBias(c, dirs, hidden),
  ];
  const [y, yh, yc] = c.ops('LSTMSequence', inputs, attrs);
  const used = (i: number): boolean => Boolean(c.node.output[i]);
  const yOut = used(0)
    ? c.op('Transpose', [y, c.i64(batchMajor ? [0, 2, 1, 3] : [2, 1, 0, 3])], {}, 'Y')
    : undefined;
  const state_ = (v: OvValue, i: number, name: string): OvValue | undefined =>
    used(i) ? (batchMajor ? v : c.op('Transpose', [v, c.i64([1, 0, 2])], {}, name)) : undefined;
  return [yOut, state_(yh, 1, 'Y_h'), state_(yc, 2, 'Y_c')];
}

function checkLstm(n: NodeAttributes): string | undefined {
  if (n.int('input_forget', 0) !== 0) return 'has input_forget=1';
  if (n.node.input[7]) return 'has peephole weights (input P)';
  const acts = n.strings('activations');
  if (acts) {
    if (acts.some((a) => !ACTIVATIONS[a]))
      return `uses activations ${acts.join(',')} (supported: Sigmoid, Tanh, Relu)`;
    if (acts.length === 6 && acts.slice(0, 3).join() !== acts.slice(3).join())
      return 'uses different activations per direction';
  }
  return undefined;
}

export const RECURRENT_LOWERINGS: Record<string, OpLowering> = {
  LSTM: { lower: lowerLstm, check: checkLstm },
};
