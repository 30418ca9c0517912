import type { DType, HostTensor } from '../../src/onnx/dtype.js';
import { compareTensors, toFloat64, worstMetrics } from '../../src/verify/metrics.js';
import type { Metrics } from '../../src/verify/types.js';

const f32 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
const f64 = (dims: number[], values: number[]): HostTensor => ({
  dtype: 'float64',
  dims,
  data: Float64Array.from(values),
});
const bits = (dtype: DType, values: number[]): HostTensor => ({
  dtype,
  dims: [values.length],
  data: Uint16Array.from(values),
});

describe('compareTensors', () => {
  test('r=[3,4], c=[3,4.5]: every metric by hand', () => {
    const m = compareTensors(f32([2], [3, 4]), f32([2], [3, 4.5]));
    expect(m.max_abs).toBe(0.5);
    expect(m.mean_abs).toBe(0.25);
    expect(m.rel_l2).toBeCloseTo(0.1, 15); // ‖(0,-0.5)‖ / ‖(3,4)‖ = 0.5 / 5
    expect(m.cosine).toBeCloseTo(27 / (5 * Math.sqrt(29.25)), 15); // 0.99846…
    expect(m.snr_db).toBeCloseTo(20, 12); // 20·log10(5 / 0.5)
    expect(m.top1_agree).toBeNull();
    expect(m.nan).toBe(0);
    expect(m.inf).toBe(0);
  });

  test('identical tensors: zero errors, cosine 1, snr clamped to 300', () => {
    const m = compareTensors(f32([2, 2], [1, -2, 3, 0.5]), f32([2, 2], [1, -2, 3, 0.5]));
    expect(m).toEqual({
      max_abs: 0,
      mean_abs: 0,
      rel_l2: 0,
      cosine: 1,
      snr_db: 300,
      top1_agree: 1,
      nan: 0,
      inf: 0,
    });
  });

  test('opposite vectors: cosine -1, rel_l2 2, snr -6.02 dB', () => {
    const m = compareTensors(f64([2], [1, 2]), f64([2], [-1, -2]));
    expect(m.cosine).toBeCloseTo(-1, 15);
    expect(m.rel_l2).toBeCloseTo(2, 15);
    expect(m.snr_db).toBeCloseTo(20 * Math.log10(0.5), 12);
  });

  test('an all-zero reference makes rel_l2 absolute, cosine 0 and snr -300', () => {
    const m = compareTensors(f32([2], [0, 0]), f32([2], [0.3, 0.4]));
    expect(m.rel_l2).toBeCloseTo(0.5, 7);
    expect(m.cosine).toBe(0);
    expect(m.snr_db).toBe(-300);
  });

  test('an all-zero candidate against a non-zero reference gives cosine 0; both zero give cosine 1', () => {
    expect(compareTensors(f32([2], [1, 2]), f32([2], [0, 0])).cosine).toBe(0);
    const zeros = compareTensors(f32([2], [0, 0]), f32([2], [0, 0]));
    expect([zeros.cosine, zeros.rel_l2, zeros.snr_db]).toEqual([1, 0, 300]);
  });

  test('top1_agree on a [2,3] tensor with one row disagreeing is 0.5', () => {
    const m = compareTensors(f32([2, 3], [1, 2, 3, 3, 2, 1]), f32([2, 3], [1, 2, 3, 1, 2, 3]));
    expect(m.top1_agree).toBe(0.5);
  });

  test('top1 ties go to the first index', () => {
    // reference argmax: index 0 (first of the tied 2s); candidate argmax: index 1
    expect(compareTensors(f32([1, 3], [2, 2, 1]), f32([1, 3], [1, 2, 2])).top1_agree).toBe(0);
    // both tie between 1 and 2: index 1 for each
    expect(compareTensors(f32([1, 3], [0, 5, 5]), f32([1, 3], [0, 4, 4])).top1_agree).toBe(1);
  });

  test('top1_agree is null for rank 1 and for a last dim of 1', () => {
    expect(compareTensors(f32([3], [1, 2, 3]), f32([3], [1, 2, 3])).top1_agree).toBeNull();
    expect(compareTensors(f32([3, 1], [1, 2, 3]), f32([3, 1], [1, 2, 3])).top1_agree).toBeNull();
  });

  test('NaN and Inf in the candidate are counted and left out of the numeric metrics', () => {
    const m = compareTensors(f32([4], [1, 2, 3, 4]), f32([4], [NaN, Infinity, 3, 4.5]));
    expect(m.nan).toBe(1);
    expect(m.inf).toBe(1);
    expect(m.max_abs).toBe(0.5);
    expect(m.mean_abs).toBe(0.25); // over the two finite pairs only
    expect(m.rel_l2).toBeCloseTo(0.1, 15);
  });

  test('NaN/Inf in the reference matched by the candidate are excluded from everything', () => {
    const m = compareTensors(
      f32([4], [NaN, Infinity, -Infinity, 2]),
      f32([4], [NaN, Infinity, -Infinity, 2]),
    );
    expect(m).toEqual({
      max_abs: 0,
      mean_abs: 0,
      rel_l2: 0,
      cosine: 1,
      snr_db: 300,
      top1_agree: null,
      nan: 0,
      inf: 0,
    });
  });

  test('a candidate that differs where the reference is NaN/Inf counts as nan/inf', () => {
    // NaN ref vs 0 → nan; +Inf ref vs -Inf → inf; -Inf ref vs 5 → inf; +Inf ref vs NaN → nan
    const m = compareTensors(
      f32([5], [NaN, Infinity, -Infinity, Infinity, 2]),
      f32([5], [0, -Infinity, 5, NaN, 2]),
    );
    expect(m.nan).toBe(2);
    expect(m.inf).toBe(2);
    expect(m.max_abs).toBe(0);
  });

  test('a float16 candidate (bits) is compared by value', () => {
    // 0x3c00 = 1, 0x4000 = 2, 0x3800 = 0.5, 0x4233 = 3.099609375
    const m = compareTensors(f32([4], [1, 2, 0.5, 3.1]), bits('float16', [0x3c00, 0x4000, 0x3800, 0x4233]));
    expect(m.max_abs).toBeCloseTo(Math.abs(Math.fround(3.1) - 3.099609375), 12);
    expect(m.nan).toBe(0);
  });

  test('int64 tensors compare through Number', () => {
    const reference: HostTensor = { dtype: 'int64', dims: [2], data: BigInt64Array.from([1n, 2n]) };
    const m = compareTensors(reference, f32([2], [1, 2.5]));
    expect(m.max_abs).toBe(0.5);
    expect(m.mean_abs).toBe(0.25);
  });

  test('results stay finite where float64 values overflow or underflow when squared', () => {
    const huge = compareTensors(f64([2], [1e308, -1e308]), f64([2], [-1e308, 1e308]));
    expect(huge.max_abs).toBe(Number.MAX_VALUE); // |2e308| overflows
    expect(huge.rel_l2).toBeCloseTo(2, 12);
    expect(huge.cosine).toBeCloseTo(-1, 12);
    expect(Object.values(huge).filter((v) => v !== null && !Number.isFinite(v))).toEqual([]);
    const tiny = compareTensors(f64([2], [3e-200, 4e-200]), f64([2], [3e-200, 4.5e-200]));
    expect(tiny.rel_l2).toBeCloseTo(0.1, 12);
    expect(tiny.cosine).toBeCloseTo(27 / (5 * Math.sqrt(29.25)), 12);
  });

  test('an empty tensor gives zero errors, cosine 1, snr 300, top1 null', () => {
    const m = compareTensors(f32([0, 5], []), f32([0, 5], []));
    expect(m).toEqual({
      max_abs: 0,
      mean_abs: 0,
      rel_l2: 0,
      cosine: 1,
      snr_db: 300,
      top1_agree: null,
      nan: 0,
      inf: 0,
    });
  });

  test('different dims throw a message naming both shapes', () => {
    expect(() => compareTensors(f32([3, 2], [1, 2, 3, 4, 5, 6]), f32([2, 3], [1, 2, 3, 4, 5, 6]))).toThrow(
      'shape [2,3] differs from the reference [3,2]',
    );
    expect(() => compareTensors(f32([2], [1, 2]), f32([2, 1], [1, 2]))).toThrow(
      'shape [2,1] differs from the reference [2]',
    );
  });
});

