// Covers src/quantize/blockwise.ts: exact codes, scales and zero points for blocks that sit on
// a quantization grid (asymmetric and symmetric; 2, 3, 4 and 8 bits; K not a multiple of the
// block size; all-zero blocks), the clipping search + least-squares refit never doing worse
// than round-to-nearest on any block (Gaussian and outlier blocks), toColumns/fromColumns
// for 2-D and 4-D (conv) layouts, and byte-identical results for identical inputs.

import { createHash } from 'node:crypto';
import {
  dequantizeColumns,
  fromColumns,
  quantizeAlongAxis,
  quantizeColumns,
  toColumns,
  type BlockQuantized,
  type BlockQuantOptions,
} from '../../src/quantize/blockwise.js';
import { SeededRandom } from '../../src/verify/random.js';

function opts(
  K: number,
  N: number,
  bits: number,
  blockSize: number,
  symmetric: boolean,
  search: boolean,
): BlockQuantOptions {
  return { K, N, bits, blockSize, symmetric, search };
}

/** Float32 column data from plain numbers. */
function f32(values: number[]): Float32Array {
  return Float32Array.from(values);
}

function range(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** Squared reconstruction error of each block (float64 over the float32 values). */
function blockErrors(columns: Float32Array, q: BlockQuantized): number[] {
  const deq = dequantizeColumns(q);
  const out = new Array<number>(q.N * q.blocks).fill(0);
  for (let n = 0; n < q.N; n++) {
    for (let k = 0; k < q.K; k++) {
      const d = columns[n * q.K + k] - deq[n * q.K + k];
      out[n * q.blocks + Math.floor(k / q.blockSize)] += d * d;
    }
  }
  return out;
}

function gaussianColumns(rng: SeededRandom, count: number, outlierEvery = 0): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++)
    out[i] = rng.normal() * (outlierEvery > 0 && i % outlierEvery === 7 ? 12 : 1);
  return out;
}

function digest(q: BlockQuantized): string {
  const h = createHash('sha256');
  h.update(q.codes);
  h.update(new Uint8Array(q.scales.buffer));
  h.update(q.zeroPoints);
  return h.digest('hex');
}

