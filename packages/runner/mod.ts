/**
 * `@plasticity/runner`: the experiment runner library behind `deno task run`. Validated YAML configs, grid
 * sweeps × seeds, trials run in parallel worker processes, and resumable results on disk.
 *
 * @example Expand a sweep into trials
 * ```ts
 * import { registerSimulation } from "@plasticity/core";
 * import { expandGrid } from "@plasticity/runner";
 * registerSimulation({
 *   name: "doc-mod", description: "emits nothing", resolve: (p) => p,
 *   create: () => ({ totalRecords: 0, run: () => {}, summary: () => ({}) }),
 * });
 * const trials = expandGrid(
 *   { name: "demo", kind: "simulation", simulation: { name: "doc-mod" }, seeds: [0, 1, 2] },
 *   { datasetSchema: () => ({}) },
 * );
 * console.assert(trials.length === 3);
 * ```
 *
 * @module
 */
export type { HyperField, HyperSchema, HyperValue } from "@plasticity/core";
export * from "./backend_env.ts";
export * from "./config.ts";
export * from "./grid.ts";
export * from "./results.ts";
export * from "./trial.ts";
export * from "./protocol.ts";
export * from "./trial_dir.ts";
export * from "./divergence.ts";
export * from "./pool.ts";
export * from "./executor.ts";
export * from "./progress.ts";
export * from "./shard.ts";
export * from "./where.ts";
export * from "./emit.ts";
export * from "./runner.ts";
export * from "./workdir.ts";
