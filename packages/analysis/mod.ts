/**
 * `@plasticity/analysis`: turns runner results (trial records, as `@plasticity/runner`'s
 * `readTrials` reads them) into rows, reduces them per trial and over seeds, picks the best
 * settings, and makes tables, figures and a report as data. It reads and writes no file: the apps
 * read the results and write what it returns.
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
export * from "./trials.ts";
export * from "./aggregate.ts";
export * from "./table.ts";
export * from "./charts.ts";
export * from "./render.ts";
export * from "./report.ts";
export * from "./analyze.ts";
