// The per-block search behind blockwise.ts: a block's scale and zero point, chosen to
// minimise its squared reconstruction error with a few clipping ratios, each scored in
// closed form from its codes' sums together with its least-squares refit, then the codes
// written and refit once more. Typed-array scratch and no allocation per block: this is the
// hot loop of n-bit quantization (bench/quantize-throughput.mjs).
//   const c = chooseBlock(values, 0, 32, 4, false, true);   // { scale, zp, error }
//   quantizeRun(run, q, true);                              // a run of blocks into q

import type { BlockQuantized } from './blockwise.js';

/**
 * Clipping ratios the search tries (largest first), by bits and symmetry. Each ratio is
 * scored together with its least-squares refit, and the block's codes get a last refit when
 * they are written. On the vit/llama weights these few ratios keep the squared error within
 * 0.6% of the former ten-ratio grid (1…0.64, two refit rounds) at 4 and 3 bits, and lower it
 * at 2 bits, which clips harder and gets more ratios and a refit round of its own.
 */
function clipRatios(bits: number, symmetric: boolean): readonly number[] {
  if (bits >= 4) return symmetric ? CLIP_RATIOS_4_SYMMETRIC : CLIP_RATIOS_4;
  if (bits === 3) return symmetric ? CLIP_RATIOS_3_SYMMETRIC : CLIP_RATIOS_3;
  return CLIP_RATIOS_2;
}
const CLIP_RATIOS_4 = [1, 0.95];
const CLIP_RATIOS_4_SYMMETRIC = [1, 0.92];
const CLIP_RATIOS_3 = [1, 0.92, 0.84];
const CLIP_RATIOS_3_SYMMETRIC = [1, 0.9, 0.8, 0.7];
const CLIP_RATIOS_2 = [1, 0.9, 0.8, 0.7, 0.6];
/** The search's grid where time is no object (chooseBlock, for GPTQ). */
const FINE_CLIP_RATIOS = [1, 0.96, 0.92, 0.88, 0.84, 0.8, 0.76, 0.72, 0.68, 0.64];
/** Extra refit rounds (re-rounded codes) after the ratios, by bits. */
function refitRounds(bits: number): number {
  return bits <= 2 ? 1 : 0;
}

export interface BlockChoice {
  scale: number;
  zp: number;
  error: number;
}

// Scratch for the hot loops, in typed arrays so that no float is boxed between calls and
// nothing is allocated per block (single-threaded, never re-entered):
//   trial  = [scale, zp] of the candidate being scored (its codes are in `sums`), then the
//            [scale, zp] of the next one when two are counted in one pass
//   sums   = [Σq, Σq², Σv·q] of a block's codes (then the next candidate's)
//   stats  = [Σv, Σv², lo, hi, qmax] of the block
//   best   = [error, scale, zp] of the best candidate so far
const trial = new Float64Array(4);
const sums = new Float64Array(6);
const stats = new Float64Array(5);
const best = new Float64Array(3);

/**
 * Codes q = clamp(round(v/scale) + zp, 0, qmax) of v[from..to) under trial's (scale, zp),
 * summed into `sums`, and the block's Σv, Σv² into stats when `withMoments`. Rounding is
 * round-half-up after the clamp (the same as before it, zp being an integer).
 */
function codeSums(v: Float32Array, from: number, to: number, withMoments: boolean): void {
  const inv = 1 / trial[0];
  const zp = trial[1];
  const qmax = stats[4];
  let sq = 0;
  let sqq = 0;
  let svq = 0;
  if (withMoments) {
    let sv = 0;
    let svv = 0;
    for (let i = from; i < to; i++) {
      const x = v[i];
      let t = x * inv + zp;
      t = t < 0 ? 0 : t > qmax ? qmax : t;
      const q = (t + 0.5) | 0;
      sq = (sq + q) | 0;
      sqq = (sqq + q * q) | 0;
      svq += x * q;
      sv += x;
      svv += x * x;
    }
    stats[0] = sv;
    stats[1] = svv;
  } else {
    for (let i = from; i < to; i++) {
      const x = v[i];
      let t = x * inv + zp;
      t = t < 0 ? 0 : t > qmax ? qmax : t;
      const q = (t + 0.5) | 0;
      sq = (sq + q) | 0;
      sqq = (sqq + q * q) | 0;
      svq += x * q;
    }
  }
  sums[0] = sq;
  sums[1] = sqq;
  sums[2] = svq;
}