describe('values on the quantization grid are encoded exactly', () => {
  // Each case: the block's values, the bits and symmetry, and the one (scale, zp, codes)
  // that reproduces it without error. The search must keep that exact fit.
  const cases: {
    name: string;
    values: number[];
    bits: number;
    symmetric: boolean;
    scale: number;
    zp: number;
    codes: number[];
  }[] = [
    {
      name: '4-bit asymmetric, [-1, 2.75] in steps of 0.25',
      values: range(16, (k) => k * 0.25 - 1),
      bits: 4,
      symmetric: false,
      scale: 0.25,
      zp: 4,
      codes: range(16, (k) => k),
    },
    {
      name: '4-bit symmetric, negative peak −4 maps to code 0',
      values: range(16, (k) => (k - 8) * 0.5),
      bits: 4,
      symmetric: true,
      scale: 0.5,
      zp: 8,
      codes: range(16, (k) => k),
    },
    {
      name: '2-bit asymmetric, {-2, 0, 2, 4}',
      values: [-2, 0, 2, 4],
      bits: 2,
      symmetric: false,
      scale: 2,
      zp: 1,
      codes: [0, 1, 2, 3],
    },
    {
      name: '2-bit symmetric, {-2, -1, 0, 1}·0.5',
      values: [-1, -0.5, 0, 0.5],
      bits: 2,
      symmetric: true,
      scale: 0.5,
      zp: 2,
      codes: [0, 1, 2, 3],
    },
    {
      name: '3-bit asymmetric, -3..4',
      values: range(8, (k) => k - 3),
      bits: 3,
      symmetric: false,
      scale: 1,
      zp: 3,
      codes: range(8, (k) => k),
    },
    {
      name: '3-bit symmetric, -4..3 · 0.125',
      values: range(8, (k) => (k - 4) * 0.125),
      bits: 3,
      symmetric: true,
      scale: 0.125,
      zp: 4,
      codes: range(8, (k) => k),
    },
    {
      name: '8-bit asymmetric, 0..63.75 in steps of 0.25',
      values: range(256, (k) => k * 0.25),
      bits: 8,
      symmetric: false,
      scale: 0.25,
      zp: 0,
      codes: range(256, (k) => k),
    },
    {
      name: '8-bit symmetric, -128..127 · 2^-6',
      values: range(256, (k) => (k - 128) / 64),
      bits: 8,
      symmetric: true,
      scale: 1 / 64,
      zp: 128,
      codes: range(256, (k) => k),
    },
  ];
  for (const c of cases) {
    test(`${c.name}: scale ${c.scale}, zero point ${c.zp}, codes exact, with and without search`, () => {
      for (const search of [false, true]) {
        const K = c.values.length;
        const q = quantizeColumns(f32(c.values), opts(K, 1, c.bits, K, c.symmetric, search));
        expect([search, q.blocks, q.scales[0], q.zeroPoints[0]]).toEqual([search, 1, c.scale, c.zp]);
        expect(Array.from(q.codes)).toEqual(c.codes);
        expect(Array.from(dequantizeColumns(q))).toEqual(c.values);
      }
    });
  }

  test('symmetric 4-bit with a positive peak: scale = peak / 7, codes around 8', () => {
    const q = quantizeColumns(f32([0.7, -0.1, 0.3, 0]), opts(4, 1, 4, 4, true, false));
    expect(q.scales[0]).toBe(Math.fround(Math.fround(0.7) / 7));
    expect(q.zeroPoints[0]).toBe(8);
    expect(Array.from(q.codes)).toEqual([15, 7, 11, 8]);
  });

  test('K = 40 with blocks of 32: two blocks per column, the 8-value tail has its own scale', () => {
    // Column 0: block 0 = sixteen 0.25 steps twice (scale 0.25, zp 4); block 1 = 8 values
    // on a grid of 1 from -3 (scale 1, zp 3). Column 1: zeros (scale 0, zp 0, codes 0).
    const col0 = [...range(32, (k) => (k % 16) * 0.25 - 1), -3, 0, 3, 6, 9, 12, 0, 0];
    const data = f32([...col0, ...range(40, () => 0)]);
    for (const search of [false, true]) {
      const q = quantizeColumns(data, opts(40, 2, 4, 32, false, search));
      expect(q.blocks).toBe(2);
      expect(Array.from(q.scales)).toEqual([0.25, 1, 0, 0]);
      expect(Array.from(q.zeroPoints)).toEqual([4, 3, 0, 0]);
      expect(q.codes.length).toBe(80);
      expect(Array.from(q.codes.subarray(0, 40))).toEqual([
        ...range(32, (k) => k % 16),
        0,
        3,
        6,
        9,
        12,
        15,
        3,
        3,
      ]);
      expect(Array.from(q.codes.subarray(40))).toEqual(range(40, () => 0));
      expect(Array.from(dequantizeColumns(q))).toEqual(Array.from(data));
    }
  });

  test('an all-zero block gets scale 0 and the symmetric midpoint as zero point, and decodes to zeros', () => {
    const q = quantizeColumns(new Float32Array(32), opts(32, 1, 4, 32, true, true));
    expect([q.scales[0], q.zeroPoints[0]]).toEqual([0, 8]);
    expect(Array.from(q.codes)).toEqual(range(32, () => 8));
    expect(Array.from(dequantizeColumns(q))).toEqual(range(32, () => 0));
  });
});

describe('the clipping search never does worse than round-to-nearest', () => {
  // 48 columns × 256 values, blocks of 32 (384 blocks per case), seeded. The ratios are the
  // search's total squared error over RTN's, measured: Gaussian asym 0.681 / 0.869 / 0.931 /
  // 0.955 (2/3/4/8 bits), Gaussian sym 0.504 / 0.793 / 0.899 / 0.947, one ×12 outlier per
  // block asym 0.846 / 0.940 / 0.957 / 0.970, sym 0.892 / 0.936 / 0.961 / 0.994.
  const K = 256;
  const N = 48;
  const cases: { outliers: boolean; symmetric: boolean; ratios: number[] }[] = [
    { outliers: false, symmetric: false, ratios: [0.7, 0.89, 0.94, 0.97] },
    { outliers: false, symmetric: true, ratios: [0.52, 0.8, 0.91, 0.96] },
    { outliers: true, symmetric: false, ratios: [0.87, 0.96, 0.97, 0.985] },
    { outliers: true, symmetric: true, ratios: [0.91, 0.95, 0.975, 0.999] },
  ];
  for (const { outliers, symmetric, ratios } of cases) {
    const kind = `${outliers ? 'outlier' : 'Gaussian'} blocks, ${symmetric ? 'symmetric' : 'asymmetric'}`;
    test(`${kind}: no block's error above RTN's; totals ≤ ${ratios.join(' / ')} of RTN at 2/3/4/8 bits`, () => {
      [2, 3, 4, 8].forEach((bits, i) => {
        const data = gaussianColumns(new SeededRandom(1000 + bits), K * N, outliers ? 32 : 0);
        const rtn = blockErrors(data, quantizeColumns(data, opts(K, N, bits, 32, symmetric, false)));
        const mse = blockErrors(data, quantizeColumns(data, opts(K, N, bits, 32, symmetric, true)));
        // The search scores candidates in float64; the runtime reconstructs in float32, whose
        // rounding moves an 8-bit block's error by up to ~1e-5 of itself: allow 1e-4.
        const worse = mse.filter((e, b) => e > rtn[b] * (1 + 1e-4)).length;
        const ratio = mse.reduce((a, b) => a + b) / rtn.reduce((a, b) => a + b);
        expect([bits, worse]).toEqual([bits, 0]);
        expect(ratio).toBeLessThanOrEqual(ratios[i]);
      });
    });
  }
});

