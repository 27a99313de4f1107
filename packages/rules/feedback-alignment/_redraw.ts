// Counter-based sub-streams for matrices drawn afresh after every update (brSF's magnitudes):
// draw t of matrix i comes from a generator whose state depends only on (key, i, t), so a draw
// can be made when the matrix is first needed after an update, or never, without moving any other
// draw, and observing a matrix (diagnostics, export) does not change the training trajectory.
import { type Rng, Xoshiro128 } from "@plasticity/core";

/** murmur3's 32-bit finaliser: a bijection of words that spreads every bit over the word. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class Redraws {
  readonly #key: readonly number[];

  /** Takes a 128-bit key from `rng` (four words). */
  constructor(rng: Rng) {
    this.#key = [0, 1, 2, 3].map(() => Math.floor(rng.next() * 4294967296));
  }

  /**
   * The generator of draw `t` of matrix `i`. Each state word is a bijection of t for fixed
   * (key, i), so the draws of one matrix never share a state; matrices differ in all four words.
   */
  stream(i: number, t: number): Xoshiro128 {
    const words: number[] = this.#key.map((k, j) =>
      fmix(k ^ fmix((t + fmix(i + Math.imul(j + 1, 0x9e3779b9))) >>> 0))
    );
    if (!words.some((w) => w !== 0)) words[0] = 1;
    return new Xoshiro128(words);
  }
}
