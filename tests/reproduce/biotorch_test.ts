import assert from "node:assert/strict";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES, listFigures, selectFigures } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import {
  BIOTORCH_FASHION_MNIST,
  BIOTORCH_MNIST,
  compare,
  diffSe,
} from "../../apps/reproduce/figures/biotorch/lenet/figure.ts";

const LENET = FIGURES.find((f) => f.id === "biotorch/lenet")!;

// BioTorch's Benchmarks.md: one run per rule (seed 2021 in its configs); BP and the three
// sign-symmetry rules share one config, FA and DFA have their own learning rates; the same three
// for each dataset.
const FULL_TRIALS: Record<string, number> = {
  "lenet.yaml": 4,
  "lenet_fa.yaml": 1,
  "lenet_dfa.yaml": 1,
  "lenet_fmnist.yaml": 4,
  "lenet_fmnist_fa.yaml": 1,
  "lenet_fmnist_dfa.yaml": 1,
};

function ctx(rows: Record<string, Row[]>, panels = ["mnist"]): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(panels),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/** Rows of one trial with the given test error per epoch 0…n. */
function trial(rule: string, errors: number[], state = "done"): Row[] {
  return errors.map((e, epoch) => ({
    trial: `${rule}-t`,
    state,
    "rule.name": rule,
    "dataset.test_per_class": -1,
    seed: 0,
    epoch,
    test_accuracy: 1 - e,
  } as Row));
}

Deno.test("biotorch/lenet is registered with its configs, a README and BioTorch's numbers", () => {
  assert.ok(LENET, "biotorch/lenet missing from the registry");
  assert.deepEqual(selectFigures(["biotorch"]).map((f) => f.id), ["biotorch/lenet"]);
  assert.deepEqual(LENET.experiments.map((e) => e.file).sort(), Object.keys(FULL_TRIALS).sort());
  assert.ok(listFigures().includes("biotorch/lenet"));
  const readme = Deno.readTextFileSync(`${figureDir("biotorch/lenet")}/README.md`);
  assert.ok(readme.includes("deno task reproduce biotorch/lenet"));
  // Benchmarks.md, MNIST column
  assert.deepEqual(BIOTORCH_MNIST, {
    BP: 0.91,
    FA: 1.7,
    DFA: 1.61,
    uSF: 0.94,
    brSF: 0.91,
    frSF: 0.97,
  });
  // Benchmarks.md, Fashion MNIST column
  assert.deepEqual(BIOTORCH_FASHION_MNIST, {
    BP: 9.2,
    FA: 13.06,
    DFA: 12.81,
    uSF: 9.69,
    brSF: 10.02,
    frSF: 9.61,
  });
  assert.deepEqual(LENET.panels.map((p) => p.id), ["mnist", "fashion-mnist"]);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`biotorch/lenet ${mode}: BioTorch's protocol in every config`, async () => {
    const exps = await experimentConfigs(LENET, mode, selectPanels(LENET, undefined));
    const rules: string[] = [];
    for (const e of exps) {
      const trials = await expandTrials(e.raw);
      if (mode === "full") assert.equal(trials.length, FULL_TRIALS[e.file], e.file);
      for (const t of trials) {
        const c = t.config as unknown as {
          rule: { name: string; scale_by_fan?: boolean; feedback_init?: string };
          epochs: number;
          batch_size: number;
          network: { layers: { type: string; out?: number; kernel?: number }[]; init: unknown };
          optimizer: {
            name: string;
            momentum: number;
            weight_decay: number;
            l2?: number;
            schedule: { milestones: number[]; gamma: number };
          };
          dataset: { name: string; normalize: string; per_class: number };
        };
        rules.push(c.rule.name);
        assert.equal(c.batch_size, 64);
        assert.equal(c.epochs, mode === "full" ? 100 : 6);
        assert.equal(c.dataset.per_class, mode === "full" ? -1 : 1000);
        assert.equal(c.dataset.name, e.file.includes("fmnist") ? "fashion-mnist" : "mnist");
        // BioTorch's statistics of each dataset (mean 0.1307 / 0.2859, std 0.3081 / 0.3530)
        assert.equal(c.dataset.normalize, e.file.includes("fmnist") ? "fashion-mnist" : "mnist");
        // PyTorch's SGD weight_decay 1e-3 is coupled to the gradient: l2, not the decoupled decay.
        assert.deepEqual(
          [c.optimizer.name, c.optimizer.momentum, c.optimizer.weight_decay, c.optimizer.l2],
          ["sgd", 0.9, 0, 0.001],
        );
        assert.deepEqual(c.optimizer.schedule.milestones, [50, 75]);
        assert.equal(c.optimizer.schedule.gamma, 0.1);
        assert.deepEqual(c.network.init, { kind: "xavierUniform", gain: 1 });
        // LeNetMNIST: conv 6, 16, 120 (5×5), 84, 10
        const w = c.network.layers.filter((l) => l.type === "conv" || l.type === "dense");
        assert.deepEqual(w.map((l) => l.out), [6, 16, 120, 84, 10]);
        assert.deepEqual(w.slice(0, 3).map((l) => l.kernel), [5, 5, 5]);
        if (c.rule.name === "usf") assert.equal(c.rule.scale_by_fan, true);
        if (c.rule.name === "frsf" || c.rule.name === "brsf") {
          assert.equal(c.rule.scale_by_fan, false);
        }
      }
    }
    const six = ["bp", "brsf", "dfa", "fa", "frsf", "usf"];
    assert.deepEqual(rules.sort(), six.flatMap((r) => [r, r]));
  });
}

