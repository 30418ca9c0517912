// Shape arithmetic shared by the operators: the spec's broadcasting algorithms, strides,
// broadcast index maps, and the outer/inner offset split used by every reduction-like kernel.
//   broadcastShapes([2, 1], [3]);                 // [2, 3]
//   const { outer, inner } = splitAxes([2, 3, 4], [1]); // reduce axis 1

import { elementCountOf } from './data-types.js';

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

/** Spec "bidirectionally broadcast the shapes"; undefined on failure. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dimA = a[a.length - rank + i] ?? 1;
    const dimB = b[b.length - rank + i] ?? 1;
    if (dimA !== dimB && dimA !== 1 && dimB !== 1) return undefined;
    out.push(Math.max(dimA, dimB));
  }
  return out;
}

/** Spec "unidirectionally broadcast the shapes" (from → to); undefined on failure. */
export function broadcastTo(from: readonly number[], to: readonly number[]): number[] | undefined {
  if (from.length > to.length) return undefined;
  for (let i = 0; i < to.length; i++) {
    const dim = from[from.length - to.length + i] ?? 1;
    if (dim !== to[i] && dim !== 1) return undefined;
  }
  return to.slice();
}

/** Spec "blockwise broadcast the shapes": same rank, every `to` dim a multiple of `from`'s. */
export function isBlockwiseBroadcastable(from: readonly number[], to: readonly number[]): boolean {
  return from.length === to.length && from.every((d, i) => to[i] % d === 0);
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * For each element of `outShape`, the offset of the element of `inShape` (broadcast to
 * `outShape`, right-aligned) that it reads. Undefined when no mapping is needed (same shape).
 */
export function broadcastOffsets(
  inShape: readonly number[],
  outShape: readonly number[],
): Int32Array | undefined {
  if (shapesEqual(inShape, outShape)) return undefined;
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    strides[axis] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const count = elementCountOf(outShape);
  const offsets = new Int32Array(count);
  if (count === 0) return offsets;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      offset += strides[axis];
      if (index[axis] < outShape[axis]) break;
      offset -= strides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return offsets;
}

/**
 * Splits `shape` into kept and reduced axes: `outer[o]` is the offset of the first element of
 * the o-th kept position, `inner[r]` the offset of the r-th reduced position (reduced axes in
 * increasing order, row-major), so element (o, r) is at outer[o] + inner[r].
 */
export function splitAxes(
  shape: readonly number[],
  axes: readonly number[],
): { outer: Int32Array; inner: Int32Array } {
  const strides = stridesOf(shape);
  const reduced = new Set(axes);
  const keptAxes: number[] = [];
  const reducedAxes: number[] = [];
  for (let axis = 0; axis < shape.length; axis++) (reduced.has(axis) ? reducedAxes : keptAxes).push(axis);
  return {
    outer: offsetsOver(shape, strides, keptAxes),
    inner: offsetsOver(shape, strides, reducedAxes),
  };
}

/** Offsets of all positions over `axes` (row-major in axis order) with the given strides. */
export function offsetsOver(
  shape: readonly number[],
  strides: readonly number[],
  axes: readonly number[],
): Int32Array {
  let count = 1;
  for (const axis of axes) count *= shape[axis];
  const offsets = new Int32Array(count);
  if (count === 0) return offsets;
  const index = new Array<number>(axes.length).fill(0);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = offset;
    for (let k = axes.length - 1; k >= 0; k--) {
      const axis = axes[k];
      index[k]++;
      offset += strides[axis];
      if (index[k] < shape[axis]) break;
      offset -= strides[axis] * shape[axis];
      index[k] = 0;
    }
  }
  return offsets;
}

/** True when `axes` has no duplicates and every item is in [0, rank). */
export function axesAreValid(axes: readonly number[], rank: number): boolean {
  return new Set(axes).size === axes.length && axes.every((a) => Number.isInteger(a) && a >= 0 && a < rank);
}

/** Spec "valid dimension": an integer in [1, 2^31 - 1]. */
export function isValidDimension(d: number): boolean {
  return Number.isInteger(d) && d > 0 && d <= 0x7fffffff;
}

/** Permutes `shape` by `permutation`. */
export function permuteShape(shape: readonly number[], permutation: readonly number[]): number[] {
  return permutation.map((p) => shape[p]);
}

/** For each output element of transpose(shape, permutation), the input offset it reads. */
export function transposeOffsets(shape: readonly number[], permutation: readonly number[]): Int32Array {
  const inStrides = stridesOf(shape);
  const outShape = permuteShape(shape, permutation);
  const permutedStrides = permutation.map((p) => inStrides[p]);
  return offsetsOver(
    outShape,
    permutedStrides,
    outShape.map((_, i) => i),
  );
}

/**
 * Input offsets of each output element, where output coordinate c on axis a reads input
 * coordinate axisMaps[a][c] (-1 marks a padding position: the offset is -1).
 */
export function offsetsFromAxisMaps(
  outShape: readonly number[],
  inShape: readonly number[],
  axisMaps: readonly Int32Array[],
): Int32Array {
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const count = elementCountOf(outShape);
  const offsets = new Int32Array(count);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let offset = 0;
    for (let a = 0; a < rank; a++) {
      const c = axisMaps[a][index[a]];
      if (c < 0) {
        offset = -1;
        break;
      }
      offset += c * inStrides[a];
    }
    offsets[i] = offset;
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < outShape[a]) break;
      index[a] = 0;
    }
  }
  return offsets;
}

export function axisMap(length: number, map: (c: number) => number): Int32Array {
  return Int32Array.from({ length }, (_, c) => map(c));
}
