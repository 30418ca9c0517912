// OpenVINO-style weight compression, done by the emitter itself from the fp32 source:
// fp16 constants (f16 Const → Convert to f32 marked "decompression"), and int8 / int4
// weights in the pattern OpenVINO's own weight compression writes and its CPU plugin runs
// as compressed weights: u8/u4 Const → Convert → Subtract(zero point) → Multiply(scale)
// [→ Reshape for groups], the Converts marked "decompression".
// int8: asymmetric, one scale and zero point per output channel (row).
// int4: asymmetric, group-wise along the input dimension (default 32), round to nearest
// with a small search over clipped ranges that keeps the lowest squared error per group.
//   const q = quantizeRows(weights, rows, cols, { bits: 4, groupSize: 32, clipSearch: true });
//   const w = emitCompressedWeight(builder, 'fc.weight', q, [rows, cols]);

import type { IrGraphBuilder, OvValue } from './ir-graph.js';

export interface QuantizeRowsOptions {
  bits: 4 | 8;
  /** Elements per group along a row; omit for one group per row (per output channel). */
  groupSize?: number;
  /** Try clipped ranges and keep the one with the lowest squared error (useful at 4 bits). */
  clipSearch?: boolean;
}

export interface QuantizedRows {
  bits: 4 | 8;
  rows: number;
  cols: number;
  /** Elements per group (cols when per row). */
  groupSize: number;
  /** Unsigned levels, one per element, row-major. */
  levels: Uint8Array;
  /** One per group, row-major [rows, cols / groupSize]. */
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

const CLIP_RATIOS = [1, 0.95, 0.9, 0.85, 0.8, 0.75];

/**
 * floor(v) clamped to [0, qmax]: with v = x + 0.5 this rounds half up, like Math.round. Plain
 * arithmetic, as Math calls in per-element loops are slow in some sandboxes (Jest's VM).
 */
function clampLevel(v: number, qmax: number): number {
  if (!(v > 0)) return 0;
  const q = v | 0;
  return q > qmax ? qmax : q;
}

/** Asymmetric round-to-nearest quantization of a [rows, cols] matrix, per row or per group. */
export function quantizeRows(
  weights: Float32Array,
  rows: number,
  cols: number,
  options: QuantizeRowsOptions,
): QuantizedRows {
  const groupSize = options.groupSize ?? cols;
  if (cols % groupSize !== 0) throw new Error(`group size ${groupSize} does not divide ${cols}`);
  const qmax = (1 << options.bits) - 1;
  const groups = rows * (cols / groupSize);
  const levels = new Uint8Array(rows * cols);
  const scales = new Float32Array(groups);
  const zeroPoints = new Uint8Array(groups);
  const ratios = options.clipSearch ? CLIP_RATIOS : [1];
  for (let g = 0; g < groups; g++) {
    const start = g * groupSize;
    let lo = 0;
    let hi = 0;
    for (let i = start; i < start + groupSize; i++) {
      const w = weights[i];
      if (w < lo) lo = w;
      if (w > hi) hi = w;
    }
    let bestScale = 1;
    let bestZero = 0;
    let bestError = Infinity;
    for (const ratio of ratios) {
      const l = lo * ratio;
      const h = hi * ratio;
      const scale = h > l ? Math.fround((h - l) / qmax) : 1;
      const zero = clampLevel(-l / scale + 0.5, qmax);
      let error = 0;
      for (let i = start; i < start + groupSize; i++) {
        const d = (clampLevel(weights[i] / scale + zero + 0.5, qmax) - zero) * scale - weights[i];
        error += d * d;
      }
      if (error < bestError) {
        bestScale = scale;
        bestZero = zero;
        bestError = error;
      }
    }
    scales[g] = bestScale;
    zeroPoints[g] = bestZero;
    for (let i = start; i < start + groupSize; i++)
      levels[i] = clampLevel(weights[i] / bestScale + bestZero + 0.5, qmax);
  }
  return { bits: options.bits, rows, cols, groupSize, levels, scales, zeroPoints };
}

/** Weights a quantized matrix stands for: (level − zero point) · scale. */
export function dequantizeRows(q: QuantizedRows): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let g = 0; g < q.scales.length; g++) {
    const [scale, zero] = [q.scales[g], q.zeroPoints[g]];
    for (let i = g * q.groupSize; i < (g + 1) * q.groupSize; i++) out[i] = (q.levels[i] - zero) * scale;
  }
  return out;
}

