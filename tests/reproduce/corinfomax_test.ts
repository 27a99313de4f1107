import assert from "node:assert/strict";
import { join } from "node:path";
import { expandTrials } from "@plasticity/runner";
import { CIFAR_RECORD } from "@plasticity/datasets";
import { figureDir, FIGURES, selectFigures } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  reproduceFigure,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import { missingData } from "../../apps/reproduce/_data.ts";
import { ruleResult, tableOutcomes } from "../../apps/reproduce/figures/corinfomax/_table.ts";
import { MNIST_TABLE } from "../../apps/reproduce/figures/corinfomax/mnist/figure.ts";
import { CIFAR10_TABLE } from "../../apps/reproduce/figures/corinfomax/cifar10/figure.ts";
import { FASHION_MNIST_TABLE } from "../../apps/reproduce/figures/corinfomax/fashion-mnist/figure.ts";
import {
  angleOutcomes,
  angleTrajectory,
} from "../../apps/reproduce/figures/corinfomax/angle/figure.ts";

const byId = (id: string) => FIGURES.find((f) => f.id === id)!;
const PAPER_SEEDS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];

// The architecture and rule of every config, as the paper's scripts run them (Bozkurt et al. 2023).
const MNIST_RULES: Record<string, [string, number[]]> = {
  "mnist_corinfomax.yaml": ["corinfomax", [784, 500, 10]],
  "mnist_sparse.yaml": ["corinfomax-sparse", [784, 500, 10]],
  "mnist_ep.yaml": ["ep", [784, 500, 10]],
  "mnist_csm.yaml": ["csm", [784, 500, 10]],
  "mnist_pc.yaml": ["pc", [784, 600, 600, 10]],
  "mnist_pc_nudge.yaml": ["pc-nudge", [784, 128, 64, 10]],
  "mnist_bp_mse.yaml": ["bp", [784, 500, 10]],
  "mnist_bp_ce.yaml": ["bp", [784, 500, 10]],
  "mnist_fa_mse.yaml": ["fa", [784, 500, 10]],
  "mnist_fa_ce.yaml": ["fa", [784, 500, 10]],
};

// FashionMNIST: the same rules and architectures (the FashionMNIST scripts of Bozkurt et al. 2023).
const FASHION_RULES: Record<string, [string, number[]]> = Object.fromEntries(
  Object.entries(MNIST_RULES).map(([f, v]) => [f.replace(/^mnist_/, "fmnist_"), v]),
);

interface Resolved {
  rule: { name: string };
  network: { sizes: number[] };
  epochs: number;
  "batch_size": number;
  dataset: { name: string; "train_size": number };
  metrics: { "every_batches"?: number; diagnostics: boolean };
}

function ctx(panels: string[], rows: Record<string, Row[]>, mode: "quick" | "full" = "quick") {
  return {
    mode,
    panels: new Set(panels),
    note: () => "test",
    rows: (file: string) => Promise.resolve(rows[file] ?? []),
  } satisfies AnalysisContext;
}

/** Rows of one trial with the given test accuracy (fraction) per epoch 0…n. */
function trial(id: string, accs: number[], state = "done"): Row[] {
  return accs.map((a, epoch) => ({ trial: id, state, epoch, test_accuracy: a } as Row));
}

Deno.test("corinfomax figures are registered with their panels, configs and READMEs", () => {
  for (
    const id of [
      "corinfomax/mnist",
      "corinfomax/angle",
      "corinfomax/cifar10",
      "corinfomax/fashion-mnist",
    ]
  ) {
    const f = byId(id);
    assert.ok(f, `${id} missing from the registry`);
    const readme = Deno.readTextFileSync(join(figureDir(id), "README.md"));
    assert.ok(readme.includes(`deno task reproduce ${id}`), id);
  }
  assert.deepEqual(
    selectFigures(["corinfomax"]).map((f) => f.id),
    ["corinfomax/mnist", "corinfomax/angle", "corinfomax/cifar10", "corinfomax/fashion-mnist"],
  );
  assert.deepEqual(
    byId("corinfomax/mnist").experiments.map((e) => e.file).sort(),
    [
      ...Object.keys(MNIST_RULES),
    ].sort(),
  );
});

