// The analysis shared by the bioflax figures (yschimpf/bioflax, run_train.py defaults): BP, FA,
// Kolen–Pollack and DFA on one task, the test metric per epoch, and the alignment metrics as
// bioflax takes them (averaged over the first 5 training batches of each epoch).
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale, LAYER_COLORS } from "../../_charts.ts";
import type {
  AnalysisContext,
  Chart,
  DataTable,
  ExperimentRef,
  FigureDefinition,
  FigureOutput,
} from "../../types.ts";
import { fmt, type Outcome, verdictOf } from "../../verdict.ts";

/** Where the protocol comes from: bioflax publishes no result numbers (no tables, logs, figures). */
export const SOURCE =
  "yschimpf/bioflax run_train.py defaults; the repository publishes no result numbers";

/** The rules of every bioflax figure, in legend order. */
export const RULES: readonly string[] = ["BP", "FA", "KP", "DFA"];

/** Colours of the rules (and of Kolen–Pollack with weight decay). */
export const BIOFLAX_COLORS: Record<string, string> = {
  BP: "#1f77b4",
  FA: "#7f7f7f",
  KP: "#2ca02c",
  DFA: "#ff7f0e",
  "KP + decay": "#9467bd",
};

/** Tolerance of "≈" between two accuracies, in accuracy units (0.5 percentage points). */
export const APPROX_TOLERANCE = 0.005;

/** One bioflax task: its configs and what the analysis needs to know about them. */
export interface BioflaxTask {
  /** Figure id, e.g. `bioflax/mnist`. */
  id: string;
  /** The task's name in titles. */
  name: string;
  /** One line: network, data, optimiser. */
  protocol: string;
  /** Config with the grid over BP, FA, KP, DFA. */
  main: string;
  /** Config with Kolen–Pollack and weight decay. */
  kpDecay: string;
  /** That config's weight decay λ per step. */
  lambda: number;
  /** Training steps per epoch, ⌈training samples / batch size⌉. */
  stepsPerEpoch: number;
  /** Shapes (fanIn × fanOut) of W₀, W₁, … */
  shapes: readonly (readonly [number, number])[];
  /** Whether the test metric is accuracy (else the test loss). */
  classification: boolean;
  /** Quick-mode overrides of both configs and their note. */
  quick: { main: Record<string, unknown>; kpDecay: Record<string, unknown>; note: string };
}

/** Mean, sample std and count over seeds at one x. */
export interface Point {
  /** Abscissa. */
  x: number;
  /** Mean over seeds. */
  mean: number;
  /** Sample std over seeds (0 for one seed). */
  std: number;
  /** The per-seed values. */
  values: number[];
}

/** The rules' label: `BP`, `FA`, `KP`, `DFA`. */
function labelOf(r: Row): string {
  return String(r["rule.name"] ?? "").toUpperCase();
}

/** The rows of each trial. */
function byTrial(rows: readonly Row[]): Row[][] {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const t = String(r.trial_dir ?? r.trial);
    (out.get(t) ?? out.set(t, []).get(t)!).push(r);
  }
  return [...out.values()];
}

/**
 * Mean ± std over the trials of a column per epoch. Alignment metrics of epoch e are averaged over
 * that epoch's first training batches, i.e. taken after e − 1 epochs of training, so `shift` = 1
 * puts them at x = e − 1 ("epochs trained"); test metrics use `shift` = 0 (epoch 0: before
 * training).
 *
 * @param rows Rows of the trials of one rule.
 * @param column The column.
 * @param shift Subtracted from the epoch.
 * @returns One point per epoch with a value.
 *
 * @example
 * ```ts
 * import { curve } from "./_analysis.ts";
 * const rows = [
 *   { trial: "a", epoch: 1, angle_W_BT_1: 80 }, { trial: "b", epoch: 1, angle_W_BT_1: 60 },
 * ];
 * const [p] = curve(rows, "angle_W_BT_1", 1);
 * console.assert(p!.x === 0 && p!.mean === 70 && p!.values.length === 2);
 * ```
 */
