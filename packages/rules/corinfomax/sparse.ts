/**
 * The sparse CorInfoMax variant (Appendix E of the paper; the repository's
 * `ContrastiveCorInfoMaxHopfieldSparse`): chosen layers use ReLU and a per-sample dual variable
 * ℓ ≥ 0 enforcing Σ_i r_i ≤ 1 by projected dual ascent.
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { CorInfoMax, corinfomaxSettings } from "./_learner.ts";
import { corinfomaxHyper } from "./_hyper.ts";
import type { CorInfoMaxHyper } from "./corinfomax.ts";

/** Hyper-parameters of `corinfomax-sparse`; defaults are the repository's MNIST V1 values. */
export const CORINFOMAX_SPARSE_HYPER: HyperSchema = {
  ...corinfomaxHyper({ tFree: 20, tNudged: 4, lrFb: [0.15, 0.12] }),
  "sparse_layers": {
    type: "numbers",
    default: [],
    doc:
      "Layers (1 … P) that are sparse (ReLU + dual variable); empty: every layer, the repository's [1, 2] on one hidden layer",
  },
  "lr_dual": {
    type: "numbers",
    default: [],
    doc:
      "Step η_ℓ of the dual variable per layer (P numbers); empty: 1e-6 for hidden layers and 0.01 for the output, as in the repository",
  },
};

/**
 * Resolved hyper-parameters of `corinfomax-sparse` ({@linkcode CORINFOMAX_SPARSE_HYPER}): those
 * of `corinfomax` plus the sparse layers and the dual variable's steps.
 */
export interface CorInfoMaxSparseHyper extends CorInfoMaxHyper {
  /**
   * Layers (1 … P) that are sparse (ReLU + dual variable); empty: every layer, the repository's
   * [1, 2] on one hidden layer.
   */
  "sparse_layers": readonly number[];
  /**
   * Step η_ℓ of the dual variable per layer (P numbers); empty: 1e-6 for hidden layers and 0.01
   * for the output, as in the repository.
   */
  "lr_dual": readonly number[];
}

/**
 * The `corinfomax-sparse` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/corinfomax";
 * console.assert(getLearner("corinfomax-sparse").name === "corinfomax-sparse");
 * ```
 */
export const corinfomaxSparseRule: LearnerDefinition = registerLearner({
  name: "corinfomax-sparse",
  family: "corinfomax",
  description:
    "CorInfoMax with ReLU layers under a per-sample sparsity constraint (projected dual ascent)",
  hyper: CORINFOMAX_SPARSE_HYPER,
  optimizer: false,
  create: (o) =>
    new CorInfoMax(o, corinfomaxSettings("corinfomax-sparse", o.hyper, o.network.sizes, true)),
});
