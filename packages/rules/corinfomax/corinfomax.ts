/**
 * CorInfoMax (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023) as in the Supervised-CorInfoMax
 * repository: layers maximise the correlative information with their neighbours, giving neurons
 * with basal (forward) and apical (feedback) inputs and lateral matrices B; learning contrasts a
 * free and a nudged phase, with no weight symmetry.
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

/** Hyper-parameters of `corinfomax`; defaults are the repository's best MNIST setting. */
export const CORINFOMAX_HYPER: HyperSchema = corinfomaxHyper({
  tFree: 30,
  tNudged: 10,
  lrFb: [0.15, 0.15],
});

/**
 * Builds a CorInfoMax learner (the "antisparse" model: σ = the network's activation, the
 * reference's `hardSigmoid` clamp(u, 0, 1)).
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
 * @param options Network, hyper-parameters ({@linkcode CORINFOMAX_HYPER}), backend and seed.
 * @returns The learner.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createCorInfoMax } from "@plasticity/corinfomax";
 * const net = createCorInfoMax({
 *   network: { sizes: [4, 5, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   backend: b, seed: 0,
 * });
 * const s = net.trainBatch(b.fill(3, 4, 0.5), b.fromArray([1, 0, 0, 1, 1, 0], 3, 2));
 * console.assert(Number.isFinite(s.loss) && "angle_ff_fb_2" in net.diagnostics());
 * ```
 */
export function createCorInfoMax(options: LearnerOptions): Learner {
  return createLearner("corinfomax", options);
}

/**
 * The `corinfomax` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/corinfomax";
 * console.assert(getLearner("corinfomax").family === "corinfomax");
 * ```
 */
export const corinfomaxRule: LearnerDefinition = registerLearner({
  name: "corinfomax",
  family: "corinfomax",
  description:
    "Correlative information maximisation: contrastive learning of forward, feedback and lateral weights",
  hyper: CORINFOMAX_HYPER,
  optimizer: false,
  create: (o) =>
    new CorInfoMax(o, corinfomaxSettings("corinfomax", o.hyper, o.network.sizes, false)),
});
