/**
 * The sine regression task of bioflax.
 *
 * @module
 */
import type { Rng } from "@plasticity/core";
import type { Split } from "./types.ts";

/**
 * `n` samples of x ~ U[−π, π), y = sin x (noiseless, as in bioflax).
 *
 * @param n Number of samples.
 * @param rng The generator.
 * @returns A split with `inputDim = targetDim = 1`.
 *
 * @example
 * ```ts
 * import { createRng } from "@plasticity/core";
 * import { generateSine } from "@plasticity/datasets";
 * const s = generateSine(4, createRng(0));
 * console.assert(Math.abs(s.y[0]! - Math.sin(s.x[0]!)) < 1e-6);
 * ```
 */
export function generateSine(n: number, rng: Rng): Split {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`Invalid sine size ${JSON.stringify(n)}: expected a non-negative integer`);
  }
  const x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.fround(-Math.PI + 2 * Math.PI * rng.next());
    x[i] = v;
    y[i] = Math.sin(v);
  }
  return { x, y, n, inputDim: 1, targetDim: 1 };
}
