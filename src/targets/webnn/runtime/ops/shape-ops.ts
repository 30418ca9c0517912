// Data-movement operators, for every data type: reshape, transpose, concat, slice (with
// strides), split, expand, pad (constant, edge, reflection), tile, reverse, triangular and
// where. Each output element reads one input offset; the offset maps depend only on shapes,
// so they are computed once per graph node.
//   const y = buildSlice(state, x, [0, 1], [2, 2], { strides: [1, 2] });

import { OperatorBuild, type BuildState } from '../build-state.js';
import {
  allocateStorage,
  castNumber,
  elementCountOf,
  isBigIntType,
  numberToFloat16Bits,
  type ElementStore,
  type StorageArray,
} from '../data-types.js';
import type { MLOperand } from '../operand.js';
import {
  axisMap,
  axesAreValid,
  broadcastOffsets,
  broadcastShapes,
  broadcastTo,
  isValidDimension,
  offsetsFromAxisMaps,
  permuteShape,
  transposeOffsets,
} from '../shape-utils.js';
import type {
  MLOperatorOptions,
  MLPadOptions,
  MLReverseOptions,
  MLSliceOptions,
  MLSplitOptions,
  MLTransposeOptions,
  MLTriangularOptions,
} from '../types.js';
import {
  toDictionary,
  toEnum,
  toLong,
  toMLNumber,
  toUnsignedLong,
  toUnsignedLongSequence,
} from '../webidl.js';
import { gatherElements, lazy, tensorOf } from './kernel-helpers.js';
import { ceil, floor } from '../fast-math.js';

function options<T extends object>(kind: string, value: unknown): Partial<T> {
  return toDictionary<T>(value, kind);
}

export function buildReshape(state: BuildState, input: unknown, newShape: unknown, opts: unknown): MLOperand {
  const op = new OperatorBuild(state, 'reshape', options<MLOperatorOptions>('reshape', opts));
  const x = op.operand(input, 'input');
  const shape = toUnsignedLongSequence(newShape, `${op.what}: newShape`);
  if (elementCountOf(shape) !== elementCountOf(x.shape)) {
    op.fail(
      `newShape [${shape}] has ${elementCountOf(shape)} elements but the input [${x.shape}] has ${elementCountOf(x.shape)}`,
    );
  }
  const output = { dataType: x.dataType, shape };
  return op.emitOne([x], output, ([v]) => tensorOf(output, v.data));
}

export function buildTranspose(state: BuildState, input: unknown, opts: unknown): MLOperand {
  const o = options<MLTransposeOptions>('transpose', opts);
  const op = new OperatorBuild(state, 'transpose', o);
  const x = op.operand(input, 'input');
  const rank = x.shape.length;
  const permutation =
    o.permutation === undefined
      ? x.shape.map((_, i) => rank - 1 - i)
      : toUnsignedLongSequence(o.permutation, `${op.what}: permutation`);
  if (permutation.length !== rank || !axesAreValid(permutation, rank)) {
    op.fail(`permutation [${permutation}] is not a permutation of [0, ${rank})`);
  }
  const output = { dataType: x.dataType, shape: permuteShape(x.shape, permutation) };
  const offsets = lazy(() => transposeOffsets(x.shape, permutation));
  return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}

