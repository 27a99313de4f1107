/**
 * A numpy-compatible generator: MT19937 with the seeding and the draw algorithms of numpy's
 * legacy `np.random.RandomState`, so ports of numpy reference code match published data seed for
 * seed.
 *
 * @module
 */
import { boundedInt, type Rng } from "./random.ts";

const N = 624;
const M = 397;

/**
 * numpy's legacy `RandomState` (`np.random.seed(int)`, `rand`, `randn`, `uniform`, `randint`,
 * `shuffle`, `permutation`), drawn in numpy's exact order.
 *
 * @example The values numpy prints
 * ```ts
 * import { NumpyRandomState } from "@plasticity/core";
 * const np = new NumpyRandomState(0);
 * console.assert(Math.abs(np.rand() - 0.5488135) < 1e-7);
 * ```
 */
export class NumpyRandomState implements Rng {
  #mt = new Uint32Array(N);
  #pos = N;
  #gauss = 0;
  #hasGauss = false;

  /**
   * Seeds like `np.random.seed(seed)`.
   *
   * @param seed An integer in [0, 2³² − 1].
   */
  constructor(seed: number) {
    this.seed(seed);
  }

  /**
   * Re-seeds like `np.random.seed(seed)` (Knuth's initialiser, as numpy's legacy seeding of an int).
   *
   * @param seed An integer in [0, 2³² − 1].
   */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
      throw new Error(
        `Invalid numpy seed ${JSON.stringify(seed)}: expected an integer in [0, 2^32 - 1]`,
      );
    }
    const mt = this.#mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, computed in two 16-bit halves.
      mt[i] =
        (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 +
          i) >>> 0;
    }
    this.#pos = N;
    this.#hasGauss = false;
    this.#gauss = 0;
  }

  #generate(): void {
    const mt = this.#mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.#pos = 0;
  }

  /** The next raw 32-bit output (numpy's `next_uint32`). */
  nextUint32(): number {
    if (this.#pos === N) this.#generate();
    let y = this.#mt[this.#pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random_sample()`: a 53-bit uniform double in [0, 1). */
  rand(): number {
    const a = this.nextUint32() >>> 5, b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Same as {@linkcode NumpyRandomState.rand}. */
  next(): number {
    return this.rand();
  }

  /** `np.random.randn()`: the legacy polar method, which caches its second value. */
  randn(): number {
    if (this.#hasGauss) {
      this.#hasGauss = false;
      return this.#gauss;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.rand() - 1;
      x2 = 2 * this.rand() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt(-2 * Math.log(r2) / r2);
    this.#gauss = f * x1;
    this.#hasGauss = true;
    return f * x2;
  }

  /** Same as {@linkcode NumpyRandomState.randn}. */
  normal(): number {
    return this.randn();
  }

  /**
   * `np.random.uniform(low, high)`.
   *
   * @param low Lower bound.
   * @param high Upper bound.
   * @returns `low + (high − low) · rand()`.
   */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.rand();
  }

  /**
   * `np.random.randint(low, high)` for ranges below 2³²: masked rejection sampling.
   *
   * @param low Inclusive lower bound.
   * @param high Exclusive upper bound.
   * @returns An integer in [low, high).
   */
  randint(low: number, high: number): number {
    if (!(high > low)) {
      throw new Error(`Invalid randint range [${low}, ${high}): expected low < high`);
    }
    return low + boundedInt(high - low, () => this.nextUint32());
  }

  int(n: number): number {
    return boundedInt(n, () => this.nextUint32());
  }

  /**
   * `np.random.shuffle(a)` for a 1-D array: in place, numpy's draw order.
   *
   * @param a The array.
   * @returns `a`.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = boundedInt(i + 1, () => this.nextUint32());
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /**
   * `np.random.permutation(n)`.
   *
   * @param n Length.
   * @returns A shuffled 0..n-1.
   */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
