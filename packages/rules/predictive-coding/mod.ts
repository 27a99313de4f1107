/**
 * `@plasticity/predictive-coding`: predictive coding with the semantics of the
 * prospective-configuration paper (Song et al., Nat. Neurosci. 2024), the same network trained by
 * backpropagation, PC-Nudge (Millidge et al. 2023) and the Whittington–Bogacz variant of the
 * Supervised-CorInfoMax repository, registered as the learners `pc`, `pc-bp` and `pc-nudge`, plus
 * the simulations `pc-output-trajectory` (Fig. 3a), `pc-target-alignment` (Fig. 3e) and
 * `pc-prospective-index` (the prospective index per layer, w′ and w*).
 *
 * @example Train the paper's 1-1-2 network by PC through the registry
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/predictive-coding";
 * const learner = createLearner("pc", {
 *   network: { sizes: [1, 1, 2], activation: "identity", bias: false, init: { kind: "normal", std: 0, mean: 1 } },
 *   hyper: { T: 128, gamma: 0.1, decay: 0.5 },
 *   optimizer: { name: "sgd", lr: 0.2 },
 *   loss: { kind: "mse", half: true, reduction: "sum" },
 *   backend: b,
 *   seed: 0,
 * });
 * const stats = learner.trainBatch(b.fromArray([1], 1, 1), b.fromArray([0, 1], 1, 2));
 * console.assert(stats.loss === 0.5);
 * ```
 *
 * @module
 */
export * from "./settings.ts";
export * from "./network.ts";
export * from "./conv_network.ts";
export * from "./conv_learner.ts";
export * from "./energy.ts";
export * from "./metrics.ts";
export * from "./learners.ts";
export * from "./simulations.ts";
export * from "./factories.ts";
