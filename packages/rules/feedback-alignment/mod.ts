/**
 * `@plasticity/feedback-alignment`: feedback alignment (`fa`), direct feedback alignment (`dfa`)
 * and Kolen–Pollack (`kp`) on the multilayer perceptrons and conv nets of `@plasticity/backprop`,
 * at parity with bioflax (and BioTorch on conv nets), with alignment diagnostics (angles between
 * W and Bᵀ, and between each rule's update and the true gradient). Importing this module registers `fa`, `dfa`, `kp`, the sign-symmetry rules
 * `usf`, `frsf`, `brsf`, weight mirroring `wm` (and `bp`). It re-exports
 * what a user needs to train, so one import suffices.
 *
 * @example Feedback alignment on sine regression
 * ```ts
 * import { createLearner, createRng, jsBackend as b } from "@plasticity/feedback-alignment";
 *
 * const rng = createRng(0), n = 256; // y = sin(x), x ~ U[−π, π)
 * const xs = Array.from({ length: n }, () => (2 * rng.next() - 1) * Math.PI);
 * const x = b.fromArray(xs, n, 1), y = b.fromArray(xs.map(Math.sin), n, 1);
 * const net = createLearner("fa", {
 *   network: { sizes: [1, 32, 1], activation: "tanh" },
 *   optimizer: { name: "adam", lr: 0.01 },
 *   backend: b,
 *   seed: 0,
 * });
 * const before = net.trainBatch(x, y).loss;
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   for (let i = 0; i < n; i += 32) {
 *     const xb = xs.slice(i, i + 32);
 *     net.trainBatch(b.fromArray(xb, 32, 1), b.fromArray(xb.map(Math.sin), 32, 1));
 *   }
 * }
 * const after = net.trainBatch(x, y).loss;
 * const { angle_grad_0 } = net.diagnostics(x, y);
 * console.log(`loss ${before.toFixed(3)} → ${after.toFixed(4)}, hidden-layer angle ${angle_grad_0!.toFixed(1)}°`);
 * console.assert(after < before / 10);
 * ```
 *
 * @module
 */
export * from "./feedback_init.ts";
export * from "./fa.ts";
export * from "./dfa.ts";
export * from "./kp.ts";
export * from "./sign_symmetry.ts";
export * from "./weight_mirroring.ts";
export * from "./conv_learner.ts";
export * from "./conv_fa.ts";
export * from "./conv_dfa.ts";
export * from "./conv_sign_symmetry.ts";
export * from "./factories.ts";
export * from "@plasticity/backprop";
export {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  getLearner,
  jsBackend,
  type Learner,
  learnerNames,
  type LearnerOptions,
  type LossSpec,
  type NetworkSpec,
  type OptimizerSpec,
  type RuleOptions,
  selectBackend,
  type Tensor,
} from "@plasticity/core";
