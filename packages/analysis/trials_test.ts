import assert from "node:assert/strict";
import { isFinished, rowTrialKey, trialKey, type TrialRecord, trialRows } from "./trials.ts";
import { fakeTrial, fakeTrials, learnerConfig, trialId } from "./_fake_results.ts";

function fixture(): Promise<TrialRecord[]> {
  return fakeTrials([
    ...[0, 1].map((seed) => ({
      config: learnerConfig("exp-a", "bp", 0.1, seed, [4, 8, 8, 3]),
      metrics: [0, 1, 2].map((epoch) => ({
        epoch,
        train_loss: 1 / (epoch + 1),
        test_loss: 1.1 / (epoch + 1),
        test_accuracy: 0.3 + 0.2 * epoch + 0.01 * seed,
      })),
      summary: { test_accuracy: 0.7 + 0.01 * seed, test_loss: 0.37, wall_s: 2 },
    })),
    {
      config: learnerConfig("exp-b", "fa", 1, 0),
      metrics: [{ epoch: 0, train_loss: 1, test_loss: 1 }, {
        epoch: 1,
        train_loss: null,
        test_loss: null,
      }],
      state: "diverged",
      error: "Loss is not finite",
    },
  ]);
}

Deno.test("trialRows flattens config, adds ids, state, summary, meta and derived columns", async () => {
  const rows = trialRows(await fixture());
  assert.equal(rows.length, 3 + 3 + 2);
  const r = rows.find((x) => x.seed === 1 && x.epoch === 2)!;
  assert.equal(r.experiment, "exp-a");
  assert.equal(r.trial, await trialId(learnerConfig("exp-a", "bp", 0.1, 1, [4, 8, 8, 3])));
  assert.equal(r.state, "done");
  assert.equal(r["rule.name"], "bp");
  assert.equal(r["optimizer.lr"], 0.1);
  assert.equal(r["network.sizes"], "[4,8,8,3]");
  assert.equal(r["network.depth"], 3);
  assert.equal(r["dataset.name"], "sine");
  assert.equal(r["summary.test_accuracy"], 0.71);
  assert.ok(Math.abs((r["summary.test_error"] as number) - 0.29) < 1e-12);
  assert.equal(r["meta.backend"], "js");
  assert.equal(r.test_accuracy, 0.3 + 0.4 + 0.01);
  assert.ok(Math.abs((r.test_error as number) - (1 - 0.71)) < 1e-12);
  // The config column `metrics.every` is kept; diverged lines keep nulls.
  assert.equal(r["metrics.every"], 1);
  const div = rows.filter((x) => x.state === "diverged");
  assert.deepEqual(div.map((x) => x.train_loss), [1, null]);
  assert.equal(div[0]!["network.depth"], 2);
  assert.equal(div[0]!.test_error, undefined);
});

Deno.test("trialRows keeps chosen states and turns derivation off", async () => {
  const trials = await fixture();
  assert.equal(trialRows(trials, { states: ["done"] }).length, 6);
  assert.equal(trialRows(trials, { states: ["diverged"] }).length, 2);
  const plain = trialRows(trials, { derive: false });
  assert.ok(plain.every((r) => !("network.depth" in r) && !("test_error" in r)));
});

Deno.test("a metrics key that clashes with a config column is stored as metrics.<key>", async () => {
  const [r] = trialRows(
    await fakeTrials([{
      config: { name: "sim", kind: "simulation", seed: 3, simulation: { name: "microcircuit" } },
      metrics: [{ t: 0.1, seed: 99, angle: 80 }],
      noStatus: true,
    }]),
  );
  assert.equal(r!.seed, 3);
  assert.equal(r!["metrics.seed"], 99);
  assert.equal(r!.t, 0.1);
  assert.equal(r!.state, "unknown");
});

Deno.test("trial keys tell the same trial id in two results roots apart, and match the rows", async () => {
  const config = learnerConfig("exp-a", "bp", 0.1, 0);
  const metrics = [{ epoch: 0, test_loss: 1 }];
  const a = await fakeTrial({ config, metrics }, "/root-a");
  const b = await fakeTrial({ config, metrics }, "/root-b");
  assert.equal(a.id, b.id);
  assert.notEqual(trialKey(a), trialKey(b));
  const rows = trialRows([a, b]);
  assert.deepEqual(rows.map((r) => r.trial_dir), [
    `/root-a/exp-a/${a.id}`,
    `/root-b/exp-a/${a.id}`,
  ]);
  assert.deepEqual(rows.map(rowTrialKey), [trialKey(a), trialKey(b)]);
  // Rows that hold only a trial id are keyed by it.
  assert.equal(rowTrialKey({ trial: "x" }), rowTrialKey({ trial: "x", epoch: 3 }));
});

Deno.test("done and diverged trials are finished; running, failed and unknown are not", () => {
  assert.deepEqual(
    ["done", "diverged", "running", "failed", "unknown", "incomplete"].map(isFinished),
    [true, true, false, false, false, false],
  );
});
