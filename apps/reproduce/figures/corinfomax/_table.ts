// The accuracy tables of the CorInfoMax paper (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023): every
// rule of the comparison on one dataset, each in its own runner config with its own architecture,
// loss, optimiser and schedule; the final-epoch test accuracy, mean ± std over seeds, beside the
// published value, and the test accuracy per epoch of every rule in one chart.
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale } from "../../_charts.ts";
import type {
  Chart,
  DataTable,
  ExperimentRef,
  FigureDefinition,
  FigureOutput,
  Mode,
} from "../../types.ts";
import { fmt, type Outcome, verdictOf } from "../../verdict.ts";

/** The paper's code: where every published number comes from. */
export const PAPER =
  "Bozkurt, Pehlevan & Erdogan, Correlative Information Maximization: A Biologically Plausible " +
  "Approach to Supervised Deep Neural Networks without Weight Symmetry, NeurIPS 2023";

/** A published accuracy: mean ± std over seeds, in percent. */
export interface Published {
  /** Mean final test accuracy (%). */
  mean: number;
  /** Standard deviation over seeds (%), when published. */
  std?: number;
  /** Where it comes from (notebook and setting). */
  source: string;
}

/** One rule of a comparison table. */
export interface RuleSpec {
  /** Its runner config in the figure's folder. */
  file: string;
  /** Name in the table and the legend, e.g. `BP (MSE)`. */
  label: string;
  /** Architecture, e.g. `784-500-10`. */
  arch: string;
  /** The published value, absent when the paper has none for this dataset. */
  paper?: Published;
}

/** A comparison-table figure. */
export interface TableSpec {
  /** Registry id, e.g. `corinfomax/mnist`. */
  id: string;
  /** Dataset as the paper names it. */
  dataset: string;
  /** The rules, CorInfoMax first. */
  rules: readonly RuleSpec[];
  /** Label of the CorInfoMax row and of the reference row it is compared with. */
  compare: { rule: string; reference: string };
  /** An accuracy (fraction) every rule must reach to count as well above chance. */
  wellAbove: number;
  /** How many points CorInfoMax may lie below the reference, per mode. */
  margin: Record<Mode, number>;
  /** Full mode: how many points a rule may lie from its published mean. */
  paperTolerance: number;
  /** Quick-mode override of every config, and its words for the charts. */
  quick: Record<string, unknown>;
  /** Words for the quick-mode reduction. */
  quickNote: string;
}

/** The result of one rule over its trials (accuracies in percent). */
export interface RuleResult {
  /** Trials with rows. */
  n: number;
  /** Final test accuracy of each trial (%); a diverged trial counts as chance (10 %). */
  finals: number[];
  /** Trials the runner stopped as diverged. */
  diverged: number;
  /** Mean of `finals`. */
  mean: number;
  /** Sample standard deviation of `finals` (NaN for one trial). */
  std: number;
  /** Epochs of the longest trial. */
  epochs: number;
  /** Mean and std over trials of the test accuracy after each epoch (%). */
  curve: { epoch: number; mean: number; std: number; n: number }[];
}

/** Test accuracy of a diverged trial, in percent: chance for 10 classes. */
const CHANCE = 10;

function byTrial(rows: readonly Row[]): Row[][] {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const t = String(r.trial_dir ?? r.trial);
    (out.get(t) ?? out.set(t, []).get(t)!).push(r);
  }
  return [...out.values()];
}

/**
 * The per-epoch test accuracies of one trial (%): the row that closes each epoch (rows logged
 * within an epoch with `metrics.every_batches` carry a `step` that is not the epoch's last and are
 * left out: the last row of an epoch is the epoch's).
 */
function epochAccuracies(trial: readonly Row[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of trial) {
    const e = numberOf(r.epoch), a = numberOf(r.test_accuracy);
    if (e === undefined || a === undefined) continue;
    out.set(e, 100 * a);
  }
  return out;
}

/**
 * Summarises the trials of one rule: the final-epoch test accuracy of each (as the paper's
 * notebooks take it: the last entry of the per-epoch list), their mean and sample std, and the
 * mean curve over epochs. A trial the runner stopped as diverged counts as chance (10 %).
 *
 * @param rows The analysis rows of the rule's config.
 * @returns The summary, or `undefined` without rows.
 *
 * @example
 * ```ts
 * import { ruleResult } from "./_table.ts";
 * const rows = [0, 1, 2].flatMap((epoch) => [
 *   { trial: "a", state: "done", epoch, test_accuracy: 0.9 + epoch / 100 },
 *   { trial: "b", state: "done", epoch, test_accuracy: 0.8 + epoch / 100 },
 * ]);
 * const r = ruleResult(rows)!;
 * console.assert(r.n === 2 && Math.abs(r.mean - 87) < 1e-9 && r.epochs === 2);
 * ```
 */
