/**
 * Equilibrium Propagation (Scellier & Bengio 2017) as in the Supervised-CorInfoMax repository:
 * hard-sigmoid neurons relax by s ← σ(s − η ∂Φ/∂s) on the energy of {@link ./energy.ts}, a free
 * phase (β = 0) then a nudged phase with β of random sign, and the contrastive update
 * ΔW_l = (α_l/β)⟨s^β_{l+1} s^βᵀ_l − s^0_{l+1} s^0ᵀ_l⟩. The symmetric three-phase estimator of
 * Laborieux et al. (2021) is an option. Any number of hidden layers.
 *
 * @module
 */
import {
  createLearner,
  type HyperSchema,
  type Learner,
  type LearnerDefinition,
  type LearnerOptions,
  registerLearner,
} from "@plasticity/core";
import { EnergyNet, energyNetSettings } from "./_energy_net.ts";
import { energyHyper } from "./_hyper.ts";

/** Hyper-parameters of `ep`; defaults are the repository's MNIST 784-500-10 values. */
export const EP_HYPER: HyperSchema = energyHyper({ lr: [0.1, 0.05], stepEpochs: 0, stepGamma: 1 });

/**
 * Builds an Equilibrium Propagation learner.
 *
 * Free phase: T1 steps from s = 0 with β = 0. Nudged phase: T2 steps from the free state with
 * β₂ = ±β. Update (two-phase): W_l += (α_l/β₂)⟨s²_l ⊗ s²_{l+1} − s¹_l ⊗ s¹_{l+1}⟩ (the gradient of
 * −(Φ(s², β₂) − Φ(s¹, 0))/β₂); symmetric: a third phase with −β₂ from the free state replaces s¹
 * and the factor becomes 1/(2β₂). Prediction: the output after T1 free steps from zero.
 *
 * @param options Network (its `activation` / `output_activation`; the reference uses
 *   `hardSigmoid` for both), hyper-parameters ({@linkcode EP_HYPER}), backend and seed.
 * @returns The learner.
 *
 * @example Train one batch of a tiny net
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createEp } from "@plasticity/equilibrium-propagation";
 * const ep = createEp({
 *   network: { sizes: [2, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   hyper: { lr: [0.1, 0.05] }, backend: b, seed: 0,
 * });
 * const stats = ep.trainBatch(b.fromArray([1, 0, 0, 1], 2, 2), b.fromArray([1, 0, 0, 1], 2, 2));
 * console.assert(Number.isFinite(stats.loss));
 * ```
 */
export function createEp(options: LearnerOptions): Learner {
  return createLearner("ep", options);
}

/**
 * The `ep` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/equilibrium-propagation";
 * console.assert(getLearner("ep").family === "equilibrium-propagation");
 * ```
 */
export const epRule: LearnerDefinition = registerLearner({
  name: "ep",
  family: "equilibrium-propagation",
  description:
    "Equilibrium Propagation with random-sign β (optionally the symmetric three-phase estimator)",
  hyper: EP_HYPER,
  optimizer: false,
  create: (o) => new EnergyNet(o, energyNetSettings("ep", false, o.hyper, o.network.sizes)),
});
