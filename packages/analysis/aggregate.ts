/**
 * Reductions of rows: per trial (final value, min, max, best, mean over epochs — the "Mean of"
 * and "Min of" of the prospective-configuration code of Song et al. 2024), over seeds (mean, sample
 * std, sem, min, max of each group), and the best setting per group (e.g. the best learning rate
 * per depth by mean test error).
 *
 * Missing, `null` and non-finite values are skipped, as pandas does with `NaN` (`skipna`); the
 * `_n` column of {@linkcode aggregate} tells how many values each statistic used.
 *
 * @module
 */
import { compareCells, type Row } from "./rows.ts";
import { numberOf } from "./rows.ts";
import { groupRows } from "./rows.ts";
import { STAT_NAMES, type Stats, summarize } from "./stats.ts";
import { rowTrialKey } from "./trials.ts";

/** Whether smaller or larger values of a metric are better. */
export type Goal = "min" | "max";

/** How {@linkcode reduceTrials} turns a trial's curve into one number. */
export type Reduce = "final" | "min" | "max" | "mean" | "best";

/** The reductions, for validation and help texts. */
export const REDUCE_NAMES: readonly Reduce[] = ["final", "min", "max", "mean", "best"];

const SMALLER_IS_BETTER =
  /loss|error|(^|[._])err($|[._])|mse|rmse|mae|angle|distance|energy|regret/i;
const LARGER_IS_BETTER =
  /acc|accuracy|alignment|cosine|(^|[._])cos($|[._])|score|(^|[._])r2($|[._])|reward/i;

/**
 * Tells from a metric's name whether smaller or larger is better: names with loss, error, err,
 * mse, angle, distance or energy → `"min"`; names with acc(uracy), alignment, cos(ine), score, r2
 * or reward → `"max"`.
 *
 * @param name The metric name, e.g. `test_loss` or `final_test_accuracy_mean`.
 * @returns The goal.
 * @throws {Error} When the name says neither; pass the goal explicitly then.
 *
 * @example
 * ```ts
 * import { metricGoal } from "@plasticity/analysis";
 * console.assert(metricGoal("test_error_mean") === "min" && metricGoal("test_accuracy") === "max");
 * ```
 */
export function metricGoal(name: string): Goal {
  if (SMALLER_IS_BETTER.test(name)) return "min";
  if (LARGER_IS_BETTER.test(name)) return "max";
  throw new Error(
    `Cannot tell whether smaller or larger "${name}" is better: expected better: "min" or "max"`,
  );
}

/** Options of {@linkcode reduceTrials}. */
export interface ReduceOptions {
  /** The metric column to reduce. */
  readonly y: string;
  /** `final` (at the largest x), `min`, `max`, `mean` (over all lines) or `best` (min or max by goal). */
  readonly reduce: Reduce;
  /** The column that orders a trial's lines (default `epoch`; rows without it count as in file order). */
  readonly x?: string;
  /** For `best`: whether smaller or larger is better (default from {@linkcode metricGoal}). */
  readonly better?: Goal;
  /** The output column (default `<reduce>_<y>`, e.g. `final_test_accuracy`). */
  readonly as?: string;
  /**
   * The column that identifies a trial. By default a trial is known by its `trial_dir`,
   * `experiment` and `trial` cells together ({@linkcode rowTrialKey}), so trials with the same id
   * in two results roots stay apart; rows that hold only `trial` are keyed by it.
   */
  readonly trialKey?: string;
  /** Only lines with x ≥ this (inclusive). */
  readonly from?: number;
  /** Only lines with x ≤ this (inclusive). */
  readonly to?: number;
}

