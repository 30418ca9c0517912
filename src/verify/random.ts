// Deterministic seeded random numbers for generated sample inputs: mulberry32 (32-bit
// state, integer arithmetic only), so a seed gives the same sequence on every platform.
//   const rng = new SeededRandom(42); rng.next(); rng.normal(); rng.int(0, 1000);

export class SeededRandom {
  private state: number;
  private spareNormal: number | null = null;

  /** Any number; it is reduced to 32 bits (42 and 42 + 2**32 give the same sequence). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`SeededRandom: seed ${seed} is not a finite number`);
    this.state = Math.trunc(seed) >>> 0;
  }

  /** Uniform in [0, 1), a multiple of 2**-32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Standard normal N(0, 1) by Box–Muller; the second value of each pair is kept for the next
   * call. Node's Math.log/sin/cos (fdlibm ports) give the same bits on every platform.
   */
  normal(): number {
    if (this.spareNormal !== null) {
      const spare = this.spareNormal;
      this.spareNormal = null;
      return spare;
    }
    const u1 = 1 - this.next(); // (0, 1]: log stays finite
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Uniform integer in [lo, hiExclusive); ranges wider than 2**32 reach only 2**32 distinct values. */
  int(lo: number, hiExclusive: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hiExclusive) || hiExclusive <= lo) {
      throw new Error(`SeededRandom.int: [${lo}, ${hiExclusive}) is not a non-empty integer range`);
    }
    return lo + Math.floor(this.next() * (hiExclusive - lo));
  }
}
