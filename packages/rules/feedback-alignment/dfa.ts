/**
 * Direct feedback alignment (`dfa`): the output error reaches every hidden layer directly through
 * that layer's own fixed random matrix (Nøkland 2016; bioflax `RandomDenseLinearDFAHidden`).
 *
 * @module
 */
import { type LearnerDefinition, type LearnerOptions, registerLearner } from "@plasticity/core";
import { type FeedbackFactory, type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import { drawFeedback, FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";
import { Matrices } from "./_matrices.ts";
import { convDfaFeedback } from "./conv_dfa.ts";
import { ConvFeedbackLearner } from "./conv_learner.ts";

/**
 * DFA's feedback path: hidden layer j (output hⱼ₊₁, j = 0 … L−2) has a fixed Bⱼ of shape
 * sizes[j+1] × n_out, and its error is δⱼ = φ'(aⱼ) ⊙ (e Bⱼᵀ) with e = δ_{L−1} the output layer's
 * error — in column notation δₗ = φ'(aₗ) ⊙ Bₗe. No error flows through forward weights; the output
 * layer's update is BP's. Bⱼ's fan-in is its first dimension, as in bioflax.
 *
 * @param hyper Feedback initialiser and scale.
 * @param options The learner options (for the forward initialiser).
 * @returns The factory.
 *
 * @example
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { MlpLearner } from "@plasticity/backprop";
 * import { dfaFeedback, dfaRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(dfaRule, { network: { sizes: [2, 5, 4, 3], activation: "relu" } });
 * const options = { ...sections, backend: b, seed: 0 };
 * const net = new MlpLearner({ rule: "dfa", options, feedback: dfaFeedback({ feedback_init: "same", feedback_scale: 1 }, options) });
 * const B = net.exportWeights();
 * console.assert(B.B0!.rows === 5 && B.B0!.cols === 3 && B.B1!.rows === 4);
 * ```
 */
export function dfaFeedback(hyper: FeedbackHyper, options: LearnerOptions): FeedbackFactory {
  return (mlp, rng) => {
    const b = mlp.backend, s = mlp.sizes, nOut = s[s.length - 1]!;
    const shapes = s.slice(1, -1).map((n) => [n, nOut] as const);
    const m = new Matrices(b, drawFeedback(b, shapes, hyper, options.network.init, rng));
    const path: FeedbackPath = {
      signal: (i, _delta, deltaOut) => b.matmul(deltaOut, m.B[i - 1]!, false, true),
      matrices: () => m.all(),
      setMatrix: (key, value) => m.set(key, value),
      dispose: () => m.dispose(),
    };
    return path;
  };
}

/**
 * Direct feedback alignment, registered as `dfa`. Hyper-parameters: `feedback_init`,
 * `feedback_scale`.
 *
 * @example
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/feedback-alignment";
 * const net = createLearner("dfa", { network: { sizes: [3, 6, 2], activation: "tanh" }, backend: b, seed: 0 });
 * console.assert(net.rule === "dfa");
 * ```
 */
export const dfaRule: LearnerDefinition = registerLearner({
  name: "dfa",
  family: "feedback-alignment",
  description:
    "Direct feedback alignment: the output error reaches each hidden layer through its own fixed random B",
  hyper: FEEDBACK_HYPER,
  optimizer: true,
  layers: true,
  create(options) {
    const h = options.hyper as unknown as FeedbackHyper;
    if (options.network.layers) {
      const feedback = convDfaFeedback(h, options);
      return new ConvFeedbackLearner({ rule: "dfa", options, feedback });
    }
    return new MlpLearner({ rule: "dfa", options, feedback: dfaFeedback(h, options) });
  },
});
