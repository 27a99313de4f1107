// Prospective configuration (Song et al., Nature Neuroscience 2024) Fig. 4: learning in settings
// biological systems face (online, continual, concept drift, few data), predictive coding (PC)
// against backpropagation (BP).
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale, RULE_COLORS } from "../../../_charts.ts";
import type { Chart, DataTable, FigureDefinition, FigureOutput } from "../../../types.ts";
import { fmt, type Outcome, verdictOf } from "../../../verdict.ts";

const SOURCE = "Song et al. 2024, Fig. 4";
const RULES = ["PC", "BP"];
/** Test error of a diverged trial: chance level for 10 classes. */
const CHANCE_10 = 0.9;
/** Test error of a diverged continual-learning trial: chance level on the 5-unit head. */
const CHANCE_5 = 0.8;
/** The iterations the paper's continual-learning metric averages over. */
const CONTINUAL_ITERATIONS = 84;
/** The online-learning batch sizes, one config each. */
export const BATCH_SIZES: readonly number[] = [1, 8, 16, 32, 64];
const PAPER_SEEDS = [1482555873, 698841058, 2283198659];

const ruleColor = {
  scale: colorScale(RULES, RULE_COLORS),
  legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
};

/** Paper's Fig. 4b, read from the figure: mean test error at the best α per batch size (PC, BP). */
const PAPER_4B: Record<number, [string, string]> = {
  1: ["0.272", "0.289"],
  8: ["0.204", "0.207"],
  16: ["0.193", "0.200"],
  32: ["≈ 0.186", "≈ 0.186"],
  64: ["≈ 0.183", "≈ 0.183"],
};

/** Paper's Fig. 4h: minimum test error at the best α per training images per class (PC, BP). */
const PAPER_4H: Record<number, [string, string]> = {
  60: ["0.248", "0.267"],
  300: ["0.178", "0.182"],
  600: ["≈ 0.166", "≈ 0.166"],
  3000: ["0.150", "0.138"],
  6000: ["0.145", "0.128"],
};

/** One trial reduced to a number, with what identifies its setting. */
export interface TrialValue {
  /** `PC` or `BP`. */
  rule: string;
  /** Learning rate α. */
  lr: number;
  /** The trial's seed. */
  seed: number;
  /** The reduced value (e.g. mean test error over the iterations). */
  value: number;
  /** Whether the trial diverged (its value is then chance level). */
  diverged: boolean;
  /** Extra grouping key (batch size, images per class), 0 when none. */
  key: number;
}

/** The trials of one setting (rule, key, α) and their mean over seeds. */
export interface SettingValue {
  /** `PC` or `BP`. */
  rule: string;
  /** Extra grouping key (batch size, images per class). */
  key: number;
  /** Learning rate α. */
  lr: number;
  /** One value per seed. */
  values: number[];
  /** Their mean. */
  mean: number;
  /** Their sample standard deviation (0 for one seed). */
  std: number;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function ruleOf(r: Row): string {
  return r["rule.name"] === "pc" ? "PC" : "BP";
}

/** The rows of each trial, in order of appearance. */
function byTrial(rows: readonly Row[]): Row[][] {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const t = String(r.trial_dir ?? r.trial);
    (out.get(t) ?? out.set(t, []).get(t)!).push(r);
  }
  return [...out.values()];
}

function errorOf(r: Row, column = "test_accuracy"): number | undefined {
  const a = numberOf(r[column]);
  return a === undefined ? undefined : 1 - a;
}

/**
 * Reduces each trial to one number with `reduce` over its logged rows. A diverged trial (the
 * runner stops it when the loss turns non-finite or explodes) counts as `chance`.
 *
 * @param rows Analysis rows of one or more experiments.
 * @param reduce The trial's value from its rows (undefined: no usable rows, counted as chance).
 * @param chance The value of a diverged trial.
 * @param key Extra grouping key of a trial (batch size, images per class).
 * @returns One value per trial.
 *
 * @example
 * ```ts
 * import { trialValues } from "./figure.ts";
 * const rows = [0, 1, 2].map((epoch) => ({
 *   trial: "a", state: "done", "rule.name": "pc", "optimizer.lr": 0.1, seed: 1, epoch,
 *   test_accuracy: 0.5 + epoch / 10,
 * }));
 * const [t] = trialValues(rows, (r) => r.length, 0.9, () => 0);
 * console.assert(t!.value === 3 && t!.rule === "PC");
 * ```
 */
export function trialValues(
  rows: readonly Row[],
  reduce: (trial: Row[]) => number | undefined,
  chance: number,
  key: (first: Row) => number,
): TrialValue[] {
  const out: TrialValue[] = [];
  for (const t of byTrial(rows)) {
    const first = t[0]!;
    const lr = numberOf(first["optimizer.lr"]);
    if (lr === undefined) continue;
    const diverged = first.state === "diverged";
    const v = diverged ? undefined : reduce(t);
    out.push({
      rule: ruleOf(first),
      lr,
      seed: numberOf(first.seed) ?? 0,
      value: v === undefined || !Number.isFinite(v) ? chance : v,
      diverged: diverged || v === undefined,
      key: key(first),
    });
  }
  return out;
}

