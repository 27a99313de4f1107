import assert from "node:assert/strict";
import { expandTrials } from "@plasticity/runner";
import { figureDir, FIGURES, selectFigures } from "@plasticity/reproduce/registry";
import {
  type AnalysisContext,
  experimentConfigs,
  type Row,
  selectPanels,
} from "@plasticity/reproduce";
import {
  analyseTask,
  approxEqual,
  atLeast,
  belowRight,
  decayDeviation,
} from "../../apps/reproduce/figures/bioflax/_analysis.ts";
import { MNIST_TASK } from "../../apps/reproduce/figures/bioflax/mnist/figure.ts";
import { TEACHER_TASK } from "../../apps/reproduce/figures/bioflax/teacher-student/figure.ts";

const IDS = ["bioflax/mnist", "bioflax/teacher-student", "bioflax/sine"];

// bioflax's protocol: BP, FA, KP, DFA × 10 seeds, plus KP with decay × 10 seeds; 5 epochs.
const FULL_TRIALS: Record<string, number> = {
  "mnist.yaml": 4 * 10,
  "mnist_kp_decay.yaml": 10,
  "teacher.yaml": 4 * 10,
  "teacher_kp_decay.yaml": 10,
  "sine.yaml": 4 * 10,
  "sine_kp_decay.yaml": 10,
};

interface Resolved {
  rule: { name: string; decay?: string };
  epochs: number;
  "batch_size": number;
  optimizer: { name: string; lr: number; momentum?: number; "weight_decay"?: number };
  network: { sizes: number[]; activation: string };
  metrics: { diagnostics: boolean; "diagnostics_train_batches"?: number };
}

Deno.test("bioflax figures are registered with panels a–d, configs and READMEs", () => {
  for (const id of IDS) {
    const f = FIGURES.find((x) => x.id === id);
    assert.ok(f, `${id} missing`);
    assert.deepEqual(f.panels.map((p) => p.id), ["a", "b", "c", "d"]);
    const readme = Deno.readTextFileSync(`${figureDir(id)}/README.md`);
    assert.ok(readme.includes(`deno task reproduce ${id}`), id);
  }
  assert.deepEqual(selectFigures(["bioflax"]).map((f) => f.id), IDS);
});

for (const mode of ["full", "quick"] as const) {
  Deno.test(`bioflax ${mode}: configs resolve to bioflax's defaults`, async () => {
    for (const id of IDS) {
      const f = FIGURES.find((x) => x.id === id)!;
      const exps = await experimentConfigs(f, mode, selectPanels(f, undefined));
      for (const e of exps) {
        const trials = await expandTrials(e.raw);
        if (mode === "full") assert.equal(trials.length, FULL_TRIALS[e.file], e.file);
        else assert.ok(trials.length < FULL_TRIALS[e.file]!, e.file);
        for (const t of trials) {
          const c = t.config as unknown as Resolved;
          // run_train.py: SGD lr 0.02 without momentum, batch 32, 500-500 ReLU hidden layers.
          assert.equal(c.optimizer.name, "sgd");
          // Sine: lr 0.005, since 0.02 diverges (output-layer curvature ≈ 410 > 2/0.02).
          assert.equal(c.optimizer.lr, id.endsWith("sine") ? 0.005 : 0.02);
          assert.equal(c.optimizer.momentum ?? 0, 0);
          assert.equal(c.batch_size, 32);
          assert.deepEqual(c.network.sizes.slice(1, 3), [500, 500]);
          assert.equal(c.network.activation, "relu");
          assert.equal(c.metrics.diagnostics, true);
          assert.equal(c.metrics.diagnostics_train_batches, 5);
          const decay = e.file.endsWith("_kp_decay.yaml");
          assert.equal(
            c.optimizer.weight_decay ?? 0,
            decay ? (id.endsWith("mnist") ? 1e-4 : 0.005) : 0,
          );
          if (decay) assert.equal(c.rule.name, "kp");
          if (mode === "full") assert.equal(c.epochs, 5);
        }
        if (!e.file.endsWith("_kp_decay.yaml")) {
          const rules = new Set(trials.map((t) => (t.config as unknown as Resolved).rule.name));
          assert.deepEqual([...rules].sort(), ["bp", "dfa", "fa", "kp"], e.file);
        }
      }
    }
  });
}

