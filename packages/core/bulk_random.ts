/**
 * Bulk draws into a `Float32Array`, for rules that need hundreds of thousands of random numbers
 * per step: uniforms from one 32-bit word each, and normals by the ziggurat method (Marsaglia &
 * Tsang 2000, "The Ziggurat Method for Generating Random Variables"), exact in distribution (up
 * to the 25-bit resolution of a draw) and several times faster than Box–Muller, which needs a
 * logarithm, a square root and two trigonometric calls per pair. The streams differ from those of
 * {@linkcode Rng.next} and {@linkcode Rng.normal} called element by element.
 *
 * The half-normal density f(x) = exp(−x²/2), x ≥ 0, is covered by 128 layers of equal area v: a
 * base strip [0, q] × [0, f(r)] that also stands for the tail beyond r (q = v / f(r)), and
 * rectangles [0, xᵢ] × [f(xᵢ), f(xᵢ₋₁)] with x₁₂₇ = r and xᵢ₋₁ = f⁻¹(v/xᵢ + f(xᵢ)). A draw picks a
 * layer i and a uniform point x = u·xᵢ in it: when x < xᵢ₋₁ (x < r in the base strip, about 99% of
 * draws) the point lies under the curve and x is returned. Otherwise the base strip samples the
 * tail by Marsaglia's exponential method (x = r + e₁/r, kept when 2e₂ > (e₁/r)²), and a rectangle
 * keeps x when a uniform height in [f(xᵢ), f(xᵢ₋₁)] falls below f(x); rejected draws start over.
 *
 * Each attempt takes one 32-bit word: the low 7 bits pick the layer, the upper 25 give u (24 in
 * {@linkcode fillNormal}, whose sign is bit 7 of each output's first word). Words are drawn in
 * blocks ({@linkcode Xoshiro128.fillWords} where the generator has it), one first attempt per
 * output; outputs that need more finish their rejection loops after the block.
 * {@linkcode fillNormal} draws all the magnitudes first, then the signs, 32 to a word; a
 * truncation bound redraws the magnitudes above it.
 *
 * @module
 */
import type { Rng } from "./random.ts";

/**
 * A generator of raw 32-bit words, as {@linkcode Xoshiro128} and `NumpyRandomState` are;
 * `fillWords` (Xoshiro128's) writes many at once.
 */
interface WordSource {
  nextUint32(): number;
  fillWords?(out: Int32Array, count: number): void;
}

/** Words are drawn in blocks of this many into one shared buffer (the fills never nest). */
const BLOCK = 2048;
const WORDS = new Int32Array(BLOCK);

/** Positions in the current block whose first attempt was not accepted on the fast path. */
const PENDING = new Int32Array(BLOCK);

/** The next `count` ≤ BLOCK words of `src` into {@linkcode WORDS}, in stream order. */
function block(src: WordSource, count: number): Int32Array {
  if (src.fillWords) src.fillWords(WORDS, count);
  else for (let p = 0; p < count; p++) WORDS[p] = src.nextUint32();
  return WORDS;
}

/** r, the right edge of the lowest rectangle, for 128 layers (Marsaglia & Tsang 2000). */
const R = 3.442619855899;
/** v, the area of every layer under f(x) = exp(−x²/2). */
const V = 9.91256303526217e-3;
/** 2²⁵: the range of u's integer. */
const SPAN = 33554432;

/** The layers' right edges over 2²⁵ (x = j·WIDTH[i] for the integer j of u). */
const WIDTH = new Float64Array(128);
/** Accept x directly when j < INNER[i] (x below the next layer's right edge). */
const INNER = new Float64Array(128);
/** f at each layer's right edge; FLOOR[0] = 1 = f(0) is the top layer's ceiling. */
const FLOOR = new Float64Array(128);
{
  const f = (x: number) => Math.exp(-0.5 * x * x);
  const q = V / f(R), x = new Float64Array(128);
  x[127] = R;
  for (let i = 127; i > 1; i--) x[i - 1] = Math.sqrt(-2 * Math.log(V / x[i]! + f(x[i]!)));
  WIDTH[0] = q / SPAN;
  INNER[0] = (R / q) * SPAN;
  FLOOR[0] = 1;
  for (let i = 1; i < 128; i++) {
    WIDTH[i] = x[i]! / SPAN;
    INNER[i] = i === 1 ? 0 : (x[i - 1]! / x[i]!) * SPAN;
    FLOOR[i] = f(x[i]!);
  }
}

/** A uniform double in (0, 1) from one word (never 0, so its logarithm is finite). */
function open01(src: WordSource): number {
  return (src.nextUint32() + 0.5) / 4294967296;
}

/** The rare branch: the tail beyond r (layer 0) or the wedge of layer i; NaN when rejected. */
function edge(src: WordSource, i: number, x: number): number {
  if (i === 0) {
    for (;;) {
      const e = -Math.log(open01(src)) / R, e2 = -Math.log(open01(src));
      if (2 * e2 > e * e) return R + e;
    }
  }
  const y = FLOOR[i]! + open01(src) * (FLOOR[i - 1]! - FLOOR[i]!);
  return y < Math.exp(-0.5 * x * x) ? x : NaN;
}

/** One complete attempt from a fresh word: |z|, or NaN when rejected. */
function attempt(src: WordSource): number {
  const w = src.nextUint32(), i = w & 127, j = w >>> 7, x = j * WIDTH[i]!;
  return j < INNER[i]! ? x : edge(src, i, x);
}

/**
 * The ziggurat fill behind {@linkcode fillNormal} (signed) and {@linkcode fillHalfNormal}:
 * out[k] = mean ± scale·|z|, |z| ≤ bound.
 */
