// Bound once at load: inside a vm sandbox (jest) every global lookup such as `Math.imul` goes
// through an interceptor and costs ~40x in a hot loop; a module constant is free everywhere.
const imul = Math.imul;
const floor = Math.floor;

/**
 * A small seeded PRNG (xoshiro128**, Blackman & Vigna) so that a forest is a pure function of
 * (rows, options, seed): reviewers can retrain and get byte-identical model files, and tests are
 * reproducible. Math.random cannot be seeded, which is why ml-isolation-forest cannot be either.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    // Spread the seed over the 128-bit state with an avalanche mix, so that nearby seeds
    // (0, 1, 2, ...) give unrelated streams and the state is never all zero.
    const lo = seed >>> 0;
    const hi = floor(seed / 4294967296) >>> 0;
    this.s0 = mix32(lo ^ 0x9e3779b9);
    this.s1 = mix32(hi ^ 0x85ebca6b);
    this.s2 = mix32(lo + 0xc2b2ae35);
    this.s3 = mix32(hi + 0x27d4eb2f) | 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = imul(rotl(imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [0, n); n is small here (feature counts, row counts), so modulo bias is nil. */
  nextInt(n: number): number {
    return floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function mix32(x: number): number {
  let h = x >>> 0;
  h = imul(h ^ (h >>> 16), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
