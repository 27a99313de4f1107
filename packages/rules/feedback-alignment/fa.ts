/**
 * Feedback alignment (`fa`): a fixed random matrix Bᵢ per layer replaces Wᵢᵀ in the backward pass
 * (Lillicrap et al. 2016; bioflax `RandomDenseLinearFA`).
 *
 * @module
 */
import {
  type HyperSchema,
  type LearnerDefinition,
  type LearnerOptions,
  registerLearner,
  SchemaError,
  type Tensor,
} from "@plasticity/core";
import { type FeedbackFactory, type FeedbackPath, MlpLearner } from "@plasticity/backprop";
import { drawFeedback, FEEDBACK_HYPER, type FeedbackHyper } from "./feedback_init.ts";
import { convFaFeedback } from "./conv_fa.ts";
import { ConvFeedbackLearner } from "./conv_learner.ts";
import { Matrices } from "./_matrices.ts";
import { checkSharedUpdate } from "./_shared_update.ts";

/** Resolved hyper-parameters of `fa`: those of every feedback rule plus the FA↔BP mix λ. */
export interface FaHyper extends FeedbackHyper {
  /** λ of B_λ = λWᵀ + (1 − λ)B: 0 is FA, 1 is BP. */
  "interpolate_bp": number;
  /** λ per weight layer instead (e.g. `[0, 0, 1]`: BP into the last layer, FA below). */
  "interpolate_bp_layers"?: readonly number[];
}

/**
 * Hyper-parameters of `fa`: `feedback_init`, `feedback_scale` and `interpolate_bp`, the λ of the
 * FA↔BP interpolation B_λ = λWᵀ + (1 − λ)B (column notation; λ = 0 is FA, λ = 1 is BP). The
 * bioflax companion fork's `interpolate_fa_bp` mode spells the same family with 1 − λ.
 */
export const FA_HYPER: HyperSchema = {
  ...FEEDBACK_HYPER,
  "interpolate_bp": {
    type: "number",
    default: 0,
    min: 0,
    max: 1,
    doc: "λ of the feedback B_λ = λWᵀ + (1 − λ)B of the current weights: 0 is FA, 1 is BP",
  },
  "interpolate_bp_layers": {
    type: "numbers",
    min: 0,
    max: 1,
    optional: true,
    doc: "λ per weight layer, first to last, instead of one interpolate_bp (e.g. [0, 0, 1]: " +
      "backpropagation through the last layer's weights, feedback alignment below; MLPs only)",
  },
};

/**
 * FA's feedback path: the signal at hᵢ is δᵢBᵢᵀ with a fixed random Bᵢ stored like Wᵢ
 * (fanIn × fanOut), so δᵢ₋₁ = φ'(aᵢ₋₁) ⊙ (δᵢBᵢᵀ) — in column notation δₗ₋₁ = φ'(aₗ₋₁) ⊙ Bₗδₗ with
 * B in place of Wᵀ. Weight gradients stay local, ∂Wᵢ = hᵢᵀδᵢ, so the output layer's update is
 * BP's. Every layer has a Bᵢ (B₀ only enters the weight alignment), drawn in layer order.
 *
 * With `lambda` = λ > 0 (`interpolate_bp`) the backward pass uses, in Bᵢ's place, B_λ,ᵢ = λWᵢ + (1 − λ)Bᵢ of the
 * current Wᵢ (stored like Wᵢ; λWᵀ + (1 − λ)B in column notation): λ = 1 sends δᵢWᵢᵀ exactly as
 * backpropagation does, and the weight alignment measures ∠(Wᵢ, B_λ,ᵢ).
 *
 * @param hyper Feedback initialiser and scale.
 * @param options The learner options (for the forward initialiser).
 * @param learn Whether B receives Wᵢ's update (Kolen–Pollack) instead of staying fixed.
 * @param lambda λ of the FA↔BP interpolation, in [0, 1] (default 0: FA), or one λ per weight layer.
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
  lambda: number | readonly number[] = 0,
): FeedbackFactory {
  const lambdas = typeof lambda === "number" ? [lambda] : lambda;
  for (const l of lambdas) {
    if (!(l >= 0 && l <= 1)) {
      throw new Error(`Invalid interpolate_bp ${JSON.stringify(l)}: expected a number in [0, 1]`);
    }
  }
  if (learn) checkSharedUpdate(options);
  return (mlp, rng) => {
    const b = mlp.backend;
    const shapes = mlp.W.map((w) => [w.rows, w.cols] as const);
    if (typeof lambda !== "number" && lambda.length !== shapes.length) {
      throw new Error(
        `Invalid interpolate_bp_layers ${JSON.stringify(lambda)}: expected one λ per weight ` +
          `layer (${shapes.length})`,
      );
    }
    const m = new Matrices(b, drawFeedback(b, shapes, hyper, options.network.init, rng));
    // B_λ,ᵢ = λᵢWᵢ + (1 − λᵢ)Bᵢ; the ends are the matrices themselves, so λ = 0 is FA and λ = 1 is
    // BP bit for bit.
    const at = (i: number) => typeof lambda === "number" ? lambda : lambda[i]!;
    const feedback = (i: number): Tensor => {
      const l = at(i);
      return l === 0
        ? m.B[i]!
        : l === 1
        ? mlp.W[i]!
        : b.axpy(l, mlp.W[i]!, b.scale(m.B[i]!, 1 - l));
    };
    const path: FeedbackPath = {
      signal: (i, delta) => b.matmul(delta, feedback(i), false, true),
      matrices: () => m.all(),
      setMatrix: (key, value) => m.set(key, value),
      standIn: feedback,
      dispose: () => m.dispose(),
    };
    // Kolen–Pollack: B is stored like W, so it takes W's update p ← c·p − η·u unchanged.
    if (learn) path.learn = (i, apply) => m.set(`B${i}`, apply(m.B[i]!));
    return path;
  };
}

/**
 * Feedback alignment, registered as `fa`. Hyper-parameters: `feedback_init`, `feedback_scale`
 * and `interpolate_bp` (see {@linkcode FA_HYPER}).
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
  hyper: FA_HYPER,
  optimizer: true,
  layers: true,
  check(config) {
    const h = config.hyper as unknown as FaHyper, layers = h.interpolate_bp_layers;
    if (layers === undefined) return;
    if (h.interpolate_bp !== 0) {
      throw new SchemaError(
        `rule.interpolate_bp_layers: given beside interpolate_bp ${h.interpolate_bp}: expected one of them`,
      );
    }
    if (config.network.layers) {
      throw new SchemaError(
        "rule.interpolate_bp_layers: not supported on a network given by layers: expected interpolate_bp",
      );
    }
    const weights = config.network.sizes.length - 1;
    if (layers.length !== weights) {
      throw new SchemaError(
        `rule.interpolate_bp_layers: ${layers.length} values (value ${
          JSON.stringify(layers)
        }); expected one λ per weight layer (${weights})`,
      );
    }
  },
  create(options) {
    const h = options.hyper as unknown as FaHyper;
    if (options.network.layers) {
      const feedback = convFaFeedback(h, options, false, h.interpolate_bp);
      return new ConvFeedbackLearner({ rule: "fa", options, feedback });
    }
    return new MlpLearner({
      rule: "fa",
      options,
      feedback: faFeedback(h, options, false, h.interpolate_bp_layers ?? h.interpolate_bp),
    });
  },
});