export function buildConcat(state: BuildState, inputs: unknown, axis: unknown, opts: unknown): MLOperand {
  const op = new OperatorBuild(state, 'concat', options<MLOperatorOptions>('concat', opts));
  if (inputs === null || typeof inputs !== 'object' || !(Symbol.iterator in inputs))
    op.fail('inputs must be a sequence');
  const items = Array.from(inputs as Iterable<unknown>, (value) => op.operand(value, 'inputs'));
  if (items.length === 0) op.fail('inputs must not be empty');
  const concatAxis = toUnsignedLong(axis, `${op.what}: axis`);
  const first = items[0];
  if (concatAxis >= first.shape.length)
    op.fail(`axis ${concatAxis} is out of range for rank ${first.shape.length}`);
  const shape = first.shape.slice();
  for (const item of items.slice(1)) {
    op.requireSameType(item, 'inputs', first.dataType);
    if (item.shape.length !== first.shape.length) op.fail('all inputs must have the same rank');
    item.shape.forEach((d, i) => {
      if (i !== concatAxis && d !== first.shape[i])
        op.fail(`input shape [${item.shape}] differs from [${first.shape}] off the axis`);
    });
    shape[concatAxis] += item.shape[concatAxis];
  }
  if (!isValidDimension(shape[concatAxis]))
    op.fail(`the concatenated size ${shape[concatAxis]} is not a valid dimension`);
  const output = { dataType: first.dataType, shape };
  const outerCount = elementCountOf(shape.slice(0, concatAxis));
  const innerCount = elementCountOf(shape.slice(concatAxis + 1));
  return op.emitOne(items, output, (values) => {
    const out = allocateStorage(output.dataType, elementCountOf(shape));
    const outBlock = shape[concatAxis] * innerCount;
    let start = 0;
    for (const v of values) {
      const block = v.shape[concatAxis] * innerCount;
      for (let o = 0; o < outerCount; o++) {
        (out as Uint8Array).set(
          (v.data as Uint8Array).subarray(o * block, (o + 1) * block),
          o * outBlock + start,
        );
      }
      start += block;
    }
    return tensorOf(output, out);
  });
}

export function buildSlice(
  state: BuildState,
  input: unknown,
  starts: unknown,
  sizes: unknown,
  opts: unknown,
): MLOperand {
  const o = options<MLSliceOptions>('slice', opts);
  const op = new OperatorBuild(state, 'slice', o);
  const x = op.operand(input, 'input');
  const rank = x.shape.length;
  const begin = toUnsignedLongSequence(starts, `${op.what}: starts`);
  const count = toUnsignedLongSequence(sizes, `${op.what}: sizes`);
  const strides =
    o.strides === undefined ? x.shape.map(() => 1) : toUnsignedLongSequence(o.strides, `${op.what}: strides`);
  if (begin.length !== rank || count.length !== rank || strides.length !== rank) {
    op.fail(`starts, sizes and strides must each have ${rank} items (the input rank)`);
  }
  const shape = x.shape.map((d, a) => {
    if (count[a] === 0) op.fail('sizes must not contain 0');
    if (strides[a] < 1) op.fail('strides must be at least 1');
    if (begin[a] > d || begin[a] + count[a] > d)
      op.fail(`slice [${begin[a]}, ${begin[a] + count[a]}) exceeds dimension ${a} of size ${d}`);
    return ceil(count[a] / strides[a]);
  });
  const output = { dataType: x.dataType, shape };
  const offsets = lazy(() =>
    offsetsFromAxisMaps(
      shape,
      x.shape,
      shape.map((n, a) => axisMap(n, (c) => begin[a] + c * strides[a])),
    ),
  );
  return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}

export function buildSplit(state: BuildState, input: unknown, splits: unknown, opts: unknown): MLOperand[] {
  const o = options<MLSplitOptions>('split', opts);
  const op = new OperatorBuild(state, 'split', o);
  const x = op.operand(input, 'input');
  const axis = o.axis === undefined ? 0 : toUnsignedLong(o.axis, `${op.what}: axis`);
  if (axis >= x.shape.length) op.fail(`axis ${axis} is out of range for rank ${x.shape.length}`);
  const size = x.shape[axis];
  let lengths: number[];
  if (typeof splits === 'number' || typeof splits === 'bigint' || typeof splits === 'string') {
    const n = toUnsignedLong(splits, `${op.what}: splits`);
    if (n === 0 || size % n !== 0)
      op.fail(`splits ${n} does not evenly divide dimension ${axis} of size ${size}`);
    lengths = new Array<number>(n).fill(size / n);
  } else {
    lengths = toUnsignedLongSequence(splits, `${op.what}: splits`);
    if (lengths.includes(0)) op.fail('splits must not contain 0');
    if (lengths.reduce((p, q) => p + q, 0) !== size)
      op.fail(`splits [${lengths}] do not sum to dimension ${axis} of size ${size}`);
  }
  const outputs = lengths.map((length) => ({
    dataType: x.dataType,
    shape: x.shape.map((d, a) => (a === axis ? length : d)),
  }));
  const starts = lengths.map((_, i) => lengths.slice(0, i).reduce((p, q) => p + q, 0));
  const offsets = lazy(() =>
    outputs.map((desc, i) =>
      offsetsFromAxisMaps(
        desc.shape,
        x.shape,
        desc.shape.map((n, a) => axisMap(n, (c) => (a === axis ? starts[i] + c : c))),
      ),
    ),
  );
  return op.emit(
    [x],
    outputs,
    ([v]) => outputs.map((desc, i) => tensorOf(desc, gatherElements(v.data, offsets()[i], v.dataType))),
    'outputs',
  );
}

