/**
 * Typed factories of `ep` and `csm`: {@linkcode createLearner} with the rule's name filled in and
 * its settings typed, so that a misspelled key or a wrong value type in `hyper` is a compile
 * error.
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { type CsmHyper, csmRule } from "./csm.ts";
import { type EpHyper, epRule } from "./ep.ts";

/**
 * Builds an Equilibrium Propagation learner (`ep`): `createLearner("ep", options)` with the
 * settings typed ({@linkcode EpHyper}).
 *
 * Free phase: T1 steps from s = 0 with β = 0. Nudged phase: T2 steps from the free state with
 * β₂ = ±β. Update (two-phase): W_l += (α_l/β₂)⟨s²_l ⊗ s²_{l+1} − s¹_l ⊗ s¹_{l+1}⟩ (the gradient of
 * −(Φ(s², β₂) − Φ(s¹, 0))/β₂); symmetric: a third phase with −β₂ from the free state replaces s¹
 * and the factor becomes 1/(2β₂). Prediction: the output after T1 free steps from zero.
 *
 * @param options Network (its `activation` / `output_activation`; the reference uses
 *   `hardSigmoid` for both), hyper-parameters ({@linkcode EpHyper}), backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example Train one batch of a tiny net
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createEp } from "@plasticity/equilibrium-propagation";
 * const ep = createEp({
 *   network: { sizes: [2, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   hyper: { lr: [0.1, 0.05], estimator: "symmetric" }, backend: b, seed: 0,
 * });
 * const stats = ep.trainBatch(b.fromArray([1, 0, 0, 1], 2, 2), b.fromArray([1, 0, 0, 1], 2, 2));
 * console.assert(Number.isFinite(stats.loss));
 * ```
 */
export function createEp(options: RuleOptions<EpHyper>): Learner {
  return createLearner(epRule.name, options);
}

/**
 * Builds a Contrastive Similarity Matching learner (`csm`): `createLearner("csm", options)` with
 * the settings typed ({@linkcode CsmHyper}).
 *
 * W and b learn as in {@linkcode createEp}. M_l is initialised as A Aᵀ (A Xavier-uniform) and, as
 * in the repository (whose free-phase energy uses a detached copy of M), after each batch
 * M ← M − (α_M/(2β₂))⟨s² s²ᵀ⟩ then M ← M + α_M·M/(2|β₂|); the step decay scales the first term
 * only.
 *
 * @param options Network, hyper-parameters ({@linkcode CsmHyper}), backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCsm } from "@plasticity/equilibrium-propagation";
 * const csm = createCsm({
 *   network: { sizes: [2, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   backend: b, seed: 0,
 * });
 * console.assert(csm.rule === "csm" && "M_1" in csm.exportWeights());
 * ```
 */
export function createCsm(options: RuleOptions<CsmHyper>): Learner {
  return createLearner(csmRule.name, options);
}
