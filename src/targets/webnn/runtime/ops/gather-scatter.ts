// gather, gatherElements, gatherND, scatterElements and scatterND for every data type, with
// int32/uint32/int64 indices. Negative indices count from the end of their dimension; indices
// outside [-N, N) are clamped into range (the spec lets implementations clamp).
//   const rows = buildGather(state, table, ids, { axis: 0 });

import { OperatorBuild, type BuildState } from '../build-state.js';
import {
  allocateStorage,
  asIndices,
  elementCountOf,
  type ElementStore,
  type StorageArray,
} from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { offsetsOver, shapesEqual, stridesOf } from '../shape-utils.js';
import type { MLGatherOptions, MLOperatorOptions, MLScatterOptions } from '../types.js';
import { toDictionary, toUnsignedLong } from '../webidl.js';
import { lazy, tensorOf } from './kernel-helpers.js';

function clampIndex(index: number, size: number): number {
  const i = index < 0 ? index + size : index;
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}

function copyBlock(
  dst: StorageArray,
  dstOffset: number,
  src: StorageArray,
  srcOffset: number,
  length: number,
): void {
  if (length === 1) (dst as ElementStore)[dstOffset] = (src as ElementStore)[srcOffset];
  else (dst as Uint8Array).set((src as Uint8Array).subarray(srcOffset, srcOffset + length), dstOffset);
}

function axisOption(op: OperatorBuild, value: unknown, rank: number): number {
  const axis = value === undefined ? 0 : toUnsignedLong(value, `${op.what}: axis`);
  if (axis >= rank) op.fail(`axis ${axis} is out of range for rank ${rank}`);
  return axis;
}

export function buildGather(
  state: BuildState,
  input: unknown,
  indices: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLGatherOptions>(options, 'gather');
  const op = new OperatorBuild(state, 'gather', opts);
  const x = op.operand(input, 'input');
  const idx = op.operand(indices, 'indices');
  const axis = axisOption(op, opts.axis, x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  const output = { dataType: x.dataType, shape };
  const outer = elementCountOf(x.shape.slice(0, axis));
  const inner = elementCountOf(x.shape.slice(axis + 1));
  const size = x.shape[axis];
  return op.emitOne([x, idx], output, ([v, vi]) => {
    const ids = asIndices(vi);
    const out = allocateStorage(output.dataType, elementCountOf(shape));
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < ids.length; j++) {
        const src = (o * size + clampIndex(ids[j], size)) * inner;
        copyBlock(out, (o * ids.length + j) * inner, v.data, src, inner);
      }
    }
    return tensorOf(output, out);
  });
}

/** Offsets of each element of `shape` in a tensor with `strides`, the `axis` coordinate left out. */
function offsetsWithoutAxis(shape: readonly number[], strides: readonly number[], axis: number): Int32Array {
  const masked = strides.map((s, a) => (a === axis ? 0 : s));
  return offsetsOver(
    shape,
    masked,
    shape.map((_, a) => a),
  );
}

export function buildGatherElements(
  state: BuildState,
  input: unknown,
  indices: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLGatherOptions>(options, 'gatherElements');
  const op = new OperatorBuild(state, 'gatherElements', opts);
  const x = op.operand(input, 'input');
  const idx = op.operand(indices, 'indices');
  const axis = axisOption(op, opts.axis, x.shape.length);
  const expected = x.shape.map((d, a) => (a === axis ? idx.shape[axis] : d));
  if (!shapesEqual(idx.shape, expected)) op.fail(`indices must have shape [${expected}], got [${idx.shape}]`);
  const output = { dataType: x.dataType, shape: idx.shape };
  const strides = stridesOf(x.shape);
  const base = lazy(() => offsetsWithoutAxis(idx.shape, strides, axis));
  return op.emitOne([x, idx], output, ([v, vi]) => {
    const ids = asIndices(vi);
    const bases = base();
    const out = allocateStorage(output.dataType, ids.length);
    const src = v.data as ElementStore;
    const dst = out as ElementStore;
    for (let i = 0; i < ids.length; i++)
      dst[i] = src[bases[i] + clampIndex(ids[i], x.shape[axis]) * strides[axis]];
    return tensorOf(output, out);
  });
}

