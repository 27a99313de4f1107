/**
 * `@plasticity/core`: the small tensor interface every learning rule is written against, two
 * backends (`js`, `blas`; the TF.js ones are in `@plasticity/tfjs`, which registers them when
 * imported), seeded generators (including a numpy-compatible MT19937),
 * initialisers, losses, metrics, optimisers (with learning-rate schedules) and the learner interface
 * every rule implements.
 *
 * @example Train a linear layer by hand on the js backend
 * ```ts
 * import { createRng, initWeights, jsBackend as b, lossGrad, lossValue } from "@plasticity/core";
 * const rng = createRng(0);
 * let w = initWeights(b, 2, 1, { kind: "normal", std: 0.1 }, rng);
 * const x = b.fromArray([1, 0, 0, 1], 2, 2), y = b.fromArray([1, -1], 2, 1);
 * const loss = { kind: "mse" } as const;
 * const before = lossValue(b, loss, b.matmul(x, w), y);
 * for (let i = 0; i < 50; i++) {
 *   const g = lossGrad(b, loss, b.matmul(x, w), y);
 *   w = b.axpy(-0.5, b.matmul(x, g, true), w);
 * }
 * console.assert(lossValue(b, loss, b.matmul(x, w), y) < before);
 * ```
 *
 * @module
 */
export * from "./tensor.ts";
export * from "./activation.ts";
export * from "./fast_exp.ts";
export * from "./simd_arena.ts";
export * from "./js_backend.ts";
export * from "./blas_backend.ts";
export * from "./backends.ts";
export * from "./random.ts";
export * from "./mt19937.ts";
export * from "./bulk_random.ts";
export * from "./init.ts";
export * from "./loss.ts";
export * from "./metrics.ts";
export * from "./optimizer.ts";
export * from "./lr_schedule.ts";
export * from "./hyper.ts";
export * from "./learner.ts";
export * from "./weights.ts";
export * from "./simulation.ts";
export * from "./registry.ts";
export * from "./relaxation.ts";
export * from "./image_shape.ts";
export * from "./conv2d.ts";
export * from "./pool2d.ts";
export * from "./layers.ts";
