// CorInfoMax (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023): the angle Θ⁽²⁾ between the forward
// weights of the output layer and the transpose of its feedback weights against training
// iterations on MNIST, every 500 batches, beside the published trajectory.
import { numberOf, type Row, summarize } from "@plasticity/analysis";
import { chart, colorScale } from "../../../_charts.ts";
import type { Chart, FigureDefinition, FigureOutput } from "../../../types.ts";
import { fmt, minOf, type Outcome, staysAbove, valueAt, verdictOf } from "../../../verdict.ts";
import { PAPER } from "../_table.ts";

const FILE = "angle.yaml";
const SOURCE = "Plot_CorInfoMax_Angle_Forward_Backward (MNIST, best setting, 10 seeds)";
/** The diagnostic the runner logs for CorInfoMax: Θ⁽²⁾ = ∠(Wff₁, Wfb₁ᵀ) in degrees. */
export const ANGLE_METRIC = "angle_ff_fb_2";
/** Acceptance: Θ⁽²⁾ below this after 500 batches (published ≈ 73–74°). */
export const ANGLE_AT_500_BELOW = 80;
/** The published trajectory never goes below about this (minimum ≈ 64° near 8k iterations). */
export const ANGLE_FLOOR = 60;

/**
 * The published trajectory, read from the paper's angle plot (degrees against iterations): the
 * start range, after 500 batches, the minimum near 8k iterations and the value by 150k.
 */
export const PAPER_TRAJECTORY: readonly { step: number; lo: number; hi: number }[] = [
  { step: 0, lo: 89, hi: 92 },
  { step: 500, lo: 73, hi: 74 },
  { step: 8000, lo: 64, hi: 64 },
  { step: 150000, lo: 83, hi: 83 },
];

/** Mean and std over seeds of Θ⁽²⁾ at each logged batch count. */
export interface AnglePoint {
  /** Batches trained (0: the initial weights). */
  step: number;
  /** Mean angle over seeds (degrees). */
  mean: number;
  /** Sample std over seeds (0 for one seed). */
  std: number;
  /** Seeds at this step. */
  n: number;
}

/**
 * The angle trajectory over the trials: rows carry `step` (batches so far; the epoch-0 row is
 * before any training, step 0) and the angle diagnostic. Diverged trials are left out.
 *
 * @param rows Analysis rows of the angle config.
 * @returns One point per step, ascending.
 *
 * @example
 * ```ts
 * import { angleTrajectory } from "./figure.ts";
 * const rows = [
 *   { trial: "a", state: "done", step: 0, angle_ff_fb_2: 90 },
 *   { trial: "a", state: "done", step: 500, angle_ff_fb_2: 74 },
 *   { trial: "b", state: "done", step: 500, angle_ff_fb_2: 76 },
 * ];
 * const t = angleTrajectory(rows);
 * console.assert(t.length === 2 && t[1]!.mean === 75 && t[1]!.n === 2);
 * ```
 */
export function angleTrajectory(rows: readonly Row[]): AnglePoint[] {
  const by = new Map<number, number[]>();
  for (const r of rows) {
    if (r.state === "diverged") continue;
    const s = numberOf(r.step) ?? (numberOf(r.epoch) === 0 ? 0 : undefined);
    const a = numberOf(r[ANGLE_METRIC]);
    if (s === undefined || a === undefined) continue;
    (by.get(s) ?? by.set(s, []).get(s)!).push(a);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([step, v]) => {
    const s = summarize(v);
    return { step, mean: s.mean, std: Number.isFinite(s.std) ? s.std : 0, n: v.length };
  });
}

/**
 * The outcomes of the angle figure: the acceptance (below 80° after 500 batches), the published
 * floor (never below 60° over the iterations run) and the start, minimum and last value as
 * information.
 *
 * @param t The trajectory.
 * @returns The outcomes.
 *
 * @example
 * ```ts
 * import { angleOutcomes } from "./figure.ts";
 * const o = angleOutcomes([
 *   { step: 0, mean: 90, std: 0, n: 1 },
 *   { step: 500, mean: 74.5, std: 0, n: 1 },
 * ]);
 * console.assert(o[0]!.verdict === "met" && o[1]!.verdict === "met");
 * console.assert(angleOutcomes([])[0]!.verdict === "not run");
 * ```
 */