/**
 * Scores `scale` with zero point `zp` on the codes whose sums are in `sums`: the squared
 * error Σ(v − scale·(q − zp))² = Σv² − 2·scale·A + scale²·B, A = Σv(q − zp),
 * B = Σ(q − zp)². Re-rounding the codes under (scale, zp) can only lower it, so it bounds
 * the real error. Keeps the candidate in `best` when it is lower.
 */
function score(scale: number, zp: number, n: number): void {
  if (!(scale > 0) || scale === Infinity) return;
  const a = sums[2] - zp * stats[0];
  const b = sums[1] - 2 * zp * sums[0] + n * zp * zp;
  const error = stats[1] - 2 * scale * a + scale * scale * b;
  if (error < best[0]) {
    best[0] = error;
    best[1] = scale;
    best[2] = zp;
  }
}

/**
 * Scores the trial (whose codes gave `sums`) and its least-squares refit: symmetric keeps
 * the zero point and solves the scale; asymmetric fits v ≈ s·q + c, folds c into the
 * nearest integer zero point, then solves the scale for that zero point.
 */
function scoreTrial(n: number, symmetric: boolean): void {
  const zp = trial[1];
  score(trial[0], zp, n);
  const sq = sums[0];
  const sqq = sums[1];
  const svq = sums[2];
  const sv = stats[0];
  let z = zp;
  if (!symmetric) {
    // s = num/det, c = (Σv − s·Σq)/n; the zero point −c/s = (Σq·num − Σv·det)/(n·num).
    const det = n * sqq - sq * sq;
    const num = n * svq - sq * sv;
    if (!(det > 0) || !(num > 0)) return;
    const qmax = stats[4];
    const zr = Math.round((sq * num - sv * det) / (n * num));
    z = zr < 0 ? 0 : zr > qmax ? qmax : zr;
  }
  const b = sqq - 2 * z * sq + n * z * z;
  if (b > 0) score(Math.fround((svq - z * sv) / b), z, n);
}

/**
 * Codes of two candidates in one pass (trial[0..1] into sums[0..2], trial[2..3] into
 * sums[3..5]) and the block's moments: one read of the block for both.
 */
function pairSums(v: Float32Array, from: number, to: number): void {
  const inv = 1 / trial[0];
  const zp = trial[1];
  const inv1 = 1 / trial[2];
  const zp1 = trial[3];
  const qmax = stats[4];
  let sq = 0;
  let sqq = 0;
  let svq = 0;
  let sq1 = 0;
  let sqq1 = 0;
  let svq1 = 0;
  let sv = 0;
  let svv = 0;
  for (let i = from; i < to; i++) {
    const x = v[i];
    let t = x * inv + zp;
    t = t < 0 ? 0 : t > qmax ? qmax : t;
    const q = (t + 0.5) | 0;
    let u = x * inv1 + zp1;
    u = u < 0 ? 0 : u > qmax ? qmax : u;
    const p = (u + 0.5) | 0;
    sq = (sq + q) | 0;
    sqq = (sqq + q * q) | 0;
    svq += x * q;
    sq1 = (sq1 + p) | 0;
    sqq1 = (sqq1 + p * p) | 0;
    svq1 += x * p;
    sv += x;
    svv += x * x;
  }
  sums[0] = sq;
  sums[1] = sqq;
  sums[2] = svq;
  sums[3] = sq1;
  sums[4] = sqq1;
  sums[5] = svq1;
  stats[0] = sv;
  stats[1] = svv;
}

