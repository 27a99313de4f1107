import assert from "node:assert/strict";
import { join } from "node:path";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES, listFigures, selectFigures } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";

const FIG4 = FIGURES.find((f) => f.id === "pc/fig4")!;

// Trial counts from the paper's protocols (Song et al. 2024, Fig. 4), rules × α × seeds.
const FULL_TRIALS: Record<string, number> = {
  "4bc_b1.yaml": 2 * 6 * 3,
  "4bc_b8.yaml": 2 * 4 * 3,
  "4bc_b16.yaml": 2 * 4 * 3,
  "4bc_b32.yaml": 2 * 5 * 3,
  "4bc_b64.yaml": 2 * 5 * 3,
  "4de.yaml": 2 * 6 * 21,
  "4fg_pretrain.yaml": 1,
  "4fg.yaml": 2 * 5 * 3,
  "4h_small.yaml": 3 * 2 * 17 * 3, // 60, 300, 600 per class
  "4h_large.yaml": 2 * 2 * 17 * 3, // 3000, 6000 per class
  "pi.yaml": 2, // one simulation per hidden-unit activation (linear, sigmoid)
};

function ctx(panels: string[], rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/** Rows of one learner trial with the given test error per epoch 0…n. */
function trial(
  id: string,
  rule: "pc" | "pc-bp",
  lr: number,
  errors: number[],
  more: Record<string, unknown> = {},
  state = "done",
): Row[] {
  return errors.map((e, epoch) => ({
    trial: id,
    state,
    "rule.name": rule,
    "optimizer.lr": lr,
    seed: 1,
    epoch,
    test_accuracy: 1 - e,
    ...more,
  } as Row));
}

function verdicts(outcomes: { panel: string; verdict: string }[], panel: string): string[] {
  return outcomes.filter((o) => o.panel === panel && o.verdict !== "info").map((o) => o.verdict);
}

Deno.test("pc/fig4 is registered with panels 4b–4h, its configs and a README", () => {
  assert.ok(FIG4, "pc/fig4 missing from the registry");
  assert.deepEqual(
    FIG4.panels.map((p) => p.id),
    ["4b", "4c", "4d", "4e", "4f", "4g", "4h", "pi"],
  );
  assert.deepEqual(selectFigures(["pc/fig4"]).map((f) => f.id), ["pc/fig4"]);
  assert.ok(selectFigures(["pc"]).some((f) => f.id === "pc/fig4"));
  assert.deepEqual(FIG4.experiments.map((e) => e.file).sort(), Object.keys(FULL_TRIALS).sort());
  // The pretraining runs before the drift experiment that starts from it.
  const files = FIG4.experiments.map((e) => e.file);
  assert.ok(files.indexOf("4fg_pretrain.yaml") < files.indexOf("4fg.yaml"));
  const text = listFigures();
  for (const s of ["pc/fig4", "4fg_pretrain.yaml", "4h_large.yaml"]) assert.ok(text.includes(s), s);
  const readme = Deno.readTextFileSync(`${figureDir("pc/fig4")}/README.md`);
  assert.ok(readme.includes("deno task reproduce pc/fig4"));
  assert.match(readme, /not the official split/);
  assert.match(readme, /5th output unit/);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`pc/fig4 ${mode}: every config resolves with the paper's trial counts`, async () => {
    const exps = await experimentConfigs(FIG4, mode, selectPanels(FIG4, undefined));
    const names = new Set<string>();
    for (const e of exps) {
      const trials = await expandTrials(e.raw);
      names.add(trials[0]!.config.name);
      if (mode === "full") assert.equal(trials.length, FULL_TRIALS[e.file], e.file);
      else assert.ok(trials.length <= FULL_TRIALS[e.file]!, e.file);
      if (e.file === "pi.yaml") continue; // a simulation running both weight protocols
      // Both rules side by side in every config but the BP pretraining.
      const rules = new Set(
        trials.map((t) => (t.config as unknown as { rule: { name: string } }).rule.name),
      );
      assert.deepEqual(
        [...rules].sort(),
        e.file === "4fg_pretrain.yaml" ? ["pc-bp"] : ["pc", "pc-bp"],
        e.file,
      );
    }
    assert.equal(names.size, exps.length, "experiment names must differ within a figure");
  });
}

Deno.test("pc/fig4 quick: the drift runs start from the pretraining trial quick mode runs", async () => {
  const exps = await experimentConfigs(FIG4, "quick", selectPanels(FIG4, ["4g"]));
  const by = Object.fromEntries(exps.map((e) => [e.file, e]));
  assert.equal(by["4fg_pretrain.yaml"]!.reduced, "", "the pretraining must not be reduced");
  const [pre] = await expandTrials(by["4fg_pretrain.yaml"]!.raw);
  const drift = await expandTrials(by["4fg.yaml"]!.raw);
  assert.ok(drift.length >= 2);
  for (const t of drift) {
    const c = t.config as unknown as { init_from: { experiment: string; trial: string } };
    assert.deepEqual(c.init_from, { experiment: "pc-fig4fg-pretrain", trial: pre!.id });
  }
});

Deno.test("pc/fig4: init_from resolves against the figure's folder, from any working folder", async () => {
  const file = join(figureDir("pc/fig4"), "4fg.yaml");
  const [pre] = await expandTrials(join(figureDir("pc/fig4"), "4fg_pretrain.yaml"));
  const here = Deno.cwd();
  const elsewhere = await Deno.makeTempDir();
  Deno.chdir(elsewhere);
  try {
    const exps = await experimentConfigs(FIG4, "full", selectPanels(FIG4, ["4g"]));
    const fromFigure = await expandTrials(exps.find((e) => e.file === "4fg.yaml")!.raw);
    const byHand = await expandTrials(file);
    assert.equal(fromFigure.length, byHand.length);
    for (const [i, t] of fromFigure.entries()) {
      const c = t.config as unknown as { init_from: { trial: string } };
      assert.equal(c.init_from.trial, pre!.id);
      assert.equal(t.id, byHand[i]!.id, "the same trial by hand and through reproduce");
    }
  } finally {
    Deno.chdir(here);
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("pc/fig4 quick: every verdict stays measurable", async () => {
  const exps = await experimentConfigs(FIG4, "quick", selectPanels(FIG4, undefined));
  const by = Object.fromEntries(exps.map((e) => [e.file, e]));
  const sizes = async (file: string) =>
    new Set(
      (await expandTrials(by[file]!.raw)).map((t) =>
        (t.config as unknown as { dataset: { per_class: number } }).dataset.per_class
      ),
    );
  assert.ok((await sizes("4h_small.yaml")).has(60));
  assert.ok((await sizes("4h_large.yaml")).has(6000));
  // The continual-learning metric averages the first 84 iterations.
  const de = await expandTrials(by["4de.yaml"]!.raw);
  assert.ok(de.every((t) => (t.config as unknown as { epochs: number }).epochs >= 84));
  // Online learning: every batch size runs the same number of iterations, batch 1 every α.
  const epochs = new Set<number>();
  for (const b of [1, 8, 16, 32, 64]) {
    for (const t of await expandTrials(by[`4bc_b${b}.yaml`]!.raw)) {
      epochs.add((t.config as unknown as { epochs: number }).epochs);
    }
  }
  assert.equal(epochs.size, 1);
  assert.equal((await expandTrials(by["4bc_b1.yaml"]!.raw)).length, 2 * 6);
  for (const e of exps) {
    if (e.reduced) {
      assert.ok(e.reduced.length > 10, `${e.file}: quick mode must say what it reduces`);
    }
  }
});

Deno.test("4b/4c: best α by the mean error over iterations ≥ 1; diverged counts as 0.9", async () => {
  const b1 = [
    ...trial("p1", "pc", 0.1, [0.9, 0.3, 0.2]), // mean 0.25 (epoch 0 left out), min 0.2
    ...trial("p2", "pc", 0.3, [0.9], {}, "diverged"), // 0.9
    ...trial("b1", "pc-bp", 0.1, [0.9, 0.4, 0.3]), // 0.35, min 0.3
    ...trial("b2", "pc-bp", 0.05, [0.9, 0.34, 0.26]), // 0.30, min 0.26
  ];
  const b8 = [
    ...trial("q1", "pc", 0.025, [0.9, 0.2, 0.2]),
    ...trial("q2", "pc-bp", 0.025, [0.9, 0.3, 0.1]),
  ];
  const out = await FIG4.analyse(ctx(["4b", "4c"], { "4bc_b1.yaml": b1, "4bc_b8.yaml": b8 }));
  assert.deepEqual(verdicts(out.outcomes, "4b"), ["met"]);
  const v = out.outcomes.find((o) => o.panel === "4b" && o.verdict === "met")!;
  assert.equal(v.ours, "0.25 (α 0.1) (PC) vs 0.3 (α 0.05) (BP)");
  const t = out.tables.find((x) => x.name === "4b_best_lr")!;
  assert.deepEqual(t.rows.map((r) => [r["batch size"], r["PC best α"], r["BP best α"]]), [
    [1, 0.1, 0.05],
    [8, 0.025, 0.025],
    [16, null, null],
    [32, null, null],
    [64, null, null],
  ]);
  // 4c: minimum over the iterations, PC 0.2 (α 0.1) and 0.9 (diverged α 0.3); BP 0.26–0.3.
  assert.equal(out.outcomes.find((o) => o.panel === "4c")!.ours, "PC 0.2–0.9, BP 0.26–0.3");
  assert.deepEqual(out.charts.map((c) => c.name), ["4b", "4c"]);
  // PC worse than BP at batch 1: not met; nothing at batch 1: not run.
  const worse = await FIG4.analyse(ctx(["4b"], {
    "4bc_b1.yaml": [...trial("p", "pc", 0.1, [0.9, 0.5, 0.5]), ...b1.slice(4)],
  }));
  assert.deepEqual(verdicts(worse.outcomes, "4b"), ["not met"]);
  const none = await FIG4.analyse(ctx(["4b"], { "4bc_b8.yaml": b8 }));
  assert.deepEqual(verdicts(none.outcomes, "4b"), ["not run"]);
});

/** Continual-learning rows: task schedule A, A, B, B, … with the two tasks' errors per epoch. */
function continual(id: string, rule: "pc" | "pc-bp", lr: number, errs: [number, number][]): Row[] {
  return errs.map(([e0, e1], epoch) => ({
    trial: id,
    state: "done",
    "rule.name": rule,
    "optimizer.lr": lr,
    seed: 1,
    epoch,
    task: epoch === 0 ? 0 : Math.floor((epoch - 1) / 2) % 2,
    test_accuracy: 1 - (epoch === 0 || Math.floor((epoch - 1) / 2) % 2 === 0 ? e0 : e1),
    task0_test_accuracy: 1 - e0,
    task1_test_accuracy: 1 - e1,
  }));
}

Deno.test("4d/4e: both tasks' mean error and the untrained task's over iterations 1…84", async () => {
  // Epochs 1–2 train task A, 3–4 task B. PC: both (0.2+0.8, 0.3+0.7, 0.9+0.1, 0.7+0.3)/2 → 0.5;
  // untrained (A trained → B's error): 0.8, 0.7, then A's: 0.9, 0.7 → 0.775.
  const pc = continual("p", "pc", 5e-4, [[0.8, 0.8], [0.2, 0.8], [0.3, 0.7], [0.9, 0.1], [
    0.7,
    0.3,
  ]]);
  // BP: both (0.1+0.9, 0.1+0.9, 0.9+0.2, 0.9+0.2)/2 → 0.525; untrained 0.9, 0.9, 0.9, 0.9 → 0.9.
  const bp = continual("b", "pc-bp", 5e-4, [[0.8, 0.8], [0.1, 0.9], [0.1, 0.9], [0.9, 0.2], [
    0.9,
    0.2,
  ]]);
  const out = await FIG4.analyse(ctx(["4d", "4e"], { "4de.yaml": [...pc, ...bp] }));
  assert.deepEqual(verdicts(out.outcomes, "4e"), ["met", "met"]);
  const [both, untrained] = out.outcomes.filter((o) => o.panel === "4e");
  assert.equal(both!.ours, "0.5 (α 0.0005) (PC) vs 0.525 (α 0.0005) (BP)");
  assert.equal(untrained!.ours, "0.775 (α 0.0005) (PC) vs 0.9 (α 0.0005) (BP)");
  assert.deepEqual(out.charts.map((c) => c.name), ["4d", "4e"]);
  // Iterations after the 84th do not count: a terrible 85th iteration changes nothing.
  const late = (rows: Row[], e: number) => [...rows, {
    ...rows[rows.length - 1]!,
    epoch: 85,
    task0_test_accuracy: 1 - e,
    task1_test_accuracy: 1 - e,
  }];
  const later = await FIG4.analyse(ctx(["4e"], { "4de.yaml": [...late(pc, 1), ...bp] }));
  assert.equal(later.outcomes[0]!.ours, both!.ours);
  // Swapping the rules' rows flips both verdicts.
  const swap = (rows: Row[], rule: string) => rows.map((r) => ({ ...r, "rule.name": rule }));
  const flipped = await FIG4.analyse(
    ctx(["4e"], { "4de.yaml": [...swap(pc, "pc-bp"), ...swap(bp, "pc")] }),
  );
  assert.deepEqual(verdicts(flipped.outcomes, "4e"), ["not met", "not met"]);
});

Deno.test("4f/4g: mean error after the first relabelling decides; a diverged α is 0.9", async () => {
  const drift = (id: string, rule: "pc" | "pc-bp", lr: number, errs: number[]) =>
    trial(id, rule, lr, errs).map((r) => ({
      ...r,
      drift: (r.epoch as number) <= 2 ? 0 : 1,
      "drift.every": 2,
    }));
  // Epochs 1–2 are before the first relabelling and do not count.
  const rows = [
    ...drift("p1", "pc", 0.01, [0.2, 0.9, 0.9, 0.3, 0.2]), // 0.25
    ...trial("p2", "pc", 0.1, [0.2], {}, "diverged"), // 0.9
    ...drift("b1", "pc-bp", 0.01, [0.2, 0.1, 0.1, 0.4, 0.3]), // 0.35
    ...drift("b2", "pc-bp", 0.005, [0.2, 0.1, 0.1, 0.5, 0.5]), // 0.5
  ];
  const out = await FIG4.analyse(ctx(["4f", "4g"], { "4fg.yaml": rows }));
  assert.deepEqual(verdicts(out.outcomes, "4g"), ["met"]);
  assert.equal(
    out.outcomes.find((o) => o.panel === "4g")!.ours,
    "0.25 (α 0.01) (PC) vs 0.35 (α 0.01) (BP)",
  );
  assert.deepEqual(out.charts.map((c) => c.name), ["4f", "4g"]);
  const bpOnly = await FIG4.analyse(ctx(["4g"], { "4fg.yaml": rows.slice(6) }));
  assert.deepEqual(verdicts(bpOnly.outcomes, "4g"), ["not run"]);
});

Deno.test("4h: minimum error, α chosen by the mean over seeds, verdicts at 60 and 6000", async () => {
  const few = (
    id: string,
    rule: "pc" | "pc-bp",
    k: number,
    lr: number,
    seed: number,
    e: number[],
  ) => trial(id, rule, lr, e, { "dataset.per_class": k, seed });
  const small = [
    // PC α 0.005: minima 0.24 and 0.26 → 0.25; α 0.01: 0.20 and 0.40 → 0.30 (best single seed,
    // worse mean).
    ...few("p1", "pc", 60, 0.005, 1, [0.9, 0.3, 0.24]),
    ...few("p2", "pc", 60, 0.005, 2, [0.9, 0.26, 0.3]),
    ...few("p3", "pc", 60, 0.01, 1, [0.9, 0.2, 0.5]),
    ...few("p4", "pc", 60, 0.01, 2, [0.9, 0.4, 0.45]),
    ...few("b1", "pc-bp", 60, 0.005, 1, [0.9, 0.27, 0.28]),
    ...few("b2", "pc-bp", 60, 0.005, 2, [0.9, 0.27, 0.29]), // 0.27
  ];
  const large = [
    ...few("P", "pc", 6000, 0.005, 1, [0.9, 0.2, 0.145]),
    ...few("B", "pc-bp", 6000, 0.005, 1, [0.9, 0.2, 0.128]),
  ];
  const out = await FIG4.analyse(
    ctx(["4h"], { "4h_small.yaml": small, "4h_large.yaml": large }),
  );
  assert.deepEqual(verdicts(out.outcomes, "4h"), ["met", "met"]);
  const [at60, at6k] = out.outcomes.filter((o) => o.panel === "4h");
  assert.equal(at60!.ours, "0.25 (α 0.005) (PC) vs 0.27 (α 0.005) (BP)");
  assert.equal(at6k!.ours, "0.145 (α 0.005) (PC) vs 0.128 (α 0.005) (BP)");
  const t = out.tables.find((x) => x.name === "4h_best_lr")!;
  assert.deepEqual(t.rows.map((r) => r["per class"]), [60, 6000]);
  assert.equal(t.rows[1]!["paper (PC / BP)"], "0.145 / 0.128");
  // BP worse than PC at 6000 per class: not met; PC worse at 60: not met.
  const flipped = await FIG4.analyse(ctx(["4h"], {
    "4h_small.yaml": small.map((r) => ({
      ...r,
      "rule.name": r["rule.name"] === "pc" ? "pc-bp" : "pc",
    })),
    "4h_large.yaml": large.map((r) => ({
      ...r,
      "rule.name": r["rule.name"] === "pc" ? "pc-bp" : "pc",
    })),
  }));
  assert.deepEqual(verdicts(flipped.outcomes, "4h"), ["not met", "not met"]);
  // Equal at 6000 per class: BP "at most" PC holds.
  const tie = await FIG4.analyse(ctx(["4h"], {
    "4h_large.yaml": large.map((r) => ({ ...r, test_accuracy: 1 - 0.15 })),
  }));
  assert.deepEqual(verdicts(tie.outcomes, "4h"), ["not run", "met"]);
});

Deno.test("pi: verdicts from the mean index per layer; w′ ≥ 0.97 and w* ≥ 0.99 in the linear net", async () => {
  const rows = (activation: string, prime: number[], star: number[]) =>
    prime.flatMap((p, l) =>
      [0, 1].map((seed) => ({
        "simulation.params.activation": activation,
        seed,
        layer: l + 1,
        // Two seeds whose mean is the given value.
        "pi_w_prime": p + (seed ? 0.01 : -0.01),
        "pi_w_star": star[l]!,
      }))
    );
  const good = await FIG4.analyse(ctx(["pi"], {
    "pi.yaml": [
      ...rows("identity", [1, 0.99, 0.975], [1, 1, 0.995]),
      ...rows("sigmoid", [1, 1, 0.99], [1, 1, 1]),
    ],
  }));
  assert.deepEqual(good.outcomes.map((o) => o.verdict), ["met", "met", "info"]);
  assert.match(good.outcomes[0]!.ours, /^0\.975–1\.000 over layers 1–3$/);
  assert.equal(good.charts.length, 1);
  const bad = await FIG4.analyse(ctx(["pi"], {
    "pi.yaml": rows("identity", [1, 0.96, 0.98], [1, 0.98, 1]),
  }));
  assert.deepEqual(bad.outcomes.map((o) => o.verdict), ["not met", "not met"]);
  const none = await FIG4.analyse(ctx(["pi"], { "pi.yaml": [] }));
  assert.deepEqual(none.outcomes.map((o) => o.verdict), ["not run", "not run"]);
});
