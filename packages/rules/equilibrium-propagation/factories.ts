/**
 * Typed factories of `ep`, `csm` and `conv-ep`: {@linkcode createLearner} with the rule's name filled in and
 * its settings typed, so that a misspelled key or a wrong value type in `hyper` is a compile
 * error.
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { type ConvEpHyper, convEpRule } from "./conv_ep.ts";
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

/**
 * Builds an Equilibrium Propagation learner on a network given by layers (`conv-ep`, Laborieux
 * et al. 2021): `createLearner("conv-ep", options)` with the settings typed
 * ({@linkcode ConvEpHyper}).
 *
 * Free phase: T1 steps s ← σ(∂Φ/∂s) from s = 0; nudged phases: T2 steps from the free state with
 * the output nudged by −β·∂ℓ/∂s_L (and, symmetric, a phase with −β); the optimiser steps θ with
 * ĝ = −(∂Φ/∂θ(s^β) − ∂Φ/∂θ(s^{−β}))/(2β) (one-sided: −(∂Φ/∂θ(s^β) − ∂Φ/∂θ(s_*))/β), the estimate
 * of ∂L/∂θ at the free fixed point. Prediction: the output after T1 free steps from zero.
 *
 * @param options Network given by `layers` (every pool after a conv layer), hyper-parameters
 *   ({@linkcode ConvEpHyper}), optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createConvEp } from "@plasticity/equilibrium-propagation";
 * const net = createConvEp({
 *   network: {
 *     sizes: [16, 3], input_shape: [1, 4, 4], activation: "hardSigmoid", output_activation: "hardSigmoid",
 *     layers: [{ type: "conv", out: 2, kernel: 3, stride: 1, padding: 1 },
 *       { type: "pool", kind: "avg", size: 2, stride: 2 }, { type: "flatten" }, { type: "dense", out: 3 }],
 *   },
 *   hyper: { beta: 0.2, t_free: 30, t_nudged: 10, lrs: [0.1, 0.05] },
 *   optimizer: { name: "sgd", lr: 0.1, momentum: 0.9 },
 *   backend: b, seed: 0,
 * });
 * console.assert(net.exportWeights().W0!.cols === 9 && net.predict(b.zeros(2, 16)).cols === 3);
 * ```
 */
export function createConvEp(options: RuleOptions<ConvEpHyper>): Learner {
  return createLearner(convEpRule.name, options);
}