/**
 * Reduces each trial's lines to one row: the columns that are the same on all the trial's lines
 * (its config, ids, summary) plus the reduced metric. `final` takes the value on the line with the
 * largest x (`null` when that value is missing or not finite, e.g. after divergence); `min`, `max`,
 * `mean` and `best` use the finite values only (`null` when there are none).
 *
 * @param rows Rows, one per metrics line.
 * @param options The metric and reduction.
 * @returns One row per trial, in order of first appearance.
 *
 * @example
 * ```ts
 * import { reduceTrials } from "@plasticity/analysis";
 * const rows = [
 *   { trial: "a", epoch: 0, loss: 4 }, { trial: "a", epoch: 1, loss: 1 }, { trial: "a", epoch: 2, loss: 2 },
 * ];
 * console.assert(reduceTrials(rows, { y: "loss", reduce: "final" })[0]!.final_loss === 2);
 * console.assert(reduceTrials(rows, { y: "loss", reduce: "best" })[0]!.best_loss === 1);
 * console.assert(reduceTrials(rows, { y: "loss", reduce: "mean" })[0]!.mean_loss === 7 / 3);
 * ```
 */
export function reduceTrials(rows: readonly Row[], options: ReduceOptions): Row[] {
  const { y, reduce } = options;
  if (!REDUCE_NAMES.includes(reduce)) {
    throw new Error(`Unknown reduce "${reduce}": expected one of ${REDUCE_NAMES.join(", ")}`);
  }
  const x = options.x ?? "epoch";
  const trialKey = options.trialKey;
  const keyOf = trialKey === undefined
    ? rowTrialKey
    : (r: Row) => JSON.stringify(r[trialKey] ?? null);
  const as = options.as ?? `${reduce}_${y}`;
  const goal = reduce === "best" ? options.better ?? metricGoal(y) : undefined;
  const byTrial = new Map<string, Row[]>();
  for (const r of rows) {
    const id = keyOf(r);
    let list = byTrial.get(id);
    if (!list) byTrial.set(id, list = []);
    list.push(r);
  }
  const out: Row[] = [];
  for (const list of byTrial.values()) {
    const inRange = list.filter((r) => {
      const xv = numberOf(r[x]);
      if (xv === undefined) return options.from === undefined && options.to === undefined;
      return (options.from === undefined || xv >= options.from) &&
        (options.to === undefined || xv <= options.to);
    });
    if (inRange.length === 0) continue;
    const first = list[0]!;
    const shared: Row = {};
    for (const [k, v] of Object.entries(first)) {
      if (list.every((r) => (r[k] ?? null) === v)) shared[k] = v;
    }
    let value: number | null;
    if (reduce === "final") {
      let last = inRange[0]!;
      for (const r of inRange) {
        const a = numberOf(r[x]), b = numberOf(last[x]);
        if (a === undefined || b === undefined || a >= b) last = r;
      }
      value = numberOf(last[y]) ?? null;
    } else {
      const values = inRange.map((r) => numberOf(r[y])).filter((v): v is number => v !== undefined);
      if (values.length === 0) value = null;
      else {
        const s = summarize(values);
        const kind = reduce === "best" ? goal! : reduce;
        value = kind === "min" ? s.min : kind === "max" ? s.max : s.mean;
      }
    }
    delete shared[x];
    delete shared[y];
    shared[as] = value;
    out.push(shared);
  }
  return out;
}

/**
 * The name of a statistic's column in {@linkcode aggregate}'s output: `<y>_<stat>`.
 *
 * @param y The metric column.
 * @param stat The statistic.
 * @returns The column name.
 *
 * @example
 * ```ts
 * import { statColumn } from "@plasticity/analysis";
 * console.assert(statColumn("test_loss", "std") === "test_loss_std");
 * ```
 */
export function statColumn(y: string, stat: keyof Stats): string {
  return `${y}_${stat}`;
}

/** Options of {@linkcode aggregate}. */
export interface AggregateOptions {
  /** The grouping columns (e.g. `["rule.name", "optimizer.lr"]`); seeds are what is aggregated over. */
  readonly by: readonly string[];
  /** The metric column(s). */
  readonly y: string | readonly string[];
  /** An extra grouping column kept in the output, e.g. `epoch` for curves. */
  readonly x?: string;
}

