// Block-wise n-bit quantization of a weight matrix along its reduction axis — the numeric
// core of int4/int3/int2. A weight is viewed as columns of K values (K = the axis the
// consuming op reduces over); each column is cut into blocks of `blockSize` values, and
// each block gets a scale (and, asymmetric, a zero point) chosen to minimise the block's
// squared reconstruction error: a clipping search followed by a least-squares refit of
// scale and offset for the chosen codes (block-search.ts). Codes are stored unsigned:
// value ≈ scale·(code − zp) (symmetric uses zp = 2^(bits−1)).
//   const q = quantizeColumns(columns, { K, N, bits: 4, blockSize: 32, symmetric: false, search: true });
//   const w = quantizeAlongAxis(weight, [K, N], 0, options);   // same, without a column copy

import { quantizeRun, type BlockRun } from './block-search.js';

export interface BlockQuantOptions {
  /** Values per column (the reduction axis length). */
  K: number;
  /** Number of columns. */
  N: number;
  bits: number;
  blockSize: number;
  symmetric: boolean;
  /** Clipping search + least-squares refit (true) or plain round-to-nearest (false). */
  search: boolean;
}

export interface BlockQuantized {
  K: number;
  N: number;
  bits: number;
  blockSize: number;
  /** Blocks per column: ceil(K / blockSize). */
  blocks: number;
  symmetric: boolean;
  /** Unsigned codes, column-major: codes[n * K + k]. */
  codes: Uint8Array;
  /** scales[n * blocks + b], exactly representable in float32. */
  scales: Float32Array;
  /** zeroPoints[n * blocks + b] (2^(bits-1) for symmetric). */
  zeroPoints: Uint8Array;
}

export { chooseBlock, encodeBlock } from './block-search.js';

function emptyQuantized(options: BlockQuantOptions): BlockQuantized {
  const { K, N, bits, blockSize, symmetric } = options;
  const blocks = Math.ceil(K / blockSize);
  return {
    K,
    N,
    bits,
    blockSize,
    blocks,
    symmetric,
    codes: new Uint8Array(N * K),
    scales: new Float32Array(N * blocks),
    zeroPoints: new Uint8Array(N * blocks),
  };
}

/**
 * Quantizes column-major values (columns[n * K + k]) block by block, column after column.
 * Deterministic: the same input gives the same codes, scales and zero points.
 */
export function quantizeColumns(columns: Float32Array, options: BlockQuantOptions): BlockQuantized {
  const q = emptyQuantized(options);
  const { K, N, blockSize } = options;
  const full = Math.floor(K / blockSize);
  const run: BlockRun = {
    src: columns,
    offset: 0,
    stride: blockSize,
    count: 0,
    length: 0,
    column: 0,
    columnStep: 0,
    block: 0,
    blockStep: 1,
  };
  for (let n = 0; n < N; n++) {
    run.column = n;
    run.offset = n * K;
    run.count = full;
    run.length = blockSize;
    run.block = 0;
    quantizeRun(run, q, options.search);
    if (full * blockSize < K) {
      run.offset = n * K + full * blockSize;
      run.count = 1;
      run.length = K - full * blockSize;
      run.block = full;
      quantizeRun(run, q, options.search);
    }
  }
  return q;
}

/** Columns and block rows gathered at a time by quantizeAlongAxis (64 × 64 floats = 16 KiB). */
const GATHER_COLUMNS = 64;
const GATHER_BLOCK_ROWS = 2;

/**
 * quantizeColumns(toColumns(data, dims, axis), options) without copying the whole weight
 * into columns: GATHER_BLOCK_ROWS block rows of GATHER_COLUMNS columns at a time are
 * gathered into a small scratch buffer (or the data is read in place when the axis is the
 * innermost one). Same result, byte for byte.
 */
