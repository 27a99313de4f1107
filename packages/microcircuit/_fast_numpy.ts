// A numpy-legacy-compatible MT19937 stream specialised for the step loop: the same outputs as
// core's NumpyRandomState (seeding, 53-bit doubles, polar Gaussians with the cached second value,
// masked-rejection intervals for shuffle), with the tempering and the double construction inlined
// so that one Gaussian costs a few nanoseconds. Checked against NumpyRandomState in
// _fast_numpy_test.ts.

/** The state of a {@link FastNumpyStream}, plain data for a checkpoint. */
export interface NumpyStreamState {
  /** The 624 key words (unsigned). */
  key: number[];
  /** Position in the key. */
  pos: number;
  /** Cached second Gaussian. */
  gauss: number;
  /** Whether `gauss` is pending. */
  hasGauss: boolean;
}

const N = 624;
const M = 397;
const TWO_M52 = 2.220446049250313e-16; // 2⁻⁵²

export class FastNumpyStream {
  private mt = new Int32Array(N);
  private pos = N;
  private gauss = 0;
  private hasGauss = false;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 4294967295) {
      throw new Error(
        `Invalid numpy seed ${JSON.stringify(seed)}: expected an integer in [0, 2^32 - 1]`,
      );
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = (Math.imul(prev, 1812433253) + i) >>> 0;
    }
  }

  private generate(): void {
    const mt = this.mt;
    let kk = 0, y = 0;
    for (; kk < N - M; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.pos = 0;
  }

  next32(): number {
    if (this.pos === N) this.generate();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** The full generator state (key as unsigned words, position, cached Gaussian), copied. */
  getState(): NumpyStreamState {
    return {
      key: Array.from(this.mt, (x) => x >>> 0),
      pos: this.pos,
      gauss: this.gauss,
      hasGauss: this.hasGauss,
    };
  }

  /** Restores a state from {@link getState}. */
  setState(state: NumpyStreamState): void {
    if (state.key.length !== N || !(state.pos >= 0 && state.pos <= N)) {
      throw new Error(
        `Invalid MT19937 state: expected ${N} key words and a position in [0, ${N}], got ${state.key.length} words at ${state.pos}`,
      );
    }
    for (let i = 0; i < N; i++) this.mt[i] = state.key[i]! | 0;
    this.pos = state.pos;
    this.gauss = state.gauss;
    this.hasGauss = state.hasGauss;
  }

  /** numpy `random_sample()`. */
  rand(): number {
    const a = this.next32() >>> 5, b = this.next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** numpy `uniform(low, high)`. */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.rand();
  }

  /** numpy legacy Gaussian (polar method, second value cached). */
  normal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1 = 0, x2 = 0, r2 = 0;
    do {
      x1 = 2 * this.rand() - 1;
      x2 = 2 * this.rand() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt(-2 * Math.log(r2) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * Fills `out[0..n)` with Gaussians, exactly as n calls of {@link normal}, with the generator
   * inlined (the hot path of the PAL noise).
   */
  fillNormal(out: Float64Array, n: number): void {
    const mt = this.mt;
    let pos = this.pos, i = 0;
    if (n > 0 && this.hasGauss) {
      out[i++] = this.gauss;
      this.hasGauss = false;
    }
    while (i < n) {
      let x1 = 0, x2 = 0, r2 = 0;
      do {
        // four tempered 32-bit outputs → two 53-bit doubles, x = 2·(a·2²⁶ + b)/2⁵³ − 1 computed
        // as (a·2²⁶ + b)·2⁻⁵² − 1 (the same double: every step is exact up to the final subtraction)
        let a = 0, b = 0, y = 0;
        if (pos > N - 4) {
          // near the end of the block: refill between outputs as the single draws do
          if (pos === N) (this.pos = pos, this.generate(), pos = 0);
          y = mt[pos++]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          y ^= y >>> 18;
          a = y >>> 5;
          if (pos === N) (this.pos = pos, this.generate(), pos = 0);
          y = mt[pos++]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          y ^= y >>> 18;
          b = y >>> 6;
          x1 = (a * 67108864 + b) * TWO_M52 - 1;
          if (pos === N) (this.pos = pos, this.generate(), pos = 0);
          y = mt[pos++]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          y ^= y >>> 18;
          a = y >>> 5;
          if (pos === N) (this.pos = pos, this.generate(), pos = 0);
          y = mt[pos++]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          y ^= y >>> 18;
          b = y >>> 6;
          x2 = (a * 67108864 + b) * TWO_M52 - 1;
        } else {
          y = mt[pos]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          a = (y ^ (y >>> 18)) >>> 5;
          y = mt[pos + 1]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          b = (y ^ (y >>> 18)) >>> 6;
          x1 = (a * 67108864 + b) * TWO_M52 - 1;
          y = mt[pos + 2]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          a = (y ^ (y >>> 18)) >>> 5;
          y = mt[pos + 3]!;
          y ^= y >>> 11;
          y ^= (y << 7) & 0x9d2c5680;
          y ^= (y << 15) & 0xefc60000;
          b = (y ^ (y >>> 18)) >>> 6;
          x2 = (a * 67108864 + b) * TWO_M52 - 1;
          pos += 4;
        }
        r2 = x1 * x1 + x2 * x2;
      } while (r2 >= 1 || r2 === 0);
      const f = Math.sqrt(-2 * Math.log(r2) / r2);
      out[i++] = f * x2;
      if (i < n) out[i++] = f * x1;
      else {
        this.gauss = f * x1;
        this.hasGauss = true;
      }
    }
    this.pos = pos;
  }

  /** numpy `shuffle` of a 1-D array or of the rows of a 2-D array (same draws). */
  shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      let mask = i;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      let j = 0;
      do j = (this.next32() & mask) >>> 0; while (j > i);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}
