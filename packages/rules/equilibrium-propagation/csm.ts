/**
 * Contrastive Similarity Matching (Qin, Mudur & Pehlevan 2020) as in the Supervised-CorInfoMax
 * repository: Equilibrium Propagation plus a lateral matrix M_l per hidden layer that adds
 * ½ s_lᵀ M_l s_l to the energy (so the dynamics gain −η M_l s_l).
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

/** Hyper-parameters of `csm`; defaults are the repository's MNIST 784-500-10 values. */
export const CSM_HYPER: HyperSchema = {
  ...energyHyper({ lr: [0.5, 0.375], stepEpochs: 15, stepGamma: 0.75 }),
  "lr_m": {
    type: "numbers",
    default: [-0.01],
    doc:
      "Per-hidden-layer learning rates α_M of the lateral matrices (negative, as in the repository)",
  },
};

/**
 * Builds a Contrastive Similarity Matching learner.
 *
 * W and b learn as in {@linkcode createEp}. M_l is initialised as A Aᵀ (A Xavier-uniform) and, as
 * in the repository (whose free-phase energy uses a detached copy of M), after each batch
 * M ← M − (α_M/(2β₂))⟨s² s²ᵀ⟩ then M ← M + α_M·M/(2|β₂|); the step decay scales the first term
 * only.
 *
 * @param options Network, hyper-parameters ({@linkcode CSM_HYPER}), backend and seed.
 * @returns The learner.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCsm } from "@plasticity/equilibrium-propagation";
 * const csm = createCsm({
 *   network: { sizes: [2, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   backend: b, seed: 0,
 * });
 * console.assert("M_1" in csm.exportWeights());
 * ```
 */
export function createCsm(options: LearnerOptions): Learner {
  return createLearner("csm", options);
}

/**
 * The `csm` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/equilibrium-propagation";
 * console.assert(getLearner("csm").name === "csm");
 * ```
 */
export const csmRule: LearnerDefinition = registerLearner({
  name: "csm",
  family: "equilibrium-propagation",
  description:
    "Contrastive Similarity Matching: EP with learned lateral inhibition per hidden layer",
  hyper: CSM_HYPER,
  optimizer: false,
  create: (o) => new EnergyNet(o, energyNetSettings("csm", true, o.hyper, o.network.sizes)),
});
