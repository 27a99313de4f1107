/**
 * Typed factories of `pc`, `pc-bp` and `pc-nudge`: {@linkcode createLearner} with the rule's name
 * filled in and its settings typed, so that a misspelled key or a wrong value type in `hyper` is
 * a compile error.
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { pcBpRule, pcNudgeRule, pcRule } from "./learners.ts";
import type { PCBpHyper, PCHyper, PCNudgeHyper } from "./settings.ts";

/**
 * Builds a predictive-coding learner (`pc`, prospective configuration):
 * `createLearner("pc", options)` with the settings typed ({@linkcode PCHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createPc } from "@plasticity/predictive-coding";
 * const net = createPc({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { T: 8, gamma: 0.1, update_p_at: "last" },
 *   backend: b,
 *   seed: 0,
 * });
 * const stats = net.trainBatch(b.fromArray([1, 0, 0, 1], 2, 2), b.fromArray([1, 0, 0, 1], 2, 2));
 * console.assert(net.rule === "pc" && Number.isFinite(stats.loss));
 * ```
 */
export function createPc(options: RuleOptions<PCHyper>): Learner {
  return createLearner(pcRule.name, options);
}

/**
 * Builds the predictive-coding network trained by backpropagation (`pc-bp`):
 * `createLearner("pc-bp", options)` with the settings typed ({@linkcode PCBpHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createPcBp } from "@plasticity/predictive-coding";
 * const net = createPcBp({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { diag_rows: 0 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "pc-bp");
 * ```
 */
export function createPcBp(options: RuleOptions<PCBpHyper>): Learner {
  return createLearner(pcBpRule.name, options);
}

/**
 * Builds a PC-Nudge learner (`pc-nudge`): `createLearner("pc-nudge", options)` with the settings
 * typed ({@linkcode PCNudgeHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { createPcNudge } from "@plasticity/predictive-coding";
 * const net = createPcNudge({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { T: 5, nudge: 0.01, random_sign: false },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "pc-nudge");
 * ```
 */
export function createPcNudge(options: RuleOptions<PCNudgeHyper>): Learner {
  return createLearner(pcNudgeRule.name, options);
}
