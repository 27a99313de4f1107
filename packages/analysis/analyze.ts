/**
 * One analysis end to end, as `deno task analyze` runs it: from trial records (or rows), filter,
 * draw one figure per metric (SVG and PNG), tabulate each metric reduced per trial and aggregated
 * over seeds (Markdown and CSV), optionally pick the best setting per group, and make an HTML
 * report holding it all. The files come back as data, file name → content; the caller reads the
 * results and writes the files.
 *
 * Which trials count: only finished ones (`done` and `diverged`, see `isFinished`) unless
 * `includeUnfinished` is set or `states` names the states to keep. The trials left out are counted
 * in {@linkcode AnalysisResult.leftOut} and said in `table.md` and `report.html`. Trials are told
 * apart by folder, experiment and id (`rowTrialKey`), so the same trial id read from two results
 * roots stays two trials.
 *
 * @module
 */
import { join } from "node:path";
import {
  aggregate,
  type Goal,
  metricGoal,
  pickBest,
  type Reduce,
  REDUCE_NAMES,
  reduceTrials,
  statColumn,
} from "./aggregate.ts";
import { type Band, columnTitle, groupChart, lineBandChart, scatterChart } from "./charts.ts";
import {
  FINISHED_STATES,
  isFinished,
  rowTrialKey,
  trialColumns,
  trialKey,
  type TrialRecord,
  trialRows,
} from "./trials.ts";
import { renderPng, renderSvg } from "./render.ts";
import { htmlReport, type ReportSection } from "./report.ts";
import {
  columnsOf,
  distinct,
  filterRows,
  flatten,
  formatCell,
  groupRows,
  numberOf,
  type Row,
  type Where,
} from "./rows.ts";
import { STAT_NAMES } from "./stats.ts";
import { toCsv, toMarkdown } from "./table.ts";

/** The kinds of figure {@linkcode analyze} draws. */
export type ChartKind = "line" | "scatter" | "bar" | "point";

/** The chart kinds, for validation and help texts. */
export const CHART_KINDS: readonly ChartKind[] = ["line", "scatter", "bar", "point"];

/** Options of {@linkcode analyze}. */
export interface AnalyzeOptions {
  /** The trials to analyse (e.g. from `@plasticity/runner`'s `readTrials`); or give `rows`. */
  readonly trials?: readonly TrialRecord[];
  /**
   * Rows to use instead of `trials` (e.g. rows the caller made and extended); each must hold the
   * `trial` column that tells which trial a metrics line belongs to.
   */
  readonly rows?: readonly Row[];
  /**
   * Keep only trials in these states, e.g. `["done"]`. When left out, the finished trials (`done`
   * and `diverged`) are kept and the others left out, unless `includeUnfinished` is set.
   */
  readonly states?: readonly string[];
  /**
   * Keep unfinished trials (`running`, `failed`, `unknown`, …) too, when `states` is left out
   * (default false: they are left out and counted in {@linkcode AnalysisResult.leftOut}).
   */
  readonly includeUnfinished?: boolean;
  /** Keep only rows matching this filter. */
  readonly where?: Where;
  /**
   * The x column. For `line` a per-line column such as `epoch` (default) or `t`; for `scatter`,
   * `bar` and `point` a config column such as `network.depth` or `optimizer.lr`.
   */
  readonly x?: string;
  /** The metric column(s); one figure each. */
  readonly y: string | readonly string[];
  /**
   * The column(s) that split lines, colours or bars, e.g. `rule.name`. Here and in `x` and
   * `bestBy`, a name that is not a column but whose `<name>.name` is (`rule`, `dataset`,
   * `optimizer`) means that column.
   */
  readonly group?: string | readonly string[];
  /** The figure kind (default `line`). */
  readonly chart?: ChartKind;
  /** Band or error bar: ± sample std (default), ± sem, or none. */
  readonly band?: Band;
  /** How each trial's curve becomes one number for the tables, scatter and bars (default `final`). */
  readonly reduce?: Reduce;
  /** For `reduce: "best"` and for `bestBy`: whether smaller or larger is better (default from the name). */
  readonly better?: Goal;
  /** Also pick the best setting per group of these columns, ranked by the first metric's mean. */
  readonly bestBy?: readonly string[];
  /**
   * The per-line column that orders a trial's curve, for `reduce: "final"` (default: x for `line`;
   * otherwise `epoch`, or `t` when the rows have no `epoch`).
   */
  readonly order?: string;
  /** Log-scale x axis. */
  readonly logX?: boolean;
  /** Log-scale y axis. */
  readonly logY?: boolean;
  /** The report title (default from the metrics and experiments). */
  readonly title?: string;
  /** The x axis title (default from the column name). */
  readonly xTitle?: string;
  /** The y axis titles, per metric (default from the column names). */
  readonly yTitle?: string | readonly string[];
  /**
   * The folder the caller writes the files to; the report names each figure's file under it.
   * Nothing is written here.
   */
  readonly out: string;
  /** PNG width in pixels, at most `MAX_PNG_SIDE` (default twice the SVG width). */
  readonly pngWidth?: number;
  /** PNG height in pixels, at most `MAX_PNG_SIDE`, instead of `pngWidth`. */
  readonly pngHeight?: number;
  /** Font files for the PNGs (see `resolveFontFiles`). */
  readonly fontFiles: readonly string[];
  /** Significant digits in Markdown and HTML tables (default 4). */
  readonly digits?: number;
}