Deno.test("bioflax quick mode: MNIST 3 epochs and 2 seeds, regression 5 seeds, stated on charts", async () => {
  const f = FIGURES.find((x) => x.id === "bioflax/mnist")!;
  const exps = await experimentConfigs(f, "quick", selectPanels(f, undefined));
  const by = Object.fromEntries(exps.map((e) => [e.file, e]));
  const main = await expandTrials(by["mnist.yaml"]!.raw);
  assert.equal(main.length, 4 * 2);
  for (const t of main) assert.equal((t.config as unknown as Resolved).epochs, 3);
  assert.equal((await expandTrials(by["mnist_kp_decay.yaml"]!.raw)).length, 1);
  assert.match(by["mnist.yaml"]!.reduced, /3 epochs instead of 5/);
  const tf = FIGURES.find((x) => x.id === "bioflax/teacher-student")!;
  const te = await experimentConfigs(tf, "quick", selectPanels(tf, undefined));
  assert.equal((await expandTrials(te[0]!.raw)).length, 4 * 5);
});

Deno.test("belowRight: two standard errors (or the chance spread) below 90°", () => {
  // 500 × 10 random matrices: angle std (180/π)/√5000 ≈ 0.81°; one seed: threshold ≈ 88.38°.
  assert.equal(belowRight([89.8], 5000).holds, false);
  assert.equal(belowRight([88], 5000).holds, true);
  // Seeds spread more than chance: the seeds' SE decides, 3/√3·2 = 3.46° → 86.5°.
  assert.equal(belowRight([84, 87, 90], 250000).holds, false);
  assert.equal(belowRight([], 10).holds, undefined);
});

Deno.test("atLeast and approxEqual on per-seed accuracies", () => {
  // KP 97.39 ± 0.16 vs BP 97.48 ± 0.22 (10 seeds): 0.09 below, SE of the difference 0.086.
  const bp = [0.9748 - 0.0022, 0.9748 + 0.0022], kp = [0.9739 - 0.0016, 0.9739 + 0.0016];
  assert.equal(atLeast(kp, bp), true);
  assert.equal(atLeast([0.96, 0.961], bp), false);
  assert.equal(approxEqual([0.9652], [0.9610]), true); // 0.42 points apart
  assert.equal(approxEqual([0.9652], [0.9590]), false); // 0.62 points apart
  assert.equal(atLeast([], bp), undefined);
});

Deno.test("decayDeviation: (1 − λ)^N between consecutive epochs, per trial and layer", () => {
  const N = 45, lambda = 0.005, f = (1 - lambda) ** N;
  const rows = [1, 2, 3, 4].flatMap((epoch) =>
    ["a", "b"].map((trial) => ({
      trial,
      epoch,
      "dist_W_BT_0": (trial === "a" ? 3 : 7) * f ** epoch,
      "dist_W_BT_1": 2 * f ** epoch,
    }))
  );
  const ok = decayDeviation(rows, [0, 1], lambda, N);
  assert.equal(ok.ratios, 2 * 2 * 3);
  assert.ok(ok.deviation! < 1e-12);
  // A constant distance violates the λ > 0 law by 1/f − 1 and satisfies λ = 0.
  const flat = rows.map((r) => ({ ...r, "dist_W_BT_0": 3 }));
  assert.ok(Math.abs(decayDeviation(flat, [0], lambda, N).deviation! - (1 / f - 1)) < 1e-12);
  assert.ok(decayDeviation(flat, [0], 0, N).deviation! < 1e-12);
  assert.equal(decayDeviation([], [0], 0, N).deviation, undefined);
});

/** Rows of one trial: test metric per epoch 0…n, alignment rows for epochs 1…n. */
function trialRows(
  trial: string,
  rule: string,
  test: number[],
  diag: (epoch: number) => Record<string, number>,
  column: string,
): Row[] {
  return test.map((v, epoch) => ({
    trial,
    state: "done",
    "rule.name": rule,
    seed: Number(trial.slice(-1)),
    epoch,
    [column]: v,
    ...(epoch >= 1 ? diag(epoch) : {}),
  } as Row));
}

function ctx(rows: Record<string, Row[]>): AnalysisContext {
  return {
    mode: "quick",
    panels: new Set(["a", "b", "c", "d"]),
    note: () => "test",
    rows: (file) => Promise.resolve(rows[file] ?? []),
  };
}