export function ruleResult(rows: readonly Row[]): RuleResult | undefined {
  const trials = byTrial(rows);
  if (trials.length === 0) return undefined;
  const finals: number[] = [];
  const perEpoch = new Map<number, number[]>();
  let diverged = 0, epochs = 0;
  for (const t of trials) {
    const acc = epochAccuracies(t);
    const isDiverged = t[0]!.state === "diverged";
    const last = [...acc.keys()].sort((a, b) => a - b).pop();
    if (isDiverged || last === undefined) {
      diverged++;
      finals.push(CHANCE);
    } else {
      finals.push(acc.get(last)!);
      epochs = Math.max(epochs, last);
    }
    for (const [e, a] of acc) {
      if (e < 1) continue;
      (perEpoch.get(e) ?? perEpoch.set(e, []).get(e)!).push(a);
    }
  }
  const s = summarize(finals);
  const curve = [...perEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, v]) => {
    const c = summarize(v);
    return { epoch, mean: c.mean, std: Number.isFinite(c.std) ? c.std : 0, n: v.length };
  });
  return { n: trials.length, finals, diverged, mean: s.mean, std: s.std, epochs, curve };
}

/**
 * `mean ± std (n seeds)` in percent, or the mean alone for one seed.
 *
 * @param r The rule's result.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { accuracyText } from "./_table.ts";
 * const r = { n: 1, finals: [97.5], diverged: 0, mean: 97.5, std: NaN, epochs: 1, curve: [] };
 * console.assert(accuracyText(r) === "97.50 (1 seed)");
 * ```
 */
export function accuracyText(r: RuleResult): string {
  const seeds = `${r.n} seed${r.n === 1 ? "" : "s"}`;
  const div = r.diverged ? `, ${r.diverged} diverged` : "";
  return Number.isFinite(r.std) && r.n > 1
    ? `${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} (${seeds}${div})`
    : `${r.mean.toFixed(2)} (${seeds}${div})`;
}

/**
 * The published value as text, e.g. `97.62 ± 0.12`.
 *
 * @param p The published value.
 * @returns The text, `–` when there is none.
 *
 * @example
 * ```ts
 * import { paperText } from "./_table.ts";
 * console.assert(paperText({ mean: 97.62, std: 0.12, source: "x" }) === "97.62 ± 0.12");
 * ```
 */
export function paperText(p: Published | undefined): string {
  if (!p) return "–";
  return p.std === undefined ? p.mean.toFixed(2) : `${p.mean.toFixed(2)} ± ${p.std.toFixed(2)}`;
}

/** A rule's result, or why it did not run. */
export type RuleOutcome = { result: RuleResult } | { missing: string } | { empty: true };

/**
 * The expected outcomes of a comparison table: one row per rule (ours beside the paper's; a
 * verdict in full mode, where ours must lie within `paperTolerance` points of the published mean,
 * information in quick mode), every rule well above chance, and CorInfoMax within the full
 * mode's margin of the reference rule (reported, not judged, in quick mode). A rule whose data files are missing makes its rows and every
 * verdict that needs it `not run`.
 *
 * @param spec The figure.
 * @param mode Quick or full.
 * @param results Per rule label.
 * @returns The outcomes.
 *
 * @example
 * ```ts
 * import { tableOutcomes } from "./_table.ts";
 * const spec = {
 *   id: "x/y", dataset: "MNIST", compare: { rule: "A", reference: "B" }, wellAbove: 0.8,
 *   margin: { quick: 5, full: 1 }, paperTolerance: 1, quick: {}, quickNote: "",
 *   rules: [
 *     { file: "a.yaml", label: "A", arch: "1-1", paper: { mean: 97, source: "s" } },
 *     { file: "b.yaml", label: "B", arch: "1-1", paper: { mean: 98, source: "s" } },
 *   ],
 * };
 * const r = (mean: number) => ({
 *   result: { n: 1, finals: [mean], diverged: 0, mean, std: NaN, epochs: 1, curve: [] },
 * });
 * const o = tableOutcomes(spec, "quick", new Map([["A", r(94)], ["B", r(96)]]));
 * // Quick mode decides "well above chance"; the rows and A against B are reported.
 * console.assert(o.filter((x) => x.verdict === "met").length === 1);
 * console.assert(tableOutcomes(spec, "full", new Map([["A", r(97.5)], ["B", r(98)]]))
 *   .filter((x) => x.verdict === "met").length === 4);
 * ```
 */
