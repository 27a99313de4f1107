/**
 * Chart specs: small typed builders that turn rows into Vega-Lite specs with readable defaults
 * (a title, a subtitle saying what the band or bars show, axis titles with units, a legend), ready
 * for {@linkcode renderSvg}. The data are inlined, so a spec is self-contained.
 *
 * - {@linkcode lineBandChart}: mean over seeds against epochs or simulated time, one line per
 *   group, with a ± std or ± sem band.
 * - {@linkcode scatterChart}: one point per row (e.g. per trial against depth), optionally with the
 *   per-x mean and a ± std or ± sem error bar.
 * - {@linkcode groupChart}: one bar or point per group with an error bar.
 *
 * On a log axis, rows whose value there is not positive are left out (a log scale cannot place
 * them), and a band's lower edge that is not positive is cut at the line.
 *
 * @module
 */

/**
 * A Vega-Lite spec as a plain JSON object (the `vega-lite` package's `TopLevelSpec`, e.g.
 * `{ data, mark, encoding }` or `{ data, layer }`), as the chart builders return it and
 * {@linkcode renderSvg} takes it.
 */
export interface VegaLiteSpec {
  /** Any Vega-Lite property. */
  readonly [property: string]: unknown;
}
import { aggregate, statColumn } from "./aggregate.ts";
import { type Cell, formatCell, groupRows, numberOf, type Row } from "./rows.ts";

/** What a band or error bar shows around the mean: ± sample std, ± sem, or nothing. */
export type Band = "std" | "sem" | "none";

/** Options shared by every chart. */
export interface ChartOptions {
  /** The rows to plot. */
  readonly rows: readonly Row[];
  /** The chart title. */
  readonly title: string;
  /** A subtitle (default: says what the lines, bands or bars show). */
  readonly subtitle?: string;
  /** The x axis title (default {@linkcode columnTitle} of x). */
  readonly xTitle?: string;
  /** The y axis title (default {@linkcode columnTitle} of y). */
  readonly yTitle?: string;
  /** The legend title (default the group columns' titles). */
  readonly groupTitle?: string;
  /** Log-scale x axis. */
  readonly logX?: boolean;
  /** Log-scale y axis. */
  readonly logY?: boolean;
  /** Plot width in pixels (default 520). */
  readonly width?: number;
  /** Plot height in pixels (default 320). */
  readonly height?: number;
}

/** Options of {@linkcode lineBandChart}. */
export interface LineBandOptions extends ChartOptions {
  /** The x column, e.g. `epoch` or `t`. */
  readonly x: string;
  /** The metric column. */
  readonly y: string;
  /** The column(s) that make one line each, e.g. `rule.name`; none draws one line. */
  readonly group?: string | readonly string[];
  /** The band around the mean (default `std`). */
  readonly band?: Band;
  /** Mark each mean with a dot (default: when a line has at most 30 points). */
  readonly points?: boolean;
}

/** Options of {@linkcode scatterChart}. */
export interface ScatterOptions extends ChartOptions {
  /** The x column, e.g. `network.depth`. */
  readonly x: string;
  /** The y column. */
  readonly y: string;
  /** The column(s) that colour the points. */
  readonly group?: string | readonly string[];
  /** Overlay the mean per x and group with this error bar (default `none`: points only). */
  readonly summary?: Band;
}

/** Options of {@linkcode groupChart}. */
export interface GroupChartOptions extends ChartOptions {
  /** The column(s) along the x axis, one bar or point each, e.g. `optimizer.lr`. */
  readonly category: string | readonly string[];
  /** The metric column, averaged over rows (seeds) per category and group. */
  readonly y: string;
  /** The column(s) that split each category into coloured bars or points. */
  readonly group?: string | readonly string[];
  /** `bar` (default) or `point`. */
  readonly mark?: "bar" | "point";
  /** The error bar (default `std`). */
  readonly band?: Band;
}

