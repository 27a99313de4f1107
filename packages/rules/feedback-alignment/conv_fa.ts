/**
 * Feedback alignment (`fa`) and Kolen–Pollack (`kp`) on networks given by layers: every conv and
 * dense layer k has a feedback matrix Bₖ of Wₖ's shape (a conv layer's out × c × k × k kernel,
 * BioTorch's `fa.Conv2d` `weight_backward`), and the backward pass is backpropagation's with Bₖ in
 * Wₖ's place: the gradient at a conv layer's input is the transposed convolution of δₖ with Bₖ,
 * at a dense layer's input δₖBₖᵀ. Weight gradients stay local (∂Wₖ from δₖ and the layer's input).
 *
 * @module
 */
import type { LearnerOptions, Tensor } from "@plasticity/core";
import type { ConvFeedbackFactory, ConvFeedbackPath } from "./conv_learner.ts";
import type { FeedbackHyper } from "./feedback_init.ts";
import { drawShaped, KeyedMatrices, weightShapes } from "./_conv_feedback.ts";
import { checkSharedUpdate } from "./_shared_update.ts";

/**
 * FA's feedback path on a `ConvNet`: fixed Bₖ of Wₖ's shape drawn in layer order from
 * `feedback_init` (`same`: the network's initialiser) with PyTorch's fans of the conv kernel
 * (fan-in c·k·k, fan-out out·k·k), as BioTorch draws `weight_backward` with the layer's own
 * initialiser. With `lambda` = λ > 0 the backward pass uses B_λ,ₖ = λWₖ + (1 − λ)Bₖ of the current
 * Wₖ (λ = 1 is backpropagation bit for bit). With `learn` (Kolen–Pollack) Bₖ takes exactly Wₖ's
 * update Bₖ ← (1 − λ_wd)Bₖ − η uₖ, so Wₖ − Bₖ = (1 − λ_wd)ᵗ (W₀ − B₀) after t steps.
 *
 * @param hyper Feedback initialiser and scale.
 * @param options The learner options (for the forward initialiser).
 * @param learn Whether B receives Wₖ's update (Kolen–Pollack) instead of staying fixed.
 * @param lambda λ of the FA↔BP interpolation, in [0, 1] (default 0: FA).
 * @returns The factory {@linkcode ConvFeedbackLearner} builds the path with.
 *
 * @example
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { convFaFeedback, ConvFeedbackLearner, faRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(faRule, {
 *   network: { input_shape: [2, 5, 5], activation: "relu", layers: [{ conv: { out: 3, kernel: 3 } }, "flatten", { dense: 2 }] },
 * });
 * const options = { ...sections, backend: b, seed: 0 };
 * const net = new ConvFeedbackLearner({ rule: "fa", options, feedback: convFaFeedback({ feedback_init: "same", feedback_scale: 1 }, options) });
 * const w = net.exportWeights();
 * console.assert(w.B0!.rows === 3 && w.B0!.cols === 18 && w.B1!.rows === 27 && w.B1!.cols === 2);
 * ```
 */
export function convFaFeedback(
  hyper: FeedbackHyper,
  options: LearnerOptions,
  learn = false,
  lambda = 0,
): ConvFeedbackFactory {
  if (!(lambda >= 0 && lambda <= 1)) {
    throw new Error(
      `Invalid interpolate_bp ${JSON.stringify(lambda)}: expected a number in [0, 1]`,
    );
  }
  if (learn) checkSharedUpdate(options);
  return (net, rng) => {
    const b = net.backend;
    const m = new KeyedMatrices(
      b,
      "B",
      drawShaped(b, weightShapes(net), hyper, options.network.init, rng),
    );
    const feedback = (k: number): Tensor =>
      lambda === 0
        ? m.list[k]!
        : lambda === 1
        ? net.W[k]!
        : b.axpy(lambda, net.W[k]!, b.scale(m.list[k]!, 1 - lambda));
    const path: ConvFeedbackPath = {
      grads: (cache, e) => net.backward(cache, e, feedback),
      standIn: feedback,
      matrices: () => m.all(),
      setMatrix: (key, value) => m.set(key, value),
      dispose: () => m.dispose(),
    };
    // Kolen–Pollack: Bₖ is stored like Wₖ, so it takes Wₖ's update unchanged.
    if (learn) path.learn = (k, apply) => m.set(`B${k}`, apply(m.list[k]!));
    return path;
  };
}