describe('toFloat64', () => {
  test('decodes float16 bits including Inf and NaN', () => {
    expect(Array.from(toFloat64(bits('float16', [0x3c00, 0xc000, 0x7c00, 0x7e00, 0x0001])))).toEqual([
      1,
      -2,
      Infinity,
      NaN,
      2 ** -24,
    ]);
  });

  test('decodes bfloat16 bits as the top half of a float32', () => {
    expect(Array.from(toFloat64(bits('bfloat16', [0x3f80, 0xc040, 0x4049])))).toEqual([1, -3, 3.140625]);
  });

  test('converts int64, uint64 and bool', () => {
    expect(
      Array.from(toFloat64({ dtype: 'int64', dims: [3], data: BigInt64Array.from([1n, -2n, 2n ** 53n]) })),
    ).toEqual([1, -2, 9007199254740992]);
    expect(
      Array.from(toFloat64({ dtype: 'uint64', dims: [1], data: BigUint64Array.from([2n ** 64n - 1n]) })),
    ).toEqual([18446744073709551616]);
    expect(Array.from(toFloat64({ dtype: 'bool', dims: [2], data: Uint8Array.from([1, 0]) }))).toEqual([
      1, 0,
    ]);
  });

  test('string tensors throw', () => {
    expect(() => toFloat64({ dtype: 'string', dims: [1], data: ['a'] })).toThrow(
      'toFloat64: a string tensor cannot be compared numerically',
    );
  });
});

describe('worstMetrics', () => {
  const base: Metrics = {
    max_abs: 0.1,
    mean_abs: 0.01,
    rel_l2: 0.02,
    cosine: 0.999,
    snr_db: 40,
    top1_agree: null,
    nan: 0,
    inf: 1,
  };

  test('takes the max of error metrics and the min of agreement metrics, ignoring null top1', () => {
    const other: Metrics = {
      max_abs: 0.05,
      mean_abs: 0.03,
      rel_l2: 0.01,
      cosine: 0.99,
      snr_db: 45,
      top1_agree: 0.75,
      nan: 2,
      inf: 0,
    };
    const third: Metrics = { ...base, top1_agree: 0.9 };
    expect(worstMetrics([base, other, third])).toEqual({
      max_abs: 0.1,
      mean_abs: 0.03,
      rel_l2: 0.02,
      cosine: 0.99,
      snr_db: 40,
      top1_agree: 0.75,
      nan: 2,
      inf: 1,
    });
  });

  test('top1 stays null when every entry is null; an empty list gives perfect metrics', () => {
    expect(worstMetrics([base, base]).top1_agree).toBeNull();
    expect(worstMetrics([])).toEqual({
      max_abs: 0,
      mean_abs: 0,
      rel_l2: 0,
      cosine: 1,
      snr_db: 300,
      top1_agree: null,
      nan: 0,
      inf: 0,
    });
  });

  test('negative cosine and snr are kept as the worst', () => {
    expect(worstMetrics([base, { ...base, cosine: -0.5, snr_db: -10 }])).toMatchObject({
      cosine: -0.5,
      snr_db: -10,
    });
  });
});
