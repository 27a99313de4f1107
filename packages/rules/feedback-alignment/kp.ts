/**
 * Kolen–Pollack (`kp`): feedback alignment whose Bᵢ receives the same update as Wᵢᵀ, so with
 * weight decay the two converge (Kolen & Pollack 1994; Akrout et al. 2019; bioflax
 * `RandomDenseLinearKP`).
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { DECAY_MODES, type DecayMode, MlpLearner } from "@plasticity/backprop";
import { faFeedback } from "./fa.ts";
import { FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";
import { convFaFeedback } from "./conv_fa.ts";
import { ConvFeedbackLearner } from "./conv_learner.ts";

/** Resolved hyper-parameters of `kp`: those of every feedback rule plus the weight decay form. */
export interface KpHyper extends FeedbackHyper {
  /**
   * Weight decay form: `documented` p ← (1 − λ)p − ηu, or `bioflax-compat` p ← (1 + λ)p − ηu
   * (that repository's quirk).
   */
  decay: DecayMode;
}

/**
 * Hyper-parameters of `kp`: those of FA plus `decay`, the form of the optimiser's weight decay λ.
 * `documented` (default): W ← (1 − λ)W − η u and B ← (1 − λ)B − η u, so
 * Wₜ − Bₜᵀ = (1 − λ)ᵗ (W₀ − B₀ᵀ) (bioflax docs/README.md). `bioflax-compat`: the bioflax
 * repository's actual behaviour — its optax chain adds λ·p after the learning-rate scaling, giving
 * p ← (1 + λ)p − η u, so the difference grows as (1 + λ)ᵗ. That is a quirk of that repository,
 * offered only to reproduce its runs.
 */
export const KP_HYPER: HyperSchema = {
  ...FEEDBACK_HYPER,
  decay: {
    type: "string",
    default: "documented",
    enum: DECAY_MODES,
    doc:
      "weight decay form: documented p ← (1 − λ)p − ηu, or bioflax-compat p ← (1 + λ)p − ηu (that repository's quirk)",
  },
};

/**
 * Kolen–Pollack, registered as `kp`: the FA feedback path (signal δᵢBᵢᵀ) where Bᵢ, stored like
 * Wᵢ, takes exactly Wᵢ's update: ∂Bᵢ := ∂Wᵢ = hᵢᵀδᵢ, one shared optimiser direction uᵢ, and the
 * same decay. With λ = 0, W − Bᵀ stays constant under SGD, momentum and Adam.
 *
 * @example W − Bᵀ shrinks as (1 − λ)ᵗ
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createLearner } from "@plasticity/core";
 * import "@plasticity/feedback-alignment";
 * const net = createLearner("kp", {
 *   network: { sizes: [2, 4, 1], activation: "tanh" },
 *   optimizer: { name: "sgd", lr: 0.1, weight_decay: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * const gap = () => { const w = net.exportWeights(); return Math.abs(w.W1!.data[0]! - w.B1!.data[0]!); };
 * const g0 = gap();
 * net.trainBatch(b.fromArray([1, -1], 1, 2), b.fromArray([0.3], 1, 1));
 * console.assert(Math.abs(gap() - 0.9 * g0) < 1e-6);
 * ```
 */
export const kpRule: LearnerDefinition = registerLearner({
  name: "kp",
  family: "feedback-alignment",
  description: "Kolen–Pollack: B receives the same update and decay as Wᵀ, so W and Bᵀ converge",
  hyper: KP_HYPER,
  optimizer: true,
  layers: true,
  create(options) {
    const h = options.hyper;
    const fb = h as unknown as FeedbackHyper;
    if (options.network.layers) {
      if (h.decay !== "documented") {
        throw new Error(
          `rule.decay: ${
            JSON.stringify(h.decay)
          } is for the bioflax MLPs: expected "documented" with network.layers`,
        );
      }
      const feedback = convFaFeedback(
        { feedback_init: fb.feedback_init, feedback_scale: fb.feedback_scale },
        options,
        true,
      );
      return new ConvFeedbackLearner({ rule: "kp", options, feedback });
    }
    return new MlpLearner({
      rule: "kp",
      options,
      feedback: faFeedback(
        { feedback_init: fb.feedback_init, feedback_scale: fb.feedback_scale },
        options,
        true,
      ),
      decay: h.decay as DecayMode,
    });
  },
});
