/**
 * The lateral matrices B of CorInfoMax: B tracks the inverse of the layer's λ-weighted
 * autocorrelation R ← λR + (1 − λ)⟨r rᵀ⟩ through the Sherman–Morrison step with its denominator
 * dropped, B ← (1/λ)(B − γ⟨z zᵀ⟩), z = B r, γ = (1 − λ)/λ.
 *
 * @module
 */
import type { Backend, Rng, Tensor } from "@plasticity/core";
import { initWeights } from "@plasticity/core";
import { lateralCombine } from "./_voltage.ts";

/**
 * γ = (1 − λ)/λ.
 *
 * @param lambda The forgetting factor λ ∈ (0, 1].
 * @returns γ.
 *
 * @example
 * ```ts
 * import { gammaOf } from "@plasticity/corinfomax";
 * console.assert(gammaOf(1) === 0 && gammaOf(0.5) === 1);
 * ```
 */
export function gammaOf(lambda: number): number {
  return (1 - lambda) / lambda;
}

/**
 * The initial B = A Aᵀ with A Xavier-uniform n × n (symmetric positive semi-definite, mean diagonal
 * ≈ 1).
 *
 * @param b The backend.
 * @param n Layer size.
 * @param rng The generator.
 * @returns B.
 *
 * @example
 * ```ts
 * import { createRng, jsBackend } from "@plasticity/core";
 * import { initLateral } from "@plasticity/corinfomax";
 * const B = jsBackend.read(initLateral(jsBackend, 2, createRng(0)));
 * console.assert(B[1] === B[2]);
 * ```
 */
export function initLateral(b: Backend, n: number, rng: Rng): Tensor {
  const A = initWeights(b, n, n, { kind: "xavierUniform" }, rng);
  return b.matmul(A, A, false, true);
}

/**
 * One lateral step B ← (1/λ)(B − γ⟨z zᵀ⟩) with z = B r for every sample (row) of `r`.
 * B symmetric gives z = r B in batch-major form, and ⟨z zᵀ⟩ = zᵀz / m.
 *
 * @param b The backend.
 * @param B The current B (n × n, symmetric).
 * @param r Activities, m × n (the nudged phase's in CorInfoMax).
 * @param lambda λ.
 * @returns The new B.
 *
 * @example With r = 0, B grows by 1/λ
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { lateralUpdate } from "@plasticity/corinfomax";
 * const B = lateralUpdate(b, b.fill(2, 2, 1), b.zeros(3, 2), 0.5);
 * console.assert(b.read(B)[0] === 2);
 * ```
 */
export function lateralUpdate(b: Backend, B: Tensor, r: Tensor, lambda: number): Tensor {
  const gamma = gammaOf(lambda);
  const z = b.matmul(r, B);
  return lateralCombine(b, B, b.matmul(z, z, true, false), gamma / r.rows, lambda);
}
