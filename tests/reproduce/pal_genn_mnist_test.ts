import assert from "node:assert/strict";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Mode,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import { LEARNT_ACCURACY } from "../../apps/reproduce/figures/pal-genn/mnist/figure.ts";

const MN = FIGURES.find((f) => f.id === "pal-genn/mnist")!;

function ctx(panels: string[], rows: Record<string, Row[]>, mode: Mode = "quick"): AnalysisContext {
  return {
    mode,
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/**
 * The records of one trial as `microcircuit-mnist` emits them: per epoch e < n the validation
 * accuracy before that epoch's training and the angle after it, then one final record (epoch n)
 * with the last validation, the test accuracy and the angle again.
 */
function trial(seed: number, acc: (e: number) => number, angle: (e: number) => number, n = 5) {
  const out: Row[] = [];
  for (let e = 0; e < n; e++) {
    out.push({
      trial: `s${seed}`,
      seed,
      epoch: e,
      val_accuracy: acc(e),
      val_error: 1 - acc(e),
      angle_B_WT_0: angle(e + 1),
    } as Row);
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

Deno.test("pal-genn/mnist is registered with the two GeNN MNIST sweeps and a README", () => {
  assert.ok(MN, "pal-genn/mnist missing from the registry");
  assert.deepEqual(MN.panels.map((p) => p.id), ["err", "acc", "angle", "test"]);
  assert.deepEqual(MN.experiments.map((e) => e.file), ["mnist_pal.yaml", "mnist_fa.yaml"]);
  const readme = Deno.readTextFileSync(`${figureDir("pal-genn/mnist")}/README.md`);
  assert.ok(readme.includes("deno task reproduce pal-genn/mnist"));
  assert.match(readme, /could not be transcribed/);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`pal-genn/mnist ${mode}: the GeNN configs, 784-100-10, ${mode === "full" ? "50 000 / 10 000 / 10 000 images, 10 seeds × 100 epochs" : "a subset, few epochs, 1–2 seeds"}`, async () => {
    const exps = await experimentConfigs(MN, mode, selectPanels(MN, undefined));
    for (const e of exps) {
      const trials = await expandTrials(e.raw);
      const seeds = trials.map((t) => t.seed);
      const p = (trials[0]!.config as unknown as {
        simulation: { name: string; params: Record<string, unknown> };
      }).simulation;
      assert.equal(p.name, "microcircuit-mnist");
      const q = p.params;
      assert.deepEqual(q.dims, [784, 100, 10]);
      assert.deepEqual(q.eta_up, [1, 0.005]);
      assert.deepEqual(q.eta_ip, [0.02, 0]);
      assert.equal(q.step_order, "genn");
      assert.equal(q.n_test, 10000);
      if (mode === "full") {
        assert.deepEqual(seeds, Array.from({ length: 10 }, (_, i) => 123456 + i), e.file);
        assert.equal(q.n_epochs, 100);
        assert.equal(q.n_train, 50000);
        assert.equal(q.n_valid, 10000);
      } else {
        assert.ok(seeds.length >= 1 && seeds.length <= 2, e.file);
        assert.ok((q.n_epochs as number) >= 3 && (q.n_epochs as number) < 100);
        assert.ok((q.n_train as number) >= 1000 && (q.n_train as number) <= 5000);
        assert.ok((q.n_valid as number) >= 500 && (q.n_valid as number) <= 10000);
      }
      const pal = e.file === "mnist_pal.yaml";
      assert.equal(q.model_type, pal ? "PAL" : "FA", e.file);
      assert.deepEqual(q.eta_down, [0, pal ? 0.2 : 0], e.file);
      assert.deepEqual(q.eta_pi, [pal ? 0.02 : 0, 0], e.file);
      assert.equal(q.noise_sig, pal ? 0.01 : 0, e.file);
    }
  });
}

const rising = (top: number) => (e: number) => 0.1 + (top - 0.1) * (1 - Math.exp(-e / 2));
const verdicts = (out: Awaited<ReturnType<typeof MN.analyse>>) =>
  out.outcomes.map((o) => `${o.panel} ${o.verdict}`);

Deno.test("pal-genn/mnist quick: 'both learn' decided on the data, PAL against FA only reported", async () => {
  const good = await MN.analyse(ctx(["err", "acc", "angle", "test"], {
    "mnist_pal.yaml": trial(1, rising(0.85), (e) => 75 - 3 * e),
    "mnist_fa.yaml": trial(1, rising(0.86), (e) => 76 - 2 * e),
  }));
  assert.deepEqual(verdicts(good), ["acc met", "acc info", "angle info", "test info", "test info"]);
  assert.deepEqual(good.charts.map((c) => c.name), ["val_error", "val_accuracy", "angle"]);
  const table = good.tables[0]!;
  assert.deepEqual(table.rows.map((r) => r.model), ["PAL", "FA"]);
  // PAL's test accuracy: the final record's, rising(0.85) at epoch 5 minus 0.01, in %
  assert.ok(
    Math.abs((table.rows[0]!["test acc mean (%)"] as number) - 100 * (rising(0.85)(5) - 0.01)) <
      0.01,
  );
  assert.equal(table.rows[0]!["angle mean (deg)"], 60);
  // FA stuck below the threshold (5 × chance): not learnt.
  const stuck = (e: number) => Math.min(rising(0.9)(e), LEARNT_ACCURACY - 0.05);
  const bad = await MN.analyse(ctx(["acc"], {
    "mnist_pal.yaml": trial(1, rising(0.85), () => 70),
    "mnist_fa.yaml": trial(1, stuck, () => 70),
  }));
  assert.equal(verdicts(bad)[0], "acc not met");
  const none = await MN.analyse(
    ctx(["acc"], { "mnist_pal.yaml": trial(1, rising(0.9), () => 70) }),
  );
  assert.equal(verdicts(none)[0], "acc not run");
});

Deno.test("pal-genn/mnist full: PAL above FA and its angle below FA's are decided", async () => {
  const rows = (palTop: number, palAngle: (e: number) => number) => ({
    "mnist_pal.yaml": [
      ...trial(1, rising(palTop), palAngle, 100),
      ...trial(2, rising(palTop - 0.01), palAngle, 100),
    ],
    "mnist_fa.yaml": [
      ...trial(1, rising(0.95), () => 60, 100),
      ...trial(2, rising(0.94), () => 61, 100),
    ],
  });
  const met = await MN.analyse(ctx(["acc", "angle"], rows(0.97, (e) => 70 - e / 5), "full"));
  assert.deepEqual(verdicts(met).slice(0, 3), ["acc met", "acc met", "angle met"]);
  const notMet = await MN.analyse(ctx(["acc", "angle"], rows(0.93, () => 65), "full"));
  assert.deepEqual(verdicts(notMet).slice(0, 3), ["acc met", "acc not met", "angle not met"]);
});