/** Scale and zero point of the clipping `ratio` for the block's range (stats' lo, hi), into trial[slot..slot+1]. */
function clippedTrial(ratio: number, bits: number, symmetric: boolean, slot: 0 | 2 = 0): void {
  const lo = stats[2];
  const hi = stats[3];
  if (symmetric) {
    // Codes span [−half, half−1] around zp = half: a negative peak maps to −half, a
    // positive one to half−1.
    const half = 1 << (bits - 1);
    const peak = Math.abs(lo) > Math.abs(hi) ? lo : hi;
    trial[slot] = Math.fround(peak < 0 ? (-peak * ratio) / half : (peak * ratio) / Math.max(1, half - 1));
    trial[slot + 1] = half;
  } else {
    const qmax = (1 << bits) - 1;
    const a = Math.min(0, lo * ratio);
    const b = Math.max(0, hi * ratio);
    const scale = Math.fround((b - a) / qmax);
    trial[slot] = scale;
    trial[slot + 1] = scale > 0 ? Math.min(qmax, Math.max(0, Math.round(-a / scale))) : 0;
  }
}

/**
 * Chooses scale and zero point for v[from..to) into best = [error, scale, zp] (error: the
 * squared-error bound the search scored, 0 for an all-zero block, NaN without search) and
 * leaves the block's stats in `stats`. Round-to-nearest takes the block's range; the search
 * scores each clipping ratio and its least-squares refit from the codes' sums (one pass
 * over the block per ratio), then does `rounds` more refits of the winner's re-rounded codes.
 */