Deno.test("corinfomax/mnist full: the paper's protocol — 10 seeds, 50 epochs, batch 20", async () => {
  const f = byId("corinfomax/mnist");
  for (const e of await experimentConfigs(f, "full", selectPanels(f, undefined))) {
    const trials = await expandTrials(e.raw);
    assert.deepEqual(trials.map((t) => t.seed), PAPER_SEEDS, e.file);
    const c = trials[0]!.config as unknown as Resolved;
    assert.equal(c.epochs, 50, e.file);
    assert.equal(c.batch_size, 20, e.file);
    assert.equal(c.dataset.train_size, -1, `${e.file}: the full training set`);
    const [rule, sizes] = MNIST_RULES[e.file]!;
    assert.equal(c.rule.name, rule, e.file);
    assert.deepEqual(c.network.sizes, sizes, e.file);
  }
});

Deno.test("corinfomax/mnist quick: 2 epochs on 10 000 images, one seed, every rule kept", async () => {
  const f = byId("corinfomax/mnist");
  const exps = await experimentConfigs(f, "quick", selectPanels(f, undefined));
  assert.equal(exps.length, Object.keys(MNIST_RULES).length);
  for (const e of exps) {
    const trials = await expandTrials(e.raw);
    assert.equal(trials.length, 1, e.file);
    const c = trials[0]!.config as unknown as Resolved;
    assert.equal(c.epochs, 2);
    assert.equal(c.dataset.train_size, 10000);
    assert.equal(c.rule.name, MNIST_RULES[e.file]![0]);
    assert.match(e.reduced, /10 000-image subset/);
  }
});

Deno.test("corinfomax/angle: every 500 batches with the angle diagnostic; quick is one epoch", async () => {
  const f = byId("corinfomax/angle");
  for (const mode of ["full", "quick"] as const) {
    const [e] = await experimentConfigs(f, mode, selectPanels(f, undefined));
    const trials = await expandTrials(e!.raw);
    assert.equal(trials.length, mode === "full" ? 10 : 1);
    const c = trials[0]!.config as unknown as Resolved;
    assert.equal(c.metrics.every_batches, 500);
    assert.equal(c.metrics.diagnostics, true);
    assert.equal(c.rule.name, "corinfomax");
    // 50 epochs of 3000 batches are the paper's 150k iterations; quick keeps batch 500.
    assert.equal(c.epochs, mode === "full" ? 50 : 1);
    assert.equal(c.dataset.train_size, -1);
  }
});

Deno.test("table verdicts: final-epoch accuracy, diverged trials at chance, margin to BP", () => {
  const r = ruleResult([
    ...trial("a", [0.1, 0.9, 0.95]),
    ...trial("b", [0.1, 0.9, 0.97]),
    ...trial("c", [0.1], "diverged"),
  ])!;
  assert.equal(r.n, 3);
  assert.equal(r.diverged, 1);
  assert.deepEqual(r.finals.map((v) => Math.round(v * 100) / 100), [95, 97, 10]);
  assert.ok(Math.abs(r.mean - (95 + 97 + 10) / 3) < 1e-9);
  assert.deepEqual(r.curve.map((p) => p.epoch), [1, 2]);

  const res = (acc: number) => ({ result: ruleResult(trial("t", [0.1, acc]))! });
  const all = (cim: number, bp: number, other = 0.9) =>
    new Map(MNIST_TABLE.rules.map((rule) => [
      rule.label,
      res(rule.label === "CorInfoMax" ? cim : rule.label === "BP (MSE)" ? bp : other),
    ]));
  const verdicts = (o: ReturnType<typeof tableOutcomes>) =>
    o.filter((x) => x.verdict !== "info").map((x) => x.verdict);
  // Quick: every rule ≥ 80 % decides; the comparison with BP is reported only.
  assert.deepEqual(verdicts(tableOutcomes(MNIST_TABLE, "quick", all(0.91, 0.955))), ["met"]);
  assert.deepEqual(verdicts(tableOutcomes(MNIST_TABLE, "quick", all(0.85, 0.955))), ["met"]);
  assert.deepEqual(verdicts(tableOutcomes(MNIST_TABLE, "quick", all(0.91, 0.93, 0.5))), [
    "not met",
  ]);
  const gap = tableOutcomes(MNIST_TABLE, "quick", all(0.89, 0.955))
    .find((o) => o.expected.startsWith("CorInfoMax's final test accuracy against"))!;
  assert.equal(gap.verdict, "info");
  assert.match(gap.ours, /89\.00 vs 95\.50 \(-6\.50 points\)/);
  // Full: the 1-point margin to BP decides.
  const margin = (cim: number) =>
    tableOutcomes(MNIST_TABLE, "full", all(cim, 0.9758, 0.975))
      .find((o) => o.expected.includes("at most 1 points below"))!.verdict;
  assert.equal(margin(0.97), "met");
  assert.equal(margin(0.96), "not met");
  // Full: each rule within 1 point of its published mean, and the 1-point margin to BP.
  const full = tableOutcomes(MNIST_TABLE, "full", all(0.9762, 0.9758, 0.975));
  const cim = full.find((o) => o.expected.startsWith("CorInfoMax ("))!;
  assert.equal(cim.verdict, "met");
  const pc = full.find((o) => o.expected.startsWith("PC ("))!;
  assert.equal(pc.verdict, "met"); // 97.5 vs 98.17
  const csm = tableOutcomes(MNIST_TABLE, "full", all(0.9762, 0.9758, 0.965))
    .find((o) => o.expected.startsWith("CSM ("))!;
  assert.equal(csm.verdict, "not met"); // 96.5 vs 98.08
});