function ziggurat(
  out: Float32Array,
  rng: Rng,
  scale: number,
  bound: number,
  mean: number,
  signed: boolean,
): Float32Array {
  if (!(bound > 0)) {
    throw new Error(
      `Invalid truncation bound ${JSON.stringify(bound)}: expected a positive number`,
    );
  }
  const src = words(rng), n = out.length;
  // Signed: bit 7 of an output's first word is its sign (independent of the magnitude, which
  // the other bits and later words decide), and u keeps 24 bits (bit 7 cleared).
  const signBit = signed ? 1 : 0, keep = signed ? 0x1fffffe : 0x1ffffff;
  // Output k takes word k of its block as its first attempt. The pass over the block is written
  // without calls or unpredictable branches (about twice as fast as a per-draw loop); an output
  // whose first attempt misses the fast path (a wedge, the tail or above the bound, a few per cent)
  // is pending, and afterwards finishes its own rejection loop with words straight from the
  // generator. Every output is thus a complete run of the sampler, in its own place.
  for (let k = 0; k < n; k += BLOCK) {
    const count = Math.min(BLOCK, n - k), w = block(src, count);
    let pending = 0;
    for (let p = 0; p < count; p++) {
      const i = w[p]! & 127, u = w[p]! >>> 7, j = u & keep, z = j * WIDTH[i]!;
      out[k + p] = mean + (1 - 2 * (u & signBit)) * z * scale;
      PENDING[pending] = p;
      pending += j < INNER[i]! && z <= bound ? 0 : 1;
    }
    for (let q = 0; q < pending; q++) {
      const p = PENDING[q]!, i = w[p]! & 127, u = w[p]! >>> 7, j = u & keep;
      let z = j < INNER[i]! ? NaN : edge(src, i, j * WIDTH[i]!);
      while (!(z <= bound)) z = attempt(src);
      out[k + p] = mean + (1 - 2 * (u & signBit)) * z * scale;
    }
  }
  return out;
}

/** The generator's own 32-bit words, or words made from its doubles when it has none. */
function words(rng: Rng & Partial<WordSource>): WordSource {
  if (typeof rng.nextUint32 === "function") return rng as WordSource;
  return { nextUint32: () => Math.floor(rng.next() * 4294967296) };
}

/**
 * Fills `out` with independent uniform draws on [low, high), each from one 32-bit word (24 bits
 * of resolution, a float32's; rounding to float32 may give `high` itself).
 *
 * @param out The buffer to fill.
 * @param rng The generator (its `nextUint32` when it has one, else words from `next`).
 * @param low Lower bound (default 0).
 * @param high Upper bound (default 1).
 * @returns `out`.
 *
 * @example
 * ```ts
 * import { createRng, fillUniform } from "@plasticity/core";
 * const u = fillUniform(new Float32Array(1000), createRng(0), -1, 1);
 * console.assert(u.every((v) => v >= -1 && v < 1));
 * ```
 */
export function fillUniform(out: Float32Array, rng: Rng, low = 0, high = 1): Float32Array {
  const src = words(rng), n = out.length, step = (high - low) / 16777216;
  for (let k = 0; k < n; k += BLOCK) {
    const count = Math.min(BLOCK, n - k), w = block(src, count);
    for (let p = 0; p < count; p++) out[k + p] = low + (w[p]! >>> 8) * step;
  }
  return out;
}

/**
 * Fills `out` with independent N(mean, std²) draws (ziggurat method), truncated to
 * |x − mean| ≤ bound·std when `bound` is finite.
 *
 * @param out The buffer to fill.
 * @param rng The generator (its `nextUint32` when it has one, else words from `next`).
 * @param std Standard deviation of the untruncated normal (default 1).
 * @param mean Mean (default 0).
 * @param bound Truncation point in standard deviations (default none); positive.
 * @returns `out`.
 *
 * @example
 * ```ts
 * import { createRng, fillNormal } from "@plasticity/core";
 * const z = fillNormal(new Float32Array(100_000), createRng(0), 2, 1);
 * const mean = z.reduce((s, v) => s + v, 0) / z.length;
 * console.assert(Math.abs(mean - 1) < 0.05);
 * ```
 */
export function fillNormal(
  out: Float32Array,
  rng: Rng,
  std = 1,
  mean = 0,
  bound = Infinity,
): Float32Array {
  return ziggurat(out, rng, std, bound, mean, true);
}

/**
 * Fills `out` with independent draws of scale·|z|, z ~ N(0, 1) conditioned on |z| ≤ `bound`
 * (a half-normal, truncated when `bound` is finite; draws above it are redrawn).
 *
 * @param out The buffer to fill.
 * @param rng The generator (its `nextUint32` when it has one, else words from `next`).
 * @param scale The factor on |z| (default 1).
 * @param bound The truncation point of |z| (default none); positive.
 * @returns `out`.
 *
 * @example |z| of a normal truncated at ±2 has mean (φ(0) − φ(2)) / (Φ(2) − ½) ≈ 0.7228
 * ```ts
 * import { createRng, fillHalfNormal } from "@plasticity/core";
 * const z = fillHalfNormal(new Float32Array(100_000), createRng(0), 1, 2);
 * const mean = z.reduce((s, v) => s + v, 0) / z.length;
 * console.assert(z.every((v) => v >= 0 && v <= 2) && Math.abs(mean - 0.7228) < 0.01);
 * ```
 */
export function fillHalfNormal(
  out: Float32Array,
  rng: Rng,
  scale = 1,
  bound = Infinity,
): Float32Array {
  return ziggurat(out, rng, scale, bound, 0, false);
}