const TITLES: Record<string, string> = {
  "epoch": "Epoch",
  "t": "Simulated time t",
  "step": "Step",
  "iteration": "Iteration",
  "seed": "Seed",
  "train_loss": "Training loss",
  "test_loss": "Test loss",
  "test_accuracy": "Test accuracy (fraction correct)",
  "test_error": "Test error (fraction wrong)",
  "train_accuracy": "Training accuracy (fraction correct)",
  "wall_s": "Wall time (s)",
  "summary.wall_s": "Wall time (s)",
  "optimizer.lr": "Learning rate",
  "network.depth": "Depth (weight layers)",
  "rule.name": "Rule",
  "dataset.name": "Dataset",
  "batch_size": "Batch size",
};

/**
 * A readable axis or legend title for a column: known names get words and units (`epoch` →
 * "Epoch", `summary.wall_s` → "Wall time (s)", `optimizer.lr` → "Learning rate",
 * `network.depth` → "Depth (weight layers)"); reduced or aggregated names keep their prefix; other
 * names have `_` and `.` turned into spaces and a capital first letter; names holding `angle` get
 * "(degrees)".
 *
 * @param column The column.
 * @returns The title.
 *
 * @example
 * ```ts
 * import { columnTitle } from "@plasticity/analysis";
 * console.assert(columnTitle("test_loss") === "Test loss");
 * console.assert(columnTitle("final_test_loss") === "Final test loss");
 * console.assert(columnTitle("angle_B_WT_0") === "Angle B WT 0 (degrees)");
 * ```
 */
export function columnTitle(column: string): string {
  const known = TITLES[column];
  if (known) return known;
  const m = /^(final|min|max|mean|best)_(.+)$/.exec(column);
  if (m && TITLES[m[2]!]) {
    const inner = TITLES[m[2]!]!;
    return `${m[1]![0]!.toUpperCase()}${m[1]!.slice(1)} ${inner[0]!.toLowerCase()}${
      inner.slice(1)
    }`;
  }
  const words = column.replace(/[._]+/g, " ").trim();
  const base = words.length === 0 ? column : words[0]!.toUpperCase() + words.slice(1);
  return /angle/i.test(column) ? `${base} (degrees)` : base;
}

function groupCols(group: string | readonly string[] | undefined): string[] {
  return group === undefined ? [] : typeof group === "string" ? [group] : [...group];
}

function legendTitle(cols: readonly string[], given: string | undefined): string {
  return given ?? cols.map(columnTitle).join(", ");
}

/** Axis settings for x: whole-number ticks when every x is an integer (epochs, depths). */
function xAxis(xs: readonly number[], log: boolean | undefined): Record<string, unknown> {
  return !log && xs.every(Number.isInteger) ? { tickMinStep: 1, format: "d" } : {};
}

function scale(log: boolean | undefined, zero = false): Record<string, unknown> {
  return log ? { type: "log", nice: false } : { zero };
}

function base(o: ChartOptions, subtitle: string): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: o.title, subtitle: o.subtitle ?? subtitle },
    width: o.width ?? 520,
    height: o.height ?? 320,
    background: "white",
    config: {
      font: "DejaVu Sans, Helvetica, Arial, sans-serif",
      title: {
        fontSize: 16,
        subtitleFontSize: 12,
        subtitleColor: "#555",
        anchor: "start",
        offset: 10,
      },
      axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridColor: "#e6e6e6" },
      legend: {
        labelFontSize: 12,
        titleFontSize: 12,
        labelLimit: 260,
        titleLimit: 320,
        symbolStrokeWidth: 2.5,
      },
      range: { category: { scheme: "tableau10" } },
      line: { strokeWidth: 2 },
    },
  };
}

function bandWord(band: Band): string {
  return band === "std" ? "± 1 sample std" : band === "sem" ? "± 1 standard error" : "";
}

