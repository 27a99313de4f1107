/**
 * Mini-batches of a split as backend tensors, with seeded shuffling.
 *
 * @module
 */
import type { Backend, Rng, Tensor } from "@plasticity/core";
import { permutation } from "@plasticity/core";
import type { Split } from "./types.ts";

/**
 * Yields `[x, y]` mini-batches of `split` as `batch × inputDim` and `batch × targetDim` tensors.
 * With `rng`, the sample order is a fresh random permutation (call once per epoch for
 * per-epoch shuffling); without it, the stored order. The last partial batch is kept unless
 * `dropLast`.
 *
 * @param split The split.
 * @param batchSize Samples per batch.
 * @param backend The backend that makes the tensors.
 * @param opts `rng` to shuffle; `dropLast` to skip a final partial batch.
 * @returns A generator of `[x, y]` pairs.
 *
 * @example
 * ```ts
 * import { jsBackend } from "@plasticity/core";
 * import { batches } from "@plasticity/datasets";
 * const split = { x: Float32Array.of(1, 2, 3), y: Float32Array.of(4, 5, 6), n: 3, inputDim: 1, targetDim: 1 };
 * const sizes = [...batches(split, 2, jsBackend)].map(([x]) => x.rows);
 * console.assert(sizes.join() === "2,1");
 * ```
 */
export function* batches(
  split: Split,
  batchSize: number,
  backend: Backend,
  opts: { rng?: Rng; dropLast?: boolean } = {},
): Generator<[x: Tensor, y: Tensor]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Invalid batch size ${JSON.stringify(batchSize)}: expected a positive integer`);
  }
  const { n, inputDim: dx, targetDim: dy } = split;
  if (split.x.length !== n * dx || split.y.length !== n * dy) {
    throw new Error(
      `Invalid split: x has ${split.x.length} values and y ${split.y.length}, expected ${n} × ${dx} and ${n} × ${dy}`,
    );
  }
  const order = opts.rng ? permutation(n, opts.rng) : undefined;
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    if (m < batchSize && opts.dropLast) return;
    let xb: Float32Array, yb: Float32Array;
    if (!order) {
      xb = split.x.subarray(start * dx, (start + m) * dx);
      yb = split.y.subarray(start * dy, (start + m) * dy);
    } else {
      xb = new Float32Array(m * dx);
      yb = new Float32Array(m * dy);
      for (let r = 0; r < m; r++) {
        const i = order[start + r]!;
        xb.set(split.x.subarray(i * dx, (i + 1) * dx), r * dx);
        yb.set(split.y.subarray(i * dy, (i + 1) * dy), r * dy);
      }
    }
    yield [backend.fromArray(xb, m, dx), backend.fromArray(yb, m, dy)];
  }
}