export function buildExpand(state: BuildState, input: unknown, newShape: unknown, opts: unknown): MLOperand {
  const op = new OperatorBuild(state, 'expand', options<MLOperatorOptions>('expand', opts));
  const x = op.operand(input, 'input');
  const target = toUnsignedLongSequence(newShape, `${op.what}: newShape`);
  const shape =
    broadcastTo(x.shape, target) ?? op.fail(`input [${x.shape}] is not broadcastable to [${target}]`);
  const output = { dataType: x.dataType, shape };
  const offsets = lazy(() => broadcastOffsets(x.shape, shape));
  return op.emitOne([x], output, ([v]) => {
    const map = offsets();
    return tensorOf(output, map ? gatherElements(v.data, map, v.dataType) : v.data);
  });
}

export function buildPad(
  state: BuildState,
  input: unknown,
  beginning: unknown,
  ending: unknown,
  opts: unknown,
): MLOperand {
  const o = options<MLPadOptions>('pad', opts);
  const op = new OperatorBuild(state, 'pad', o);
  const x = op.operand(input, 'input');
  const rank = x.shape.length;
  const before = toUnsignedLongSequence(beginning, `${op.what}: beginningPadding`);
  const after = toUnsignedLongSequence(ending, `${op.what}: endingPadding`);
  if (before.length !== rank || after.length !== rank)
    op.fail(`beginningPadding and endingPadding must have ${rank} items`);
  const mode =
    o.mode === undefined
      ? 'constant'
      : toEnum(o.mode, ['constant', 'edge', 'reflection'], `${op.what}: mode`);
  if (mode === 'reflection' && x.shape.some((d, a) => before[a] >= d || after[a] >= d)) {
    op.fail('reflection padding must be smaller than the input dimension');
  }
  const value = castNumber(o.value === undefined ? 0 : toMLNumber(o.value, 'value'), x.dataType);
  const shape = x.shape.map((d, a) => before[a] + d + after[a]);
  const output = { dataType: x.dataType, shape };
  const offsets = lazy(() =>
    offsetsFromAxisMaps(
      shape,
      x.shape,
      shape.map((n, a) =>
        axisMap(n, (c) => {
          const i = c - before[a];
          const size = x.shape[a];
          if (i >= 0 && i < size) return i;
          if (mode === 'constant') return -1;
          if (mode === 'edge') return i < 0 ? 0 : size - 1;
          return i < 0 ? -i : 2 * (size - 1) - i;
        }),
      ),
    ),
  );
  return op.emitOne([x], output, ([v]) => {
    const map = offsets();
    const out = allocateStorage(output.dataType, map.length);
    const src = v.data as ElementStore;
    const dst = out as ElementStore;
    const fill = isBigIntType(output.dataType) ? BigInt(value) : Number(value);
    const fillStored = output.dataType === 'float16' ? numberToFloat16Bits(Number(value)) : fill;
    for (let i = 0; i < map.length; i++) dst[i] = map[i] < 0 ? fillStored : src[map[i]];
    return tensorOf(output, out);
  });
}

export function buildTile(state: BuildState, input: unknown, repetitions: unknown, opts: unknown): MLOperand {
  const op = new OperatorBuild(state, 'tile', options<MLOperatorOptions>('tile', opts));
  const x = op.operand(input, 'input');
  const reps = toUnsignedLongSequence(repetitions, `${op.what}: repetitions`);
  if (reps.length !== x.shape.length) op.fail(`repetitions must have ${x.shape.length} items`);
  if (reps.includes(0)) op.fail('repetitions must not contain 0');
  const shape = x.shape.map((d, a) => d * reps[a]);
  const output = { dataType: x.dataType, shape };
  const offsets = lazy(() =>
    offsetsFromAxisMaps(
      shape,
      x.shape,
      shape.map((n, a) => axisMap(n, (c) => c % x.shape[a])),
    ),
  );
  return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}