function chooseBlockInto(
  v: Float32Array,
  from: number,
  to: number,
  bits: number,
  symmetric: boolean,
  search: boolean,
  rounds: number,
  ratios: readonly number[] = clipRatios(bits, symmetric),
): void {
  const n = to - from;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const x = v[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  stats[2] = lo;
  stats[3] = hi;
  stats[4] = (1 << bits) - 1;
  best[0] = 0;
  best[1] = 0;
  best[2] = symmetric ? 1 << (bits - 1) : 0;
  if (!(hi > lo) && lo === 0) return;
  if (!search) {
    clippedTrial(1, bits, symmetric);
    if (trial[0] > 0) {
      best[0] = NaN;
      best[1] = trial[0];
      best[2] = trial[1];
    }
    return;
  }
  const fallbackZp = best[2];
  best[0] = Infinity;
  let moments = true;
  for (let r = 0; r < ratios.length; r++) {
    clippedTrial(ratios[r], bits, symmetric);
    if (!(trial[0] > 0)) continue;
    if (moments && r + 1 < ratios.length) {
      // The first two ratios share one pass (it also takes the block's moments).
      clippedTrial(ratios[r + 1], bits, symmetric, 2);
      if (trial[2] > 0) {
        pairSums(v, from, to);
        moments = false;
        scoreTrial(n, symmetric);
        trial[0] = trial[2];
        trial[1] = trial[3];
        sums[0] = sums[3];
        sums[1] = sums[4];
        sums[2] = sums[5];
        scoreTrial(n, symmetric);
        r++;
        continue;
      }
    }
    codeSums(v, from, to, moments);
    moments = false;
    scoreTrial(n, symmetric);
  }
  if (!(best[0] < Infinity)) {
    best[0] = 0;
    best[1] = 0;
    best[2] = fallbackZp;
    return;
  }
  for (let round = 0; round < rounds; round++) {
    trial[0] = best[1];
    trial[1] = best[2];
    codeSums(v, from, to, false);
    scoreTrial(n, symmetric);
  }
  best[0] = Math.max(0, best[0]);
}

/** Squared error of quantizing v[from..to) with (scale, zp), codes in [0, qmax]. */
function blockError(
  v: Float32Array,
  from: number,
  to: number,
  scale: number,
  zp: number,
  qmax: number,
): number {
  const inv = scale === 0 ? 0 : 1 / scale;
  let e = 0;
  for (let i = from; i < to; i++) {
    let t = v[i] * inv + zp;
    t = t < 0 ? 0 : t > qmax ? qmax : t;
    const d = v[i] - scale * (((t + 0.5) | 0) - zp);
    e += d * d;
  }
  return e;
}

/**
 * Chooses scale and zero point for v[from..to) (error: the block's squared error). GPTQ
 * chooses each block once and then spends far longer on its error feedback, so this search
 * tries the fine grid of ratios and refits the winner's re-rounded codes twice.
 */
export function chooseBlock(
  v: Float32Array,
  from: number,
  to: number,
  bits: number,
  symmetric: boolean,
  search: boolean,
): BlockChoice {
  chooseBlockInto(v, from, to, bits, symmetric, search, 2, FINE_CLIP_RATIOS);
  const c: BlockChoice = { scale: best[1], zp: best[2], error: best[0] };
  if (Number.isNaN(c.error)) c.error = blockError(v, from, to, c.scale, c.zp, (1 << bits) - 1);
  return c;
}

/** Encodes v[from..to) with a chosen block into codes. */
export function encodeBlock(
  v: Float32Array,
  from: number,
  to: number,
  c: BlockChoice,
  qmax: number,
  codes: Uint8Array,
  codeOffset: number,
): void {
  trial[0] = c.scale;
  trial[1] = c.zp;
  stats[4] = qmax;
  encodeTrial(v, from, to, codes, codeOffset);
}

/** Codes of v[from..to) under trial's (scale, zp; scale 0: all zp) into codes from codeOffset. */
function encodeTrial(v: Float32Array, from: number, to: number, codes: Uint8Array, codeOffset: number): void {
  const inv = trial[0] === 0 ? 0 : 1 / trial[0];
  const zp = trial[1];
  const qmax = stats[4];
  const shift = codeOffset - from;
  for (let i = from; i < to; i++) {
    let t = v[i] * inv + zp;
    t = t < 0 ? 0 : t > qmax ? qmax : t;
    codes[i + shift] = (t + 0.5) | 0;
  }
}

/**
 * Writes the codes of best's (scale, zp) (chooseBlockInto's search result), then scores a
 * least-squares refit of the scale (and zero point) for those codes; best keeps whichever is
 * lower. Needs the block's stats from chooseBlockInto.
 */
function encodeRefit(
  v: Float32Array,
  from: number,
  to: number,
  symmetric: boolean,
  codes: Uint8Array,
  codeOffset: number,
): void {
  trial[0] = best[1];
  trial[1] = best[2];
  const inv = 1 / trial[0];
  const zp = trial[1];
  const qmax = stats[4];
  const shift = codeOffset - from;
  let sq = 0;
  let sqq = 0;
  let svq = 0;
  for (let i = from; i < to; i++) {
    const x = v[i];
    let t = x * inv + zp;
    t = t < 0 ? 0 : t > qmax ? qmax : t;
    const q = (t + 0.5) | 0;
    codes[i + shift] = q;
    sq = (sq + q) | 0;
    sqq = (sqq + q * q) | 0;
    svq += x * q;
  }
  sums[0] = sq;
  sums[1] = sqq;
  sums[2] = svq;
  best[0] = Infinity;
  scoreTrial(to - from, symmetric);
}

/**
 * A run of blocks in `src`: block j holds `length` values from offset + j·stride and becomes
 * block (block + j·blockStep) of column (column + j·columnStep).
 */
export interface BlockRun {
  src: Float32Array;
  offset: number;
  stride: number;
  count: number;
  length: number;
  column: number;
  columnStep: number;
  block: number;
  blockStep: number;
}

/** Quantizes a run of blocks into q. */
export function quantizeRun(run: BlockRun, q: BlockQuantized, search: boolean): void {
  const { K, bits, blockSize, blocks, symmetric, codes, scales, zeroPoints } = q;
  const rounds = refitRounds(bits);
  const { src, length } = run;
  for (let j = 0; j < run.count; j++) {
    const from = run.offset + j * run.stride;
    const to = from + length;
    const n = run.column + j * run.columnStep;
    const b = run.block + j * run.blockStep;
    const codeOffset = n * K + b * blockSize;
    chooseBlockInto(src, from, to, bits, symmetric, search, rounds);
    if (search && best[1] > 0) {
      encodeRefit(src, from, to, symmetric, codes, codeOffset);
    } else {
      trial[0] = best[1];
      trial[1] = best[2];
      encodeTrial(src, from, to, codes, codeOffset);
    }
    scales[n * blocks + b] = best[1];
    zeroPoints[n * blocks + b] = best[2];
  }
}