Deno.test("table verdicts: a rule whose data is missing makes its rows and the comparisons not run", () => {
  const results = new Map(
    CIFAR10_TABLE.rules.map((r) => [r.label, { missing: "run `deno task data download cifar10`" }]),
  );
  const o = tableOutcomes(CIFAR10_TABLE, "quick", results);
  assert.equal(o.length, CIFAR10_TABLE.rules.length + 2);
  assert.ok(o.every((x) => x.verdict === "not run"));
  assert.ok(o[0]!.ours.includes("deno task data download cifar10"));
});

Deno.test("angle: trajectory over seeds and the 80° acceptance after 500 batches", () => {
  const rows = (a500: number): Row[] =>
    [
      { trial: "a", state: "done", epoch: 0, angle_ff_fb_2: 90 },
      { trial: "a", state: "done", epoch: 1, step: 500, angle_ff_fb_2: a500 },
      { trial: "b", state: "done", epoch: 0, step: 0, angle_ff_fb_2: 91 },
      { trial: "b", state: "done", epoch: 1, step: 500, angle_ff_fb_2: a500 + 1 },
      { trial: "c", state: "diverged", epoch: 1, step: 500, angle_ff_fb_2: 10 },
    ] as Row[];
  const t = angleTrajectory(rows(74));
  assert.deepEqual(t.map((p) => [p.step, p.mean, p.n]), [[0, 90.5, 2], [500, 74.5, 2]]);
  const met = angleOutcomes(t);
  assert.equal(met[0]!.verdict, "met");
  assert.equal(met[1]!.verdict, "met"); // never below 60°
  assert.equal(angleOutcomes(angleTrajectory(rows(79.6)))[0]!.verdict, "not met"); // mean 80.1
  assert.equal(angleOutcomes(angleTrajectory(rows(55)))[1]!.verdict, "not met");
  assert.equal(angleOutcomes([{ step: 0, mean: 90, std: 0, n: 1 }])[0]!.verdict, "not run");
});

Deno.test("corinfomax/mnist analysis on hand-made rows: table, curves and verdicts", async () => {
  const f = byId("corinfomax/mnist");
  const rows: Record<string, Row[]> = {};
  for (const r of MNIST_TABLE.rules) {
    rows[r.file] = trial(r.file, [0.1, 0.9, r.label === "CorInfoMax" ? 0.92 : 0.95]);
  }
  const out = await f.analyse(ctx(["table", "curves"], rows));
  assert.deepEqual(out.charts.map((c) => c.name), ["curves"]);
  assert.equal(out.tables[0]!.rows.length, MNIST_TABLE.rules.length);
  assert.equal(out.tables[0]!.rows[0]!["ours (%)"], "92.00 (1 seed)");
  assert.deepEqual(out.outcomes.filter((o) => o.verdict !== "info").map((o) => o.verdict), [
    "met",
  ]);
});

Deno.test("corinfomax/mnist curves: rules without trials are said not run, not data missing", async () => {
  const f = byId("corinfomax/mnist");
  const [first, ...rest] = MNIST_TABLE.rules;
  const out = await f.analyse(ctx(["curves"], { [first!.file]: trial(first!.file, [0.1, 0.9]) }));
  const title = out.charts[0]!.spec.title as { subtitle: string[] };
  const text = title.subtitle.join(" ");
  assert.doesNotMatch(text, /data missing/);
  assert.match(text, new RegExp(`Not run: ${rest[0]!.label.replace(/[()]/g, "\\$&")}`));
  assert.ok(!text.includes(`${first!.label},`), "a rule with trials is not listed as not run");
});

