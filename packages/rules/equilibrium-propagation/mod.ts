/**
 * `@plasticity/equilibrium-propagation`: Equilibrium Propagation (`ep`) and Contrastive
 * Similarity Matching (`csm`) as implemented in the Supervised-CorInfoMax repository, for any
 * number of hidden layers, and Equilibrium Propagation on convolutional networks given by layers
 * with symmetric nudging (`conv-ep`, Laborieux et al. 2021), registered with the core learner
 * registry on import.
 *
 * @example Build EP by name
 * ```ts
 * import { createLearner, jsBackend } from "@plasticity/core";
 * import "@plasticity/equilibrium-propagation";
 * const ep = createLearner("ep", {
 *   network: { sizes: [4, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   backend: jsBackend, seed: 1,
 * });
 * console.assert(ep.predict(jsBackend.zeros(1, 4)).cols === 2);
 * ```
 *
 * @module
 */
export * from "./energy.ts";
export * from "./ep.ts";
export * from "./csm.ts";
export * from "./conv_ep.ts";
export * from "./factories.ts";