export function curve(rows: readonly Row[], column: string, shift: number): Point[] {
  const byX = new Map<number, number[]>();
  for (const r of rows) {
    if (r.state === "diverged") continue;
    const e = numberOf(r.epoch), v = numberOf(r[column]);
    if (e === undefined || v === undefined) continue;
    (byX.get(e - shift) ?? byX.set(e - shift, []).get(e - shift)!).push(v);
  }
  return [...byX.entries()].sort((a, b) => a[0] - b[0]).map(([x, values]) => {
    const s = summarize(values);
    return { x, mean: s.mean, std: Number.isFinite(s.std) ? s.std : 0, values };
  });
}

/**
 * The spread (std, degrees) of the angle between two independent random matrices of `size`
 * entries: their cosine has std ≈ 1/√size, i.e. (180/π)/√size degrees around 90°.
 *
 * @param size Entries of the matrix.
 * @returns The std in degrees.
 *
 * @example
 * ```ts
 * import { chanceSpread } from "./_analysis.ts";
 * console.assert(Math.abs(chanceSpread(10000) - 0.573) < 1e-3);
 * ```
 */
export function chanceSpread(size: number): number {
  return 180 / Math.PI / Math.sqrt(size);
}

/**
 * Whether the mean over seeds of an angle lies below 90° by more than two standard errors (the
 * larger of the seeds' SE and the chance spread of independent random matrices over √n seeds).
 *
 * @param values Per-seed angles (degrees).
 * @param size Entries of the matrix (for the chance spread).
 * @returns Mean, threshold, and whether it holds (`undefined` without values).
 *
 * @example
 * ```ts
 * import { belowRight } from "./_analysis.ts";
 * console.assert(belowRight([80, 82], 250000).holds === true);
 * console.assert(belowRight([89.9, 90.1], 5000).holds === false);
 * ```
 */
export function belowRight(
  values: readonly number[],
  size: number,
): { mean: number; threshold: number; holds: boolean | undefined } {
  if (values.length === 0) return { mean: NaN, threshold: 90, holds: undefined };
  const s = summarize(values);
  const se = Math.max(Number.isFinite(s.sem) ? s.sem : 0, chanceSpread(size) / Math.sqrt(s.n));
  const threshold = 90 - 2 * se;
  return { mean: s.mean, threshold, holds: s.mean < threshold };
}

/**
 * "A ≥ B" on per-seed values: the mean of A is not below B's by more than two standard errors of
 * the difference, √(s_A²/n_A + s_B²/n_B) (with one seed each, plain means: mean A ≥ mean B).
 *
 * @param a Per-seed values of A.
 * @param b Per-seed values of B.
 * @returns Whether it holds (`undefined` when either is empty).
 *
 * @example
 * ```ts
 * import { atLeast } from "./_analysis.ts";
 * console.assert(atLeast([0.97, 0.975], [0.972, 0.974]) === true);
 * console.assert(atLeast([0.95, 0.951], [0.97, 0.971]) === false);
 * ```
 */
export function atLeast(a: readonly number[], b: readonly number[]): boolean | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const sa = summarize(a), sb = summarize(b);
  const va = Number.isFinite(sa.std) ? sa.std ** 2 / sa.n : 0;
  const vb = Number.isFinite(sb.std) ? sb.std ** 2 / sb.n : 0;
  return sa.mean >= sb.mean - 2 * Math.sqrt(va + vb);
}

/**
 * "A ≈ B": the means differ by at most `tolerance` ({@linkcode APPROX_TOLERANCE}, 0.5 points).
 *
 * @param a Per-seed values of A.
 * @param b Per-seed values of B.
 * @param tolerance Largest difference of the means.
 * @returns Whether it holds (`undefined` when either is empty).
 *
 * @example
 * ```ts
 * import { approxEqual } from "./_analysis.ts";
 * console.assert(approxEqual([0.961], [0.965]) === true && approxEqual([0.95], [0.965]) === false);
 * ```
 */
export function approxEqual(
  a: readonly number[],
  b: readonly number[],
  tolerance = APPROX_TOLERANCE,
): boolean | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  return Math.abs(summarize(a).mean - summarize(b).mean) <= tolerance + 1e-12;
}

