import assert from "node:assert/strict";
import { aggregate, metricGoal, pickBest, reduceTrials, sortRows } from "./aggregate.ts";
import type { Row } from "./rows.ts";

const close = (a: unknown, b: number, tol = 1e-12) =>
  assert.ok(typeof a === "number" && Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Accuracy curves of one setting over three seeds (epoch 0 = before training).
const curves: Record<number, number[]> = {
  0: [0.1, 0.5, 0.7],
  1: [0.1, 0.6, 0.8],
  2: [0.1, 0.7, 0.6],
};
const rows: Row[] = [];
for (const [seed, accs] of Object.entries(curves)) {
  accs.forEach((acc, epoch) =>
    rows.push({ trial: `t${seed}`, "rule.name": "bp", seed: Number(seed), epoch, acc })
  );
}

Deno.test("aggregate over seeds per epoch gives hand-computed mean, sample std, sem, min, max", () => {
  const agg = aggregate(rows, { by: ["rule.name"], x: "epoch", y: "acc" });
  assert.deepEqual(agg.map((r) => r.epoch), [0, 1, 2]);
  // epoch 0: 0.1 × 3 → std 0.
  close(agg[0]!.acc_mean, 0.1);
  close(agg[0]!.acc_std, 0, 1e-15);
  // epoch 1: 0.5, 0.6, 0.7 → mean 0.6; deviations ±0.1 → s² = 0.02 / 2 → s = 0.1; sem = 0.1/√3.
  close(agg[1]!.acc_mean, 0.6);
  close(agg[1]!.acc_std, 0.1);
  close(agg[1]!.acc_sem, 0.1 / Math.sqrt(3));
  assert.equal(agg[1]!.acc_min, 0.5);
  assert.equal(agg[1]!.acc_max, 0.7);
  assert.equal(agg[1]!.acc_n, 3);
  // epoch 2: 0.7, 0.8, 0.6 → mean 0.7, s = 0.1.
  close(agg[2]!.acc_mean, 0.7);
  close(agg[2]!.acc_std, 0.1);
  assert.equal(agg[2]!["rule.name"], "bp");
});

Deno.test("reduceTrials gives final, best, min, max and mean over epochs", () => {
  const final = reduceTrials(rows, { y: "acc", reduce: "final" });
  assert.deepEqual(final.map((r) => r.final_acc), [0.7, 0.8, 0.6]);
  // Config columns survive, per-line columns do not.
  assert.deepEqual(final[1], { trial: "t1", "rule.name": "bp", seed: 1, final_acc: 0.8 });
  assert.deepEqual(reduceTrials(rows, { y: "acc", reduce: "best" }).map((r) => r.best_acc), [
    0.7,
    0.8,
    0.7,
  ]);
  assert.deepEqual(reduceTrials(rows, { y: "acc", reduce: "min" }).map((r) => r.min_acc), [
    0.1,
    0.1,
    0.1,
  ]);
  assert.deepEqual(reduceTrials(rows, { y: "acc", reduce: "max" }).map((r) => r.max_acc), [
    0.7,
    0.8,
    0.7,
  ]);
  const mean = reduceTrials(rows, { y: "acc", reduce: "mean", as: "m" });
  close(mean[0]!.m, (0.1 + 0.5 + 0.7) / 3);
  close(mean[1]!.m, 0.5);
  close(mean[2]!.m, (0.1 + 0.7 + 0.6) / 3);
  // Without epoch 0: mean of epochs 1..2.
  close(reduceTrials(rows, { y: "acc", reduce: "mean", from: 1 })[0]!.mean_acc, 0.6);
  // Final value over seeds: 0.7, 0.8, 0.6 → mean 0.7, s = 0.1.
  const over = aggregate(final, { by: ["rule.name"], y: "final_acc" });
  close(over[0]!.final_acc_mean, 0.7);
  close(over[0]!.final_acc_std, 0.1);
});

Deno.test("reduceTrials 'final' takes the largest epoch, whatever the line order", () => {
  const shuffled: Row[] = [
    { trial: "a", epoch: 2, loss: 0.2 },
    { trial: "a", epoch: 0, loss: 1 },
    { trial: "a", epoch: 1, loss: 0.5 },
  ];
  assert.equal(reduceTrials(shuffled, { y: "loss", reduce: "final" })[0]!.final_loss, 0.2);
  assert.equal(reduceTrials(shuffled, { y: "loss", reduce: "best" })[0]!.best_loss, 0.2);
  close(reduceTrials(shuffled, { y: "t", reduce: "final", x: "t" }).length, 1);
});

Deno.test("a diverged trial's final value is null and aggregate counts only finite values", () => {
  const r: Row[] = [
    { trial: "a", epoch: 0, loss: 1 },
    { trial: "a", epoch: 1, loss: 0.5 },
    { trial: "b", epoch: 0, loss: 1 },
    { trial: "b", epoch: 1, loss: null },
  ];
  const final = reduceTrials(r, { y: "loss", reduce: "final" });
  assert.deepEqual(final.map((x) => x.final_loss), [0.5, null]);
  assert.equal(reduceTrials(r, { y: "loss", reduce: "min" })[1]!.min_loss, 1);
  const agg = aggregate(final, { by: [], y: "final_loss" });
  assert.equal(agg[0]!.final_loss_n, 1);
  assert.equal(agg[0]!.final_loss_mean, 0.5);
  assert.ok(Number.isNaN(agg[0]!.final_loss_std));
});

Deno.test("pickBest finds the best learning rate per depth by mean test error", () => {
  const trials: Row[] = [];
  const errors: [number, number, number[]][] = [
    [1, 0.1, [0.30, 0.34]], // mean 0.32
    [1, 0.01, [0.25, 0.27]], // mean 0.26 ← best at depth 1
    [2, 0.1, [0.20, 0.22]], // mean 0.21 ← best at depth 2
    [2, 0.01, [0.40, 0.50]], // mean 0.45
  ];
  for (const [depth, lr, errs] of errors) {
    errs.forEach((e, seed) =>
      trials.push({ "network.depth": depth, "optimizer.lr": lr, seed, test_error: e })
    );
  }
  const agg = aggregate(trials, { by: ["network.depth", "optimizer.lr"], y: "test_error" });
  const best = pickBest(agg, { by: ["network.depth"], metric: "test_error_mean" });
  assert.deepEqual(best.map((r) => [r["network.depth"], r["optimizer.lr"]]), [[1, 0.01], [2, 0.1]]);
  close(best[0]!.test_error_mean, 0.26);
  close(best[1]!.test_error_mean, 0.21);
  // Larger is better when asked: the worst settings.
  const worst = pickBest(agg, { by: ["network.depth"], metric: "test_error_mean", better: "max" });
  assert.deepEqual(worst.map((r) => r["optimizer.lr"]), [0.1, 0.01]);
  // One overall.
  assert.equal(pickBest(agg, { by: [], metric: "test_error_mean" })[0]!["optimizer.lr"], 0.1);
});

Deno.test("metricGoal reads the direction from the name, or asks", () => {
  assert.equal(metricGoal("test_loss"), "min");
  assert.equal(metricGoal("mean_test_error_mean"), "min");
  assert.equal(metricGoal("angle_B_WT_0"), "min");
  assert.equal(metricGoal("final_test_accuracy_mean"), "max");
  assert.equal(metricGoal("target_alignment"), "max");
  assert.throws(() => metricGoal("lr"), /Cannot tell whether smaller or larger "lr" is better/);
  assert.throws(
    () => reduceTrials(rows, { y: "acc", reduce: "last" as "final" }),
    /Unknown reduce "last"/,
  );
});

Deno.test("sortRows sorts by several columns", () => {
  const s = sortRows([{ a: 2, b: 1 }, { a: 1, b: 2 }, { a: 1, b: 1 }], ["a", "b"]);
  assert.deepEqual(s, [{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 2, b: 1 }]);
});

Deno.test("reduceTrials keeps trials with the same id from two results roots apart", () => {
  // One config (id "abc") run in two results roots: final losses 0.25 and 0.75, not one merged curve.
  const lines = (dir: string, final: number): Row[] =>
    [1, final].map((loss, epoch) => ({
      trial: "abc",
      experiment: "e",
      "trial_dir": `${dir}/e/abc`,
      "meta.git_commit": dir,
      epoch,
      loss,
    }));
  const reduced = reduceTrials([...lines("/a", 0.25), ...lines("/b", 0.75)], {
    y: "loss",
    reduce: "final",
  });
  assert.deepEqual(
    reduced.map((r) => [r.trial_dir, r["meta.git_commit"], r.final_loss]),
    [["/a/e/abc", "/a", 0.25], ["/b/e/abc", "/b", 0.75]],
  );
  // With the trial id as the key, as asked, the two are one trial.
  assert.equal(
    reduceTrials(lines("/a", 0.25).concat(lines("/b", 0.75)), {
      y: "loss",
      reduce: "final",
      trialKey: "trial",
    }).length,
    1,
  );
});