function nRange(ns: number[]): string {
  if (ns.length === 0) return "0";
  const lo = Math.min(...ns), hi = Math.max(...ns);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

function seriesLabel(row: Row, cols: readonly string[]): string {
  return cols.length === 0
    ? "all"
    : cols.map((c) => formatCell(row[c] ?? null) || "(none)").join(", ");
}

/**
 * The colour encoding: the colour scale's domain is every group in `o.rows` (so one group keeps its
 * colour across charts drawn from the same rows, even where it has no data), the legend lists the
 * groups drawn.
 */
function colorEncoding(o: ChartOptions, cols: readonly string[], drawn: readonly string[]) {
  const all = legendDomain(o.rows, cols);
  return {
    field: "series",
    type: "nominal",
    scale: { domain: all },
    legend: cols.length === 0 ? null : { title: legendTitle(cols, o.groupTitle), values: drawn },
  };
}

function legendDomain(rows: readonly Row[], cols: readonly string[]): string[] {
  return groupRows(rows, cols).map((g) => g.label);
}

function check(rows: readonly Row[], cols: readonly string[], what: string): void {
  if (rows.length === 0) throw new Error(`Cannot draw ${what}: no rows`);
  for (const c of cols) {
    if (!rows.some((r) => r[c] !== undefined)) {
      throw new Error(`Cannot draw ${what}: no row has column "${c}"`);
    }
  }
}

function positive(v: number | undefined, log: boolean | undefined): boolean {
  return v !== undefined && (!log || v > 0);
}

/**
 * A line chart of the mean over seeds of `y` against `x`, one line per group, with a band of
 * ± 1 sample std or ± 1 sem (see {@linkcode aggregate}). Where only one seed is there the band has
 * no width.
 *
 * @param o The rows, columns and labels.
 * @returns The Vega-Lite spec.
 * @throws {Error} When there are no rows, a column is absent from every row, or no row has
 * numbers in both x and y.
 *
 * @example
 * ```ts
 * import { lineBandChart } from "@plasticity/analysis";
 * const rows = [0, 1].flatMap((seed) =>
 *   [0, 1, 2].map((epoch) => ({ seed, epoch, rule: "bp", test_loss: 1 / (epoch + 1 + seed) }))
 * );
 * const spec = lineBandChart({ rows, x: "epoch", y: "test_loss", group: "rule", title: "Loss" });
 * console.assert(JSON.stringify(spec).includes('"mark":{"type":"area"'));
 * ```
 */
export function lineBandChart(o: LineBandOptions): VegaLiteSpec {
  const cols = groupCols(o.group);
  const band = o.band ?? "std";
  check(o.rows, [o.x, o.y, ...cols], `"${o.y}" against "${o.x}"`);
  const usable = o.rows.filter((r) =>
    positive(numberOf(r[o.x]), o.logX) && numberOf(r[o.y]) !== undefined &&
    positive(numberOf(r[o.y]), o.logY)
  );
  if (usable.length === 0) {
    throw new Error(`Cannot draw "${o.y}" against "${o.x}": no row has numbers in both columns`);
  }
  const xKey = "__x";
  const withX = usable.map((r) => ({ ...r, [xKey]: numberOf(r[o.x])! }));
  const agg = aggregate(withX, { by: cols, x: xKey, y: o.y });
  const ns: number[] = [];
  const values = agg.map((a) => {
    const mean = a[statColumn(o.y, "mean")] as number;
    const spread = band === "none" ? 0 : a[statColumn(o.y, band)] as number;
    const d = Number.isFinite(spread) ? spread : 0;
    ns.push(a[statColumn(o.y, "n")] as number);
    const lo = mean - d;
    return {
      x: a[xKey] as number,
      mean,
      lo: o.logY && lo <= 0 ? mean : lo,
      hi: mean + d,
      n: a[statColumn(o.y, "n")] as Cell,
      series: seriesLabel(a, cols),
    };
  });
  const domain = legendDomain(agg, cols);
  const perSeries = Math.max(...domain.map((s) => values.filter((v) => v.series === s).length));
  const points = o.points ?? perSeries <= 30;
  const color = colorEncoding(o, cols, domain);
  const x = {
    field: "x",
    type: "quantitative",
    title: o.xTitle ?? columnTitle(o.x),
    scale: scale(o.logX),
    axis: xAxis(values.map((v) => v.x), o.logX),
  };
  const yTitle = o.yTitle ?? columnTitle(o.y);
  const lineColor = cols.length === 0 ? color : {
    ...color,
    legend: { ...color.legend, symbolType: "stroke", symbolOpacity: 1, symbolStrokeWidth: 3 },
  };
  const layers: Record<string, unknown>[] = [];
  if (band !== "none") {
    layers.push({
      mark: { type: "area", opacity: 0.18 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: yTitle },
        y2: { field: "hi" },
        color: lineColor,
      },
    });
  }
  layers.push({
    mark: { type: "line", point: points ? { size: 28, filled: true } : false },
    encoding: {
      x,
      y: { field: "mean", type: "quantitative", title: yTitle, scale: scale(o.logY) },
      color: lineColor,
    },
  });
  const sub = `Mean over trials (n = ${nRange(ns)} per point)${
    band === "none" ? "" : `, band ${bandWord(band)}`
  }`;
  return { ...base(o, sub), data: { values }, layer: layers };
}