/** Packs 4-bit levels two per byte, the first element in the low nibble (OpenVINO's u4 layout). */
export function packU4(levels: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(levels.length / 2));
  for (let i = 0; i < levels.length; i++) out[i >> 1] |= (levels[i] & 0x0f) << ((i & 1) * 4);
  return out;
}

/** The group size for a row of `cols` elements: the preferred one if it divides, else a smaller power of two ≥ 16. */
export function pickGroupSize(cols: number, preferred: number): number | undefined {
  for (let g = preferred; g >= 16; g /= 2) if (Number.isInteger(g) && cols % g === 0) return g;
  return undefined;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The decompression subgraph of a quantized [rows, cols] weight, ending in an f32 tensor of
 * `shape` (rows first). Group-wise weights are stored as [rows, groups, groupSize] and
 * reshaped back.
 */
export function emitCompressedWeight(
  b: IrGraphBuilder,
  name: string,
  q: QuantizedRows,
  shape: readonly number[],
): OvValue {
  const type = q.bits === 4 ? 'u4' : 'u8';
  const pack = (levels: Uint8Array): Uint8Array => (q.bits === 4 ? packU4(levels) : levels);
  const groups = q.cols / q.groupSize;
  const grouped = groups > 1;
  const storedShape = grouped ? [q.rows, groups, q.groupSize] : [...shape];
  const paramShape = grouped ? [q.rows, groups, 1] : [q.rows, ...shape.slice(1).map(() => 1)];
  const weight = b.constant(name, type, storedShape, pack(q.levels));
  const weightF32 = b.op('Convert', {
    name: `${name}/convert`,
    inputs: [weight],
    attrs: { destination_type: 'f32' },
    rtInfo: ['decompression'],
  })[0];
  const zero = b.constant(`${name}/zero_point`, type, paramShape, pack(q.zeroPoints));
  const zeroF32 = b.op('Convert', {
    name: `${name}/zero_point/convert`,
    inputs: [zero],
    attrs: { destination_type: 'f32' },
    rtInfo: ['decompression'],
  })[0];
  const centered = b.op('Subtract', {
    name: `${name}/zero_point/subtract`,
    inputs: [weightF32, zeroF32],
    attrs: { auto_broadcast: 'numpy' },
  })[0];
  const scale = b.constant(`${name}/scale`, 'f32', paramShape, bytesOf(q.scales));
  let out = b.op('Multiply', {
    name: `${name}/fq_weights`,
    inputs: [centered, scale],
    attrs: { auto_broadcast: 'numpy' },
  })[0];
  if (grouped) {
    const target = b.constant(
      `${name}/shape`,
      'i64',
      [shape.length],
      bytesOf(BigInt64Array.from(shape, (d) => BigInt(d))),
      [...shape],
    );
    out = b.op('Reshape', {
      name: `${name}/reshape`,
      inputs: [out, target],
      attrs: { special_zero: false },
    })[0];
  }
  return out;
}

/** Bits of the float16 nearest to float32 `bits` (ties to even; overflow → ±inf, NaN kept). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** f32 → f16 bits (round to nearest even); undefined when a finite value is beyond f16's range. */
export function toFloat16Bits(values: Float32Array): Uint16Array | undefined {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v > 65504 || v < -65504) && v !== Infinity && v !== -Infinity) return undefined;
    out[i] = float32BitsToFloat16Bits(bits[i]);
  }
  return out;
}

/** An f16 Const of `values` followed by a Convert to f32 marked as decompression (OpenVINO's fp16 IR). */
export function emitFloat16Constant(
  b: IrGraphBuilder,
  name: string,
  shape: readonly number[],
  bits: Uint16Array,
): OvValue {
  const c = b.constant(`${name}/compressed`, 'f16', shape, bytesOf(bits));
  return b.op('Convert', {
    name,
    inputs: [c],
    attrs: { destination_type: 'f32' },
    rtInfo: ['decompression'],
  })[0];
}
