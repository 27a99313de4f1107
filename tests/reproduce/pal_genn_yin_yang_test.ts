import assert from "node:assert/strict";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import { epochSeries } from "../../apps/reproduce/figures/pal-genn/yin-yang/figure.ts";

const YY = FIGURES.find((f) => f.id === "pal-genn/yin-yang")!;

function ctx(panels: string[], rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/**
 * The records of one classifier trial as `microcircuit-yin-yang` emits them: per epoch e < n the
 * validation accuracy before that epoch's training and the angle after it, then one final record
 * (epoch n) with the last validation, the test accuracy and the angle again.
 */
function trial(seed: number, acc: (e: number) => number, angle: (e: number) => number, n = 10) {
  const out: Row[] = [];
  for (let e = 0; e < n; e++) {
    out.push(
      {
        trial: `s${seed}`,
        seed,
        epoch: e,
        val_accuracy: acc(e),
        val_error: 1 - acc(e),
        angle_B_WT_0: angle(e + 1),
      } as Row,
    );
  }
  out.push({
    trial: `s${seed}`,
    seed,
    epoch: n,
    val_accuracy: acc(n),
    val_error: 1 - acc(n),
    test_accuracy: acc(n) - 0.01,
    test_error: 0.3,
    angle_B_WT_0: angle(n),
  } as Row);
  return out;
}

Deno.test("pal-genn/yin-yang is registered with its three GeNN sweeps and a README", () => {
  assert.ok(YY, "pal-genn/yin-yang missing from the registry");
  assert.deepEqual(YY.panels.map((p) => p.id), ["err", "acc", "angle", "test"]);
  assert.deepEqual(YY.experiments.map((e) => e.file), [
    "yin_yang_pal.yaml",
    "yin_yang_fa.yaml",
    "yin_yang_bw_eta_zero.yaml",
  ]);
  const readme = Deno.readTextFileSync(`${figureDir("pal-genn/yin-yang")}/README.md`);
  assert.ok(readme.includes("deno task reproduce pal-genn/yin-yang"));
  assert.match(readme, /could not be transcribed/);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`pal-genn/yin-yang ${mode}: the GeNN configs, 6000 / 900 / 900 samples, ${mode === "full" ? "10 seeds × 400" : "fewer"} epochs`, async () => {
    const exps = await experimentConfigs(YY, mode, selectPanels(YY, undefined));
    for (const e of exps) {
      const trials = await expandTrials(e.raw);
      const seeds = trials.map((t) => t.seed);
      if (mode === "full") {
        assert.deepEqual(seeds, Array.from({ length: 10 }, (_, i) => 123456 + i), e.file);
      } else assert.ok(seeds.length >= 1 && seeds.length < 10, e.file);
      const p = (trials[0]!.config as unknown as {
        simulation: { params: Record<string, unknown> };
      }).simulation.params;
      assert.deepEqual(p.dims, [4, 30, 3]);
      assert.equal(3 * (p.n_train as number), 6000);
      assert.equal(3 * (p.n_valid as number), 900);
      assert.equal(3 * (p.n_test as number), 900);
      assert.deepEqual(p.eta_up, [50, 0.01]);
      assert.equal(p.step_order, "genn");
      if (mode === "full") assert.equal(p.n_epochs, 400);
      else assert.ok((p.n_epochs as number) < 400 && (p.n_epochs as number) >= 20);
      const pal = e.file === "yin_yang_pal.yaml";
      assert.equal(p.model_type, e.file === "yin_yang_fa.yaml" ? "FA" : "PAL", e.file);
      assert.deepEqual(p.eta_down, [0, pal ? 0.5 : 0], e.file);
      assert.equal(p.noise_sig, e.file === "yin_yang_fa.yaml" ? 0 : 0.01, e.file);
    }
  });
}

Deno.test("epochSeries: validation at the epochs trained before it, the angle after the epoch's training", () => {
  const rows = [
    ...trial(1, (e) => 0.5 + 0.01 * e, (e) => 60 - e, 3),
    ...trial(2, (e) => 0.5 + 0.03 * e, (e) => 60 - 3 * e, 3),
  ];
  const acc = epochSeries(rows, "val_accuracy");
  assert.deepEqual(acc.epoch, [0, 1, 2, 3]);
  assert.ok(Math.abs(acc.mean[3]! - 0.56) < 1e-12); // (0.53 + 0.59) / 2
  assert.ok(Math.abs(acc.std[3]! - Math.SQRT2 * 0.03) < 1e-12); // sample std of ±0.03
  const ang = epochSeries(rows, "angle_B_WT_0");
  // angles after epochs 1, 2, 3; the final record repeats epoch 3's and is not counted twice
  assert.deepEqual(ang.epoch, [1, 2, 3]);
  assert.deepEqual(ang.mean, [58, 56, 54]);
  assert.equal(ang.n, 2);
});

Deno.test("pal-genn/yin-yang verdicts: met, not met and not run decided by the data", async () => {
  const rising = (top: number) => (e: number) => 0.4 + (top - 0.4) * (1 - Math.exp(-e / 3));
  const good = await YY.analyse(ctx(["err", "acc", "angle", "test"], {
    "yin_yang_pal.yaml": [
      ...trial(1, rising(0.93), (e) => 60 - 2 * e),
      ...trial(2, rising(0.91), (e) => 62 - 2 * e),
    ],
    "yin_yang_fa.yaml": [
      ...trial(1, rising(0.88), () => 58),
      ...trial(2, rising(0.87), () => 57),
    ],
    "yin_yang_bw_eta_zero.yaml": trial(1, rising(0.88), () => 58),
  }));
  const v = (out: typeof good) =>
    out.outcomes.filter((o) => o.verdict !== "info").map((o) => `${o.panel} ${o.verdict}`);
  assert.deepEqual(v(good), ["acc met", "angle met"]);
  assert.deepEqual(good.charts.map((c) => c.name), ["val_error", "val_accuracy", "angle"]);
  const table = good.tables[0]!;
  assert.deepEqual(table.rows.map((r) => r.model), ["PAL", "FA", "PAL noise, η_B = 0"]);
  assert.equal(table.rows[0]!.seeds, 2);
  // PAL test accuracy: mean of (0.93, 0.91) at epoch 10 minus 0.01, in %
  const palTest = 100 * ((rising(0.93)(10) + rising(0.91)(10)) / 2 - 0.01);
  assert.ok(Math.abs((table.rows[0]!["test acc mean (%)"] as number) - palTest) < 0.01);

  // Swapped roles: PAL below FA and its angle rising.
  const bad = await YY.analyse(ctx(["acc", "angle"], {
    "yin_yang_pal.yaml": trial(1, rising(0.85), (e) => 50 + e),
    "yin_yang_fa.yaml": trial(1, rising(0.9), () => 55),
  }));
  assert.deepEqual(v(bad), ["acc not met", "angle not met"]);
  // No FA runs: nothing to compare.
  const none = await YY.analyse(ctx(["acc", "angle"], {
    "yin_yang_pal.yaml": trial(1, rising(0.9), (e) => 60 - e),
  }));
  assert.deepEqual(v(none), ["acc not run", "angle not run"]);
});