/** One figure. */
export interface AnalysisFigure {
  /** The metric it shows. */
  readonly y: string;
  /** The SVG text. */
  readonly svg: string;
  /** The SVG file's name in {@linkcode AnalysisResult.files}. */
  readonly svgFile: string;
  /** The PNG file's name in {@linkcode AnalysisResult.files}. */
  readonly pngFile: string;
}

/** The trials an analysis left out because they are unfinished. */
export interface LeftOut {
  /** How many trials were left out. */
  readonly total: number;
  /** How many of each state, most first, e.g. `{ running: 2, failed: 1 }`. */
  readonly byState: Readonly<Record<string, number>>;
}

/**
 * One line that says how many unfinished trials were left out, of which states, and how to keep
 * them; empty when none were.
 *
 * @param leftOut The count, as in {@linkcode AnalysisResult.leftOut}.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { unfinishedNote } from "@plasticity/analysis";
 * console.assert(unfinishedNote({ total: 3, byState: { running: 2, failed: 1 } }) ===
 *   "Left out 3 unfinished trials (running 2, failed 1): only done and diverged trials count; use --include-unfinished to keep them");
 * console.assert(unfinishedNote({ total: 0, byState: {} }) === "");
 * ```
 */
export function unfinishedNote(leftOut: LeftOut): string {
  if (leftOut.total === 0) return "";
  const states = Object.entries(leftOut.byState).map(([s, n]) => `${s} ${n}`).join(", ");
  return `Left out ${leftOut.total} unfinished trial${
    leftOut.total === 1 ? "" : "s"
  } (${states}): only ${
    FINISHED_STATES.join(" and ")
  } trials count; use --include-unfinished to keep them`;
}

function countStates(states: readonly string[]): LeftOut {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { total: states.length, byState: Object.fromEntries(sorted) };
}