export function tableOutcomes(
  spec: TableSpec,
  mode: Mode,
  results: ReadonlyMap<string, RuleOutcome>,
): Outcome[] {
  const panel = "table";
  const out: Outcome[] = [];
  const get = (label: string) => {
    const r = results.get(label);
    return r && "result" in r ? r.result : undefined;
  };
  for (const rule of spec.rules) {
    const r = results.get(rule.label);
    const paper = rule.paper
      ? `${paperText(rule.paper)} (${rule.paper.source})`
      : "not reported for this dataset";
    if (!r || !("result" in r)) {
      out.push({
        panel,
        expected: `${rule.label} (${rule.arch}): final test accuracy (%)`,
        paper,
        ours: r && "missing" in r ? `not run: data missing (${r.missing})` : "not run",
        verdict: "not run",
      });
      continue;
    }
    const res = r.result;
    const decide = mode === "full" && rule.paper !== undefined;
    out.push({
      panel,
      expected: decide
        ? `${rule.label} (${rule.arch}): final test accuracy within ${spec.paperTolerance} points of the paper's`
        : `${rule.label} (${rule.arch}): final test accuracy (%)`,
      paper,
      ours: accuracyText(res),
      verdict: decide
        ? verdictOf(Math.abs(res.mean - rule.paper!.mean) <= spec.paperTolerance)
        : "info",
    });
  }
  const all = spec.rules.map((r) => get(r.label));
  const complete = all.every((r) => r !== undefined);
  const lowest = complete
    ? spec.rules.reduce((a, r) => (get(r.label)!.mean < get(a.label)!.mean ? r : a))
    : undefined;
  out.push({
    panel,
    expected: `every rule's final test accuracy is well above chance (≥ ${
      fmt(100 * spec.wellAbove)
    } %; chance 10 %)`,
    paper: `lowest published: ${
      fmt(Math.min(...spec.rules.flatMap((r) => r.paper ? [r.paper.mean] : [])), 4)
    } %`,
    ours: lowest ? `lowest: ${lowest.label} ${get(lowest.label)!.mean.toFixed(2)} %` : "not run",
    verdict: verdictOf(
      complete ? all.every((r) => r!.mean >= 100 * spec.wellAbove) : undefined,
    ),
  });
  const c = get(spec.compare.rule), ref = get(spec.compare.reference);
  const pc = spec.rules.find((r) => r.label === spec.compare.rule)?.paper;
  const pref = spec.rules.find((r) => r.label === spec.compare.reference)?.paper;
  const margin = spec.margin[mode];
  out.push({
    panel,
    expected: mode === "quick"
      ? `${spec.compare.rule}'s final test accuracy against ${spec.compare.reference}'s (reported: ` +
        "quick mode's few short epochs do not decide the comparison after the paper's 50 epochs)"
      : `${spec.compare.rule}'s final test accuracy is at most ${margin} points below ${spec.compare.reference}'s`,
    paper: pc && pref
      ? `${pc.mean.toFixed(2)} vs ${pref.mean.toFixed(2)} (${
        (pc.mean - pref.mean).toFixed(2)
      } points)`
      : "–",
    ours: c && ref
      ? `${c.mean.toFixed(2)} vs ${ref.mean.toFixed(2)} (${(c.mean - ref.mean).toFixed(2)} points)`
      : "not run",
    verdict: !(c && ref)
      ? "not run"
      : mode === "quick"
      ? "info"
      : verdictOf(c.mean >= ref.mean - margin),
  });
  return out;
}

/** Colours of the rules, fixed across the tables (Tableau 10). */
const PALETTE = [
  "#1f77b4",
  "#17becf",
  "#2ca02c",
  "#bcbd22",
  "#d62728",
  "#ff7f0e",
  "#7f7f7f",
  "#8c564b",
  "#9467bd",
  "#e377c2",
];

