/**
 * Metrics on tensors and plain arrays: cosine similarity and angle (also accumulated over pieces
 * of long vectors), accuracy.
 *
 * @module
 */
import type { Backend, Tensor } from "./tensor.ts";

/**
 * Running inner product ⟨a, b⟩ and squared norms ‖a‖², ‖b‖² of two long vectors given in pieces
 * (say one weight matrix or bias after another), for their cosine and angle. Each piece is summed
 * on its own in float64, then added to the totals; {@linkcode cosine} is one piece.
 *
 * @example The angle between two gradients given as a matrix and a bias each
 * ```ts
 * import { CosineAccumulator } from "@plasticity/core";
 * const acc = new CosineAccumulator().add([1, 0], [1, 0]).add([1], [0]);
 * // a = (1, 0, 1), b = (1, 0, 0): cos = 1/√2
 * console.assert(Math.abs(acc.cos() - Math.SQRT1_2) < 1e-15);
 * console.assert(Math.abs(acc.angle() - 45) < 1e-12 && acc.normRatio() === Math.SQRT2);
 * ```
 */
export class CosineAccumulator {
  /** ⟨a, b⟩ so far. */
  ab = 0;
  /** ‖a‖² so far. */
  aa = 0;
  /** ‖b‖² so far. */
  bb = 0;

  /**
   * Adds one piece of each vector.
   *
   * @param a A piece of the first vector.
   * @param b The matching piece of the second, same length.
   * @returns This accumulator.
   */
  add(a: ArrayLike<number>, b: ArrayLike<number>): this {
    if (a.length !== b.length) {
      throw new Error(
        `Cannot compare vectors of lengths ${a.length} and ${b.length}: expected equal lengths`,
      );
    }
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!, y = b[i]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    this.ab += ab;
    this.aa += aa;
    this.bb += bb;
    return this;
  }

  /**
   * Adds another accumulator's totals (the pieces it saw follow the ones seen so far).
   *
   * @param o The other accumulator.
   * @returns This accumulator.
   */
  merge(o: CosineAccumulator): this {
    this.ab += o.ab;
    this.aa += o.aa;
    this.bb += o.bb;
    return this;
  }

  /**
   * cos ∠(a, b) = ⟨a, b⟩ / √(‖a‖²‖b‖²), clamped to [−1, 1]; NaN when either vector is 0.
   *
   * @returns The cosine.
   */
  cos(): number {
    const c = this.ab / Math.sqrt(this.aa * this.bb);
    return c > 1 ? 1 : c < -1 ? -1 : c;
  }

  /**
   * ∠(a, b) in degrees ({@linkcode angleFromCos} of {@linkcode CosineAccumulator.cos}).
   *
   * @returns The angle.
   */
  angle(): number {
    return angleFromCos(this.cos());
  }

  /**
   * ‖a‖ / ‖b‖.
   *
   * @returns The ratio of the norms.
   */
  normRatio(): number {
    return Math.sqrt(this.aa / this.bb);
  }
}

/**
 * Cosine similarity of two equal-length vectors, clamped to [−1, 1]. Returns NaN when either is 0.
 *
 * @param a First vector.
 * @param b Second vector.
 * @returns cos ∠(a, b).
 *
 * @example
 * ```ts
 * import { cosine } from "@plasticity/core";
 * console.assert(cosine([1, 0], [0, 2]) === 0);
 * ```
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return new CosineAccumulator().add(a, b).cos();
}

/**
 * An angle in degrees from its cosine, (180/π)·arccos c; cosines within float rounding of 1
 * (above 1 − 10⁻¹²) give exactly 0, since parallel vectors can round to a cosine just below 1.
 *
 * @param c The cosine.
 * @returns The angle in degrees.
 *
 * @example
 * ```ts
 * import { angleFromCos } from "@plasticity/core";
 * console.assert(angleFromCos(0) === 90 && angleFromCos(1 - 1e-15) === 0);
 * ```
 */
export function angleFromCos(c: number): number {
  if (c > 1 - 1e-12) return 0;
  return (Math.acos(c) * 180) / Math.PI;
}

/**
 * Angle between two vectors in degrees; identical directions give exactly 0.
 *
 * @param a First vector.
 * @param b Second vector.
 * @returns ∠(a, b) in degrees.
 *
 * @example
 * ```ts
 * import { angleDeg } from "@plasticity/core";
 * console.assert(angleDeg([1, 2], [2, 4]) === 0);
 * ```
 */
