/**
 * `@plasticity/corinfomax`: CorInfoMax (`corinfomax`) and its sparse variant
 * (`corinfomax-sparse`) as implemented in the Supervised-CorInfoMax repository, on the core
 * backend interface, registered with the core learner registry on import; plus the pieces
 * (neural step schedules, lateral update, contrastive updates, forward–backward angle).
 *
 * @example Build CorInfoMax by name
 * ```ts
 * import { createLearner, jsBackend } from "@plasticity/core";
 * import "@plasticity/corinfomax";
 * const net = createLearner("corinfomax", {
 *   network: { sizes: [4, 3, 2], activation: "hardSigmoid", output_activation: "hardSigmoid" },
 *   backend: jsBackend, seed: 1,
 * });
 * console.assert(net.predict(jsBackend.zeros(1, 4)).cols === 2);
 * ```
 *
 * @module
 */
export * from "./schedule.ts";
export * from "./lateral.ts";
export * from "./update.ts";
export * from "./angle.ts";
export * from "./corinfomax.ts";
export * from "./sparse.ts";
export * from "./factories.ts";