function curvesChart(
  spec: TableSpec,
  results: ReadonlyMap<string, RuleOutcome>,
  note: string,
): Chart {
  const labels = spec.rules.map((r) => r.label);
  const data: Record<string, unknown>[] = [];
  for (const rule of spec.rules) {
    const r = results.get(rule.label);
    if (!r || !("result" in r)) continue;
    for (const p of r.result.curve) {
      data.push({
        rule: rule.label,
        epoch: p.epoch,
        accuracy: p.mean,
        lo: p.mean - p.std,
        hi: p.mean + p.std,
      });
    }
  }
  const absent = (dataMissing: boolean) =>
    spec.rules.filter((r) => {
      const x = results.get(r.label);
      return !(x && "result" in x) && (x !== undefined && "missing" in x) === dataMissing;
    }).map((r) => r.label);
  const missing = absent(true);
  const unrun = absent(false);
  const color = {
    field: "rule",
    type: "nominal",
    title: "rule",
    scale: colorScale(labels, PALETTE),
    sort: labels,
    legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  const x = { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } };
  return {
    panel: "curves",
    name: "curves",
    spec: chart(
      `${spec.dataset}: test accuracy per epoch, every rule of the comparison`,
      [
        "Mean over seeds of the test accuracy after each epoch; band: ± 1 sample std over seeds. " +
        "Each rule with the paper's architecture, loss, optimiser and schedule.",
        ...(missing.length ? [`Not run (data missing): ${missing.join(", ")}.`] : []),
        ...(unrun.length ? [`Not run: ${unrun.join(", ")}.`] : []),
        note,
      ],
      {
        data: { values: data },
        layer: [
          {
            mark: { type: "area", opacity: 0.15 },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
          },
          {
            mark: { type: "line", point: true },
            encoding: {
              x,
              y: {
                field: "accuracy",
                type: "quantitative",
                title: "test accuracy (%)",
                scale: { zero: false },
              },
              color,
            },
          },
        ],
      },
      { width: 560, height: 340 },
    ),
  };
}

/**
 * The figure of a comparison table: one experiment per rule (both panels need them all), the
 * quick-mode override applied to each.
 *
 * @param spec The table.
 * @param meta Title and where the published numbers come from.
 * @returns The figure for the registry.
 */
export function tableFigure(
  spec: TableSpec,
  meta: { title: string; source: string },
): FigureDefinition {
  const experiments: ExperimentRef[] = spec.rules.map((r) => ({
    file: r.file,
    panels: ["table", "curves"],
    quick: spec.quick,
    quickNote: spec.quickNote,
  }));
  return {
    id: spec.id,
    title: meta.title,
    paper: PAPER,
    source: meta.source,
    panels: [
      {
        id: "table",
        title: `final test accuracy of every rule beside the paper's (${spec.dataset})`,
      },
      { id: "curves", title: `test accuracy per epoch of every rule (${spec.dataset})` },
    ],
    experiments,
    async analyse(ctx): Promise<FigureOutput> {
      const results = new Map<string, RuleOutcome>();
      for (const r of spec.rules) {
        const why = ctx.missing?.(r.file);
        if (why !== undefined) {
          results.set(r.label, { missing: why });
          continue;
        }
        const res = ruleResult(await ctx.rows(r.file));
        results.set(r.label, res ? { result: res } : { empty: true });
      }
      const charts: Chart[] = [], tables: DataTable[] = [];
      let outcomes: Outcome[] = [];
      if (ctx.panels.has("curves")) charts.push(curvesChart(spec, results, ctx.note("curves")));
      if (ctx.panels.has("table")) {
        outcomes = tableOutcomes(spec, ctx.mode, results);
        tables.push({
          name: "accuracy",
          title: `${spec.dataset}: final test accuracy (%), ours beside the paper's`,
          columns: ["rule", "architecture", "ours (%)", "epochs", "paper (%)", "paper source"],
          rows: spec.rules.map((r) => {
            const x = results.get(r.label);
            return {
              rule: r.label,
              architecture: r.arch,
              "ours (%)": x && "result" in x
                ? accuracyText(x.result)
                : x && "missing" in x
                ? `not run: data missing (${x.missing})`
                : "not run",
              epochs: x && "result" in x ? x.result.epochs : null,
              "paper (%)": paperText(r.paper),
              "paper source": r.paper?.source ?? "–",
            };
          }),
        });
      }
      return { charts, outcomes, tables };
    },
  };
}
