/**
 * Typed factories of `corinfomax` and `corinfomax-sparse`: {@linkcode createLearner} with the
 * rule's name filled in and its settings typed, so that a misspelled key or a wrong value type in
 * `hyper` is a compile error.
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { type CorInfoMaxHyper, corinfomaxRule } from "./corinfomax.ts";
import { type CorInfoMaxSparseHyper, corinfomaxSparseRule } from "./sparse.ts";

/**
 * Builds a CorInfoMax learner (`corinfomax`): `createLearner("corinfomax", options)` with the
 * settings typed ({@linkcode CorInfoMaxHyper}). This is the "antisparse" model: σ = the
 * network's activation, the reference's `hardSigmoid` clamp(u, 0, 1).
 *
 * Parameters: forward `Wff[k]` and feedback `Wfb[k]` (k ≥ 1) Xavier-uniform, lateral `B` per layer
 * initialised A Aᵀ; no biases (`network.bias` is not used). One step: free phase of `t_free`
 * Gauss–Seidel iterations from zero (β = 0), nudged phase of `t_nudged` from the free state with
 * β of random sign, then with the current weights and errors e_f = r_{k+1} − Wff r_k,
 * e_b = r_k − Wfb r_{k+1}: Wff += (μ_ff/β)⟨e_fⁿ r_nᵀ − e_fᶠ r_fᵀ⟩,
 * Wfb += (μ_fb/β)⟨e_bⁿ r_nᵀ − e_bᶠ r_fᵀ⟩ and B ← (1/λ)(B − γ⟨z zᵀ⟩), z = B r_nudged.
 * Learning rates follow μ_start·d^epoch (`endEpoch`). Prediction: the output after `t_free` free
 * iterations. Diagnostics: the forward–backward angles `angle_ff_fb_<k+1>`.
 *
 * @param options Network, hyper-parameters ({@linkcode CorInfoMaxHyper}), backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCorInfoMax } from "@plasticity/corinfomax";
 * const net = createCorInfoMax({
 *   network: { sizes: [4, 5, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   hyper: { neural_lr_rule: "constant", t_free: 10 }, backend: b, seed: 0,
 * });
 * const s = net.trainBatch(b.fill(3, 4, 0.5), b.fromArray([1, 0, 0, 1, 1, 0], 3, 2));
 * console.assert(Number.isFinite(s.loss) && "angle_ff_fb_2" in net.diagnostics());
 * ```
 */
export function createCorInfoMax(options: RuleOptions<CorInfoMaxHyper>): Learner {
  return createLearner(corinfomaxRule.name, options);
}

/**
 * Builds a sparse CorInfoMax learner (`corinfomax-sparse`): `createLearner("corinfomax-sparse",
 * options)` with the settings typed ({@linkcode CorInfoMaxSparseHyper}). Everything is as in
 * `corinfomax` except on the sparse layers: r = relu(u), the voltage update gains −ℓ (ℓ per
 * sample and layer), and after each layer update ℓ_int ← ℓ_int + η_ℓ(−ℓ_int + (Σ_i r_i − 1) + ℓ),
 * ℓ = relu(ℓ_int); ℓ starts at 0 in the free phase (and in prediction) and carries over into the
 * nudged phase.
 *
 * @param options Network, hyper-parameters ({@linkcode CorInfoMaxSparseHyper}), backend and
 *   seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCorInfoMaxSparse } from "@plasticity/corinfomax";
 * const net = createCorInfoMaxSparse({
 *   network: { sizes: [4, 5, 2], activation: "hardSigmoid" },
 *   hyper: { sparse_layers: [1], lr_dual: [1e-6, 0.01] }, backend: b, seed: 0,
 * });
 * console.assert(net.rule === "corinfomax-sparse");
 * console.assert(Number.isFinite(net.trainBatch(b.fill(3, 4, 0.5), b.fill(3, 2, 0.5)).loss));
 * ```
 */
export function createCorInfoMaxSparse(options: RuleOptions<CorInfoMaxSparseHyper>): Learner {
  return createLearner(corinfomaxSparseRule.name, options);
}
