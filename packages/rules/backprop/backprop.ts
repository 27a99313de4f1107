/**
 * Backpropagation (`bp`) for multilayer perceptrons, registered with core's learner registry.
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { ConvNetLearner } from "./convnet_learner.ts";
import { MlpLearner } from "./mlp_learner.ts";

/** Hyper-parameters of `bp`: none. */
export const BACKPROP_HYPER: HyperSchema = {};

/** The settings of `bp`: none, so any key given is a compile error. */
export type BpHyper = Record<string, never>;

/**
 * Backpropagation: the error at hᵢ is δᵢWᵢᵀ, so δᵢ₋₁ = φ'(aᵢ₋₁) ⊙ (δᵢWᵢᵀ) and ∂Wᵢ = hᵢᵀδᵢ is the
 * exact gradient of the loss (Rumelhart, Hinton & Williams 1986). No hyper-parameters; the
 * optimiser, loss, initialiser and biases come from the learner options. A network given by
 * `network.layers` (conv, pool, flatten, dense) trains as a {@linkcode ConvNetLearner}, an MLP
 * of `network.sizes` as an {@linkcode MlpLearner}.
 *
 * @example Fit y = 2x with a linear network
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/backprop";
 * const net = createLearner("bp", {
 *   network: { sizes: [1, 1], activation: "identity" },
 *   optimizer: { name: "sgd", lr: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * const x = b.fromArray([1, 2, 3], 3, 1), y = b.fromArray([2, 4, 6], 3, 1);
 * for (let i = 0; i < 1000; i++) net.trainBatch(x, y);
 * console.assert(Math.abs(b.read(net.predict(b.fill(1, 1, 1)))[0]! - 2) < 1e-3);
 * ```
 */
export const bpRule: LearnerDefinition = registerLearner({
  name: "bp",
  family: "backprop",
  description: "Backpropagation through a multilayer perceptron (exact gradients)",
  hyper: BACKPROP_HYPER,
  optimizer: true,
  layers: true,
  create: (options) =>
    options.network.layers
      ? new ConvNetLearner({ rule: "bp", options })
      : new MlpLearner({ rule: "bp", options }),
});
