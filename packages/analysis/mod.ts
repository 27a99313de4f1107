/**
 * `@plasticity/analysis`: turns runner results (`<results>/<experiment>/<trial>/`) into rows,
 * reduces them per trial and over seeds, picks the best settings, and writes tables.
 *
 * @example Best learning rate per rule by mean final accuracy over seeds
 * ```ts
 * import { aggregate, pickBest, reduceTrials } from "@plasticity/analysis";
 * const rows = [
 *   { trial: "a", rule: "bp", lr: 0.1, seed: 0, epoch: 1, acc: 0.9 },
 *   { trial: "b", rule: "bp", lr: 0.1, seed: 1, epoch: 1, acc: 0.8 },
 *   { trial: "c", rule: "bp", lr: 0.01, seed: 0, epoch: 1, acc: 0.6 },
 * ];
 * const perTrial = reduceTrials(rows, { y: "acc", reduce: "final" });
 * const perSetting = aggregate(perTrial, { by: ["rule", "lr"], y: "final_acc" });
 * const best = pickBest(perSetting, { by: ["rule"], metric: "final_acc_mean" });
 * console.assert(best[0]!.lr === 0.1);
 * ```
 *
 * @module
 */
export * from "./rows.ts";
export * from "./stats.ts";
export * from "./load.ts";
export * from "./aggregate.ts";
export * from "./table.ts";
export * from "./charts.ts";
export * from "./render.ts";
export * from "./report.ts";
export * from "./analyze.ts";