export function angleDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return angleFromCos(cosine(a, b));
}

/**
 * Cosine similarity between two tensors of the same shape, flattened.
 *
 * @param b The backend.
 * @param x First tensor.
 * @param y Second tensor.
 * @returns cos ∠(x, y).
 *
 * @example
 * ```ts
 * import { jsBackend as b, tensorCosine } from "@plasticity/core";
 * console.assert(tensorCosine(b, b.fill(2, 2, 1), b.fill(2, 2, 3)) === 1);
 * ```
 */
export function tensorCosine(b: Backend, x: Tensor, y: Tensor): number {
  return cosine(b.read(x), b.read(y));
}

/**
 * Fraction of rows whose argmax of `y` equals the argmax of `t`.
 *
 * @param b The backend.
 * @param y Outputs, batch × classes.
 * @param t One-hot (or score) targets, same shape.
 * @returns Accuracy in [0, 1].
 *
 * @example
 * ```ts
 * import { accuracy, jsBackend as b } from "@plasticity/core";
 * const acc = accuracy(b, b.fromArray([0.9, 0.1, 0.2, 0.8], 2, 2), b.fromArray([1, 0, 1, 0], 2, 2));
 * console.assert(acc === 0.5);
 * ```
 */
export function accuracy(b: Backend, y: Tensor, t: Tensor): number {
  return correctCount(b.read(y), b.read(t), y.cols) / y.rows;
}

/**
 * Number of rows of row-major `y` and `t` (each `cols` wide) whose argmaxes agree.
 *
 * @param y Outputs, row-major.
 * @param t Targets, row-major.
 * @param cols Row width.
 * @returns The count.
 *
 * @example
 * ```ts
 * import { correctCount } from "@plasticity/core";
 * console.assert(correctCount([1, 0], [1, 0], 2) === 1);
 * ```
 */
export function correctCount(y: ArrayLike<number>, t: ArrayLike<number>, cols: number): number {
  let correct = 0;
  for (let o = 0; o < y.length; o += cols) {
    if (argmax(y, o, cols) === argmax(t, o, cols)) correct++;
  }
  return correct;
}

/**
 * Number of rows whose target class (the argmax of the row of `t`) is among the `k` largest
 * outputs of the row of `y`: top-k accuracy's numerator. A tie at the k-th place counts against
 * the target (the target is in the top k only when fewer than k outputs exceed it, ties before it
 * included), so top-1 equals {@linkcode correctCount} exactly.
 *
 * @param y Outputs, row-major.
 * @param t Targets, row-major.
 * @param cols Row width.
 * @param k How many of the largest outputs count (≥ 1).
 * @returns The count.
 *
 * @example
 * ```ts
 * import { topKCorrectCount } from "@plasticity/core";
 * const y = [0.1, 0.5, 0.4, 0.9, 0.05, 0.05];
 * const t = [0, 0, 1, 0, 0, 1];
 * console.assert(topKCorrectCount(y, t, 3, 1) === 0 && topKCorrectCount(y, t, 3, 2) === 1);
 * ```
 */
export function topKCorrectCount(
  y: ArrayLike<number>,
  t: ArrayLike<number>,
  cols: number,
  k: number,
): number {
  let correct = 0;
  for (let o = 0; o < y.length; o += cols) {
    const target = argmax(t, o, cols), v = y[o + target]!;
    // Outputs ranked before the target: larger ones, and equal ones at a lower index (as argmax).
    let before = 0;
    for (let j = 0; j < cols && before < k; j++) {
      const u = y[o + j]!;
      if (u > v || (u === v && j < target)) before++;
    }
    if (before < k) correct++;
  }
  return correct;
}

/**
 * Index of the largest of `cols` values starting at `offset` (first on ties).
 *
 * @param a Values.
 * @param offset Start.
 * @param cols Count.
 * @returns The index relative to `offset`.
 *
 * @example
 * ```ts
 * import { argmax } from "@plasticity/core";
 * console.assert(argmax([0, 3, 1], 0, 3) === 1);
 * ```
 */
export function argmax(a: ArrayLike<number>, offset: number, cols: number): number {
  let best = 0, bv = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = a[offset + j]!;
    if (v > bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}
