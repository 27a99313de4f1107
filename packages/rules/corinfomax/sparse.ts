/**
 * The sparse CorInfoMax variant (Appendix E of the paper; the repository's
 * `ContrastiveCorInfoMaxHopfieldSparse`): chosen layers use ReLU and a per-sample dual variable
 * ℓ ≥ 0 enforcing Σ_i r_i ≤ 1 by projected dual ascent.
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
import { CorInfoMax, corinfomaxSettings } from "./_learner.ts";
import { corinfomaxHyper } from "./_hyper.ts";

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
 * Builds a sparse CorInfoMax learner. Everything is as in `corinfomax` except on the sparse
 * layers: r = relu(u), the voltage update gains −ℓ (ℓ per sample and layer), and after each layer
 * update ℓ_int ← ℓ_int + η_ℓ(−ℓ_int + (Σ_i r_i − 1) + ℓ), ℓ = relu(ℓ_int); ℓ starts at 0 in the free
 * phase (and in prediction) and carries over into the nudged phase.
 *
 * @param options Network, hyper-parameters ({@linkcode CORINFOMAX_SPARSE_HYPER}), backend and seed.
 * @returns The learner.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCorInfoMaxSparse } from "@plasticity/corinfomax";
 * const net = createCorInfoMaxSparse({
 *   network: { sizes: [4, 5, 2], activation: "hardSigmoid" }, backend: b, seed: 0,
 * });
 * console.assert(Number.isFinite(net.trainBatch(b.fill(3, 4, 0.5), b.fill(3, 2, 0.5)).loss));
 * ```
 */
export function createCorInfoMaxSparse(options: LearnerOptions): Learner {
  return createLearner("corinfomax-sparse", options);
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
