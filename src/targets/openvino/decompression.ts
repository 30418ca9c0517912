// Writes a compressed weight (weight-patterns.ts) in the pattern OpenVINO's own weight
// compression writes and its CPU plugin runs as compressed weights: u8/i8/u4/i4 Const →
// Convert to f32 (marked "decompression") → Subtract(zero point Const → Convert) →
// Multiply(f32 scale Const). Per-channel weights keep their shape with [N, 1, …] scales;
// block-wise ones are stored [N, K/group, group] with [N, K/group, 1] scales and reshaped
// back (a last partial block is padded with its zero point and sliced off). The codes,
// scales and zero points are the transform's, byte for byte.
//   const w = new DecompressedWeight(builder, compressed);
//   matmul(x, w.columns(), transpose_b) | gather(w.natural(), ids)

import { packSubByte } from '../../onnx/tensor.js';
import type { IrGraphBuilder, OvValue } from './ir-graph.js';
import type { CompressedWeight } from './weight-patterns.js';

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Codes as the bytes of a Const of `element` (4-bit types two per byte, low nibble first). */
export function codeBytes(element: CompressedWeight['element'], values: Int16Array): Uint8Array {
  switch (element) {
    case 'u8':
      return Uint8Array.from(values);
    case 'i8':
      return bytesOf(Int8Array.from(values));
    case 'u4':
      return packSubByte(Uint8Array.from(values), 4);
    case 'i4':
      return packSubByte(Int8Array.from(values), 4);
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The f32 value of one compressed weight, in the layouts its consumers ask for (each written once). */
export class DecompressedWeight {
  private base?: { value: OvValue; layout: 'natural' | 'columns' | 'grouped' };
  private columnsValue?: OvValue;
  private naturalValue?: OvValue;

  constructor(
    private readonly b: IrGraphBuilder,
    readonly weight: CompressedWeight,
  ) {}

  /** [N, K]: the transpose of a MatMul's [K, N] weight, for MatMul with transpose_b. */
  columns(): OvValue {
    if (this.columnsValue) return this.columnsValue;
    const w = this.weight;
    const base = this.decompressed();
    let v = base.value;
    if (base.layout === 'grouped') {
      const span = w.blocks * w.blockSize;
      v = this.reshape(v, [w.N, span]);
      if (span > w.K) {
        v = this.b.op('Slice', {
          name: `${w.label}/slice`,
          inputs: [v, this.i64([0]), this.i64([w.K]), this.i64([1]), this.i64([1])],
        })[0];
      }
    } else if (base.layout === 'natural') {
      v = this.reshape(v, [w.N, w.K]);
    }
    this.columnsValue = v;
    return v;
  }

  /** The weight in its own layout (the ONNX value's dims). */
  natural(): OvValue {
    if (this.naturalValue) return this.naturalValue;
    const w = this.weight;
    const base = this.decompressed();
    let v: OvValue;
    if (base.layout === 'natural') v = base.value;
    else if (w.inner === 1 && (base.layout === 'columns' || w.blocks * w.blockSize === w.K))
      v = this.reshape(base.value, w.dims);
    else if (w.inner === 1) v = this.reshape(this.columns(), w.dims);
    else {
      const cols = this.columns();
      v =
        w.outer === 1
          ? this.transpose(cols, [1, 0])
          : this.transpose(this.reshape(cols, [w.outer, w.inner, w.K]), [0, 2, 1]);
      v = this.reshape(v, w.dims);
    }
    this.naturalValue = v;
    return v;
  }

  /**
   * The decompression subgraph: per-row weights in their own dims when rows lead ([N, …]
   * with [N, 1, …] scales) or as [N, K]; block-wise weights as [N, blocks, blockSize].
   */
  private decompressed(): { value: OvValue; layout: 'natural' | 'columns' | 'grouped' } {
    if (this.base) return this.base;
    const w = this.weight;
    if (w.blocks === 1) {
      const natural = w.inner === 1 && w.dims.length >= 1 && w.dims[0] === w.N;
      const stored = natural ? w.dims : [w.N, w.K];
      const params = stored.map((d, i) => (i === 0 ? d : 1));
      this.base = {
        value: this.dequantize(stored, w.codes, params),
        layout: natural ? 'natural' : 'columns',
      };
      return this.base;
    }
    const span = w.blocks * w.blockSize;
    let codes = w.codes;
    if (span > w.K) {
      // A last partial block: pad each column with its block's zero point (dequantizes to 0).
      codes = new Int16Array(w.N * span);
      for (let n = 0; n < w.N; n++) {
        codes.set(w.codes.subarray(n * w.K, (n + 1) * w.K), n * span);
        codes.fill(w.zeroPoints?.[(n + 1) * w.blocks - 1] ?? 0, n * span + w.K, (n + 1) * span);
      }
    }
    const stored = [w.N, w.blocks, w.blockSize];
    this.base = { value: this.dequantize(stored, codes, [w.N, w.blocks, 1]), layout: 'grouped' };
    return this.base;
  }

  private dequantize(stored: number[], codes: Int16Array, params: number[]): OvValue {
    const w = this.weight;
    const b = this.b;
    const convert = (v: OvValue, name: string): OvValue =>
      b.op('Convert', {
        name,
        inputs: [v],
        attrs: { destination_type: 'f32' },
        rtInfo: ['decompression'],
      })[0];
    let v = convert(
      b.constant(w.label, w.element, stored, codeBytes(w.element, codes)),
      `${w.label}/convert`,
    );
    if (w.zeroPoints) {
      const zp = b.constant(`${w.label}/zero_point`, w.element, params, codeBytes(w.element, w.zeroPoints));
      v = b.op('Subtract', {
        name: `${w.label}/zero_point/subtract`,
        inputs: [v, convert(zp, `${w.label}/zero_point/convert`)],
        attrs: { auto_broadcast: 'numpy' },
      })[0];
    }
    const scale = b.constant(`${w.label}/scale`, 'f32', params, bytesOf(w.scales).slice());
    return b.op('Multiply', {
      name: `${w.label}/fq_weights`,
      inputs: [v, scale],
      attrs: { auto_broadcast: 'numpy' },
    })[0];
  }

  private i64(values: number[]): OvValue {
    const bytes = bytesOf(BigInt64Array.from(values, (d) => BigInt(d)));
    return this.b.constant(`${this.weight.label}/const`, 'i64', [values.length], bytes, values);
  }

  private reshape(v: OvValue, dims: readonly number[]): OvValue {
    if (sameDims(v.shape, dims)) return v;
    return this.b.op('Reshape', {
      name: `${this.weight.label}/reshape`,
      inputs: [v, this.i64([...dims])],
      attrs: { special_zero: false },
    })[0];
  }

  private transpose(v: OvValue, perm: number[]): OvValue {
    return this.b.op('Transpose', { name: `${this.weight.label}/transpose`, inputs: [v, this.i64(perm)] })[0];
  }
}
