// Block-wise n-bit quantization of a weight matrix along its reduction axis — the numeric
// core of int4/int3/int2. A weight is viewed as columns of K values (K = the axis the
// consuming op reduces over); each column is cut into blocks of `blockSize` values, and
// each block gets a scale (and, asymmetric, a zero point) chosen to minimise the block's
// squared reconstruction error: a clipping search followed by a least-squares refit of
// scale and offset for the chosen codes. Codes are stored unsigned: value ≈ scale·(code − zp)
// (symmetric uses zp = 2^(bits−1)).
//   const q = quantizeColumns(columns, { K, N, bits: 4, blockSize: 32, symmetric: false, search: true });

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

/** Clipping ratios tried by the search, largest first. */
const CLIP_RATIOS = [1, 0.96, 0.92, 0.88, 0.84, 0.8, 0.76, 0.72, 0.68, 0.64];
const REFIT_ROUNDS = 2;

interface BlockChoice {
  scale: number;
  zp: number;
  error: number;
}

/** Squared error of quantizing v[from..to) with (scale, zp), codes in [0, qmax]. */
function blockError(v: Float32Array, from: number, to: number, scale: number, zp: number, qmax: number): number {
  if (scale === 0) {
    let e = 0;
    for (let i = from; i < to; i++) e += v[i] * v[i];
    return e;
  }
  const inv = 1 / scale;
  let e = 0;
  for (let i = from; i < to; i++) {
    let q = Math.round(v[i] * inv) + zp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    const d = v[i] - scale * (q - zp);
    e += d * d;
  }
  return e;
}

/** Least-squares refit of scale (and offset) for the codes the current choice gives. */
function refit(v: Float32Array, from: number, to: number, c: BlockChoice, qmax: number, symmetric: boolean): BlockChoice {
  if (c.scale === 0) return c;
  const inv = 1 / c.scale;
  let sq = 0;
  let sqq = 0;
  let sv = 0;
  let svq = 0;
  const n = to - from;
  for (let i = from; i < to; i++) {
    let q = Math.round(v[i] * inv) + c.zp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    const t = q - c.zp;
    sq += t;
    sqq += t * t;
    sv += v[i];
    svq += v[i] * t;
  }
  let scale: number;
  let zp = c.zp;
  if (symmetric) {
    if (sqq === 0) return c;
    scale = svq / sqq;
  } else {
    // v ≈ s·t + o with t = q − zp; solve for s and o, then fold o into an integer zero point.
    const det = n * sqq - sq * sq;
    if (det === 0) return c;
    scale = (n * svq - sq * sv) / det;
    const offset = (sv - scale * sq) / n;
    if (!(scale > 0)) return c;
    zp = Math.min(qmax, Math.max(0, c.zp - Math.round(offset / scale)));
  }
  scale = Math.fround(scale);
  if (!(scale > 0) || !Number.isFinite(scale)) return c;
  const error = blockError(v, from, to, scale, zp, qmax);
  return error < c.error ? { scale, zp, error } : c;
}

/** Chooses scale and zero point for v[from..to). */
export function chooseBlock(v: Float32Array, from: number, to: number, bits: number, symmetric: boolean, search: boolean): BlockChoice {
  const qmax = (1 << bits) - 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  if (!(hi > lo) && lo === 0) return { scale: 0, zp: symmetric ? 1 << (bits - 1) : 0, error: 0 };
  const ratios = search ? CLIP_RATIOS : [1];
  let best: BlockChoice = { scale: 0, zp: 0, error: Infinity };
  for (const r of ratios) {
    let scale: number;
    let zp: number;
    if (symmetric) {
      // Codes span [−half, half−1] around zp = half: a negative peak maps to −half, a
      // positive one to half−1.
      const half = 1 << (bits - 1);
      const peak = Math.abs(lo) > Math.abs(hi) ? lo : hi;
      scale = Math.fround(peak < 0 ? (-peak * r) / half : (peak * r) / Math.max(1, half - 1));
      zp = half;
    } else {
      const a = Math.min(0, lo * r);
      const b = Math.max(0, hi * r);
      scale = Math.fround((b - a) / qmax);
      zp = scale > 0 ? Math.min(qmax, Math.max(0, Math.round(-a / scale))) : 0;
    }
    if (!(scale > 0)) continue;
    const error = blockError(v, from, to, scale, zp, qmax);
    if (error < best.error) best = { scale, zp, error };
  }
  if (!Number.isFinite(best.error)) return { scale: 0, zp: symmetric ? 1 << (bits - 1) : 0, error: 0 };
  if (search) for (let i = 0; i < REFIT_ROUNDS; i++) best = refit(v, from, to, best, qmax, symmetric);
  return best;
}

/** Encodes v[from..to) with a chosen block into codes. */
export function encodeBlock(v: Float32Array, from: number, to: number, c: BlockChoice, qmax: number, codes: Uint8Array, codeOffset: number): void {
  const inv = c.scale === 0 ? 0 : 1 / c.scale;
  for (let i = from; i < to; i++) {
    let q = Math.round(v[i] * inv) + c.zp;
    q = q < 0 ? 0 : q > qmax ? qmax : q;
    codes[codeOffset + i - from] = q;
  }
}

/**
 * Quantizes column-major values (columns[n * K + k]) block by block. Deterministic: the
 * same input gives the same codes, scales and zero points.
 */
export function quantizeColumns(columns: Float32Array, options: BlockQuantOptions): BlockQuantized {
  const { K, N, bits, blockSize, symmetric, search } = options;
  const blocks = Math.ceil(K / blockSize);
  const qmax = (1 << bits) - 1;
  const codes = new Uint8Array(N * K);
  const scales = new Float32Array(N * blocks);
  const zeroPoints = new Uint8Array(N * blocks);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const from = n * K + b * blockSize;
      const to = n * K + Math.min(K, (b + 1) * blockSize);
      const c = chooseBlock(columns, from, to, bits, symmetric, search);
      scales[n * blocks + b] = c.scale;
      zeroPoints[n * blocks + b] = c.zp;
      encodeBlock(columns, from, to, c, qmax, codes, from);
    }
  }
  return { K, N, bits, blockSize, blocks, symmetric, codes, scales, zeroPoints };
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
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      const src = (o * K + k) * inner;
      for (let i = 0; i < inner; i++) out[(o * inner + i) * K + k] = data[src + i];
    }
  }
  return out;
}

/** The inverse of toColumns. */
export function fromColumns(columns: Float32Array | Uint8Array, dims: readonly number[], axis: number): Float32Array | Uint8Array {
  const { K, outer, inner } = axisLayout(dims, axis);
  const out = columns instanceof Float32Array ? new Float32Array(columns.length) : new Uint8Array(columns.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      const dst = (o * K + k) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = columns[(o * inner + i) * K + k];
    }
  }
  return out;
}