/**
 * Kolen–Pollack's decay law on logged rows: with decay λ, Wₜ − Bₜᵀ = (1 − λ)ᵗ(W₀ − B₀ᵀ), so the
 * mean of ‖W − Bᵀ‖ over the first batches of consecutive epochs has the ratio (1 − λ)^N (N steps
 * per epoch) exactly. Returns the largest relative deviation |ratio / (1 − λ)^N − 1| over trials,
 * layers and consecutive epochs.
 *
 * @param rows Rows of the KP trials (`dist_W_BT_i` per epoch).
 * @param layers Layer indices to check.
 * @param lambda Weight decay per step.
 * @param stepsPerEpoch N.
 * @returns The deviation and how many ratios it covers (`undefined` deviation without any).
 *
 * @example
 * ```ts
 * import { decayDeviation } from "./_analysis.ts";
 * const f = 0.9 ** 10;
 * const rows = [1, 2, 3].map((epoch) => ({ trial: "a", epoch, dist_W_BT_0: 5 * f ** epoch }));
 * const d = decayDeviation(rows, [0], 0.1, 10);
 * console.assert(d.ratios === 2 && d.deviation! < 1e-12);
 * ```
 */
export function decayDeviation(
  rows: readonly Row[],
  layers: readonly number[],
  lambda: number,
  stepsPerEpoch: number,
): { deviation: number | undefined; ratios: number } {
  const want = (1 - lambda) ** stepsPerEpoch;
  let deviation: number | undefined, ratios = 0;
  for (const t of byTrial(rows)) {
    const sorted = t.filter((r) => numberOf(r.epoch) !== undefined)
      .sort((a, b) => numberOf(a.epoch)! - numberOf(b.epoch)!);
    for (const i of layers) {
      for (let k = 1; k < sorted.length; k++) {
        const e0 = numberOf(sorted[k - 1]!.epoch)!, e1 = numberOf(sorted[k]!.epoch)!;
        const d0 = numberOf(sorted[k - 1]![`dist_W_BT_${i}`]);
        const d1 = numberOf(sorted[k]![`dist_W_BT_${i}`]);
        if (d0 === undefined || d1 === undefined || e1 !== e0 + 1 || d0 === 0) continue;
        const dev = Math.abs(d1 / d0 / want - 1);
        deviation = Math.max(deviation ?? 0, dev);
        ratios++;
      }
    }
  }
  return { deviation, ratios };
}

function meanOf(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function meanStd(values: readonly number[]): string {
  if (values.length === 0) return "–";
  const s = summarize(values);
  return Number.isFinite(s.std) ? `${fmt(s.mean)} ± ${fmt(s.std, 2)}` : fmt(s.mean);
}

/** Per-seed values at the last x of a curve. */
function last(points: readonly Point[]): number[] {
  return points.length === 0 ? [] : points[points.length - 1]!.values;
}

/** The curve point at x (per-seed values), or none. */
function at(points: readonly Point[], x: number): number[] {
  return points.find((p) => p.x === x)?.values ?? [];
}

function lambdaText(lambda: number): string {
  return `λ = ${fmt(lambda)}`;
}

/** Mean ± std band chart: one line and band per series. */
function bandChart(
  panel: string,
  name: string,
  title: string,
  subtitle: readonly string[],
  series: { label: string; points: Point[] }[],
  xTitle: string,
  yTitle: string,
  extra: { domain?: [number, number]; colors?: Record<string, string> | string[] } = {},
): Chart {
  const data = series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.label,
      x: p.x,
      mean: p.mean,
      lo: p.mean - p.std,
      hi: p.mean + p.std,
    }))
  );
  const labels = series.map((s) => s.label);
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: colorScale(labels, extra.colors ?? BIOFLAX_COLORS),
    legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  const x = { field: "x", type: "quantitative", title: xTitle, axis: { tickMinStep: 1 } };
  const yScale = extra.domain ? { domain: extra.domain } : { zero: false };
  return {
    panel,
    name,
    spec: chart(title, subtitle, {
      data: { values: data },
      layer: [
        {
          mark: { type: "area", opacity: 0.18 },
          encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            x,
            y: { field: "mean", type: "quantitative", title: yTitle, scale: yScale },
            color,
          },
        },
      ],
    }),
  };
}