export function buildReverse(state: BuildState, input: unknown, opts: unknown): MLOperand {
  const o = options<MLReverseOptions>('reverse', opts);
  const op = new OperatorBuild(state, 'reverse', o);
  const x = op.operand(input, 'input');
  const axes =
    o.axes === undefined ? x.shape.map((_, i) => i) : toUnsignedLongSequence(o.axes, `${op.what}: axes`);
  if (!axesAreValid(axes, x.shape.length))
    op.fail(`axes [${axes}] must be distinct and in [0, ${x.shape.length})`);
  const output = { dataType: x.dataType, shape: x.shape };
  const offsets = lazy(() =>
    offsetsFromAxisMaps(
      x.shape,
      x.shape,
      x.shape.map((n, a) => axisMap(n, (c) => (axes.includes(a) ? n - 1 - c : c))),
    ),
  );
  return op.emitOne([x], output, ([v]) => tensorOf(output, gatherElements(v.data, offsets(), v.dataType)));
}

export function buildTriangular(state: BuildState, input: unknown, opts: unknown): MLOperand {
  const o = options<MLTriangularOptions>('triangular', opts);
  const op = new OperatorBuild(state, 'triangular', o);
  const x = op.operand(input, 'input');
  const upper = o.upper === undefined ? true : Boolean(o.upper);
  const diagonal = o.diagonal === undefined ? 0 : toLong(o.diagonal, `${op.what}: diagonal`);
  const output = { dataType: x.dataType, shape: x.shape };
  const [rows, cols] = x.shape.slice(-2);
  return op.emitOne([x], output, ([v]) => {
    const out = allocateStorage(v.dataType, v.data.length);
    const src = v.data as ElementStore;
    const dst = out as ElementStore;
    const zero = isBigIntType(v.dataType) ? 0n : 0;
    for (let i = 0; i < v.data.length; i++) {
      const col = i % cols;
      const row = floor(i / cols) % rows;
      const keep = upper ? col - row >= diagonal : col - row <= diagonal;
      dst[i] = keep ? src[i] : zero;
    }
    return tensorOf(output, out);
  });
}

export function buildWhere(
  state: BuildState,
  condition: unknown,
  trueValue: unknown,
  falseValue: unknown,
  opts: unknown,
): MLOperand {
  const op = new OperatorBuild(state, 'where', options<MLOperatorOptions>('where', opts));
  const c = op.operand(condition, 'condition');
  const t = op.operand(trueValue, 'trueValue');
  const f = op.operand(falseValue, 'falseValue');
  op.requireSameType(f, 'falseValue', t.dataType);
  const valueShape =
    broadcastShapes(t.shape, f.shape) ??
    op.fail(`trueValue [${t.shape}] and falseValue [${f.shape}] are not broadcastable`);
  const shape =
    broadcastShapes(c.shape, valueShape) ??
    op.fail(`condition [${c.shape}] is not broadcastable with [${valueShape}]`);
  const output = { dataType: t.dataType, shape };
  const maps = lazy(() => ({
    c: broadcastOffsets(c.shape, shape),
    t: broadcastOffsets(t.shape, shape),
    f: broadcastOffsets(f.shape, shape),
  }));
  return op.emitOne([c, t, f], output, ([vc, vt, vf]) => {
    const { c: mc, t: mt, f: mf } = maps();
    const n = elementCountOf(shape);
    const out = allocateStorage(output.dataType, n);
    const cond = vc.data as Uint8Array;
    const tv = vt.data as ElementStore;
    const fv = vf.data as ElementStore;
    const dst = out as ElementStore;
    for (let i = 0; i < n; i++) {
      dst[i] = cond[mc ? mc[i] : i] !== 0 ? tv[mt ? mt[i] : i] : fv[mf ? mf[i] : i];
    }
    return tensorOf(output, out as StorageArray);
  });
}