/**
 * A scatter plot of `y` against `x`, one point per row (e.g. per trial against depth), coloured by
 * group; with `summary` the mean per x and group is overlaid as a line with ± std or ± sem error
 * bars.
 *
 * @param o The rows, columns and labels.
 * @returns The Vega-Lite spec.
 * @throws {Error} When there are no rows, a column is absent from every row, or no row has
 * numbers in both x and y.
 *
 * @example
 * ```ts
 * import { scatterChart } from "@plasticity/analysis";
 * const rows = [1, 2, 3].map((depth) => ({ depth, rule: "bp", alignment: 1 / depth }));
 * const spec = scatterChart({ rows, x: "depth", y: "alignment", group: "rule", title: "Alignment" });
 * console.assert(JSON.stringify(spec).includes('"type":"point"'));
 * ```
 */
export function scatterChart(o: ScatterOptions): VegaLiteSpec {
  const cols = groupCols(o.group);
  const summary = o.summary ?? "none";
  check(o.rows, [o.x, o.y, ...cols], `"${o.y}" against "${o.x}"`);
  const usable = o.rows.filter((r) =>
    positive(numberOf(r[o.x]), o.logX) && positive(numberOf(r[o.y]), o.logY)
  );
  if (usable.length === 0) {
    throw new Error(`Cannot draw "${o.y}" against "${o.x}": no row has numbers in both columns`);
  }
  const values = usable.map((r) => ({
    x: numberOf(r[o.x])!,
    y: numberOf(r[o.y])!,
    series: seriesLabel(r, cols),
  }));
  const domain = legendDomain(usable, cols);
  const color = colorEncoding(o, cols, domain);
  const xTitle = o.xTitle ?? columnTitle(o.x), yTitle = o.yTitle ?? columnTitle(o.y);
  const x = {
    field: "x",
    type: "quantitative",
    title: xTitle,
    scale: scale(o.logX),
    axis: xAxis(values.map((v) => v.x), o.logX),
  };
  const layers: Record<string, unknown>[] = [{
    data: { values },
    mark: { type: "point", filled: true, opacity: summary === "none" ? 0.75 : 0.4, size: 40 },
    encoding: {
      x,
      y: { field: "y", type: "quantitative", title: yTitle, scale: scale(o.logY) },
      color,
    },
  }];
  let sub = `One point per row (${values.length} rows)`;
  if (summary !== "none") {
    const xKey = "__x";
    const agg = aggregate(usable.map((r) => ({ ...r, [xKey]: numberOf(r[o.x])! })), {
      by: cols,
      x: xKey,
      y: o.y,
    });
    const means = agg.map((a) => {
      const mean = a[statColumn(o.y, "mean")] as number;
      const s = a[statColumn(o.y, summary)] as number;
      const d = Number.isFinite(s) ? s : 0;
      return {
        x: a[xKey] as number,
        mean,
        lo: o.logY && mean - d <= 0 ? mean : mean - d,
        hi: mean + d,
        series: seriesLabel(a, cols),
      };
    });
    layers.push(
      {
        data: { values: means },
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: "lo", type: "quantitative", title: yTitle },
          y2: { field: "hi" },
          color,
        },
      },
      {
        data: { values: means },
        mark: { type: "line", point: { size: 30, filled: true } },
        encoding: { x, y: { field: "mean", type: "quantitative", title: yTitle }, color },
      },
    );
    sub += `; lines: mean per x, bars ${bandWord(summary)}`;
  }
  return { ...base(o, sub), layer: layers };
}

