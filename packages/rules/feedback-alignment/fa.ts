/**
 * Feedback alignment (`fa`): a fixed random matrix Bᵢ per layer replaces Wᵢᵀ in the backward pass
 * (Lillicrap et al. 2016; bioflax `RandomDenseLinearFA`).
 *
 * @module
 */
import { type LearnerDefinition, type LearnerOptions, registerLearner } from "@plasticity/core";
import { type FeedbackFactory, type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import { drawFeedback, FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";
import { Matrices } from "./_matrices.ts";

/**
 * FA's feedback path: the signal at hᵢ is δᵢBᵢᵀ with a fixed random Bᵢ stored like Wᵢ
 * (fanIn × fanOut), so δᵢ₋₁ = φ'(aᵢ₋₁) ⊙ (δᵢBᵢᵀ) — in column notation δₗ₋₁ = φ'(aₗ₋₁) ⊙ Bₗδₗ with
 * B in place of Wᵀ. Weight gradients stay local, ∂Wᵢ = hᵢᵀδᵢ, so the output layer's update is
 * BP's. Every layer has a Bᵢ (B₀ only enters the weight alignment), drawn in layer order.
 *
 * @param hyper Feedback initialiser and scale.
 * @param options The learner options (for the forward initialiser).
 * @param learn Whether B receives Wᵢ's update (Kolen–Pollack) instead of staying fixed.
 * @returns The factory.
 *
 * @example
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { MlpLearner } from "@plasticity/backprop";
 * import { faFeedback, faRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(faRule, { network: { sizes: [2, 3, 1], activation: "tanh" } });
 * const options = { ...sections, backend: b, seed: 0 };
 * const net = new MlpLearner({ rule: "fa", options, feedback: faFeedback({ feedback_init: "same", feedback_scale: 1 }, options) });
 * console.assert(Object.keys(net.exportWeights()).includes("B1"));
 * ```
 */
export function faFeedback(
  hyper: FeedbackHyper,
  options: LearnerOptions,
  learn = false,
): FeedbackFactory {
  return (mlp, rng) => {
    const b = mlp.backend;
    const shapes = mlp.W.map((w) => [w.rows, w.cols] as const);
    const m = new Matrices(b, drawFeedback(b, shapes, hyper, options.network.init, rng));
    const path: FeedbackPath = {
      signal: (i, delta) => b.matmul(delta, m.B[i]!, false, true),
      matrices: () => m.all(),
      setMatrix: (key, value) => m.set(key, value),
      standIn: (i) => m.B[i],
      dispose: () => m.dispose(),
    };
    // Kolen–Pollack: B is stored like W, so it takes W's update p ← c·p − η·u unchanged.
    if (learn) path.learn = (i, apply) => m.set(`B${i}`, apply(m.B[i]!));
    return path;
  };
}

/**
 * Feedback alignment, registered as `fa`. Hyper-parameters: `feedback_init`, `feedback_scale`
 * (see {@linkcode FEEDBACK_HYPER}).
 *
 * @example Train FA on one batch
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/feedback-alignment";
 * const net = createLearner("fa", {
 *   network: { sizes: [2, 8, 1], activation: "tanh" },
 *   optimizer: { name: "sgd", lr: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * const x = b.fromArray([0, 1, 1, 0], 2, 2), y = b.fromArray([0.5, -0.5], 2, 1);
 * const first = net.trainBatch(x, y).loss;
 * for (let i = 0; i < 100; i++) net.trainBatch(x, y);
 * console.assert(net.trainBatch(x, y).loss < first);
 * ```
 */
export const faRule: LearnerDefinition = registerLearner({
  name: "fa",
  family: "feedback-alignment",
  description: "Feedback alignment: fixed random B per layer replaces Wᵀ in the backward pass",
  hyper: FEEDBACK_HYPER,
  optimizer: true,
  create(options) {
    const h = options.hyper as unknown as FeedbackHyper;
    return new MlpLearner({ rule: "fa", options, feedback: faFeedback(h, options) });
  },
});
