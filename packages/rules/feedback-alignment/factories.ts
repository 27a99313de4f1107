/**
 * Typed factories of the feedback-alignment rules: {@linkcode createLearner} with the rule's
 * name filled in and its settings typed, so that a misspelled key or a wrong value type in
 * `hyper` is a compile error.
 *
 * @module
 */
import { createLearner, type Learner, type RuleOptions } from "@plasticity/core";
import { dfaRule } from "./dfa.ts";
import { type FaHyper, faRule } from "./fa.ts";
import type { FeedbackHyper } from "./feedback_init.ts";
import { type KpHyper, kpRule } from "./kp.ts";
import { brsfRule, frsfRule, type SignSymmetryHyper, usfRule } from "./sign_symmetry.ts";
import { type WeightMirrorHyper, wmRule } from "./weight_mirroring.ts";

/**
 * Builds a feedback-alignment learner (`fa`): `createLearner("fa", options)` with the settings
 * typed ({@linkcode FaHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createFa, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createFa({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { feedback_init: "xavierUniform", interpolate_bp: 0.5 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "fa" && "B1" in net.exportWeights());
 * ```
 */
export function createFa(options: RuleOptions<FaHyper>): Learner {
  return createLearner(faRule.name, options);
}

/**
 * Builds a direct-feedback-alignment learner (`dfa`): `createLearner("dfa", options)` with the
 * settings typed ({@linkcode FeedbackHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createDfa, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createDfa({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { feedback_scale: 0.5 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "dfa");
 * ```
 */
export function createDfa(options: RuleOptions<FeedbackHyper>): Learner {
  return createLearner(dfaRule.name, options);
}

/**
 * Builds a Kolen–Pollack learner (`kp`): `createLearner("kp", options)` with the settings typed
 * ({@linkcode KpHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createKp, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createKp({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { decay: "documented" },
 *   optimizer: { name: "sgd", lr: 0.1, weight_decay: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "kp");
 * ```
 */
export function createKp(options: RuleOptions<KpHyper>): Learner {
  return createLearner(kpRule.name, options);
}

/**
 * Builds a uniform sign-symmetry learner (`usf`, B = sign(W)): `createLearner("usf", options)`
 * with the settings typed ({@linkcode SignSymmetryHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createUsf, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createUsf({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { scale_by_fan: false },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "usf");
 * ```
 */
export function createUsf(options: RuleOptions<SignSymmetryHyper>): Learner {
  return createLearner(usfRule.name, options);
}

/**
 * Builds a fixed-random-magnitude sign-symmetry learner (`frsf`): `createLearner("frsf",
 * options)` with the settings typed ({@linkcode SignSymmetryHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createFrsf, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createFrsf({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { feedback_init: "uniform", feedback_scale: 0.1 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "frsf" && "M0" in net.exportWeights());
 * ```
 */
export function createFrsf(options: RuleOptions<SignSymmetryHyper>): Learner {
  return createLearner(frsfRule.name, options);
}

/**
 * Builds a batchwise-random-magnitude sign-symmetry learner (`brsf`): `createLearner("brsf",
 * options)` with the settings typed ({@linkcode SignSymmetryHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createBrsf, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createBrsf({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { scale_by_fan: true },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "brsf");
 * ```
 */
export function createBrsf(options: RuleOptions<SignSymmetryHyper>): Learner {
  return createLearner(brsfRule.name, options);
}

/**
 * Builds a weight-mirroring learner (`wm`): `createLearner("wm", options)` with the settings
 * typed ({@linkcode WeightMirrorHyper}).
 *
 * @param options Network, settings, optimiser, loss, backend and seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createWm, jsBackend as b } from "@plasticity/feedback-alignment";
 * const net = createWm({
 *   network: { sizes: [2, 3, 2], activation: "tanh" },
 *   hyper: { mirror_steps: 2, growth_control: false },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(net.rule === "wm");
 * ```
 */
export function createWm(options: RuleOptions<WeightMirrorHyper>): Learner {
  return createLearner(wmRule.name, options);
}