describe('toColumns / fromColumns', () => {
  test('2-D [K=3, N=4] along axis 0: column n holds W[:, n]; fromColumns restores the layout', () => {
    const w = f32(range(12, (i) => i)); // W[k][n] = 4k + n
    const cols = toColumns(w, [3, 4], 0);
    expect(Array.from(cols)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(Array.from(fromColumns(cols, [3, 4], 0))).toEqual(Array.from(w));
  });

  test('2-D [N=4, K=3] along axis 1 (Gemm transB, Gather tables): columns are the rows, unchanged', () => {
    const w = f32(range(12, (i) => i * 0.5));
    expect(Array.from(toColumns(w, [4, 3], 1))).toEqual(Array.from(w));
    expect(Array.from(fromColumns(w, [4, 3], 1))).toEqual(Array.from(w));
  });

  test('4-D conv [O=2, I=3, kh=2, kw=2] along axis 1: column o·4 + (y·2 + x) holds W[o, :, y, x]', () => {
    const dims = [2, 3, 2, 2];
    const w = f32(range(24, (i) => i + 0.25));
    const cols = toColumns(w, dims, 1);
    const at = (o: number, i: number, y: number, x: number): number => w[((o * 3 + i) * 2 + y) * 2 + x];
    for (let o = 0; o < 2; o++)
      for (let y = 0; y < 2; y++)
        for (let x = 0; x < 2; x++)
          for (let i = 0; i < 3; i++) expect(cols[(o * 4 + y * 2 + x) * 3 + i]).toBe(at(o, i, y, x));
    expect(Array.from(fromColumns(cols, dims, 1))).toEqual(Array.from(w));
  });

  test('codes (Uint8Array) come back as Uint8Array in the weight layout', () => {
    const codes = Uint8Array.from(range(24, (i) => i));
    const columns = Uint8Array.from(toColumns(Float32Array.from(codes), [2, 3, 2, 2], 1));
    const back = fromColumns(columns, [2, 3, 2, 2], 1);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Array.from(back)).toEqual(Array.from(codes));
  });
});

describe('quantizeAlongAxis', () => {
  const cases: { dims: number[]; axis: number }[] = [
    { dims: [70, 45], axis: 0 }, // inner 45: two full 16-column gathers and a partial one
    { dims: [45, 70], axis: 1 }, // the axis is innermost: read in place
    { dims: [6, 4, 3, 3], axis: 1 }, // conv: inner 9
    { dims: [3, 40, 5], axis: 1 },
  ];
  for (const { dims, axis } of cases) {
    test(`[${dims.join(', ')}] along axis ${axis}: byte-identical to quantizeColumns(toColumns(…))`, () => {
      const data = gaussianColumns(
        new SeededRandom(dims.length * 100 + axis),
        dims.reduce((a, b) => a * b),
        29,
      );
      const K = dims[axis];
      const o = opts(K, data.length / K, 3, 32, false, true);
      const direct = quantizeAlongAxis(data, dims, axis, o);
      const viaCopy = quantizeColumns(toColumns(data, dims, axis), o);
      expect(digest(direct)).toBe(digest(viaCopy));
      // toColumns / fromColumns round trip across the 32×32 tiles.
      expect(Array.from(fromColumns(toColumns(data, dims, axis), dims, axis))).toEqual(Array.from(data));
    });
  }

  test('dims that do not match K and N are refused', () => {
    expect(() => quantizeAlongAxis(new Float32Array(12), [3, 4], 0, opts(4, 3, 4, 32, false, true))).toThrow(
      'quantizeAlongAxis: dims [3, 4] do not match K 4, N 3',
    );
  });
});

describe('determinism', () => {
  test('the same values (in separate buffers) give byte-identical codes, scales and zero points', () => {
    const a = gaussianColumns(new SeededRandom(7), 200 * 24, 32);
    const b = Float32Array.from(a);
    for (const bits of [2, 3, 4, 8]) {
      for (const symmetric of [false, true]) {
        const o = opts(200, 24, bits, 32, symmetric, true);
        const qa = quantizeColumns(a, o);
        const qb = quantizeColumns(b, o);
        expect(Buffer.compare(Buffer.from(qa.codes), Buffer.from(qb.codes))).toBe(0);
        expect(digest(qa)).toBe(digest(qb));
      }
    }
  });
});