/**
 * One bar (or point) per category and group showing the mean of `y` over its rows (seeds), with a
 * ± std or ± sem error bar; groups sit side by side within a category.
 *
 * @param o The rows, columns and labels.
 * @returns The Vega-Lite spec.
 * @throws {Error} When there are no rows, a column is absent from every row, or no row has a
 * number in y.
 *
 * @example
 * ```ts
 * import { groupChart } from "@plasticity/analysis";
 * const rows = [{ rule: "bp", acc: 0.9 }, { rule: "bp", acc: 0.8 }, { rule: "fa", acc: 0.7 }];
 * const spec = groupChart({ rows, category: "rule", y: "acc", title: "Accuracy" });
 * console.assert(JSON.stringify(spec).includes('"type":"bar"'));
 * ```
 */
export function groupChart(o: GroupChartOptions): VegaLiteSpec {
  const cats = groupCols(o.category);
  const cols = groupCols(o.group);
  const band = o.band ?? "std";
  const markType = o.mark ?? "bar";
  check(o.rows, [o.y, ...cats, ...cols], `"${o.y}" per ${cats.join(", ")}`);
  const usable = o.rows.filter((r) => positive(numberOf(r[o.y]), o.logY));
  if (usable.length === 0) {
    throw new Error(`Cannot draw "${o.y}" per ${cats.join(", ")}: no row has a number in it`);
  }
  const agg = aggregate(usable, { by: [...cats, ...cols], y: o.y });
  const ns: number[] = [];
  const values = agg.map((a) => {
    const mean = a[statColumn(o.y, "mean")] as number;
    const s = band === "none" ? 0 : a[statColumn(o.y, band)] as number;
    const d = Number.isFinite(s) ? s : 0;
    ns.push(a[statColumn(o.y, "n")] as number);
    return {
      category: seriesLabel(a, cats),
      series: seriesLabel(a, cols),
      mean,
      lo: o.logY && mean - d <= 0 ? mean : mean - d,
      hi: mean + d,
    };
  });
  const catDomain = legendDomain(agg, cats);
  const domain = legendDomain(agg, cols);
  const xTitle = o.xTitle ?? cats.map(columnTitle).join(", ");
  const yTitle = o.yTitle ?? columnTitle(o.y);
  const x = {
    field: "category",
    type: "nominal",
    title: xTitle,
    sort: catDomain,
    axis: { labelAngle: 0 },
  };
  const color = colorEncoding(o, cols, domain);
  const offset = cols.length === 0
    ? {}
    : { xOffset: { field: "series", type: "nominal", sort: domain } };
  const y = {
    field: "mean",
    type: "quantitative",
    title: yTitle,
    scale: scale(o.logY, markType === "bar"),
  };
  const mark = markType === "bar"
    ? { type: "bar", opacity: 0.85 }
    : { type: "point", filled: true, size: 70, opacity: 1 };
  const layers: Record<string, unknown>[] = [{ mark, encoding: { x, ...offset, y, color } }];
  if (band !== "none") {
    // Error bars over bars, under points.
    layers[markType === "bar" ? "push" : "unshift"]({
      mark: { type: "rule", strokeWidth: 1.5, color: "#222" },
      encoding: {
        x,
        ...offset,
        y: { field: "lo", type: "quantitative", title: yTitle },
        y2: { field: "hi" },
      },
    });
  }
  const sub = `Mean over trials (n = ${nRange(ns)} per point)${
    band === "none" ? "" : `, error bars ${bandWord(band)}`
  }`;
  return { ...base(o, sub), data: { values }, layer: layers };
}