/** Hand-made MNIST rows: FA aligns, KP aligns further, DFA's gradients stay below 90°. */
function mnistRows(opts: { faAngle: number; dfaGrad: number; accs: Record<string, number> }) {
  const N = MNIST_TASK.stepsPerEpoch, lambda = MNIST_TASK.lambda;
  const main: Row[] = [], decay: Row[] = [];
  for (const seed of [0, 1]) {
    const jitter = seed === 0 ? -0.0005 : 0.0005;
    for (const rule of ["bp", "fa", "kp", "dfa"]) {
      const acc = opts.accs[rule]! + jitter;
      main.push(...trialRows(`${rule}${seed}`, rule, [0.1, acc - 0.01, acc], (e) => {
        const d: Record<string, number> = {};
        for (const i of [0, 1, 2]) {
          if (rule === "fa") d[`angle_W_BT_${i}`] = e === 1 ? 90 : i === 0 ? 90 : opts.faAngle;
          if (rule === "kp") d[`angle_W_BT_${i}`] = 90 - 40 * (e - 1);
          if (rule === "fa" || rule === "kp") d[`dist_W_BT_${i}`] = 30;
        }
        for (const i of [0, 1]) {
          d[`angle_grad_${i}`] = rule === "bp"
            ? 0
            : e === 1
            ? 91
            : rule === "dfa"
            ? opts.dfaGrad
            : 70;
        }
        return d;
      }, "test_accuracy"));
    }
  }
  decay.push(...trialRows("kpd0", "kp", [0.1, 0.96, 0.97], (e) => {
    const d: Record<string, number> = {};
    for (const i of [0, 1, 2]) {
      d[`angle_W_BT_${i}`] = 90 - 35 * (e - 1);
      d[`dist_W_BT_${i}`] = 30 * (1 - lambda) ** (N * e);
    }
    return d;
  }, "test_accuracy"));
  return { "mnist.yaml": main, "mnist_kp_decay.yaml": decay };
}

function verdicts(outcomes: { expected: string; verdict: string }[], match: RegExp): string[] {
  return outcomes.filter((o) => match.test(o.expected) && o.verdict !== "info")
    .map((o) => o.verdict);
}

Deno.test("bioflax/mnist analysis: verdicts follow the hand-made rows", async () => {
  const accs = { bp: 0.975, kp: 0.974, dfa: 0.965, fa: 0.961 };
  const good = await analyseTask(MNIST_TASK, ctx(mnistRows({ faAngle: 60, dfaGrad: 65, accs })));
  assert.deepEqual(verdicts(good.outcomes, /^FA: ∠\(W/), ["met", "met"]); // W2 and W3
  assert.deepEqual(verdicts(good.outcomes, /falls towards 0/), ["met", "met"]); // KP, KP + decay
  assert.deepEqual(verdicts(good.outcomes, /stays below 90°/), ["met", "met"]); // FA, DFA
  assert.deepEqual(verdicts(good.outcomes, /shrinks by/), ["met", "met"]);
  assert.deepEqual(verdicts(good.outcomes, /BP ≥ KP ≥ DFA ≈ FA/), ["met"]);
  assert.ok(good.charts.some((c) => c.name === "d") && good.charts.some((c) => c.name === "b_W2"));
  assert.equal(good.tables[0]!.rows.length, 5);

  // FA not aligning, DFA's gradients at 95°, FA 1 point below DFA: those verdicts fail.
  const bad = await analyseTask(
    MNIST_TASK,
    ctx(mnistRows({ faAngle: 89.99, dfaGrad: 95, accs: { ...accs, fa: 0.955 } })),
  );
  assert.deepEqual(verdicts(bad.outcomes, /^FA: ∠\(W/), ["not met", "not met"]);
  assert.deepEqual(verdicts(bad.outcomes, /stays below 90°/), ["met", "not met"]);
  assert.deepEqual(verdicts(bad.outcomes, /BP ≥ KP ≥ DFA ≈ FA/), ["not met"]);
  // KP without decay whose distance moved: its decay law fails.
  const rows = mnistRows({ faAngle: 60, dfaGrad: 65, accs });
  rows["mnist.yaml"] = rows["mnist.yaml"]!.map((r) =>
    r["rule.name"] === "kp" && r.epoch === 2 ? { ...r, "dist_W_BT_1": 29 } : r
  );
  const moved = await analyseTask(MNIST_TASK, ctx(rows));
  assert.deepEqual(verdicts(moved.outcomes, /shrinks by/), ["not met", "met"]);
});

Deno.test("bioflax regression analysis: test loss outcome and no accuracy ordering", async () => {
  const main: Row[] = [];
  for (const rule of ["bp", "fa", "kp", "dfa"]) {
    main.push(...trialRows(`${rule}0`, rule, [1.3, 0.2, 0.15], () => ({}), "test_loss"));
  }
  const out = await analyseTask(TEACHER_TASK, ctx({ "teacher.yaml": main }));
  assert.deepEqual(verdicts(out.outcomes, /lowers the test loss/), ["met"]);
  assert.deepEqual(verdicts(out.outcomes, /BP ≥ KP/), []);
  // Nothing logged for the alignment: those verdicts are "not run", not "met".
  assert.deepEqual(verdicts(out.outcomes, /^FA: ∠\(W/), ["not run", "not run"]);
});