Deno.test("biotorch/lenet: the comparisons use the binomial noise of the test set", () => {
  // SE of a difference of two error rates p on n images: √(2p(1 − p)/n)
  assert.ok(Math.abs(diffSe([0.02], [0.02], 5000) - Math.sqrt(2 * 0.02 * 0.98 / 5000)) < 1e-15);
  // with k seeds per side the variance is k times smaller
  assert.ok(
    Math.abs(diffSe([0.02, 0.02], [0.02, 0.02], 5000) - Math.sqrt(0.02 * 0.98 / 5000)) < 1e-15,
  );
  // BioTorch's own numbers on 10 000 images: BP ≤ uSF, uSF < FA and DFA, DFA ≈ FA all hold
  const n = 10000, p = (l: string) => [BIOTORCH_MNIST[l]! / 100];
  assert.equal(compare("≤", p("BP"), p("uSF"), n), true);
  assert.equal(compare("<", p("uSF"), p("FA"), n), true);
  assert.equal(compare("<", p("uSF"), p("DFA"), n), true);
  assert.equal(compare("≈", p("DFA"), p("FA"), n), true);
  // and on Fashion MNIST, with brSF and frSF below FA and DFA too
  const f = (l: string) => [BIOTORCH_FASHION_MNIST[l]! / 100];
  assert.equal(compare("≤", f("BP"), f("uSF"), n), true);
  assert.equal(compare("<", f("uSF"), f("FA"), n), true);
  assert.equal(compare("<", f("uSF"), f("DFA"), n), true);
  assert.equal(compare("≈", f("DFA"), f("FA"), n), true);
  for (const sf of ["brSF", "frSF"]) {
    for (const fa of ["FA", "DFA"]) assert.equal(compare("<", f(sf), f(fa), n), true, sf + fa);
  }
  // and fail when reversed beyond the noise
  assert.equal(compare("<", p("FA"), p("uSF"), n), false);
  assert.equal(compare("≤", [0.02], [0.01], n), false);
  assert.equal(compare("≈", [0.02], [0.04], n), false);
  assert.equal(compare("≤", [], [0.01], n), undefined);
});

Deno.test("biotorch/lenet analysis: best epoch per rule, verdicts from the data", async () => {
  const rows = {
    "lenet.yaml": [
      ...trial("bp", [0.9, 0.03, 0.012, 0.01]),
      ...trial("usf", [0.9, 0.04, 0.013, 0.0105]),
      ...trial("brsf", [0.9, 0.04, 0.014, 0.011]),
      ...trial("frsf", [0.9, 0.04, 0.014, 0.012]),
    ],
    "lenet_fa.yaml": trial("fa", [0.9, 0.1, 0.03, 0.02]),
    "lenet_dfa.yaml": trial("dfa", [0.9, 0.1, 0.025, 0.021]),
  };
  const out = await LENET.analyse(ctx(rows));
  const judged = out.outcomes.filter((o) => o.verdict !== "info");
  assert.deepEqual(judged.map((o) => o.verdict), ["met", "met", "met", "met"]);
  const table = out.tables.find((t) => t.name === "mnist")!;
  const bp = table.rows.find((r) => r.rule === "BP")!;
  assert.equal(bp["ours best epoch"], "1.00");
  assert.equal(bp.BioTorch, "0.91");
  assert.equal(out.charts.length, 1);
  // FA far better than uSF and DFA at chance (diverged): those verdicts are not met
  const bad = {
    ...rows,
    "lenet_fa.yaml": trial("fa", [0.9, 0.1, 0.005]),
    "lenet_dfa.yaml": trial("dfa", [0.9, 0.9], "diverged"),
  };
  const o2 = (await LENET.analyse(ctx(bad))).outcomes.filter((o) => o.verdict !== "info");
  assert.deepEqual(o2.map((o) => o.verdict), ["met", "not met", "not met", "not met"]);
  // nothing ran: not run
  const o3 = (await LENET.analyse(ctx({}))).outcomes;
  assert.ok(o3.every((o) => o.verdict === "not run"));
});

Deno.test("biotorch/lenet analysis: each dataset's panel reads its own configs", async () => {
  // MNIST rows that meet every verdict; Fashion MNIST rows where FA beats uSF and DFA is far off.
  const rows = {
    "lenet.yaml": ["bp", "usf", "brsf", "frsf"].flatMap((r) => trial(r, [0.9, 0.01])),
    "lenet_fa.yaml": trial("fa", [0.9, 0.02]),
    "lenet_dfa.yaml": trial("dfa", [0.9, 0.021]),
    "lenet_fmnist.yaml": ["bp", "usf", "brsf", "frsf"].flatMap((r) => trial(r, [0.9, 0.1])),
    "lenet_fmnist_fa.yaml": trial("fa", [0.9, 0.08]),
    "lenet_fmnist_dfa.yaml": trial("dfa", [0.9, 0.3]),
  };
  const out = await LENET.analyse(ctx(rows, ["mnist", "fashion-mnist"]));
  const judged = (panel: string) =>
    out.outcomes.filter((o) => o.panel === panel && o.verdict !== "info").map((o) => o.verdict);
  assert.deepEqual(judged("mnist"), ["met", "met", "met", "met"]);
  assert.deepEqual(judged("fashion-mnist"), ["met", "not met", "not met", "not met"]);
  assert.deepEqual(out.tables.map((t) => t.name), ["mnist", "fashion-mnist"]);
  assert.deepEqual(out.charts.map((c) => c.name), ["mnist", "fashion-mnist"]);
  const fBp = out.tables[1]!.rows.find((r) => r.rule === "BP")!;
  assert.deepEqual([fBp.BioTorch, fBp["ours best epoch"]], ["9.20", "10.00"]);
  // one panel selected: the other is not analysed
  const only = await LENET.analyse(ctx(rows, ["fashion-mnist"]));
  assert.ok(only.outcomes.every((o) => o.panel === "fashion-mnist"));
});