/** The rows of each rule (the main grid by rule name, the decay config as `KP + decay`). */
async function rulesOf(task: BioflaxTask, ctx: AnalysisContext): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const r of await ctx.rows(task.main)) {
    const k = labelOf(r);
    (out.get(k) ?? out.set(k, []).get(k)!).push(r);
  }
  const decay = await ctx.rows(task.kpDecay);
  if (decay.length > 0) out.set("KP + decay", decay);
  return out;
}

function seedsOf(rows: readonly Row[]): number {
  return byTrial(rows).length;
}

/**
 * The figure of one bioflax task: panels a (test accuracy or loss per epoch), b (∠(W, Bᵀ) per
 * layer), c (hidden layers' gradient angles) and d (Kolen–Pollack's ‖W − Bᵀ‖ against
 * (1 − λ)ᵗ), with their verdicts.
 *
 * @param task The task.
 * @param title The figure's title.
 * @returns The registry entry.
 */
export function bioflaxFigure(task: BioflaxTask, title: string): FigureDefinition {
  const experiments: ExperimentRef[] = [
    {
      file: task.main,
      panels: ["a", "b", "c"],
      quick: task.quick.main,
      quickNote: task.quick.note,
    },
    {
      file: task.kpDecay,
      panels: ["a", "b", "c", "d"],
      quick: task.quick.kpDecay,
      quickNote: task.quick.note,
    },
  ];
  return {
    id: task.id,
    title,
    paper: "bioflax (Schimpf & Zucchet, yschimpf/bioflax): BP, FA, KP and DFA in JAX/Flax",
    source: SOURCE,
    panels: [
      {
        id: "a",
        title: task.classification
          ? "test accuracy per epoch, BP / FA / KP / DFA"
          : "test loss per epoch, BP / FA / KP / DFA",
      },
      { id: "b", title: "∠(Wᵢ, Bᵢᵀ) per layer against epochs, FA and KP" },
      { id: "c", title: "hidden layers' ∠(g_rule, g_BP) against epochs, FA / KP / DFA" },
      { id: "d", title: "Kolen–Pollack: ‖W − Bᵀ‖ against the (1 − λ)ᵗ law" },
    ],
    experiments,
    analyse: (ctx) => analyseTask(task, ctx),
  };
}

/**
 * The analysis of one task (exported for the tests, which feed it hand-made rows).
 *
 * @param task The task.
 * @param ctx Rows and panels.
 * @returns Charts, outcomes, tables.
 */