/** What {@linkcode analyze} produced. */
export interface AnalysisResult {
  /** The rows after filtering. */
  readonly rows: Row[];
  /** The summary table: one row per group, each metric reduced per trial and aggregated over seeds. */
  readonly table: Row[];
  /** The best setting per `bestBy` group, when asked. */
  readonly best?: Row[];
  /** The figures. */
  readonly figures: AnalysisFigure[];
  /**
   * The files to write into `out`, file name → text or bytes, in the order they were made:
   * `table.md`, `table.csv`, `best.md` and `best.csv` (with `bestBy`), an SVG and a PNG per
   * figure, `report.html`.
   */
  readonly files: Map<string, string | Uint8Array>;
  /** Warnings worth showing a person, e.g. groups that pool trials with different settings. */
  readonly notes: string[];
  /** The unfinished trials left out (see {@linkcode AnalyzeOptions.includeUnfinished}). */
  readonly leftOut: LeftOut;
}

function list(v: string | readonly string[] | undefined): string[] {
  return v === undefined ? [] : typeof v === "string" ? [v] : [...v];
}

/**
 * Turns a column name into a file-name part: runs of characters other than letters, digits, `-`
 * and `_` become `-`.
 *
 * @param name The column name.
 * @returns The slug.
 *
 * @example
 * ```ts
 * import { slug } from "@plasticity/analysis";
 * console.assert(slug("summary.test accuracy") === "summary-test-accuracy");
 * ```
 */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "figure";
}