/**
 * Groups trial values by (rule, key, α): mean and standard deviation over seeds.
 *
 * @param values Trial values.
 * @returns One entry per setting, sorted by rule, key and descending α.
 *
 * @example
 * ```ts
 * import { settings } from "./figure.ts";
 * const s = settings([
 *   { rule: "PC", lr: 0.1, seed: 1, value: 0.2, diverged: false, key: 0 },
 *   { rule: "PC", lr: 0.1, seed: 2, value: 0.4, diverged: false, key: 0 },
 * ]);
 * console.assert(s.length === 1 && Math.abs(s[0]!.mean - 0.3) < 1e-12);
 * ```
 */
export function settings(values: readonly TrialValue[]): SettingValue[] {
  const groups = new Map<string, TrialValue[]>();
  for (const v of values) {
    const k = `${v.rule}|${v.key}|${v.lr}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(v);
  }
  const out: SettingValue[] = [];
  for (const g of groups.values()) {
    const vals = g.map((v) => v.value);
    const s = summarize(vals);
    out.push({
      rule: g[0]!.rule,
      key: g[0]!.key,
      lr: g[0]!.lr,
      values: vals,
      mean: s.mean,
      std: Number.isFinite(s.std) ? s.std : 0,
    });
  }
  return out.sort((a, b) =>
    RULES.indexOf(a.rule) - RULES.indexOf(b.rule) || a.key - b.key || b.lr - a.lr
  );
}

/**
 * The best setting (lowest mean over seeds) per rule and key: the paper picks α this way in every
 * panel of Fig. 4.
 *
 * @param all Settings.
 * @returns The best per `rule|key`.
 *
 * @example
 * ```ts
 * import { bestByKey } from "./figure.ts";
 * const best = bestByKey([
 *   { rule: "BP", key: 1, lr: 0.1, values: [0.3], mean: 0.3, std: 0 },
 *   { rule: "BP", key: 1, lr: 0.05, values: [0.2], mean: 0.2, std: 0 },
 * ]);
 * console.assert(best.get("BP|1")!.lr === 0.05);
 * ```
 */
export function bestByKey(all: readonly SettingValue[]): Map<string, SettingValue> {
  const best = new Map<string, SettingValue>();
  for (const s of all) {
    const k = `${s.rule}|${s.key}`;
    const cur = best.get(k);
    if (!cur || s.mean < cur.mean) best.set(k, s);
  }
  return best;
}

/** Mean test error over the iterations (epochs ≥ 1) of one trial. */
function meanError(trial: readonly Row[]): number | undefined {
  const e = trial.filter((r) => (numberOf(r.epoch) ?? 0) >= 1).map((r) => errorOf(r))
    .filter((v): v is number => v !== undefined);
  return e.length === 0 ? undefined : mean(e);
}

/** Minimum test error over the iterations (epochs ≥ 1) of one trial. */
function minError(trial: readonly Row[]): number | undefined {
  const e = trial.filter((r) => (numberOf(r.epoch) ?? 0) >= 1).map((r) => errorOf(r))
    .filter((v): v is number => v !== undefined);
  return e.length === 0 ? undefined : Math.min(...e);
}

/**
 * The continual-learning errors of one trial over its first `iterations` iterations (epochs 1…n):
 * `both`, the mean of the two tasks' test errors (the paper's Fig. 4e metric: each task's error
 * averaged over the iterations, then over the tasks), and `untrained`, the mean error on the task
 * not being trained in each iteration (forgetting).
 *
 * @param trial The trial's rows (`task`, `task0_test_accuracy`, `task1_test_accuracy`).
 * @param iterations How many iterations to average over.
 * @returns Both means, or undefined without rows.
 *
 * @example
 * ```ts
 * import { continualErrors } from "./figure.ts";
 * const rows = [
 *   { epoch: 0, task: 0, task0_test_accuracy: 0.2, task1_test_accuracy: 0.2 },
 *   { epoch: 1, task: 0, task0_test_accuracy: 0.6, task1_test_accuracy: 0.2 },
 *   { epoch: 2, task: 1, task0_test_accuracy: 0.4, task1_test_accuracy: 0.6 },
 * ];
 * const e = continualErrors(rows, 84)!;
 * console.assert(Math.abs(e.both - 0.55) < 1e-12 && Math.abs(e.untrained - 0.7) < 1e-12);
 * ```
 */
export function continualErrors(
  trial: readonly Row[],
  iterations: number,
): { both: number; untrained: number } | undefined {
  const both: number[] = [], untrained: number[] = [];
  for (const r of trial) {
    const k = numberOf(r.epoch), task = numberOf(r.task);
    if (k === undefined || k < 1 || k > iterations || task === undefined) continue;
    const e0 = errorOf(r, "task0_test_accuracy"), e1 = errorOf(r, "task1_test_accuracy");
    if (e0 === undefined || e1 === undefined) continue;
    both.push((e0 + e1) / 2);
    untrained.push(task === 0 ? e1 : e0);
  }
  return both.length === 0 ? undefined : { both: mean(both), untrained: mean(untrained) };
}

/**
 * Mean test error of a concept-drift trial over the iterations trained after the first
 * permutation of labels (`drift` ≥ 1): the paper's runs permute the labels from their first
 * iteration, the runner's start with one stretch on the pretraining labels, left out here.
 *
 * @param trial The trial's rows (`epoch`, `drift`, `test_accuracy`).
 * @returns The mean, or undefined when no row is after a permutation.
 *
 * @example
 * ```ts
 * import { driftError } from "./figure.ts";
 * const rows = [
 *   { epoch: 1, drift: 0, test_accuracy: 0.9 },
 *   { epoch: 2, drift: 1, test_accuracy: 0.6 },
 *   { epoch: 3, drift: 1, test_accuracy: 0.8 },
 * ];
 * console.assert(Math.abs(driftError(rows)! - 0.3) < 1e-12);
 * ```
 */
export function driftError(trial: readonly Row[]): number | undefined {
  const e = trial.filter((r) => (numberOf(r.epoch) ?? 0) >= 1 && (numberOf(r.drift) ?? 0) >= 1)
    .map((r) => errorOf(r)).filter((v): v is number => v !== undefined);
  return e.length === 0 ? undefined : mean(e);
}

/** Mean ± std over seeds of a test-error curve, per epoch, of the trials of one setting. */
function meanCurve(
  rows: readonly Row[],
  pick: (r: Row) => boolean,
  value: (r: Row) => number | undefined,
): { epoch: number; mean: number; std: number }[] {
  const byEpoch = new Map<number, number[]>();
  for (const r of rows) {
    if (!pick(r) || r.state === "diverged") continue;
    const e = numberOf(r.epoch), v = value(r);
    if (e === undefined || e < 1 || v === undefined) continue;
    (byEpoch.get(e) ?? byEpoch.set(e, []).get(e)!).push(v);
  }
  return [...byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, v]) => {
    const s = summarize(v);
    return { epoch, mean: s.mean, std: Number.isFinite(s.std) ? s.std : 0 };
  });
}

function isSetting(s: SettingValue | undefined) {
  return (r: Row) => !!s && ruleOf(r) === s.rule && numberOf(r["optimizer.lr"]) === s.lr;
}

function seedsNote(all: readonly SettingValue[]): string {
  const n = Math.max(0, ...all.map((s) => s.values.length));
  return `${n} seed${n === 1 ? "" : "s"} per setting`;
}

/**
 * Error (y) against α (x, log) per rule with ± 1 std bars; `measure` names a second grouping field,
 * drawn dashed and with square points for its second value.
 */
function lrChart(
  panel: string,
  name: string,
  title: string,
  subtitle: readonly string[],
  data: Record<string, unknown>[],
  yTitle: string,
  measure?: { field: string; title: string },
): Chart {
  const x = { field: "lr", type: "quantitative", title: "learning rate α", scale: { type: "log" } };
  const y = { field: "error", type: "quantitative", title: yTitle, scale: { zero: false } };
  const color = { field: "rule", type: "nominal", title: "rule", ...ruleColor };
  const byMeasure = (channel: Record<string, unknown>) =>
    measure
      ? { field: measure.field, type: "nominal", title: measure.title, ...channel }
      : undefined;
  const dash = byMeasure({
    scale: { range: [[1, 0], [6, 3]] },
    legend: { symbolType: "stroke", symbolSize: 400 },
  });
  const shape = byMeasure({ scale: { range: ["circle", "square"] } });
  return {
    panel,
    name,
    spec: chart(title, subtitle, {
      data: { values: data },
      layer: [
        {
          mark: { type: "line" },
          encoding: { x, y, color, ...(dash ? { strokeDash: dash } : {}) },
        },
        {
          mark: { type: "point", filled: true, size: 45, opacity: 1 },
          encoding: { x, y, color, ...(shape ? { shape } : {}) },
        },
        {
          mark: { type: "rule" },
          encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
        },
      ],
    }),
  };
}

function errorBars(s: SettingValue, more: Record<string, unknown> = {}) {
  return { rule: s.rule, lr: s.lr, error: s.mean, lo: s.mean - s.std, hi: s.mean + s.std, ...more };
}

/** Error (y) against a key (x) at the best α per rule, with ± 1 std bands. */
function bestChart(
  panel: string,
  title: string,
  subtitle: readonly string[],
  best: Map<string, SettingValue>,
  x: Record<string, unknown>,
  yTitle: string,
): Chart {
  const data = [...best.values()].map((s) => errorBars(s, { key: s.key }));
  const color = { field: "rule", type: "nominal", title: "rule", ...ruleColor };
  return {
    panel,
    name: panel,
    spec: chart(title, subtitle, {
      data: { values: data },
      layer: [
        {
          mark: { type: "area", opacity: 0.2 },
          encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x,
            y: { field: "error", type: "quantitative", title: yTitle, scale: { zero: false } },
            color,
            tooltip: [{ field: "lr", title: "best α" }],
          },
        },
      ],
    }),
  };
}

function bestLine(s: SettingValue | undefined): string {
  return s ? `${fmt(s.mean)} (α ${s.lr})` : "–";
}

function lessThan(a: SettingValue | undefined, b: SettingValue | undefined): boolean | undefined {
  return a && b ? a.mean < b.mean : undefined;
}

// ---------------------------------------------------------------------------------------------
// 4b, 4c: online learning

async function online(
  rowsOf: (file: string) => Promise<Row[]>,
): Promise<{ all: SettingValue[]; b1Min: SettingValue[] }> {
  const means: TrialValue[] = [], mins: TrialValue[] = [];
  for (const b of BATCH_SIZES) {
    const rows = await rowsOf(`4bc_b${b}.yaml`);
    means.push(...trialValues(rows, meanError, CHANCE_10, () => b));
    if (b === 1) mins.push(...trialValues(rows, minError, CHANCE_10, () => b));
  }
  return { all: settings(means), b1Min: settings(mins) };
}

function online4b(all: readonly SettingValue[], note: string): {
  chart: Chart;
  best: Map<string, SettingValue>;
} {
  const best = bestByKey(all);
  return {
    best,
    chart: bestChart(
      "4b",
      "Fig. 4b: online learning, mean test error at the best α against batch size",
      [
        "FashionMNIST, 784-32-32-10 sigmoid; an iteration = 200 mini-batches then a test; error " +
        `averaged over the iterations; band: ± 1 sample std over seeds (${seedsNote(all)})`,
        note,
      ],
      best,
      {
        field: "key",
        type: "ordinal",
        title: "batch size",
        sort: [...BATCH_SIZES],
        axis: { labelAngle: 0 },
      },
      "mean test error at best α",
    ),
  };
}

function online4c(b1Min: readonly SettingValue[], note: string): Chart {
  return lrChart(
    "4c",
    "4c",
    "Fig. 4c: online learning at batch size 1, minimum test error against α",
    [
      "minimum over the iterations of the test error; bars: ± 1 sample std over seeds " +
      `(${seedsNote(b1Min)})`,
      note,
    ],
    b1Min.map((s) => errorBars(s)),
    "minimum test error",
  );
}

// ---------------------------------------------------------------------------------------------
// 4d, 4e: continual learning

interface ContinualSetting {
  both: SettingValue;
  untrained: SettingValue;
}

function continualSettings(rows: readonly Row[]): ContinualSetting[] {
  const reduce = (which: "both" | "untrained") => (t: Row[]) =>
    continualErrors(t, CONTINUAL_ITERATIONS)?.[which];
  const both = settings(trialValues(rows, reduce("both"), CHANCE_5, () => 0));
  const untrained = settings(trialValues(rows, reduce("untrained"), CHANCE_5, () => 0));
  return both.map((b) => ({
    both: b,
    untrained: untrained.find((u) => u.rule === b.rule && u.lr === b.lr)!,
  }));
}

function continual4e(all: readonly ContinualSetting[], note: string): Chart {
  const data = all.flatMap((s) => [
    errorBars(s.both, { measure: "both tasks (the paper's metric)" }),
    errorBars(s.untrained, { measure: "the task not being trained" }),
  ]);
  return lrChart(
    "4e",
    "4e",
    `Fig. 4e: continual learning, mean test error over the first ${CONTINUAL_ITERATIONS} iterations against α`,
    [
      "two 5-class FashionMNIST tasks on a shared 5-unit head, switching every 4 iterations; " +
      "circles, solid: the two tasks' errors averaged; squares, dashed: the error on the task " +
      "not being trained; bars: ± 1 " +
      `sample std over seeds (${seedsNote(all.map((s) => s.both))})`,
      note,
    ],
    data,
    "mean test error",
    { field: "measure", title: "error on" },
  );
}

function continual4d(
  rows: readonly Row[],
  best: Map<string, SettingValue>,
  note: string,
): Chart {
  const data: Record<string, unknown>[] = [];
  for (const rule of RULES) {
    const s = best.get(`${rule}|0`);
    for (const task of [0, 1]) {
      const curve = meanCurve(
        rows,
        isSetting(s),
        (r) => errorOf(r, `task${task}_test_accuracy`),
      ).filter((c) => c.epoch <= CONTINUAL_ITERATIONS);
      for (const c of curve) {
        data.push({
          rule,
          task: `task ${task === 0 ? "A (classes 0–4)" : "B (classes 5–9)"}`,
          iteration: c.epoch,
          error: c.mean,
          lr: s?.lr,
        });
      }
    }
  }
  // The iterations that train task B (the schedule is the same in every trial).
  const firstTrial = byTrial(rows)[0] ?? [];
  const bands = firstTrial.filter((r) =>
    numberOf(r.task) === 1 && (numberOf(r.epoch) ?? 0) >= 1 &&
    (numberOf(r.epoch) ?? 0) <= CONTINUAL_ITERATIONS
  ).map((r) => ({ from: numberOf(r.epoch)! - 0.5, to: numberOf(r.epoch)! + 0.5 }));
  const x = {
    field: "iteration",
    type: "quantitative",
    title: "training iteration",
    scale: { domain: [0, CONTINUAL_ITERATIONS + 1], nice: false },
  };
  const lr = (rule: string) => best.get(`${rule}|0`)?.lr ?? "–";
  return {
    panel: "4d",
    name: "4d",
    spec: chart(
      "Fig. 4d: continual learning, test error of each task at the best α",
      [
        `grey: iterations that train task B (the others train task A); PC α ${lr("PC")}, BP α ${
          lr("BP")
        }; mean over seeds`,
        note,
      ],
      {
        layer: [
          {
            data: { values: bands },
            mark: { type: "rect", color: "#000", opacity: 0.07 },
            encoding: {
              x: { field: "from", type: "quantitative", scale: x.scale },
              x2: { field: "to" },
            },
          },
          {
            data: { values: data },
            mark: { type: "line" },
            encoding: {
              x,
              y: {
                field: "error",
                type: "quantitative",
                title: "test error",
                scale: { domain: [0, 1] },
              },
              color: { field: "rule", type: "nominal", title: "rule", ...ruleColor },
              strokeDash: {
                field: "task",
                type: "nominal",
                title: "test set",
                scale: { range: [[1, 0], [5, 3]] },
                legend: { symbolType: "stroke", symbolSize: 400 },
              },
            },
          },
        ],
      },
      { width: 560, height: 300 },
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// 4f, 4g: concept drift

function drift4f(
  rows: readonly Row[],
  best: Map<string, SettingValue>,
  note: string,
): Chart {
  const data: Record<string, unknown>[] = [];
  let every = 64, last = 0;
  for (const rule of RULES) {
    const s = best.get(`${rule}|0`);
    for (const c of meanCurve(rows, isSetting(s), (r) => errorOf(r))) {
      data.push({ rule, iteration: c.epoch, error: c.mean, lr: s?.lr });
      last = Math.max(last, c.epoch);
    }
  }
  const e = numberOf(rows[0]?.["drift.every"]);
  if (e !== undefined) every = e;
  const drifts = [];
  for (let k = every; k < last; k += every) drifts.push({ at: k + 0.5 });
  const lr = (rule: string) => best.get(`${rule}|0`)?.lr ?? "–";
  return {
    panel: "4f",
    name: "4f",
    spec: chart(
      "Fig. 4f: concept drift, test error at the best α",
      [
        `grey lines: a drift (training and test sets re-drawn; from the first line on, classes 5–9 ` +
        `relabelled by a fresh permutation); PC α ${lr("PC")}, BP α ${lr("BP")}; mean over seeds`,
        note,
      ],
      {
        layer: [
          {
            data: { values: drifts },
            mark: { type: "rule", color: "#999", strokeDash: [2, 2] },
            encoding: { x: { field: "at", type: "quantitative" } },
          },
          {
            data: { values: data },
            mark: { type: "line", strokeWidth: 1.2 },
            encoding: {
              x: { field: "iteration", type: "quantitative", title: "training iteration" },
              y: {
                field: "error",
                type: "quantitative",
                title: "test error",
                scale: { zero: false },
              },
              color: { field: "rule", type: "nominal", title: "rule", ...ruleColor },
            },
          },
        ],
      },
      { width: 620, height: 280 },
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// 4h: few data

function perClassOf(r: Row): number {
  return numberOf(r["dataset.per_class"]) ?? 0;
}

/** Quick mode, batch sizes 8–64: one α of the paper's grid per batch size. */
const QUICK_4B_LR: Record<number, number> = { 8: 0.025, 16: 0.01, 32: 0.0075, 64: 0.0025 };
const QUICK_4B_NOTE =
  "16 iterations (of 200 batches), batch 1 over the paper's 6 α, batch 8, 16, 32, " +
  "64 at α = 0.025, 0.01, 0.0075, 0.0025 only; one seed (1482555873); a 2000-image test subset";

/** The dataset section of Fig. 4h for k images per class (training and test). */
function fewData(k: number): Record<string, unknown> {
  return {
    name: "fashion-mnist",
    per_class: k,
    test_per_class: k,
    normalize: "unit",
    target_values: [0, 1],
  };
}

/** pc/fig4: Fig. 4b–h of the prospective-configuration paper. */
export const PC_FIG4: FigureDefinition = {
  id: "pc/fig4",
  title:
    "Prospective configuration Fig. 4: online, continual, concept-drift and few-data learning (PC vs BP)",
  paper: "Song et al., Inferring neural activity before plasticity as a foundation for learning " +
    "beyond backpropagation, Nature Neuroscience 27 (2024)",
  source: SOURCE,
  panels: [
    { id: "4b", title: "online learning: mean test error at the best α against batch size" },
    { id: "4c", title: "online learning at batch size 1: minimum test error against α" },
    { id: "4d", title: "continual learning: each task's test error at the best α" },
    { id: "4e", title: "continual learning: mean test error over 84 iterations against α" },
    { id: "4f", title: "concept drift: test error at the best α against iteration" },
    { id: "4g", title: "concept drift: mean test error against α" },
    { id: "4h", title: "few data: minimum test error at the best α against images per class" },
    { id: "pi", title: "prospective index per hidden layer of a 6-layer linear PCN (w′ and w*)" },
  ],
  experiments: [
    ...BATCH_SIZES.map((b) => ({
      file: `4bc_b${b}.yaml`,
      panels: b === 1 ? ["4b", "4c"] : ["4b"],
      quickNote: QUICK_4B_NOTE,
      quick: {
        epochs: 16,
        seeds: [PAPER_SEEDS[0]],
        dataset: { test_size: 2000 },
        ...(b === 1 ? {} : { grid: { "optimizer.lr": [QUICK_4B_LR[b]] } }),
      },
    })),
    {
      file: "4de.yaml",
      panels: ["4d", "4e"],
      quickNote: "84 iterations, α = 5e-4 (the paper's best for both rules), 2 seeds, " +
        "200 test images per class",
      quick: {
        epochs: CONTINUAL_ITERATIONS,
        seeds: PAPER_SEEDS.slice(0, 2),
        dataset: { test_per_class: 200 },
        grid: { "optimizer.lr": [0.0005] },
      },
    },
    { file: "4fg_pretrain.yaml", panels: ["4f", "4g"] },
    {
      file: "4fg.yaml",
      panels: ["4f", "4g"],
      quickNote: "320 iterations (4 permutations), α = 0.01 (the paper's best for both rules), " +
        "one seed",
      quick: { epochs: 320, seeds: [PAPER_SEEDS[0]], grid: { "optimizer.lr": [0.01] } },
    },
    {
      file: "4h_small.yaml",
      panels: ["4h"],
      quickNote: "60 images per class only: 64 epochs, α ∈ {0.01, 0.005, 0.0025, 0.001}, 2 seeds",
      quick: {
        seeds: PAPER_SEEDS.slice(0, 2),
        grid: {
          dataset: [fewData(60)],
          "optimizer.lr": [0.01, 0.005, 0.0025, 0.001],
        },
      },
    },
    {
      file: "4h_large.yaml",
      panels: ["4h"],
      quickNote: "6000 images per class only: 20 epochs, α = 0.005, one seed",
      quick: {
        epochs: 20,
        seeds: [PAPER_SEEDS[0]],
        grid: { dataset: [fewData(6000)], "optimizer.lr": [0.005] },
      },
    },
    { file: "pi.yaml", panels: ["pi"] },
  ],
  async analyse(ctx): Promise<FigureOutput> {
    const charts: Chart[] = [], outcomes: Outcome[] = [], tables: DataTable[] = [];
    const has = (...p: string[]) => p.some((x) => ctx.panels.has(x));

    if (has("4b", "4c")) {
      const { all, b1Min } = await online(ctx.rows);
      const { chart: c4b, best } = online4b(all, ctx.note("4b"));
      if (ctx.panels.has("4b")) charts.push(c4b);
      if (ctx.panels.has("4c")) charts.push(online4c(b1Min, ctx.note("4c")));
      const pc1 = best.get("PC|1"), bp1 = best.get("BP|1");
      if (ctx.panels.has("4b")) {
        outcomes.push({
          panel: "4b",
          expected: "at batch size 1, PC's mean test error (best α) is below BP's",
          paper: `0.272 (PC) vs 0.289 (BP) (${SOURCE})`,
          ours: `${bestLine(pc1)} (PC) vs ${bestLine(bp1)} (BP)`,
          verdict: verdictOf(lessThan(pc1, bp1)),
        });
        const tableRows: Row[] = [];
        for (const b of BATCH_SIZES) {
          const p = best.get(`PC|${b}`), q = best.get(`BP|${b}`);
          tableRows.push({
            "batch size": b,
            "PC best α": p?.lr ?? null,
            "PC error": p ? Number(p.mean.toFixed(4)) : null,
            "BP best α": q?.lr ?? null,
            "BP error": q ? Number(q.mean.toFixed(4)) : null,
            "paper (PC / BP)": PAPER_4B[b] ? PAPER_4B[b]!.join(" / ") : "–",
          });
          if (b !== 1 && p && q) {
            outcomes.push({
              panel: "4b",
              expected: `batch size ${b}: mean test error at the best α, PC / BP`,
              paper: PAPER_4B[b]!.join(" / "),
              ours: `${fmt(p.mean)} / ${fmt(q.mean)}`,
              verdict: "info",
            });
          }
        }
        tables.push({
          name: "4b_best_lr",
          title: "Fig. 4b: best learning rate per batch size and its mean test error",
          rows: tableRows,
          columns: [
            "batch size",
            "PC best α",
            "PC error",
            "BP best α",
            "BP error",
            "paper (PC / BP)",
          ],
        });
      }
      if (ctx.panels.has("4c")) {
        const range = (rule: string) => {
          const m = b1Min.filter((s) => s.rule === rule).map((s) => s.mean);
          return m.length === 0 ? "–" : `${fmt(Math.min(...m))}–${fmt(Math.max(...m))}`;
        };
        outcomes.push({
          panel: "4c",
          expected: "batch size 1: minimum test error over the α grid, PC / BP (range)",
          paper: `PC ≈ 0.196–0.203, BP ≈ 0.207–0.222 (${SOURCE}; read from the figure)`,
          ours: `PC ${range("PC")}, BP ${range("BP")}`,
          verdict: "info",
        });
      }
    }

    if (has("4d", "4e")) {
      const rows = await ctx.rows("4de.yaml");
      const all = continualSettings(rows);
      const bestBoth = bestByKey(all.map((s) => s.both));
      const bestUntrained = bestByKey(all.map((s) => s.untrained));
      if (ctx.panels.has("4d")) charts.push(continual4d(rows, bestBoth, ctx.note("4d")));
      if (ctx.panels.has("4e")) {
        charts.push(continual4e(all, ctx.note("4e")));
        const pc = bestBoth.get("PC|0"), bp = bestBoth.get("BP|0");
        outcomes.push({
          panel: "4e",
          expected:
            `PC's mean test error over the first ${CONTINUAL_ITERATIONS} iterations (both tasks, best α) is below BP's`,
          paper:
            `≈ 0.64 (PC, α 5e-4–7.5e-4) vs ≈ 0.69 (BP, α 5e-4) (${SOURCE}; read from the figure)`,
          ours: `${bestLine(pc)} (PC) vs ${bestLine(bp)} (BP)`,
          verdict: verdictOf(lessThan(pc, bp)),
        });
        const pu = bestUntrained.get("PC|0"), bu = bestUntrained.get("BP|0");
        outcomes.push({
          panel: "4e",
          expected:
            `PC's mean error on the task not being trained (first ${CONTINUAL_ITERATIONS} iterations, best α) is below BP's`,
          paper: "not reported separately (Fig. 4d: the untrained task's error rises less for PC)",
          ours: `${bestLine(pu)} (PC) vs ${bestLine(bu)} (BP)`,
          verdict: verdictOf(lessThan(pu, bu)),
        });
      }
    }

    if (has("4f", "4g")) {
      const rows = await ctx.rows("4fg.yaml");
      const all = settings(trialValues(rows, driftError, CHANCE_10, () => 0));
      const best = bestByKey(all);
      if (ctx.panels.has("4f")) {
        charts.push(drift4f(rows, best, ctx.note("4f")));
        const tail = (rule: string) => {
          const curve = meanCurve(rows, isSetting(best.get(`${rule}|0`)), (r) => errorOf(r));
          const lastK = curve.length === 0 ? 0 : curve[curve.length - 1]!.epoch;
          return mean(curve.filter((c) => c.epoch > lastK - 64).map((c) => c.mean));
        };
        outcomes.push({
          panel: "4f",
          expected: "test error over the last 64 iterations at the best α, PC / BP",
          paper: `by iteration 3000 PC ≈ 0.2, BP ≈ 0.4 (${SOURCE}; read from the figure)`,
          ours: `${fmt(tail("PC"))} / ${fmt(tail("BP"))}`,
          verdict: "info",
        });
      }
      if (ctx.panels.has("4g")) {
        charts.push(
          lrChart(
            "4g",
            "4g",
            "Fig. 4g: concept drift, mean test error against α",
            [
              "start: a BP-pretrained 784-32-32-10 net; every 64 iterations classes 5–9 relabelled; " +
              "error averaged over the iterations after the first relabelling; bars: ± 1 sample std " +
              `over seeds (${seedsNote(all)}); a diverged run counts as 0.9`,
              ctx.note("4g"),
            ],
            all.map((s) => errorBars(s)),
            "mean test error",
          ),
        );
        const pc = best.get("PC|0"), bp = best.get("BP|0");
        outcomes.push({
          panel: "4g",
          expected: "PC's mean test error (best α) is below BP's",
          paper: `≈ 0.29 (PC) vs ≈ 0.40 (BP), both at α = 0.01 (${SOURCE}; read from the figure)`,
          ours: `${bestLine(pc)} (PC) vs ${bestLine(bp)} (BP)`,
          verdict: verdictOf(lessThan(pc, bp)),
        });
      }
    }

    if (ctx.panels.has("4h")) {
      const values = [
        ...trialValues(await ctx.rows("4h_small.yaml"), minError, CHANCE_10, perClassOf),
        ...trialValues(await ctx.rows("4h_large.yaml"), minError, CHANCE_10, perClassOf),
      ];
      const all = settings(values);
      const best = bestByKey(all);
      charts.push(
        bestChart(
          "4h",
          "Fig. 4h: few data, minimum test error at the best α against training images per class",
          [
            "FashionMNIST with k images per class for training and for testing; minimum over the " +
            `epochs; band: ± 1 sample std over seeds (${seedsNote(all)})`,
            ctx.note("4h"),
          ],
          best,
          {
            field: "key",
            type: "quantitative",
            title: "training images per class",
            scale: { type: "log", domain: [40, 9000], nice: false },
            axis: { values: [60, 300, 600, 3000, 6000], format: "d", labelOverlap: false },
          },
          "minimum test error at best α",
        ),
      );
      const p60 = best.get("PC|60"), b60 = best.get("BP|60");
      const p6k = best.get("PC|6000"), b6k = best.get("BP|6000");
      outcomes.push({
        panel: "4h",
        expected: "with 60 images per class, PC's minimum test error (best α) is below BP's",
        paper: `0.248 (PC) vs 0.267 (BP) (${SOURCE})`,
        ours: `${bestLine(p60)} (PC) vs ${bestLine(b60)} (BP)`,
        verdict: verdictOf(lessThan(p60, b60)),
      }, {
        panel: "4h",
        expected: "with 6000 images per class, BP's minimum test error (best α) is at most PC's",
        paper: `0.145 (PC) vs 0.128 (BP) (${SOURCE})`,
        ours: `${bestLine(p6k)} (PC) vs ${bestLine(b6k)} (BP)`,
        verdict: verdictOf(p6k && b6k ? b6k.mean <= p6k.mean : undefined),
      });
      const keys = [...new Set(all.map((s) => s.key))].sort((a, b) => a - b);
      tables.push({
        name: "4h_best_lr",
        title: "Fig. 4h: best learning rate per data size and its minimum test error",
        rows: keys.map((k) => {
          const p = best.get(`PC|${k}`), q = best.get(`BP|${k}`);
          return {
            "per class": k,
            "PC best α": p?.lr ?? null,
            "PC error": p ? Number(p.mean.toFixed(4)) : null,
            "BP best α": q?.lr ?? null,
            "BP error": q ? Number(q.mean.toFixed(4)) : null,
            "paper (PC / BP)": PAPER_4H[k] ? PAPER_4H[k]!.join(" / ") : "–",
          };
        }),
        columns: ["per class", "PC best α", "PC error", "BP best α", "BP error", "paper (PC / BP)"],
      });
      for (const k of keys) {
        const p = best.get(`PC|${k}`), q = best.get(`BP|${k}`);
        if (k === 60 || k === 6000 || !PAPER_4H[k] || !p || !q) continue;
        outcomes.push({
          panel: "4h",
          expected: `${k} images per class: minimum test error at the best α, PC / BP`,
          paper: PAPER_4H[k]!.join(" / "),
          ours: `${fmt(p.mean)} / ${fmt(q.mean)}`,
          verdict: "info",
        });
      }
    }
    if (has("pi")) {
      const byLayer = prospectiveIndexByLayer(await ctx.rows("pi.yaml"));
      charts.push(prospectiveIndexChart(byLayer, ctx.note("pi")));
      const linear = byLayer.filter((p) => p.activation === "identity");
      const meansOf = (w: string) => linear.filter((p) => p.weights === w).map((p) => p.mean);
      const wPrime = meansOf(W_PRIME), wStar = meansOf(W_STAR);
      const range = (v: number[]) =>
        v.length ? `${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)}` : "no data";
      outcomes.push({
        panel: "pi",
        expected: "linear net, one weight step (w′): mean PI ≥ 0.97 in every hidden layer",
        paper: "≥ 0.97, falling slightly with depth (Song et al. 2024, nature_pc_pi_layered)",
        ours: `${range(wPrime)} over layers 1–${wPrime.length}`,
        verdict: verdictOf(wPrime.length ? wPrime.every((v) => v >= 0.97) : undefined),
      }, {
        panel: "pi",
        expected: "linear net, weights trained at the frozen relaxed x (w*): PI ≈ 1 (≥ 0.99)",
        paper: "≈ 1.00 (Song et al. 2024, nature_pc_pi_layered)",
        ours: `${range(wStar)} over layers 1–${wStar.length}`,
        verdict: verdictOf(wStar.length ? wStar.every((v) => v >= 0.99) : undefined),
      });
      const sig = byLayer.filter((p) => p.activation === "sigmoid" && p.weights === W_PRIME);
      if (sig.length) {
        outcomes.push({
          panel: "pi",
          expected: "sigmoid hidden units, one weight step (w′): mean PI per layer",
          paper: "stays ≈ 1 (Song et al. 2024, base-prospective-index)",
          ours: range(sig.map((p) => p.mean)),
          verdict: "info",
        });
      }
    }
    return { charts, outcomes, tables };
  },
};

const W_PRIME = "w′ (one step at t = 100)";
const W_STAR = "w* (100 steps, x frozen)";

/** Mean prospective index over seeds per (activation, weights, layer). */
interface LayerIndex {
  activation: string;
  weights: string;
  layer: number;
  mean: number;
  n: number;
}

function prospectiveIndexByLayer(rows: readonly Row[]): LayerIndex[] {
  const acc = new Map<string, LayerIndex>();
  for (const r of rows) {
    const activation = String(r["simulation.params.activation"] ?? "identity");
    const layer = numberOf(r.layer);
    if (layer === undefined) continue;
    for (const [weights, key] of [[W_PRIME, "pi_w_prime"], [W_STAR, "pi_w_star"]] as const) {
      const v = numberOf(r[key]);
      if (v === undefined) continue;
      const id = `${activation}|${weights}|${layer}`;
      const e = acc.get(id) ?? { activation, weights, layer, mean: 0, n: 0 };
      e.mean += (v - e.mean) / ++e.n;
      acc.set(id, e);
    }
  }
  return [...acc.values()].sort((a, b) => a.layer - b.layer);
}

function prospectiveIndexChart(byLayer: readonly LayerIndex[], note: string): Chart {
  const n = Math.max(0, ...byLayer.map((p) => p.n));
  return {
    panel: "pi",
    name: "pi",
    spec: chart(
      "Prospective index per hidden layer (Song et al. 2024, nature_pc_pi_layered)",
      [
        "PI = cos(V′, V⁺): V⁺ the change of each layer's activity by inference, V′ its feed-forward " +
        "change by learning; 6-layer width-64 PCN, one sample s, y ~ N(0, I)",
        `mean over ${n} networks; solid: linear, dashed: sigmoid hidden units`,
        note,
      ],
      {
        data: {
          values: byLayer.map((p) => ({
            layer: p.layer,
            weights: p.weights,
            activation: p.activation,
            value: p.mean,
          })),
        },
        mark: { type: "line", point: true, strokeWidth: 2 },
        encoding: {
          x: {
            field: "layer",
            type: "ordinal",
            title: "hidden layer",
            axis: { labelAngle: 0 },
          },
          y: {
            field: "value",
            type: "quantitative",
            title: "prospective index",
            scale: { domain: [0.9, 1.002] },
          },
          color: {
            field: "weights",
            type: "nominal",
            title: "weights",
            scale: { domain: [W_PRIME, W_STAR], range: ["#d62728", "#1f77b4"] },
          },
          strokeDash: {
            field: "activation",
            type: "nominal",
            title: "hidden units",
            scale: { domain: ["identity", "sigmoid"], range: [[1, 0], [6, 3]] },
          },
        },
      },
    ),
  };
}