export function quantizeAlongAxis(
  data: Float32Array,
  dims: readonly number[],
  axis: number,
  options: BlockQuantOptions,
): BlockQuantized {
  const { K, outer, inner } = axisLayout(dims, axis);
  if (K !== options.K || outer * inner !== options.N) {
    throw new Error(
      `quantizeAlongAxis: dims [${dims.join(', ')}] do not match K ${options.K}, N ${options.N}`,
    );
  }
  if (inner === 1) return quantizeColumns(data, options);
  const q = emptyQuantized(options);
  const { blockSize } = options;
  const span = GATHER_BLOCK_ROWS * blockSize;
  const scratch = new Float32Array(GATHER_COLUMNS * span);
  const run: BlockRun = {
    src: scratch,
    offset: 0,
    stride: span,
    count: 0,
    length: 0,
    column: 0,
    columnStep: 1,
    block: 0,
    blockStep: 0,
  };
  for (let o = 0; o < outer; o++) {
    for (let b0 = 0; b0 < q.blocks; b0 += GATHER_BLOCK_ROWS) {
      const k0 = b0 * blockSize;
      const rows = Math.min(K, k0 + span) - k0;
      for (let i0 = 0; i0 < inner; i0 += GATHER_COLUMNS) {
        const width = Math.min(GATHER_COLUMNS, inner - i0);
        for (let j = 0; j < rows; j++) {
          const src = (o * K + k0 + j) * inner + i0;
          for (let c = 0; c < width; c++) scratch[c * span + j] = data[src + c];
        }
        run.count = width;
        run.column = o * inner + i0;
        for (let b = b0; b < Math.min(q.blocks, b0 + GATHER_BLOCK_ROWS); b++) {
          run.offset = (b - b0) * blockSize;
          run.length = Math.min(K, (b + 1) * blockSize) - b * blockSize;
          run.block = b;
          quantizeRun(run, q, options.search);
        }
      }
    }
  }
  return q;
}

/** Reconstructs column-major float values from a quantized matrix. */
export function dequantizeColumns(q: BlockQuantized): Float32Array {
  const out = new Float32Array(q.N * q.K);
  for (let n = 0; n < q.N; n++) {
    for (let k = 0; k < q.K; k++) {
      const b = n * q.blocks + Math.floor(k / q.blockSize);
      out[n * q.K + k] = Math.fround(q.scales[b] * (q.codes[n * q.K + k] - q.zeroPoints[b]));
    }
  }
  return out;
}

/** Layout of a weight tensor around its reduction axis: dims = [...outer, K, ...inner]. */
export interface AxisLayout {
  K: number;
  outer: number;
  inner: number;
}

export function axisLayout(dims: readonly number[], axis: number): AxisLayout {
  const K = dims[axis];
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { K, outer, inner };
}

/** Gathers a weight (row-major `dims`) into columns along `axis`: column n = outerIdx·inner + innerIdx. */
export function toColumns(data: Float32Array, dims: readonly number[], axis: number): Float32Array {
  const { K, outer, inner } = axisLayout(dims, axis);
  if (inner === 1) return data.slice();
  const out = new Float32Array(data.length);
  // Tiles of TILE×TILE keep both the rows read and the columns written in cache.
  const TILE = 32;
  for (let o = 0; o < outer; o++) {
    for (let k0 = 0; k0 < K; k0 += TILE) {
      const kEnd = Math.min(K, k0 + TILE);
      for (let i0 = 0; i0 < inner; i0 += TILE) {
        const iEnd = Math.min(inner, i0 + TILE);
        for (let k = k0; k < kEnd; k++) {
          const src = (o * K + k) * inner;
          for (let i = i0; i < iEnd; i++) out[(o * inner + i) * K + k] = data[src + i];
        }
      }
    }
  }
  return out;
}

/** The inverse of toColumns. */
export function fromColumns(
  columns: Float32Array | Uint8Array,
  dims: readonly number[],
  axis: number,
): Float32Array | Uint8Array {
  const { K, outer, inner } = axisLayout(dims, axis);
  const out =
    columns instanceof Float32Array ? new Float32Array(columns.length) : new Uint8Array(columns.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      const dst = (o * K + k) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = columns[(o * inner + i) * K + k];
    }
  }
  return out;
}
