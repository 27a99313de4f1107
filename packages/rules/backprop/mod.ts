/**
 * `@plasticity/backprop`: multilayer perceptrons with explicit forward and backward passes on
 * the core tensor interface, the shared learner whose backward "feedback path" the
 * feedback-alignment family replaces, and backpropagation itself, registered as `bp`.
 *
 * @example Pick backprop by name
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/backprop";
 * const net = createLearner("bp", {
 *   network: { sizes: [2, 4, 2], activation: "relu" },
 *   loss: { kind: "ce" },
 *   backend: b,
 *   seed: 1,
 * });
 * console.assert(net.predict(b.zeros(3, 2)).cols === 2);
 * ```
 *
 * @module
 */
export * from "./mlp.ts";
export * from "./mlp_learner.ts";
export * from "./backprop.ts";
export * from "./convnet.ts";
export * from "./convnet_learner.ts";
export * from "./factories.ts";