/**
 * Aggregates rows over seeds: groups by `by` (and `x`) and summarises each metric with
 * {@linkcode summarize} (mean, sample std with divisor n − 1, sem = std/√n, min, max, n).
 *
 * @param rows The rows (per metrics line for curves, per trial after {@linkcode reduceTrials}).
 * @param options The grouping and the metrics.
 * @returns One row per group with the grouping columns and `<y>_n`, `<y>_mean`, `<y>_std`,
 * `<y>_sem`, `<y>_min`, `<y>_max` (`NaN` statistics where undefined).
 *
 * @example
 * ```ts
 * import { aggregate } from "@plasticity/analysis";
 * const rows = [{ r: "bp", acc: 0.8 }, { r: "bp", acc: 0.9 }, { r: "fa", acc: 0.7 }];
 * const [bp, fa] = aggregate(rows, { by: ["r"], y: "acc" });
 * console.assert(Math.abs(bp!.acc_mean as number - 0.85) < 1e-12 && bp!.acc_n === 2 && fa!.acc_n === 1);
 * ```
 */
export function aggregate(rows: readonly Row[], options: AggregateOptions): Row[] {
  const ys = typeof options.y === "string" ? [options.y] : options.y;
  const by = options.x === undefined ? [...options.by] : [...options.by, options.x];
  return groupRows(rows, by).map((g) => {
    const out: Row = { ...g.key };
    for (const y of ys) {
      const values = g.rows.map((r) => numberOf(r[y])).filter((v): v is number => v !== undefined);
      const s = summarize(values);
      for (const stat of STAT_NAMES) out[statColumn(y, stat)] = s[stat];
    }
    return out;
  });
}

/** Options of {@linkcode pickBest}. */
export interface PickBestOptions {
  /** Pick one row per group of these columns (e.g. `["network.depth"]`); none picks one overall. */
  readonly by: readonly string[];
  /** The column to rank by (e.g. `mean_test_error_mean`). */
  readonly metric: string;
  /** Whether smaller or larger is better (default from {@linkcode metricGoal}). */
  readonly better?: Goal;
}

/**
 * Picks the best row per group by a metric, e.g. the best learning rate per depth by mean test
 * error. Rows whose metric is missing or not finite are never picked; a group with none is left
 * out. Ties keep the first row.
 *
 * @param rows The candidate rows (typically {@linkcode aggregate}'s output).
 * @param options The grouping, the metric and the goal.
 * @returns One row per group, sorted by the group columns.
 *
 * @example
 * ```ts
 * import { pickBest } from "@plasticity/analysis";
 * const rows = [
 *   { depth: 1, lr: 0.1, err: 0.3 }, { depth: 1, lr: 0.01, err: 0.2 }, { depth: 2, lr: 0.1, err: 0.25 },
 * ];
 * const best = pickBest(rows, { by: ["depth"], metric: "err" });
 * console.assert(best[0]!.lr === 0.01 && best[1]!.lr === 0.1);
 * ```
 */
export function pickBest(rows: readonly Row[], options: PickBestOptions): Row[] {
  const goal = options.better ?? metricGoal(options.metric);
  const out: Row[] = [];
  for (const g of groupRows(rows, options.by)) {
    let best: Row | undefined, bestValue = NaN;
    for (const r of g.rows) {
      const v = numberOf(r[options.metric]);
      if (v === undefined) continue;
      if (best === undefined || (goal === "min" ? v < bestValue : v > bestValue)) {
        best = r;
        bestValue = v;
      }
    }
    if (best) out.push(best);
  }
  return out;
}

/**
 * Sorts rows by columns, ascending (see {@linkcode compareCells}); a copy is returned.
 *
 * @param rows The rows.
 * @param by The columns, most significant first.
 * @returns The sorted rows.
 *
 * @example
 * ```ts
 * import { sortRows } from "@plasticity/analysis";
 * console.assert(sortRows([{ a: 2 }, { a: 1 }], ["a"])[0]!.a === 1);
 * ```
 */
export function sortRows(rows: readonly Row[], by: readonly string[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const col of by) {
      const c = compareCells(a[col], b[col]);
      if (c !== 0) return c;
    }
    return 0;
  });
}
