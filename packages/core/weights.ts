/**
 * Conversions between backend tensors and the plain {@linkcode WeightArray}s of checkpoints
 * (`Learner.exportWeights` / `Learner.importWeights`).
 *
 * @module
 */
import type { WeightArray } from "./learner.ts";
import type { Backend, Tensor } from "./tensor.ts";

/**
 * A tensor as plain data.
 *
 * @param b The backend that owns `t`.
 * @param t The tensor.
 * @returns `{ rows, cols, data }` with row-major values.
 *
 * @example
 * ```ts
 * import { exportTensor, jsBackend as b } from "@plasticity/core";
 * console.assert(exportTensor(b, b.fill(1, 2, 3)).data.join() === "3,3");
 * ```
 */
export function exportTensor(b: Backend, t: Tensor): WeightArray {
  return { rows: t.rows, cols: t.cols, data: Array.from(b.read(t)) };
}

/**
 * The matrix `name` of a checkpoint as a tensor, after checking that it is there and has the
 * expected shape.
 *
 * @param b The backend to put it on.
 * @param weights The checkpoint.
 * @param name The matrix's name.
 * @param rows Expected rows.
 * @param cols Expected columns.
 * @param rule The rule's name, for messages.
 * @returns The tensor.
 *
 * @example
 * ```ts
 * import { importTensor, jsBackend as b } from "@plasticity/core";
 * const w = importTensor(b, { W: { rows: 1, cols: 2, data: [1, 2] } }, "W", 1, 2, "bp");
 * console.assert(w.cols === 2);
 * ```
 */
export function importTensor(
  b: Backend,
  weights: Record<string, WeightArray>,
  name: string,
  rows: number,
  cols: number,
  rule: string,
): Tensor {
  const w = weights[name];
  if (!w) throw new Error(`${rule} importWeights: missing matrix "${name}"`);
  if (w.rows !== rows || w.cols !== cols || w.data.length !== rows * cols) {
    throw new Error(
      `${rule} importWeights: matrix "${name}" is ${w.rows}×${w.cols} with ${w.data.length} values: expected ${rows}×${cols}`,
    );
  }
  return b.fromArray(w.data, rows, cols);
}
