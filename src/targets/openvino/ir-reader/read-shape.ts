// IR shape and data-movement layers → ONNX (reader side, from the operation specification):
// Concat, (Variadic)Split, Slice-8, Gather-8, GatherElements, GatherND-8, Reshape,
// Transpose, (Un)Squeeze, Broadcast, ShapeOf, Range, Tile, Pad-12.
//   SHAPE_READERS.Slice(ctx) // ONNX Slice with inputs reordered (start, stop, axes, step)

import { ONNX_DTYPE_CODE } from '../../../onnx/dtype.js';
import { attrInt, attrInts, attrString, type IrLayerReader, type LayerReadContext } from './onnx-writer.js';

/** Input `i` as int64 (ONNX wants index tensors of one type). */
function asInt64(c: LayerReadContext, i: number): string {
  return c.inType(i) === 'int64' ? c.inputs[i] : c.g.cast(c.inputs[i], 'int64');
}

function axisOf(c: LayerReadContext, i: number): number {
  const v = c.constantNumbers(i) ?? c.fail('has a computed axis.');
  const rank = c.inDims(0).length;
  return v[0] < 0 ? v[0] + rank : v[0];
}

const split: IrLayerReader = (c) => {
  const axis = axisOf(c, 1);
  const parts = c.num('num_splits', c.outputs.length);
  const dim = c.inDims(0)[axis];
  if (dim >= 0) {
    c.emit('Split', [c.inputs[0], c.g.i64(new Array<number>(parts).fill(dim / parts))], {
      axis: attrInt(axis),
    });
  } else {
    c.emit('Split', [c.inputs[0]], { axis: attrInt(axis), num_outputs: attrInt(parts) });
  }
};

const variadicSplit: IrLayerReader = (c) => {
  const axis = axisOf(c, 1);
  const lengths = c.constantNumbers(2);
  if (lengths && lengths.includes(-1)) {
    const dim = c.inDims(0)[axis];
    if (dim < 0) c.fail('has a -1 split length on a dynamic axis.');
    const known = lengths.filter((l) => l >= 0).reduce((a, l) => a + l, 0);
    c.emit('Split', [c.inputs[0], c.g.i64(lengths.map((l) => (l < 0 ? dim - known : l)))], {
      axis: attrInt(axis),
    });
    return;
  }
  c.emit('Split', [c.inputs[0], asInt64(c, 2)], { axis: attrInt(axis) });
};

const slice: IrLayerReader = (c) => {
  const inputs = [c.inputs[0], asInt64(c, 1), asInt64(c, 2), c.inputs[4] ? asInt64(c, 4) : '', asInt64(c, 3)];
  c.emit('Slice', inputs);
};

const gather: IrLayerReader = (c) => {
  if (c.num('batch_dims', 0) !== 0) c.fail('has batch_dims; only 0 is read.');
  c.emit('Gather', [c.inputs[0], c.inputs[1]], { axis: attrInt(axisOf(c, 2)) });
};

const transpose: IrLayerReader = (c) => {
  const order = c.constantNumbers(1) ?? c.fail('has a computed order.');
  const rank = c.inDims(0).length;
  const perm = order.length === 0 ? Array.from({ length: rank }, (_, i) => rank - 1 - i) : order;
  c.emit('Transpose', [c.inputs[0]], { perm: attrInts(perm) });
};

const broadcast: IrLayerReader = (c) => {
  const mode = c.str('mode', 'numpy').toLowerCase();
  if (mode !== 'numpy' && mode !== 'bidirectional') c.fail(`has mode "${mode}".`);
  c.emit('Expand', [c.inputs[0], asInt64(c, 1)]);
};

const shapeOf: IrLayerReader = (c) => {
  const type = c.outType(0);
  if (type === 'int64') c.emit('Shape', [c.inputs[0]]);
  else c.emit('Cast', [c.g.node('Shape', [c.inputs[0]])[0]], { to: attrInt(ONNX_DTYPE_CODE[type]) });
};

const range: IrLayerReader = (c) => {
  const type = c.outType(0);
  const inputs = [0, 1, 2].map((i) => (c.inType(i) === type ? c.inputs[i] : c.g.cast(c.inputs[i], type)));
  c.emit('Range', inputs);
};

const tile: IrLayerReader = (c) => {
  const rank = c.inDims(0).length;
  const repeats = c.constantNumbers(1);
  if (!repeats || repeats.length === rank) {
    c.emit('Tile', [c.inputs[0], asInt64(c, 1)]);
    return;
  }
  let data = c.inputs[0];
  let reps = repeats;
  if (repeats.length > rank) {
    [data] = c.g.node('Unsqueeze', [
      data,
      c.g.i64(Array.from({ length: repeats.length - rank }, (_, i) => i)),
    ]);
  } else {
    reps = [...new Array<number>(rank - repeats.length).fill(1), ...repeats];
  }
  c.emit('Tile', [data, c.g.i64(reps)]);
};

const pad: IrLayerReader = (c) => {
  const mode = c.str('pad_mode', 'constant').toLowerCase();
  if (!['constant', 'edge', 'reflect'].includes(mode)) c.fail(`has pad_mode "${mode}".`);
  const [pads] = c.g.node('Concat', [asInt64(c, 1), asInt64(c, 2)], 1, { axis: attrInt(0) });
  const inputs = [c.inputs[0], pads];
  if (mode === 'constant' && c.inputs[3]) inputs.push(c.inputs[3]);
  c.emit('Pad', inputs, { mode: attrString(mode) });
};

export const SHAPE_READERS: Record<string, IrLayerReader> = {
  Concat: (c) => {
    const rank = c.inDims(0).length;
    const axis = c.num('axis', 0);
    c.emit('Concat', c.inputs, { axis: attrInt(axis < 0 ? axis + rank : axis) });
  },
  Split: split,
  VariadicSplit: variadicSplit,
  Slice: slice,
  Gather: gather,
  GatherElements: (c) =>
    c.emit('GatherElements', [c.inputs[0], c.inputs[1]], { axis: attrInt(c.num('axis', 0)) }),
  GatherND: (c) => {
    if (c.layer.version === 'opset5' && c.num('batch_dims', 0) !== 0)
      c.fail('(opset5) flattens batch dims; not read.');
    c.emit('GatherND', [c.inputs[0], asInt64(c, 1)], { batch_dims: attrInt(c.num('batch_dims', 0)) });
  },
  Reshape: (c) =>
    c.emit('Reshape', [c.inputs[0], asInt64(c, 1)], {
      allowzero: attrInt(c.bool('special_zero', false) ? 0 : 1),
    }),
  Transpose: transpose,
  Squeeze: (c) => c.emit('Squeeze', c.inputs[1] ? [c.inputs[0], asInt64(c, 1)] : [c.inputs[0]]),
  Unsqueeze: (c) => c.emit('Unsqueeze', [c.inputs[0], asInt64(c, 1)]),
  Broadcast: broadcast,
  ShapeOf: shapeOf,
  Range: range,
  Tile: tile,
  Pad: pad,
};
