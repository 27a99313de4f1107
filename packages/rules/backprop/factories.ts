/**
 * The typed factory of `bp`: {@linkcode createLearner} with the rule's name filled in and its
 * settings typed ({@linkcode BpHyper}: none).
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { type BpHyper, bpRule } from "./backprop.ts";

/**
 * Builds a backpropagation learner (`bp`): `createLearner("bp", options)` with the settings
 * typed. `bp` has no settings, so any `hyper` key is a compile error.
 *
 * @param options Network, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createBp } from "@plasticity/backprop";
 * const net = createBp({
 *   network: { sizes: [2, 3, 2], activation: "relu" },
 *   optimizer: { name: "sgd", lr: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "bp" && net.predict(b.zeros(1, 2)).cols === 2);
 * ```
 */
export function createBp(options: RuleOptions<BpHyper>): Learner {
  return createLearner(bpRule.name, options);
}
