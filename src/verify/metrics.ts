// Numeric comparison of a candidate output with its reference: max/mean absolute error,
// relative L2, cosine, SNR, top-1 agreement and NaN/Inf counts (definitions: the Metrics
// contract in types.ts and ARCHITECTURE.md). Every result is a finite, JSON-safe number.
//   const m = compareTensors(referenceOut.logits, candidateOut.logits); m.rel_l2 // 0.0031

import { getFloat16 } from '@petamoriken/float16';
import { elementCount, type HostTensor } from '../onnx/dtype.js';
import type { Metrics } from './types.js';

const SNR_LIMIT_DB = 300;

/** Metrics of two identical tensors; also what worstMetrics gives for an empty list. */
function perfectMetrics(): Metrics {
  return {
    max_abs: 0,
    mean_abs: 0,
    rel_l2: 0,
    cosine: 1,
    snr_db: SNR_LIMIT_DB,
    top1_agree: null,
    nan: 0,
    inf: 0,
  };
}

let float16Values: Float64Array | undefined;

/** Value of every float16 bit pattern, built on first use (decoding element by element is slow). */
function float16Table(): Float64Array {
  if (!float16Values) {
    float16Values = new Float64Array(65536);
    const view = new DataView(new ArrayBuffer(2));
    for (let bits = 0; bits < 65536; bits++) {
      view.setUint16(0, bits, true);
      float16Values[bits] = getFloat16(view, 0, true);
    }
  }
  return float16Values;
}

/** A tensor's elements as float64 (float16/bfloat16 bits decoded, 64-bit integers via Number). */
export function toFloat64(t: HostTensor): Float64Array {
  const data = t.data;
  if (Array.isArray(data)) throw new Error(`toFloat64: a ${t.dtype} tensor cannot be compared numerically`);
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else if (t.dtype === 'float16') {
    const table = float16Table();
    for (let i = 0; i < data.length; i++) out[i] = table[data[i]];
  } else if (t.dtype === 'bfloat16') {
    const word = new Uint32Array(1);
    const asFloat = new Float32Array(word.buffer);
    for (let i = 0; i < data.length; i++) {
      word[0] = data[i] << 16;
      out[i] = asFloat[0];
    }
  } else {
    out.set(data);
  }
  return out;
}

/** Largest finite double, for results that overflow (JSON has no Infinity). */
function finiteOrMax(value: number): number {
  if (Number.isNaN(value)) return Number.MAX_VALUE;
  return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, value));
}

type Pair = 'compared' | 'excluded' | 'nan' | 'inf';

/**
 * How one position counts. Both finite: compared. Reference NaN/Inf matched by the candidate
 * (both NaN, or the same infinity): excluded. Otherwise the mismatch counts as NaN or Inf —
 * the candidate's kind when it is not finite, else the reference's.
 */
function classifyPair(r: number, c: number): Pair {
  if (Number.isFinite(r)) {
    if (Number.isFinite(c)) return 'compared';
    return Number.isNaN(c) ? 'nan' : 'inf';
  }
  if (r === c || (Number.isNaN(r) && Number.isNaN(c))) return 'excluded';
  if (Number.isNaN(c)) return 'nan';
  if (!Number.isFinite(c)) return 'inf';
  return Number.isNaN(r) ? 'nan' : 'inf';
}

