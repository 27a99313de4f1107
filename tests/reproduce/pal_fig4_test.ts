import assert from "node:assert/strict";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES, selectFigures } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import { createMicrocircuitSimulation } from "@plasticity/microcircuit/simulation";
import {
  fig4Outcomes,
  type Fig4Series,
  firstUpCrossing,
  movingAverage,
} from "../../apps/reproduce/figures/pal/fig4/figure.ts";

const FIG4 = FIGURES.find((f) => f.id === "pal/fig4")!;

function ctx(panels: string[], rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/** Rows of one trial: a record every 10 ms up to `tEnd` s from per-time functions. */
function rows(
  tEnd: number,
  f: (t: number) => { w1: number; w2: number; b: number; mse: number },
): Row[] {
  const out: Row[] = [];
  for (let i = 1; i <= Math.round(tEnd * 100); i++) {
    const t = i / 100, v = f(t);
    out.push({
      trial: "x",
      seed: 123,
      t,
      "WPP_0_0": v.w1,
      "WPP_1_0": v.w2,
      "BPP_0_0": v.b,
      mse: v.mse,
    } as Row);
  }
  return out;
}

function verdicts(outcomes: { panel: string; expected: string; verdict: string }[]): string[] {
  return outcomes.map((o) => o.verdict);
}

Deno.test("pal/fig4 is registered with panels 4a and 4b, one config per model and a README", () => {
  assert.ok(FIG4, "pal/fig4 missing from the registry");
  assert.deepEqual(FIG4.panels.map((p) => p.id), ["4a", "4b"]);
  assert.deepEqual(selectFigures(["pal/fig4"]).map((f) => f.id), ["pal/fig4"]);
  assert.deepEqual(FIG4.experiments.map((e) => e.file), [
    "fig4ab_bp.yaml",
    "fig4ab_fa.yaml",
    "fig4ab_pal.yaml",
  ]);
  const readme = Deno.readTextFileSync(`${figureDir("pal/fig4")}/README.md`);
  assert.ok(readme.includes("deno task reproduce pal/fig4"));
  assert.match(readme, /500\.1 s/);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`pal/fig4 ${mode}: the configs are the reference's Fig4ab params, 500.1 s (full) or 100.1 s (quick)`, async () => {
    const exps = await experimentConfigs(FIG4, mode, selectPanels(FIG4, undefined));
    const models: string[] = [];
    for (const e of exps) {
      const trials = await expandTrials(e.raw);
      assert.equal(trials.length, 1, e.file);
      const p = (trials[0]!.config as unknown as {
        simulation: { params: Record<string, unknown> };
      }).simulation.params;
      models.push(p.model_type as string);
      // The 1-1-1 sign-flip task: student W, B < 0, teacher W = 2, fw_bw.
      assert.deepEqual(p.layers, [1, 1, 1]);
      assert.equal(p.task, "fw_bw");
      assert.deepEqual(p.init_WPP_range, [-1, 0]);
      assert.deepEqual(p.init_BPP_range, [-1, 0]);
      assert.deepEqual(p.init_teacher_WPP_range, [2, 2]);
      assert.deepEqual(p.eta_fw, [2, 0.5]);
      assert.deepEqual(p.eta_bw, [p.model_type === "PAL" ? 20 : 0]);
      assert.deepEqual(p.eta_PI, [p.model_type === "PAL" ? 0.5 : 0]);
      assert.deepEqual(p.eta_IP, [10]);
      assert.deepEqual(p.record, ["WPP", "BPP"]);
      // 100 ms settling + epochs × 100 samples × 1 ms
      const seconds = (100 + (p.epochs as number) * 100) / 1000;
      assert.equal(seconds, mode === "full" ? 500.1 : 100.1);
    }
    assert.deepEqual(models, ["BP", "FA", "PAL"]);
  });
}

Deno.test("movingAverage: trailing mean over the window, and the first upward zero crossing", () => {
  const t = [0.5, 1, 1.5, 2, 2.5], v = [4, 2, NaN, 6, 8];
  // window 1 s = (t − 1, t]: {4}, {4, 2}, {2}, {6}, {6, 8} (NaN skipped)
  assert.deepEqual(movingAverage(t, v, 1), [4, 3, 2, 6, 7]);
  assert.equal(firstUpCrossing([0, 1, 2, 3], [-0.2, -0.1, 0.05, -0.01]), 2);
  assert.equal(firstUpCrossing([0, 1], [0.1, 0.2]), undefined);
});

// Series shaped like the reference runs (Max et al. 2022, Fig. 4a,b; spec §4): BP converges
// exponentially to the teacher; FA keeps B and W1 runs away; PAL's B rises linearly through 0 at
// 35 s while W1 falls until then and rises afterwards, and the error peaks near 40 s and decays.
const BP = (t: number) => ({
  w1: 2 - 2.3 * Math.exp(-t / 4),
  w2: 2 - 2.7 * Math.exp(-t / 0.5),
  b: 2 - 2.7 * Math.exp(-t / 0.5),
  mse: 0.05 * Math.exp(-t / 2),
});
const FA = (t: number) => ({ w1: -0.3 - 0.3 * t, w2: 4, b: -0.449, mse: 0.3 });
const PAL = (t: number) => ({
  w1: t < 35 ? -0.3 - (2.2 * t) / 35 : -2.5 + 0.05 * (t - 35),
  w2: 3,
  b: -0.449 + (0.449 * t) / 35,
  mse: 0.05 * Math.exp(-(((t - 40) / 25) ** 2)),
});

Deno.test("pal/fig4 verdicts: met on series shaped as the reference runs", async () => {
  const out = await FIG4.analyse(ctx(["4a", "4b"], {
    "fig4ab_bp.yaml": rows(100, BP),
    "fig4ab_fa.yaml": rows(100, FA),
    "fig4ab_pal.yaml": rows(100, PAL),
  }));
  assert.equal(out.outcomes.length, 7);
  assert.deepEqual(verdicts(out.outcomes), Array(7).fill("met"), JSON.stringify(out.outcomes));
  assert.deepEqual(out.charts.map((c) => c.name), [
    "fig4a",
    "fig4b_bp",
    "fig4b_fa",
    "fig4b_pal",
  ]);
  const crossing = out.outcomes.find((o) => o.expected.includes("crosses zero"))!;
  assert.match(crossing.ours, /crosses 0 at 35 s/);
});

Deno.test("pal/fig4 verdicts: not met when the outcomes fail, not run when the run is too short", async () => {
  // PAL behaves like FA (B fixed, W1 runs away); FA converges like BP; BP stalls.
  const failed = await FIG4.analyse(ctx(["4a", "4b"], {
    "fig4ab_bp.yaml": rows(100, () => ({ w1: -0.3, w2: -0.7, b: -0.7, mse: 0.05 })),
    "fig4ab_fa.yaml": rows(100, BP),
    "fig4ab_pal.yaml": rows(100, FA),
  }));
  assert.deepEqual(verdicts(failed.outcomes), Array(7).fill("not met"));
  // 20 s runs: PAL's crossing (35 s) and its 100-s error are not measurable yet.
  const short = await FIG4.analyse(ctx(["4a", "4b"], {
    "fig4ab_bp.yaml": rows(20, BP),
    "fig4ab_fa.yaml": rows(20, FA),
    "fig4ab_pal.yaml": rows(20, PAL),
  }));
  assert.deepEqual(verdicts(short.outcomes), [
    "met",
    "met",
    "met",
    "met",
    "not run",
    "not run",
    "not run",
  ]);
  // --panels 4a leaves out the weight charts and the 4b verdicts.
  const only4a = await FIG4.analyse(ctx(["4a"], { "fig4ab_bp.yaml": rows(20, BP) }));
  assert.deepEqual(only4a.charts.map((c) => c.name), ["fig4a"]);
  assert.ok(only4a.outcomes.every((o) => o.panel === "4a"));
});

Deno.test("pal/fig4 on a real BP run of 20.1 s: the records carry W1, W2, B and BP reaches the teacher", async () => {
  const [exp] = await experimentConfigs(FIG4, "full", new Set(["4a"]));
  const [trial] = await expandTrials(exp!.raw);
  const params = (trial!.config as unknown as { simulation: { params: Record<string, unknown> } })
    .simulation.params;
  const sim = createMicrocircuitSimulation({ ...params, epochs: 200 }, 123, () => {
    throw new Error("no file");
  });
  const recs: Row[] = [];
  sim.run((r) => recs.push({ trial: "bp", seed: 123, ...r } as Row));
  assert.equal(recs.length, 2010);
  const last = recs.at(-1)!;
  // BP sets B = W2ᵀ every step (before the step's W update, so they differ by one update).
  assert.ok(Math.abs((last.BPP_0_0 as number) - (last.WPP_1_0 as number)) < 1e-3);
  const series: Fig4Series = {
    t: recs.map((r) => r.t as number),
    w1: recs.map((r) => r.WPP_0_0 as number),
    w2: recs.map((r) => r.WPP_1_0 as number),
    b: recs.map((r) => r.BPP_0_0 as number),
    mse: recs.map((r) => r.mse as number),
  };
  const out = fig4Outcomes({ BP: series });
  const bp = out.filter((o) => o.expected.startsWith("BP"));
  assert.deepEqual(bp.map((o) => o.verdict), ["met", "met"], JSON.stringify(bp));
});