export function buildGatherND(
  state: BuildState,
  input: unknown,
  indices: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'gatherND');
  const op = new OperatorBuild(state, 'gatherND', opts);
  const x = op.operand(input, 'input');
  const idx = op.operand(indices, 'indices');
  const coordinateSize = idx.shape[idx.shape.length - 1];
  if (coordinateSize > x.shape.length)
    op.fail(`indices hold ${coordinateSize} coordinates but the input has rank ${x.shape.length}`);
  const shape = [...idx.shape.slice(0, -1), ...x.shape.slice(coordinateSize)];
  const output = { dataType: x.dataType, shape };
  const strides = stridesOf(x.shape);
  const inner = elementCountOf(x.shape.slice(coordinateSize));
  return op.emitOne([x, idx], output, ([v, vi]) => {
    const ids = asIndices(vi);
    const tuples = ids.length / coordinateSize;
    const out = allocateStorage(output.dataType, elementCountOf(shape));
    for (let j = 0; j < tuples; j++) {
      let offset = 0;
      for (let d = 0; d < coordinateSize; d++)
        offset += clampIndex(ids[j * coordinateSize + d], x.shape[d]) * strides[d];
      copyBlock(out, j * inner, v.data, offset, inner);
    }
    return tensorOf(output, out);
  });
}

export function buildScatterElements(
  state: BuildState,
  input: unknown,
  indices: unknown,
  updates: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLScatterOptions>(options, 'scatterElements');
  const op = new OperatorBuild(state, 'scatterElements', opts);
  const x = op.operand(input, 'input');
  const idx = op.operand(indices, 'indices');
  const u = op.operand(updates, 'updates');
  op.requireSameType(u, 'updates', x.dataType);
  const axis = axisOption(op, opts.axis, x.shape.length);
  const expected = x.shape.map((d, a) => (a === axis ? idx.shape[axis] : d));
  if (!shapesEqual(idx.shape, expected)) op.fail(`indices must have shape [${expected}], got [${idx.shape}]`);
  if (!shapesEqual(u.shape, idx.shape))
    op.fail(`updates must have the shape of indices [${idx.shape}], got [${u.shape}]`);
  const output = { dataType: x.dataType, shape: x.shape };
  const strides = stridesOf(x.shape);
  const base = lazy(() => offsetsWithoutAxis(idx.shape, strides, axis));
  return op.emitOne([x, idx, u], output, ([v, vi, vu]) => {
    const ids = asIndices(vi);
    const bases = base();
    const out = v.data.slice() as StorageArray;
    const dst = out as ElementStore;
    const src = vu.data as ElementStore;
    for (let i = 0; i < ids.length; i++)
      dst[bases[i] + clampIndex(ids[i], x.shape[axis]) * strides[axis]] = src[i];
    return tensorOf(output, out);
  });
}

export function buildScatterND(
  state: BuildState,
  input: unknown,
  indices: unknown,
  updates: unknown,
  options: unknown,
): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'scatterND');
  const op = new OperatorBuild(state, 'scatterND', opts);
  const x = op.operand(input, 'input');
  const idx = op.operand(indices, 'indices');
  const u = op.operand(updates, 'updates');
  op.requireSameType(u, 'updates', x.dataType);
  const coordinateSize = idx.shape[idx.shape.length - 1];
  if (coordinateSize > x.shape.length)
    op.fail(`indices hold ${coordinateSize} coordinates but the input has rank ${x.shape.length}`);
  const expected = [...idx.shape.slice(0, -1), ...x.shape.slice(coordinateSize)];
  if (!shapesEqual(u.shape, expected)) op.fail(`updates must have shape [${expected}], got [${u.shape}]`);
  const output = { dataType: x.dataType, shape: x.shape };
  const strides = stridesOf(x.shape);
  const inner = elementCountOf(x.shape.slice(coordinateSize));
  return op.emitOne([x, idx, u], output, ([v, vi, vu]) => {
    const ids = asIndices(vi);
    const tuples = ids.length / coordinateSize;
    const out = v.data.slice() as StorageArray;
    for (let j = 0; j < tuples; j++) {
      let offset = 0;
      for (let d = 0; d < coordinateSize; d++)
        offset += clampIndex(ids[j * coordinateSize + d], x.shape[d]) * strides[d];
      copyBlock(out, offset, vu.data, j * inner, inner);
    }
    return tensorOf(output, out);
  });
}
