/**
 * Metrics on tensors and plain arrays: cosine similarity, angle, accuracy.
 *
 * @module
 */
import type { Backend, Tensor } from "./tensor.ts";

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
  const c = ab / Math.sqrt(aa * bb);
  return c > 1 ? 1 : c < -1 ? -1 : c;
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
  const c = cosine(a, b);
  // Parallel vectors can round to a cosine just below 1; within float rounding they are 0°.
  if (c > 1 - 1e-12) return 0;
  return (Math.acos(c) * 180) / Math.PI;
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
