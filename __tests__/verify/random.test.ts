import { SeededRandom } from '../../src/verify/random.js';

describe('SeededRandom', () => {
  test('matches the reference mulberry32 sequence (computed with uint32 arithmetic in Python)', () => {
    const rng = new SeededRandom(42);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
    const zero = new SeededRandom(0);
    expect([zero.next(), zero.next()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  test('the same seed gives the same sequence of uniforms, normals and ints; another seed differs', () => {
    const draw = (seed: number) => {
      const rng = new SeededRandom(seed);
      return Array.from({ length: 20 }, (_, i) =>
        i % 3 === 0 ? rng.next() : i % 3 === 1 ? rng.normal() : rng.int(0, 100),
      );
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  test('seeds are reduced to 32 bits', () => {
    expect(new SeededRandom(42 + 2 ** 32).next()).toBe(0.6011037519201636);
  });

  test('next() stays in [0, 1)', () => {
    const rng = new SeededRandom(3);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10000; i++) {
      const v = rng.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  test('10000 normals have mean within 0.05 of 0 and std within 0.05 of 1', () => {
    const rng = new SeededRandom(1234);
    const n = 10000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      sum += v;
      sumSquares += v * v;
    }
    const mean = sum / n;
    const std = Math.sqrt(sumSquares / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  test('int(lo, hi) stays in [lo, hi) and reaches both ends', () => {
    const rng = new SeededRandom(99);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(rng.int(-2, 3));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  test('int rejects an empty or non-integer range', () => {
    const rng = new SeededRandom(1);
    expect(() => rng.int(5, 5)).toThrow('SeededRandom.int: [5, 5) is not a non-empty integer range');
    expect(() => rng.int(0, 1.5)).toThrow('SeededRandom.int: [0, 1.5) is not a non-empty integer range');
  });

  test('a non-finite seed is rejected', () => {
    expect(() => new SeededRandom(NaN)).toThrow('SeededRandom: seed NaN is not a finite number');
  });
});