/** Writes the six CIFAR-10 batch files (10 000 records of 3073 bytes each) into `dir`. */
function writeCifarFixture(dir: string): void {
  const records = 10000;
  const bytes = new Uint8Array(records * CIFAR_RECORD);
  for (let i = 0; i < records; i++) {
    const o = i * CIFAR_RECORD;
    bytes[o] = i % 10;
    // A class-dependent brightness so that the images are not all alike.
    bytes.fill((i % 10) * 25, o + 1, o + CIFAR_RECORD);
  }
  Deno.mkdirSync(dir, { recursive: true });
  for (const f of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat("test_batch.bin")) {
    Deno.writeFileSync(join(dir, f), bytes);
  }
}

Deno.test("corinfomax/cifar10: without data files every row is not run; with them the configs resolve", async () => {
  const empty = await Deno.makeTempDir({ prefix: "cim-nodata-" });
  const withData = await Deno.makeTempDir({ prefix: "cim-cifar-" });
  const out = await Deno.makeTempDir({ prefix: "cim-out-" });
  const before = Deno.env.get("PLASTICITY_DATA");
  const f = byId("corinfomax/cifar10");
  try {
    // Missing: detected before any trial, the figure completes with every outcome not run.
    const exps = await experimentConfigs(f, "quick", selectPanels(f, undefined));
    const why = await missingData(exps[0]!.raw, empty);
    assert.match(why!, /deno task data download cifar10/);
    Deno.env.set("PLASTICITY_DATA", empty);
    const r = await reproduceFigure(f, { mode: "quick", outRoot: out, log: () => {} });
    assert.equal(r.failures.length, 0);
    assert.equal(r.trials.total, 0);
    assert.equal(r.skipped.length, CIFAR10_TABLE.rules.length);
    assert.ok(r.outcomes.length > 0 && r.outcomes.every((o) => o.verdict === "not run"));
    const summary = Deno.readTextFileSync(join(r.outDir, "summary.md"));
    assert.match(summary, /Not run, data missing/);
    assert.match(summary, /deno task data download cifar10/);
    // Present (the binary format the loader checks): nothing is missing and every config expands
    // into trials on those files.
    writeCifarFixture(join(withData, "cifar10", "cifar-10-batches-bin"));
    for (const e of exps) assert.equal(await missingData(e.raw, withData), undefined, e.file);
    Deno.env.set("PLASTICITY_DATA", withData);
    for (const e of await experimentConfigs(f, "full", selectPanels(f, undefined))) {
      const trials = await expandTrials(e.raw);
      assert.equal(trials.length, 10, e.file);
      const c = trials[0]!.config as unknown as Resolved & { "data_source": string };
      assert.equal(c.dataset.name, "cifar10");
      assert.match(c.data_source, /^files sha256:/);
    }
  } finally {
    if (before === undefined) Deno.env.delete("PLASTICITY_DATA");
    else Deno.env.set("PLASTICITY_DATA", before);
    for (const d of [empty, withData, out]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("corinfomax/fashion-mnist full: the paper's protocol on FashionMNIST, each rule's best setting", async () => {
  const f = byId("corinfomax/fashion-mnist");
  assert.deepEqual(f.experiments.map((e) => e.file).sort(), Object.keys(FASHION_RULES).sort());
  const rules: Record<string, Record<string, unknown>> = {};
  for (const e of await experimentConfigs(f, "full", selectPanels(f, undefined))) {
    const trials = await expandTrials(e.raw);
    assert.deepEqual(trials.map((t) => t.seed), PAPER_SEEDS, e.file);
    const c = trials[0]!.config as unknown as Resolved;
    assert.equal(c.dataset.name, "fashion-mnist", e.file);
    assert.equal(c.epochs, 50, e.file);
    assert.equal(c.batch_size, 20, e.file);
    assert.equal(c.dataset.train_size, -1, `${e.file}: the full training set`);
    const [rule, sizes] = FASHION_RULES[e.file]!;
    assert.equal(c.rule.name, rule, e.file);
    assert.deepEqual(c.network.sizes, sizes, e.file);
    rules[e.file] = c.rule as unknown as Record<string, unknown>;
  }
  // CorInfoMax_FashionMNIST_Simulation_V1, setting 1: its own rates, neural step and the
  // three-stage epoch schedule 0.95^e (e < 20), 0.9^e (e < 25), 0.8^e.
  const cim = rules["fmnist_corinfomax.yaml"]!;
  assert.deepEqual(cim["lr_ff"], [0.3, 0.22]);
  assert.deepEqual(cim["lr_fb"], [0.07]);
  assert.deepEqual(
    [cim["neural_lr"], cim["neural_lr_rule"], cim["hopfield_g"]],
    [0.07, "divide_by_slow_loop_index", 0.3],
  );
  assert.deepEqual(
    [cim["lr_decay_switch_epoch"], cim["lr_decay_late"], cim["lr_decay_switch2_epoch"]],
    [20, 0.9, 25],
  );
  assert.equal(cim["lr_decay_late2"], 0.8);
  // EP V2 setting 2: η 0.5 in training, the grid's 0.3 in evaluation.
  const ep = rules["fmnist_ep.yaml"]!;
  assert.deepEqual([ep["lr"], ep["neural_lr"], ep["eval_neural_lr"]], [[0.05, 0.025], 0.5, 0.3]);
  // PC-Nudge V2 setting 1: a fixed sign.
  assert.equal(rules["fmnist_pc_nudge.yaml"]!["random_sign"], false);
});

Deno.test("corinfomax/fashion-mnist quick: 2 epochs on 10 000 images, one seed, every rule kept", async () => {
  const f = byId("corinfomax/fashion-mnist");
  const exps = await experimentConfigs(f, "quick", selectPanels(f, undefined));
  assert.equal(exps.length, Object.keys(FASHION_RULES).length);
  for (const e of exps) {
    const trials = await expandTrials(e.raw);
    assert.equal(trials.length, 1, e.file);
    const c = trials[0]!.config as unknown as Resolved;
    assert.equal(c.epochs, 2);
    assert.equal(c.dataset.train_size, 10000);
    assert.equal(c.rule.name, FASHION_RULES[e.file]![0]);
    assert.match(e.reduced, /10 000-image subset/);
  }
});

Deno.test("corinfomax/fashion-mnist analysis: published values and the verdicts", async () => {
  // The notebooks' final-epoch means (best setting by train accuracy), in percent.
  const paper = Object.fromEntries(FASHION_MNIST_TABLE.rules.map((r) => [r.label, r.paper!.mean]));
  assert.deepEqual(paper, {
    "CorInfoMax": 88.14,
    "CorInfoMax-Sparse": 88.09,
    "EP": 88.06,
    "CSM": 88.73,
    "PC": 89.31,
    "PC-Nudge": 88.49,
    "BP (MSE)": 88.39,
    "BP (CE)": 89.41,
    "FA (MSE)": 88.72,
    "FA (CE)": 88.38,
  });
  const f = byId("corinfomax/fashion-mnist");
  const rows = (cim: number, other: number) =>
    Object.fromEntries(
      FASHION_MNIST_TABLE.rules.map((r) => [
        r.file,
        trial(r.file, [0.1, 0.8, r.label === "CorInfoMax" ? cim : other]),
      ]),
    );
  const quick = await f.analyse(ctx(["table", "curves"], rows(0.8, 0.84)));
  assert.deepEqual(quick.charts.map((c) => c.name), ["curves"]);
  assert.equal(quick.tables[0]!.rows.length, FASHION_MNIST_TABLE.rules.length);
  assert.deepEqual(quick.outcomes.filter((o) => o.verdict !== "info").map((o) => o.verdict), [
    "met", // every rule ≥ 60 %
  ]);
  const low = await f.analyse(ctx(["table"], rows(0.55, 0.84)));
  assert.deepEqual(low.outcomes.filter((o) => o.verdict !== "info").map((o) => o.verdict), [
    "not met",
  ]);
  // Full: within 1 point of the published mean, and CorInfoMax at most 1 point below BP (MSE).
  const full = await f.analyse(ctx(["table"], rows(0.882, 0.8835), "full"));
  const verdict = (start: string) =>
    full.outcomes.find((o) => o.expected.startsWith(start))!.verdict;
  assert.equal(verdict("CorInfoMax ("), "met"); // 88.2 vs 88.14
  assert.equal(verdict("BP (CE) ("), "not met"); // 88.35 vs 89.41
  assert.equal(verdict("CorInfoMax's final test accuracy is at most 1 points below"), "met");
});
