// matmul (batched, numpy-broadcast batch dims) and gemm (alpha·A·B + beta·C with optional
// transposes). Kernels loop i-k-j over contiguous rows with a float64 row accumulator; float16
// inputs are widened to float32 and the result rounded back.
//   const y = buildMatmul(state, a, b, {});

import { OperatorBuild, type BuildState } from '../build-state.js';
import { asFloat32, castNumber, type RuntimeTensor } from '../data-types.js';
import type { MLOperand } from '../operand.js';
import { broadcastOffsets, broadcastShapes, broadcastTo } from '../shape-utils.js';
import type { MLGemmOptions, MLOperatorOptions } from '../types.js';
import { toDouble, toDictionary } from '../webidl.js';
import { floatTensor, lazy } from './kernel-helpers.js';

export function buildMatmul(state: BuildState, a: unknown, b: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLOperatorOptions>(options, 'matmul');
  const op = new OperatorBuild(state, 'matmul', opts);
  const x = op.operand(a, 'a');
  const y = op.operand(b, 'b');
  op.requireSameType(y, 'b', x.dataType);
  const rankA = x.shape.length;
  const rankB = y.shape.length;
  const [rows, inner] = x.shape.slice(rankA - 2);
  const [innerB, cols] = y.shape.slice(rankB - 2);
  if (inner !== innerB) op.fail(`a [${x.shape}] has ${inner} columns but b [${y.shape}] has ${innerB} rows`);
  const batchA = x.shape.slice(0, rankA - 2);
  const batchB = y.shape.slice(0, rankB - 2);
  const batch =
    broadcastShapes(batchA, batchB) ??
    op.fail(`batch shapes [${batchA}] and [${batchB}] are not broadcastable`);
  const output = { dataType: x.dataType, shape: [...batch, rows, cols] };
  const batchMaps = lazy(() => ({
    a: broadcastOffsets(batchA, batch),
    b: broadcastOffsets(batchB, batch),
    count: batch.reduce((p, d) => p * d, 1),
  }));
  return op.emitOne([x, y], output, ([va, vb]) => {
    const A = asFloat32(va);
    const B = asFloat32(vb);
    const { a: mapA, b: mapB, count } = batchMaps();
    const out = new Float32Array(count * rows * cols);
    const accumulators = [0, 1, 2, 3].map(() => new Float64Array(cols));
    for (let batchIndex = 0; batchIndex < count; batchIndex++) {
      const aBase = (mapA ? mapA[batchIndex] : batchIndex) * rows * inner;
      const bBase = (mapB ? mapB[batchIndex] : batchIndex) * inner * cols;
      multiplyRows(A, aBase, B, bBase, out, batchIndex * rows * cols, rows, inner, cols, accumulators);
    }
    return floatTensor(output, out);
  });
}

/**
 * out[rows×cols] = A[rows×inner] · B[inner×cols] (row-major, at the given offsets), four rows
 * at a time so that each loaded B element feeds four accumulators.
 */
function multiplyRows(
  A: Float32Array,
  aBase: number,
  B: Float32Array,
  bBase: number,
  out: Float32Array,
  outBase: number,
  rows: number,
  inner: number,
  cols: number,
  [acc0, acc1, acc2, acc3]: Float64Array[],
): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    acc0.fill(0);
    acc1.fill(0);
    acc2.fill(0);
    acc3.fill(0);
    const row0 = aBase + i * inner;
    for (let k = 0; k < inner; k++) {
      const a0 = A[row0 + k];
      const a1 = A[row0 + inner + k];
      const a2 = A[row0 + 2 * inner + k];
      const a3 = A[row0 + 3 * inner + k];
      const bRow = bBase + k * cols;
      for (let j = 0; j < cols; j++) {
        const b = B[bRow + j];
        acc0[j] += a0 * b;
        acc1[j] += a1 * b;
        acc2[j] += a2 * b;
        acc3[j] += a3 * b;
      }
    }
    const outRow = outBase + i * cols;
    out.set(acc0, outRow);
    out.set(acc1, outRow + cols);
    out.set(acc2, outRow + 2 * cols);
    out.set(acc3, outRow + 3 * cols);
  }
  for (; i < rows; i++) {
    acc0.fill(0);
    const aRow = aBase + i * inner;
    for (let k = 0; k < inner; k++) {
      const aik = A[aRow + k];
      const bRow = bBase + k * cols;
      for (let j = 0; j < cols; j++) acc0[j] += aik * B[bRow + j];
    }
    out.set(acc0, outBase + i * cols);
  }
}

export function buildGemm(state: BuildState, a: unknown, b: unknown, options: unknown): MLOperand {
  const opts = toDictionary<MLGemmOptions>(options, 'gemm');
  const op = new OperatorBuild(state, 'gemm', opts);
  const x = op.operand(a, 'a');
  const y = op.operand(b, 'b');
  op.requireSameType(y, 'b', x.dataType);
  const c = op.optionalOperand(opts.c, 'c');
  if (c) op.requireSameType(c, 'c', x.dataType);
  const alpha = Number(castNumber(opts.alpha === undefined ? 1 : toDouble(opts.alpha, 'alpha'), x.dataType));
  const beta = Number(castNumber(opts.beta === undefined ? 1 : toDouble(opts.beta, 'beta'), x.dataType));
  const aTranspose = Boolean(opts.aTranspose);
  const bTranspose = Boolean(opts.bTranspose);
  const [rows, inner] = aTranspose ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const [innerB, cols] = bTranspose ? [y.shape[1], y.shape[0]] : [y.shape[0], y.shape[1]];
  if (inner !== innerB) op.fail(`inner dimensions differ: ${inner} (a) vs ${innerB} (b)`);
  if (c && !broadcastTo(c.shape, [rows, cols]))
    op.fail(`c [${c.shape}] is not broadcastable to [${rows},${cols}]`);
  const output = { dataType: x.dataType, shape: [rows, cols] };
  const cOffsets = lazy(() => (c ? broadcastOffsets(c.shape, [rows, cols]) : undefined));
  const transposedCache = new WeakMap<RuntimeTensor, Float32Array>();
  /** The operand as a row-major matrix, transposed when asked (cached for constants). */
  const rowMajor = (value: RuntimeTensor, transpose: boolean): Float32Array => {
    const values = asFloat32(value);
    if (!transpose) return values;
    let cached = transposedCache.get(value);
    if (!cached) {
      const [r, c] = value.shape;
      cached = new Float32Array(values.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) cached[j * r + i] = values[i * c + j];
      transposedCache.set(value, cached);
    }
    return cached;
  };
  return op.emitOne(c ? [x, y, c] : [x, y], output, ([va, vb, vc]) => {
    const product = new Float32Array(rows * cols);
    const accumulators = [0, 1, 2, 3].map(() => new Float64Array(cols));
    multiplyRows(
      rowMajor(va, aTranspose),
      0,
      rowMajor(vb, bTranspose),
      0,
      product,
      0,
      rows,
      inner,
      cols,
      accumulators,
    );
    const C = vc ? asFloat32(vc) : undefined;
    const cMap = cOffsets();
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < out.length; i++) {
      out[i] = C ? alpha * product[i] + beta * C[cMap ? cMap[i] : i] : alpha * product[i];
    }
    return floatTensor(output, out);
  });
}
