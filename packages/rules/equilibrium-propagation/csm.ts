/**
 * Contrastive Similarity Matching (Qin, Mudur & Pehlevan 2020) as in the Supervised-CorInfoMax
 * repository: Equilibrium Propagation plus a lateral matrix M_l per hidden layer that adds
 * ½ s_lᵀ M_l s_l to the energy (so the dynamics gain −η M_l s_l).
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { EnergyNet, energyNetSettings } from "./_energy_net.ts";
import { energyHyper } from "./_hyper.ts";
import type { EpHyper } from "./ep.ts";

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

/** Resolved hyper-parameters of `csm` ({@linkcode CSM_HYPER}): those of `ep` plus `lr_m`. */
export interface CsmHyper extends EpHyper {
  /**
   * Per-hidden-layer learning rates α_M of the lateral matrices (negative, as in the repository).
   */
  "lr_m": readonly number[];
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