/** Index of the largest value in row [start, start+length) ignoring NaN; first wins ties; -1 if all NaN. */
function argmaxOfRow(values: Float64Array, start: number, length: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let j = 0; j < length; j++) {
    const v = values[start + j];
    if (Number.isNaN(v)) continue;
    if (best < 0 || v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}

/** Share of rows along the last axis whose argmax agrees; null below rank 2, last dim < 2, or no rows. */
function top1Agreement(r: Float64Array, c: Float64Array, dims: readonly number[]): number | null {
  if (dims.length < 2) return null;
  const rowLength = dims[dims.length - 1];
  if (rowLength < 2) return null;
  const rows = r.length / rowLength;
  if (rows === 0) return null;
  let agree = 0;
  for (let row = 0; row < rows; row++) {
    if (argmaxOfRow(r, row * rowLength, rowLength) === argmaxOfRow(c, row * rowLength, rowLength)) agree++;
  }
  return agree / rows;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Metrics of `candidate` against `reference`; dims must be equal (dtypes may differ). */
export function compareTensors(reference: HostTensor, candidate: HostTensor): Metrics {
  if (!sameDims(reference.dims, candidate.dims)) {
    throw new Error(
      `shape [${candidate.dims.join(',')}] differs from the reference [${reference.dims.join(',')}]`,
    );
  }
  const count = elementCount(reference.dims);
  const r = toFloat64(reference);
  const c = toFloat64(candidate);
  if (r.length !== count || c.length !== count) {
    throw new Error(
      `compareTensors: ${r.length} and ${c.length} elements for dims [${reference.dims.join(',')}]`,
    );
  }

  // Pass 1: counts, absolute errors and a power-of-two scale that keeps the sums of squares
  // from overflowing or underflowing (dividing by a power of two is exact).
  let nan = 0;
  let inf = 0;
  let compared = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  let magnitude = 0;
  let referenceNonZero = false;
  let candidateNonZero = false;
  for (let i = 0; i < count; i++) {
    const kind = classifyPair(r[i], c[i]);
    if (kind === 'nan') nan++;
    else if (kind === 'inf') inf++;
    if (kind !== 'compared') continue;
    compared++;
    const abs = Math.abs(r[i] - c[i]);
    if (abs > maxAbs) maxAbs = abs;
    sumAbs += abs;
    magnitude = Math.max(magnitude, Math.abs(r[i]), Math.abs(c[i]));
    if (r[i] !== 0) referenceNonZero = true;
    if (c[i] !== 0) candidateNonZero = true;
  }
  const scale = magnitude > 0 ? 2 ** Math.min(1023, Math.ceil(Math.log2(magnitude))) : 1;

  // Pass 2: scaled sums of squares and the dot product.
  let sumR2 = 0;
  let sumC2 = 0;
  let sumD2 = 0;
  let dot = 0;
  for (let i = 0; i < count; i++) {
    if (classifyPair(r[i], c[i]) !== 'compared') continue;
    const rs = r[i] / scale;
    const cs = c[i] / scale;
    const ds = rs - cs;
    sumR2 += rs * rs;
    sumC2 += cs * cs;
    sumD2 += ds * ds;
    dot += rs * cs;
  }
  const normR = Math.sqrt(sumR2);
  const normC = Math.sqrt(sumC2);
  const normD = Math.sqrt(sumD2);

  let cosine: number;
  if (!referenceNonZero && !candidateNonZero) cosine = 1;
  else if (!referenceNonZero || !candidateNonZero) cosine = 0;
  else cosine = Math.max(-1, Math.min(1, dot / (normR * normC)));

  const snrDb = normD === 0 ? SNR_LIMIT_DB : 20 * Math.log10(normR / normD);
  return {
    max_abs: finiteOrMax(maxAbs),
    mean_abs: compared === 0 ? 0 : finiteOrMax(sumAbs / compared),
    rel_l2: finiteOrMax(referenceNonZero ? normD / normR : normD * scale),
    cosine: Number.isFinite(cosine) ? cosine : 0,
    snr_db: Math.max(-SNR_LIMIT_DB, Math.min(SNR_LIMIT_DB, snrDb)),
    top1_agree: top1Agreement(r, c, reference.dims),
    nan,
    inf,
  };
}

/** The worst of each metric over outputs × samples (nulls ignored; perfect metrics for an empty list). */
export function worstMetrics(list: Metrics[]): Metrics {
  const worst = perfectMetrics();
  let top1: number | null = null;
  for (const m of list) {
    worst.max_abs = Math.max(worst.max_abs, m.max_abs);
    worst.mean_abs = Math.max(worst.mean_abs, m.mean_abs);
    worst.rel_l2 = Math.max(worst.rel_l2, m.rel_l2);
    worst.nan = Math.max(worst.nan, m.nan);
    worst.inf = Math.max(worst.inf, m.inf);
    worst.cosine = Math.min(worst.cosine, m.cosine);
    worst.snr_db = Math.min(worst.snr_db, m.snr_db);
    if (m.top1_agree !== null) top1 = top1 === null ? m.top1_agree : Math.min(top1, m.top1_agree);
  }
  worst.top1_agree = top1;
  return worst;
}