export async function analyseTask(task: BioflaxTask, ctx: AnalysisContext): Promise<FigureOutput> {
  const charts: Chart[] = [], outcomes: Outcome[] = [], tables: DataTable[] = [];
  const by = await rulesOf(task, ctx);
  const labels = [...RULES, "KP + decay"].filter((l) => by.has(l));
  const L = task.shapes.length;
  const seedNote = labels.map((l) => `${l} ${seedsOf(by.get(l)!)}`).join(", ");
  const decayName = `KP + decay: ${lambdaText(task.lambda)} per step`;
  const common = [
    task.protocol,
    `seeds: ${seedNote}; ${decayName}; band: ± 1 sample std over seeds`,
  ];
  const note = (p: string) => ctx.note(p);
  const metric = task.classification ? "test_accuracy" : "test_loss";
  const metricName = task.classification
    ? "test accuracy"
    : "test loss per sample (½ squared error summed over the outputs)";
  const testCurves = new Map(labels.map((l) => [l, curve(by.get(l)!, metric, 0)]));
  const diagX = "epochs trained before the measurement (first 5 batches of the next epoch)";

  if (ctx.panels.has("a")) {
    charts.push(bandChart(
      "a",
      "a",
      `bioflax ${task.name}: ${metricName} per epoch`,
      [
        ...common,
        ...(task.classification ? ["epoch 0 (before training, chance ≈ 0.1) left out"] : []),
        note("a"),
      ],
      labels.map((l) => ({
        label: l,
        points: testCurves.get(l)!.filter((p) => !task.classification || p.x >= 1),
      })),
      "epoch",
      metricName,
    ));
    for (const l of labels) {
      outcomes.push({
        panel: "a",
        expected: `${l}: final ${metricName} (mean ± std over seeds)`,
        paper: "no published number",
        ours: meanStd(last(testCurves.get(l)!)),
        verdict: "info",
      });
    }
    if (task.classification) {
      const v = (l: string) => last(testCurves.get(l) ?? []);
      const ge = (a: string, b: string) => atLeast(v(a), v(b));
      const holds = [
        ge("BP", "KP"),
        ge("KP", "DFA"),
        ge("KP", "FA"),
        approxEqual(v("DFA"), v("FA")),
      ];
      outcomes.push({
        panel: "a",
        expected: "final test accuracy BP ≥ KP ≥ DFA ≈ FA (≥: not lower by more than 2 standard " +
          "errors of the difference; ≈: means within 0.5 points)",
        paper: "interpretation of the bioflax spec (BP slightly above FA/KP); no published number",
        ours: ["BP", "KP", "DFA", "FA"].map((l) => `${l} ${fmt(100 * meanOf(v(l)), 4)} %`)
          .join(", "),
        verdict: verdictOf(holds.includes(undefined) ? undefined : holds.every(Boolean)),
      });
    } else {
      const bp = meanOf(last(testCurves.get("BP") ?? []));
      const first = meanOf(testCurves.get("BP")?.[0]?.values ?? []);
      outcomes.push({
        panel: "a",
        expected: "every rule lowers the test loss below its value before training",
        paper: "no published number",
        ours: labels.map((l) => {
          const c = testCurves.get(l)!;
          return `${l} ${fmt(meanOf(c[0]?.values ?? []))} → ${fmt(meanOf(last(c)))}`;
        }).join(", "),
        verdict: verdictOf(
          labels.length === 0 ? undefined : labels.every((l) => {
            const c = testCurves.get(l)!;
            return c.length > 1 && meanOf(last(c)) < meanOf(c[0]!.values);
          }),
        ),
      });
      outcomes.push({
        panel: "a",
        expected: "BP's final test loss relative to its loss before training",
        paper: "no published number",
        ours: `${fmt(bp / first)}`,
        verdict: "info",
      });
    }
  }

  // Panel b: ∠(Wᵢ, Bᵢᵀ) per layer. B₀ never carries an error (nothing is sent to the input), so
  // FA's W₀ has no reason to align with it; the layers that feed errors to hidden units are i ≥ 1.
  const alignRules = labels.filter((l) => l === "FA" || l.startsWith("KP"));
  const angleCurves = (l: string, i: number) => curve(by.get(l)!, `angle_W_BT_${i}`, 1);
  if (ctx.panels.has("b")) {
    for (let i = 0; i < L; i++) {
      const [r, c] = task.shapes[i]!;
      charts.push(bandChart(
        "b",
        `b_W${i + 1}`,
        `bioflax ${task.name}: ∠(W${i + 1}, B${i + 1}ᵀ), layer ${i + 1} (${r}→${c})`,
        [
          ...common,
          i === 0
            ? "B1 sends nothing (no error goes to the input): FA's W1 has no reason to align; KP's B1 learns like W1"
            : `B${i + 1} carries the error to hidden layer ${i}`,
          "averaged over the first 5 training batches of each epoch (bioflax --n 5), weights after each update",
          note("b"),
        ],
        alignRules.map((l) => ({ label: l, points: angleCurves(l, i) })),
        diagX,
        "angle (degrees)",
        { domain: [0, 95] },
      ));
    }
    const fa = by.has("FA");
    for (let i = 1; i < L; i++) {
      const [r, c] = task.shapes[i]!;
      const pts = fa ? angleCurves("FA", i) : [];
      const init = meanOf(at(pts, 0));
      const b = belowRight(at(pts, 1), r * c);
      outcomes.push({
        panel: "b",
        expected: `FA: ∠(W${i + 1}, B${i + 1}ᵀ) below 90° after the first epoch (mean over seeds ` +
          "below 90° by more than 2 standard errors)",
        paper: "Lillicrap et al. 2016 (alignment emerges early); spec check 9",
        ours: `${fmt(init)}° at start → ${fmt(b.mean)}° after 1 epoch (threshold ${
          fmt(b.threshold, 4)
        }°)`,
        verdict: verdictOf(b.holds),
      });
    }
    for (const l of alignRules.filter((x) => x.startsWith("KP"))) {
      const per = Array.from({ length: L }, (_, i) => angleCurves(l, i).map((p) => p.mean));
      const falling = per.every((m) => m.length > 1 && m.every((v, k) => k === 0 || v < m[k - 1]!));
      const fa = by.has("FA") ? Array.from({ length: L }, (_, i) => angleCurves("FA", i)) : [];
      const belowFa = fa.length === L &&
        per.every((m, i) => m[m.length - 1]! < meanOf(last(fa[i]!)));
      outcomes.push({
        panel: "b",
        expected: `${l}: ∠(W, Bᵀ) falls towards 0 — decreases from each logged epoch to the next ` +
          "in every layer and ends below FA's",
        paper: "bioflax docs/README.md (Wₜ − Bₜᵀ = (1 − λ)ᵗ(W₀ − B₀ᵀ))",
        ours: per.map((m, i) => `W${i + 1} ${fmt(m[0])}° → ${fmt(m[m.length - 1])}°`).join(", "),
        verdict: verdictOf(per.some((m) => m.length === 0) ? undefined : falling && belowFa),
      });
    }
  }

  // Panel c: ∠(g_rule, g_BP) of the hidden layers (the output layer's update is BP's).
  const gradRules = labels.filter((l) => l !== "BP");
  const gradCurves = (l: string, i: number) => curve(by.get(l)!, `angle_grad_${i}`, 1);
  if (ctx.panels.has("c")) {
    for (let i = 0; i < L - 1; i++) {
      charts.push(bandChart(
        "c",
        `c_layer${i + 1}`,
        `bioflax ${task.name}: ∠(g_rule, g_BP) of hidden layer ${i + 1} ([∂b; ∂W${i + 1}])`,
        [
          ...common,
          "averaged over the first 5 training batches of each epoch (bioflax --n 5), before each update; BP is 0°",
          note("c"),
        ],
        gradRules.map((l) => ({ label: l, points: gradCurves(l, i) })),
        diagX,
        "angle (degrees)",
        { domain: [0, 100] },
      ));
    }
    for (const l of ["FA", "DFA"].filter((x) => by.has(x))) {
      const after: number[] = [], init: number[] = [];
      for (let i = 0; i < L - 1; i++) {
        for (const p of gradCurves(l, i)) (p.x === 0 ? init : after).push(...p.values);
      }
      outcomes.push({
        panel: "c",
        expected: `${l}: hidden layers' ∠(g_rule, g_BP) stays below 90° after the first epoch ` +
          "(every seed, layer and logged epoch)",
        paper: "Lillicrap et al. 2016; Nøkland 2016; spec check 9",
        ours: `at most ${fmt(Math.max(...after))}° (at the start: ${fmt(Math.min(...init))}–${
          fmt(Math.max(...init))
        }°)`,
        verdict: verdictOf(after.length === 0 ? undefined : after.every((v) => v < 90)),
      });
    }
  }

  // Panel d: ‖W − Bᵀ‖ of KP against (1 − λ)ᵗ.
  if (ctx.panels.has("d")) {
    const variants = [
      { l: "KP", lambda: 0 },
      { l: "KP + decay", lambda: task.lambda },
    ].filter((v) => by.has(v.l));
    const data: Record<string, unknown>[] = [], theory: Record<string, unknown>[] = [];
    for (const v of variants) {
      for (let i = 0; i < L; i++) {
        const pts = curve(by.get(v.l)!, `dist_W_BT_${i}`, 1);
        const d0 = pts[0]?.mean;
        if (!d0) continue;
        for (const p of pts) {
          data.push({ x: p.x, ratio: p.mean / d0, layer: `W${i + 1}`, variant: v.l });
        }
      }
      const xs = curve(by.get(v.l)!, "dist_W_BT_0", 1).map((p) => p.x);
      for (const x of xs) {
        theory.push({
          x,
          ratio: (1 - v.lambda) ** (task.stepsPerEpoch * x),
          law: `(1 − λ)ᵗ, ${v.l}`,
        });
      }
      const dev = decayDeviation(by.get(v.l)!, [...Array(L).keys()], v.lambda, task.stepsPerEpoch);
      outcomes.push({
        panel: "d",
        expected: `${v.l} (${lambdaText(v.lambda)}): ‖W − Bᵀ‖ shrinks by (1 − λ)^N = ${
          fmt((1 - v.lambda) ** task.stepsPerEpoch, 4)
        } per epoch (N = ${task.stepsPerEpoch} steps) in every layer, to within 0.1 %`,
        paper: "bioflax docs/README.md: Wₜ − Bₜᵀ = (1 − λ)ᵗ(W₀ − B₀ᵀ)",
        ours: dev.deviation === undefined
          ? "–"
          : `largest deviation ${fmt(100 * dev.deviation)} % over ${dev.ratios} epoch ratios`,
        verdict: verdictOf(dev.deviation === undefined ? undefined : dev.deviation < 1e-3),
      });
    }
    const layerNames = Array.from({ length: L }, (_, i) => `W${i + 1}`);
    const x = { field: "x", type: "quantitative", title: diagX, axis: { tickMinStep: 1 } };
    charts.push({
      panel: "d",
      name: "d",
      spec: chart(
        `bioflax ${task.name}: Kolen–Pollack's ‖W − Bᵀ‖, relative to the first measurement`,
        [
          ...common,
          "points: measured (mean over seeds of the 5-batch averages), per layer (the layers' points " +
          "coincide); lines: (1 − λ)ᵗ, t = N × epochs",
          note("d"),
        ],
        {
          layer: [
            {
              data: { values: theory },
              mark: { type: "line", color: "#444", strokeWidth: 1.5 },
              encoding: {
                x,
                y: { field: "ratio", type: "quantitative" },
                strokeDash: {
                  field: "law",
                  type: "nominal",
                  title: "theory",
                  scale: { range: [[2, 2], [7, 4]] },
                  legend: { symbolType: "stroke", symbolSize: 400 },
                },
              },
            },
            {
              data: { values: data },
              mark: { type: "point", filled: true, size: 70, opacity: 0.9 },
              encoding: {
                x,
                y: {
                  field: "ratio",
                  type: "quantitative",
                  title: "‖W − Bᵀ‖ / ‖W − Bᵀ‖ at x = 0",
                  scale: { zero: false },
                },
                color: {
                  field: "layer",
                  type: "nominal",
                  title: "layer",
                  scale: colorScale(layerNames, LAYER_COLORS),
                },
                shape: { field: "variant", type: "nominal", title: "rule" },
              },
            },
          ],
          resolve: { scale: { color: "independent" } },
        },
      ),
    });
  }

  tables.push({
    name: "final",
    title: `bioflax ${task.name}: last epoch per rule (mean ± std over seeds)`,
    rows: labels.map((l) => {
      const row: Row = { rule: l, seeds: seedsOf(by.get(l)!) };
      row[metricName] = meanStd(last(testCurves.get(l)!));
      for (let i = 0; i < L; i++) {
        row[`∠(W${i + 1}, B${i + 1}ᵀ)`] = meanStd(last(angleCurves(l, i)));
      }
      for (let i = 0; i < L - 1; i++) row[`∠g hidden ${i + 1}`] = meanStd(last(gradCurves(l, i)));
      return row;
    }),
    columns: [
      "rule",
      "seeds",
      metricName,
      ...Array.from({ length: L }, (_, i) => `∠(W${i + 1}, B${i + 1}ᵀ)`),
      ...Array.from({ length: L - 1 }, (_, i) => `∠g hidden ${i + 1}`),
    ],
  });
  return { charts, outcomes, tables };
}