export function angleOutcomes(t: readonly AnglePoint[]): Outcome[] {
  const steps = t.map((p) => p.step), means = t.map((p) => p.mean);
  const at500 = t.some((p) => p.step >= 500) ? valueAt(steps, means, 500) : undefined;
  const min = minOf(means);
  const argmin = t.find((p) => p.mean === min)?.step;
  const last = t[t.length - 1];
  const n = Math.max(0, ...t.map((p) => p.n));
  return [
    {
      panel: "angle",
      expected: `Θ⁽²⁾ is below ${ANGLE_AT_500_BELOW}° after 500 batches`,
      paper: `≈ 73–74° (${SOURCE})`,
      ours: at500 === undefined
        ? "not run"
        : `${fmt(at500)}° (mean of ${n} seed${n === 1 ? "" : "s"})`,
      verdict: verdictOf(at500 === undefined ? undefined : at500 < ANGLE_AT_500_BELOW),
    },
    {
      panel: "angle",
      expected: `Θ⁽²⁾ never goes below ${ANGLE_FLOOR}° (over the iterations run)`,
      paper: "minimum ≈ 64° around 8k iterations",
      ours: min === undefined ? "not run" : `minimum ${fmt(min)}° at ${argmin} batches`,
      verdict: verdictOf(staysAbove(means, ANGLE_FLOOR)),
    },
    {
      panel: "angle",
      expected: "Θ⁽²⁾ of the initial weights",
      paper: "≈ 89–92°",
      ours: t[0]?.step === 0 ? `${fmt(t[0].mean)}°` : "–",
      verdict: "info",
    },
    {
      panel: "angle",
      expected: "Θ⁽²⁾ at the last logged iteration",
      paper: "≈ 83° by 150k iterations (after the minimum it rises and settles)",
      ours: last ? `${fmt(last.mean)}° after ${last.step} batches` : "–",
      verdict: "info",
    },
  ];
}

function angleChart(t: readonly AnglePoint[], note: string): Chart {
  const series = ["ours (mean ± std over seeds)", "paper (read from its plot)"];
  const ours = t.map((p) => ({
    series: series[0],
    k: p.step / 1000,
    angle: p.mean,
    lo: p.mean - p.std,
    hi: p.mean + p.std,
  }));
  const paper = PAPER_TRAJECTORY.map((p) => ({
    series: series[1],
    k: p.step / 1000,
    angle: (p.lo + p.hi) / 2,
    lo: p.lo,
    hi: p.hi,
  }));
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    scale: colorScale(series, ["#1f77b4", "#d62728"]),
  };
  const maxK = Math.max(...ours.map((p) => p.k), 0);
  const x = {
    field: "k",
    type: "quantitative",
    title: "iterations (×10³ batches of 20)",
    scale: { domain: [0, Math.max(maxK, 0.5)] },
  };
  const y = {
    field: "angle",
    type: "quantitative",
    title: "Θ⁽²⁾ = ∠(Wff, Wfbᵀ) (degrees)",
    scale: { domain: [55, 95] },
  };
  return {
    panel: "angle",
    name: "angle",
    spec: chart(
      "CorInfoMax on MNIST: angle between forward and backward weights",
      [
        "784-500-10, the paper's best setting; Θ⁽²⁾ every 500 batches (0: initial weights); band: " +
        "± 1 sample std over seeds. Red: the published trajectory (start 89–92°, 73–74° after " +
        "500 batches, minimum ≈ 64° near 8k, ≈ 83° by 150k); points beyond the x range are not " +
        "shown.",
        note,
      ],
      {
        layer: [
          {
            data: { values: ours },
            mark: { type: "area", opacity: 0.2 },
            encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
          },
          {
            data: { values: ours },
            mark: { type: "line", point: true },
            encoding: { x, y, color },
          },
          {
            data: { values: paper.filter((p) => p.k <= Math.max(maxK, 0.5)) },
            mark: { type: "point", filled: true, size: 80, shape: "diamond" },
            encoding: { x, y, color },
          },
          {
            data: { values: paper.filter((p) => p.k <= Math.max(maxK, 0.5)) },
            mark: { type: "rule", strokeWidth: 3 },
            encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
          },
          {
            data: { values: [{ v: ANGLE_AT_500_BELOW }] },
            mark: { type: "rule", strokeDash: [4, 4], color: "#888" },
            encoding: { y: { field: "v", type: "quantitative" } },
          },
        ],
      },
      { width: 560, height: 320 },
    ),
  };
}

/** The figure `corinfomax/angle`. */
export const CORINFOMAX_ANGLE: FigureDefinition = {
  id: "corinfomax/angle",
  title: "CorInfoMax: forward–backward weight angle Θ⁽²⁾ on MNIST against iterations",
  paper: PAPER,
  source: SOURCE,
  panels: [{ id: "angle", title: "Θ⁽²⁾ every 500 batches beside the published trajectory" }],
  experiments: [
    {
      file: FILE,
      panels: ["angle"],
      quick: { epochs: 1, seeds: [0] },
      quickNote: "1 epoch (3000 batches, 7 angle samples) instead of 50 (150 000 batches), " +
        "seed 0 only (paper: 10 seeds)",
    },
  ],
  async analyse(ctx): Promise<FigureOutput> {
    const t = angleTrajectory(await ctx.rows(FILE));
    return {
      charts: ctx.panels.has("angle") ? [angleChart(t, ctx.note("angle"))] : [],
      outcomes: ctx.panels.has("angle") ? angleOutcomes(t) : [],
      tables: [{
        name: "angle",
        title: "Θ⁽²⁾ (degrees) every 500 batches, mean ± std over seeds",
        columns: ["batches", "mean", "std", "seeds"],
        rows: t.map((p) => ({ batches: p.step, mean: p.mean, std: p.std, seeds: p.n })),
      }],
    };
  },
};