function stateCounts(trials: readonly TrialRecord[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
}

/**
 * The config columns whose values differ between trials (the grid axes), without `seed`.
 *
 * @param trials The trials.
 * @returns The dotted column names, sorted.
 *
 * @example
 * ```ts
 * import { varyingConfigColumns } from "@plasticity/analysis";
 * const t = (lr: number, seed: number) => ({
 *   id: `${lr}-${seed}`, experiment: "e", dir: "", state: "done", metrics: [], summary: {}, meta: {},
 *   config: { optimizer: { name: "sgd", lr }, seed },
 * });
 * console.assert(varyingConfigColumns([t(0.1, 0), t(0.01, 1)]).join() === "optimizer.lr");
 * ```
 */
export function varyingConfigColumns(trials: readonly TrialRecord[]): string[] {
  const configs = trials.map((t) => flatten(t.config));
  const cols = columnsOf(configs).filter((c) => c !== "seed");
  return cols.filter((c) => distinct(configs, c).length > 1).sort();
}

/**
 * Runs one analysis and returns its files: `<chart>-<y>.svg` and `.png` per metric, `table.md`,
 * `table.csv`, `best.md` and `best.csv` (with `bestBy`) and `report.html`.
 *
 * The table groups trials by `group` (and, for scatter/bar/point, by `x` too); each metric is
 * reduced per trial with `reduce` (column `<reduce>_<y>`) and summarised over the trials of the
 * group (`_n`, `_mean`, `_std` (sample, n − 1), `_sem`, `_min`, `_max`). Trials are told apart
 * by folder, experiment and id; unfinished trials (not `done` or `diverged`) are left out unless
 * `includeUnfinished` or `states` says otherwise, and counted in `leftOut`.
 *
 * @param o What to analyse, plot and tabulate, and where the files will go.
 * @returns The rows, tables, figures and files.
 * @throws {Error} When nothing is left after filtering, a column is missing everywhere, or an
 * option is invalid.
 *
 * @example
 * ```ts
 * import { analyze, DEJAVU_FONT_FILES } from "@plasticity/analysis";
 * const trial = (id: string, rule: string, seed: number) => ({
 *   id, experiment: "demo", dir: `results/demo/${id}`, state: "done", summary: {}, meta: {},
 *   config: { rule: { name: rule }, seed },
 *   metrics: [0, 1].map((epoch) => ({ epoch, test_loss: (rule === "bp" ? 1 : 2) / (epoch + 1 + seed) })),
 * });
 * const { table, files } = await analyze({
 *   trials: [trial("a", "bp", 0), trial("b", "bp", 1), trial("c", "fa", 0)],
 *   y: "test_loss", group: "rule", out: "out/demo", fontFiles: DEJAVU_FONT_FILES,
 * });
 * console.assert(table.length === 2 && table[0]!.final_test_loss_n === 2);
 * console.assert([...files.keys()].join() === "table.md,table.csv,line-test_loss.svg,line-test_loss.png,report.html");
 * ```
 */
export async function analyze(o: AnalyzeOptions): Promise<AnalysisResult> {
  const chart = o.chart ?? "line";
  if (!CHART_KINDS.includes(chart)) {
    throw new Error(`Unknown chart "${chart}": expected one of ${CHART_KINDS.join(", ")}`);
  }
  const reduce = o.reduce ?? "final";
  if (!REDUCE_NAMES.includes(reduce)) {
    throw new Error(`Unknown reduce "${reduce}": expected one of ${REDUCE_NAMES.join(", ")}`);
  }
  const band = o.band ?? "std";
  if (!["std", "sem", "none"].includes(band)) {
    throw new Error(`Unknown band "${band}": expected one of std, sem, none`);
  }
  const ys = list(o.y);
  if (ys.length === 0) throw new Error("No metric given: expected at least one y column");
  let group = list(o.group);
  let x = o.x ?? "epoch";
  const yTitles = list(o.yTitle);

  let trials: readonly TrialRecord[] | undefined;
  let rows: Row[];
  // Unless states are named or unfinished trials asked for, only finished trials count.
  const keepAll = o.states !== undefined || (o.includeUnfinished ?? false);
  const leftOutStates: string[] = [];
  if (o.rows) {
    rows = [...o.rows];
    const missing = rows.findIndex((r) => r.trial === undefined || r.trial === null);
    if (missing >= 0) {
      throw new Error(
        `Row ${missing} has no "trial" column: expected rows from trialRows`,
      );
    }
    if (o.states) rows = filterRows(rows, { state: o.states });
    if (!keepAll) {
      // Rows with no state cell are kept: nothing says their trial is unfinished.
      const seen = new Set<string>();
      rows = rows.filter((r) => {
        if (r.state === undefined || r.state === null || isFinished(String(r.state))) return true;
        const key = rowTrialKey(r);
        if (!seen.has(key)) {
          seen.add(key);
          leftOutStates.push(String(r.state));
        }
        return false;
      });
    }
  } else {
    if (o.trials === undefined) {
      throw new Error("No trials given: expected trial records or rows");
    }
    trials = o.trials;
    let kept = trials;
    if (!keepAll) {
      kept = trials.filter((t) => isFinished(t.state));
      for (const t of trials) if (!isFinished(t.state)) leftOutStates.push(t.state);
    }
    rows = trialRows(kept, o.states ? { states: o.states } : {});
  }
  const leftOut = countStates(leftOutStates);
  const leftOutNote = unfinishedNote(leftOut);
  if (o.where) rows = filterRows(rows, o.where);
  if (rows.length === 0) {
    throw new Error(
      leftOut.total > 0
        ? `No rows left to analyse: ${leftOutNote.replace(/^Left out/, "left out")}`
        : "No rows left to analyse: check the results paths, states and filters",
    );
  }
  const columns = new Set(columnsOf(rows));
  const resolve = (c: string): string => {
    if (columns.has(c)) return c;
    if (columns.has(`${c}.name`)) return `${c}.name`;
    const near = [...columns].filter((k) => !k.startsWith("meta.")).sort().join(", ");
    throw new Error(`Column "${c}" not found in the rows: expected one of ${near}`);
  };
  x = resolve(x);
  if (chart === "line" && !rows.some((r) => numberOf(r[x]) !== undefined)) {
    throw new Error(
      `Column "${x}" holds no numbers: expected a numeric x such as epoch or t for a line chart, or chart bar or point for a category such as ${x}`,
    );
  }
  group = group.map(resolve);
  const bestBy = o.bestBy?.map(resolve);
  for (const y of ys) {
    if (!columns.has(y)) resolve(y);
  }

  const files = new Map<string, string | Uint8Array>();
  const write = (name: string, data: string | Uint8Array) => {
    files.set(name, data);
    return name;
  };

  // Per-trial reductions, merged into one row per trial.
  const order = chart === "line"
    ? x
    : o.order ?? (columns.has("epoch") || !columns.has("t") ? "epoch" : "t");
  // Keyed by folder, experiment and id: the same trial id from two results roots stays two trials.
  const perTrial = new Map<string, Row>();
  for (const y of ys) {
    for (const r of reduceTrials(rows, { y, reduce, x: order, ...opt("better", o.better) })) {
      const key = rowTrialKey(r);
      const prev = perTrial.get(key);
      if (prev) prev[`${reduce}_${y}`] = r[`${reduce}_${y}`] ?? null;
      else perTrial.set(key, r);
    }
  }
  const trialTable = [...perTrial.values()];
  const by = chart === "line" ? group : [x, ...group.filter((g) => g !== x)];
  const reduced = ys.map((y) => `${reduce}_${y}`);
  const table = aggregate(trialTable, { by, y: reduced });
  const tableColumns = [...by, ...reduced.flatMap((r) => STAT_NAMES.map((s) => statColumn(r, s)))];
  const digits = o.digits ?? 4;
  write(
    "table.md",
    toMarkdown(table, { columns: tableColumns, digits }) +
      (leftOutNote ? `\n${leftOutNote}.\n` : ""),
  );
  write("table.csv", toCsv(table, { columns: tableColumns }));

  let best: Row[] | undefined;
  if (bestBy) {
    const metric = statColumn(reduced[0]!, "mean");
    const goal = o.better ?? metricGoal(ys[0]!);
    best = pickBest(table, { by: bestBy, metric, better: goal });
    write("best.md", toMarkdown(best, { columns: tableColumns, digits }));
    write("best.csv", toCsv(best, { columns: tableColumns }));
  }

  const experiments = distinct(rows, "experiment").map((e) => formatCell(e)).filter((e) =>
    e !== ""
  );
  const where = experiments.length ? ` — ${experiments.join(", ")}` : "";
  const figures: AnalysisFigure[] = [];
  for (const [i, y] of ys.entries()) {
    const yTitle = yTitles[i] ?? yTitles[0];
    const common = {
      title: `${chart === "line" ? columnTitle(y) : columnTitle(`${reduce}_${y}`)}${where}`,
      ...opt("xTitle", o.xTitle),
      ...opt("yTitle", yTitle),
      ...opt("logX", o.logX),
      ...opt("logY", o.logY),
    };
    const spec = chart === "line"
      ? lineBandChart({ rows, x, y, group, band, ...common })
      : chart === "scatter"
      ? scatterChart({ rows: trialTable, x, y: `${reduce}_${y}`, group, summary: band, ...common })
      : groupChart({
        rows: trialTable,
        category: x,
        y: `${reduce}_${y}`,
        group,
        band,
        mark: chart,
        ...common,
      });
    const svg = await renderSvg(spec);
    const base = `${chart}-${slug(y)}`;
    const svgFile = write(`${base}.svg`, svg);
    const png = renderPng(svg, {
      ...opt("width", o.pngWidth),
      ...opt("height", o.pngHeight),
      fontFiles: o.fontFiles,
    });
    const pngFile = write(`${base}.png`, png);
    figures.push({ y, svg, svgFile, pngFile });
  }

  const title = o.title ??
    `${ys.map(columnTitle).join(", ")}${experiments.length ? ` — ${experiments.join(", ")}` : ""}`;
  const usedKeys = new Set(rows.map(rowTrialKey));
  const used = trials ? trials.filter((t) => usedKeys.has(trialKey(t))) : [];
  const varying = varyingConfigColumns(used);
  // Config columns (other than seed) that differ between trials of the same group, and trial ids
  // (configs) that a group holds from more than one folder.
  const pooledSet = new Set<string>();
  const twiceSet = new Set<string>();
  const indexed = used.map((t, i) => ({ ...trialColumns(t), __i: i }));
  for (const g of groupRows(indexed, by)) {
    const inGroup = g.rows.map((r) => used[r.__i as number]!);
    for (const c of varyingConfigColumns(inGroup)) pooledSet.add(c);
    const firstKey = new Map<string, string>();
    for (const t of inGroup) {
      const k = firstKey.get(t.id);
      if (k === undefined) firstKey.set(t.id, trialKey(t));
      else if (k !== trialKey(t)) twiceSet.add(t.id);
    }
  }
  const pooled = [...pooledSet].sort();
  const twice = [...twiceSet].sort();
  const notes: string[] = [];
  if (pooled.length) {
    notes.push(
      `Note: some groups pool trials that differ in ${pooled.join(", ")}, not only in seed; ` +
        `add ${pooled.length === 1 ? "it" : "them"} to the grouping to separate them.`,
    );
  }
  if (twice.length) {
    notes.push(
      `Note: some groups pool trials with the same config from different folders (${twice.length} ` +
        `trial id${twice.length === 1 ? "" : "s"}, e.g. ${twice[0]}); group by a column that ` +
        `tells them apart, e.g. meta.git_commit or trial_dir.`,
    );
  }
  const intro = [
    trials
      ? `${trials.length} trial${trials.length === 1 ? "" : "s"} loaded (${
        stateCounts(trials)
      }); ${rows.length} rows after filtering.`
      : `${rows.length} rows.`,
    ...(leftOutNote ? [`${leftOutNote}.`] : []),
    ...includedUnfinished(used),
    `Each trial's curve is reduced to its ${reduce} value, then summarised over the trials (seeds) of each ` +
    `group: mean, sample standard deviation (divisor n − 1), standard error (std/√n), min and max.`,
    ...(varying.length ? [`Config columns that vary: ${varying.join(", ")}.`] : []),
    ...notes,
  ];
  const sections: ReportSection[] = [
    {
      heading: "Figures",
      figures: figures.map((f) => ({ svg: f.svg, caption: `${f.y}: ${join(o.out, f.svgFile)}` })),
    },
    {
      heading: `Summary (${reduce} value per trial, over seeds)`,
      tables: [{ rows: table, options: { columns: tableColumns, digits } }],
    },
  ];
  if (best) {
    sections.push({
      heading: `Best setting per ${bestBy!.join(", ")}`,
      text: `Ranked by ${statColumn(reduced[0]!, "mean")} (${
        o.better ?? metricGoal(ys[0]!)
      } is best).`,
      tables: [{ rows: best, options: { columns: tableColumns, digits } }],
    });
  }
  if (trials) {
    const failed = trials.filter((t) => t.state !== "done");
    if (failed.length > 0) {
      sections.push({
        heading: "Trials not done",
        text: "Counted: whether the trial's rows are in the figures and tables.",
        tables: [{
          rows: failed.map((t) => ({
            experiment: t.experiment,
            trial: t.id,
            state: t.state,
            counted: usedKeys.has(trialKey(t)) ? "yes" : "no",
            error: t.error ?? null,
            folder: t.dir,
          })),
        }],
      });
    }
  }
  write("report.html", htmlReport({ title, intro, sections }));
  return { rows, table, ...(best ? { best } : {}), figures, files, notes, leftOut };
}

function includedUnfinished(used: readonly TrialRecord[]): string[] {
  const states = used.filter((t) => !isFinished(t.state)).map((t) => t.state);
  if (states.length === 0) return [];
  const c = countStates(states);
  const list = Object.entries(c.byState).map(([s, n]) => `${s} ${n}`).join(", ");
  return [
    `Includes ${c.total} unfinished trial${c.total === 1 ? "" : "s"} (${list}), as asked; ` +
    `their curves may stop early.`,
  ];
}

function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}
