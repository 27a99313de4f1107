import assert from "node:assert/strict";
import { join } from "node:path";
import { findTrialDirs, loadRows, loadTrials } from "./load.ts";
import { learnerConfig, trialId, writeFakeTrial } from "./_fake_results.ts";

async function fixture(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "analysis_load_" });
  for (const seed of [0, 1]) {
    await writeFakeTrial(root, {
      config: learnerConfig("exp-a", "bp", 0.1, seed, [4, 8, 8, 3]),
      metrics: [0, 1, 2].map((epoch) => ({
        epoch,
        train_loss: 1 / (epoch + 1),
        test_loss: 1.1 / (epoch + 1),
        test_accuracy: 0.3 + 0.2 * epoch + 0.01 * seed,
      })),
      summary: { test_accuracy: 0.7 + 0.01 * seed, test_loss: 0.37, wall_s: 2 },
    });
  }
  await writeFakeTrial(root, {
    config: learnerConfig("exp-b", "fa", 1, 0),
    metrics: [{ epoch: 0, train_loss: 1, test_loss: 1 }, {
      epoch: 1,
      train_loss: null,
      test_loss: null,
    }],
    state: "diverged",
    error: "Loss is not finite",
  });
  return root;
}

Deno.test("loadRows flattens config, adds ids, state, summary, meta and derived columns", async () => {
  const root = await fixture();
  try {
    const rows = await loadRows(root);
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
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadRows keeps chosen states, turns derivation off, reads experiment and trial folders", async () => {
  const root = await fixture();
  try {
    assert.equal((await loadRows(root, { states: ["done"] })).length, 6);
    assert.equal((await loadRows(root, { states: ["diverged"] })).length, 2);
    const plain = await loadRows(root, { derive: false });
    assert.ok(plain.every((r) => !("network.depth" in r) && !("test_error" in r)));
    const expB = await findTrialDirs(join(root, "exp-b"));
    assert.equal(expB.length, 1);
    assert.deepEqual(await findTrialDirs(expB[0]!), expB);
    // Overlapping paths load each trial once.
    const trials = await loadTrials([root, join(root, "exp-a")]);
    assert.deepEqual(trials.map((t) => t.experiment), ["exp-a", "exp-a", "exp-b"]);
    assert.equal(trials[2]!.error, "Loss is not finite");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a metrics key that clashes with a config column is stored as metrics.<key>", async () => {
  const root = await Deno.makeTempDir({ prefix: "analysis_load_" });
  try {
    await writeFakeTrial(root, {
      config: { name: "sim", kind: "simulation", seed: 3, simulation: { name: "microcircuit" } },
      metrics: [{ t: 0.1, seed: 99, angle: 80 }],
      noStatus: true,
    });
    const [r] = await loadRows(root);
    assert.equal(r!.seed, 3);
    assert.equal(r!["metrics.seed"], 99);
    assert.equal(r!.t, 0.1);
    assert.equal(r!.state, "unknown");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bad results give one-line errors naming the path", async () => {
  const root = await Deno.makeTempDir({ prefix: "analysis_load_" });
  try {
    await assert.rejects(
      () => loadRows(join(root, "nope")),
      /Results path ".*nope" is not a folder/,
    );
    await assert.rejects(() => loadRows(root), /No trials found under ".*": expected folders/);
    await assert.rejects(() => loadRows([]), /No results paths given/);
    const dir = await writeFakeTrial(root, {
      config: learnerConfig("bad", "bp", 0.1, 0),
      metrics: [],
      metricsText: '{"epoch": 0}\n{"epoch": 1,\n',
    });
    await assert.rejects(() => loadRows(root), (e: Error) => {
      assert.ok(
        e.message.startsWith(`Cannot parse "${join(dir, "metrics.jsonl")}" line 2:`),
        e.message,
      );
      return true;
    });
    await Deno.writeTextFile(join(dir, "config.yaml"), "- 1\n- 2\n");
    await assert.rejects(() => loadRows(dir), /config.yaml": expected a mapping/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
