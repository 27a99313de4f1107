// Reading results folders back (@plasticity/runner's results.ts) against folders written by hand.
import assert from "node:assert/strict";
import { join } from "node:path";
import { findTrialDirs, isTrialDir, readTrial, readTrials } from "@plasticity/runner/results";
import { type FakeTrial, fakeTrial } from "../../packages/analysis/_fake_results.ts";
import { learnerConfig, writeFakeTrial } from "../_fake_results.ts";

const TRIALS: FakeTrial[] = [
  ...[0, 1].map((seed) => ({
    config: learnerConfig("exp-a", "bp", 0.1, seed, [4, 8, 8, 3]),
    metrics: [0, 1, 2].map((epoch) => ({ epoch, test_loss: 1.1 / (epoch + 1) })),
    summary: { test_accuracy: 0.7 + 0.01 * seed, wall_s: 2 },
  })),
  {
    config: learnerConfig("exp-b", "fa", 1, 0),
    metrics: [{ epoch: 0, train_loss: 1 }, { epoch: 1, train_loss: null }],
    state: "diverged",
    error: "Loss is not finite",
  },
];

async function fixture(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "runner_results_" });
  for (const t of TRIALS) await writeFakeTrial(root, t);
  return root;
}

Deno.test("readTrials reads each trial's config, status, metrics, summary and meta", async () => {
  const root = await fixture();
  try {
    const expected = await Promise.all(TRIALS.map((t) => fakeTrial(t, root)));
    expected.sort((a, b) => `${a.experiment}/${a.id}` < `${b.experiment}/${b.id}` ? -1 : 1);
    assert.deepEqual(await readTrials(root), expected);
    assert.equal((await readTrials(root))[2]!.error, "Loss is not finite");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("trial folders are found under a root, an experiment or a trial folder, once each", async () => {
  const root = await fixture();
  try {
    assert.equal(findTrialDirs(root).length, 3);
    const expB = findTrialDirs(join(root, "exp-b"));
    assert.equal(expB.length, 1);
    assert.ok(isTrialDir(expB[0]!) && !isTrialDir(join(root, "exp-b")));
    assert.deepEqual(findTrialDirs(expB[0]!), expB);
    // Overlapping paths read each trial once.
    const trials = await readTrials([root, join(root, "exp-a")]);
    assert.deepEqual(trials.map((t) => t.experiment), ["exp-a", "exp-a", "exp-b"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("only config.yaml is required: the state is unknown and missing files read as empty", async () => {
  const root = await Deno.makeTempDir({ prefix: "runner_results_" });
  try {
    const dir = join(root, "sim", "abc");
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(join(dir, "config.yaml"), "name: sim\nseed: 3\n");
    assert.deepEqual(await readTrial(dir), {
      id: "abc",
      experiment: "sim",
      dir,
      config: { name: "sim", seed: 3 },
      state: "unknown",
      metrics: [],
      summary: {},
      meta: {},
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bad results give one-line errors naming the path", async () => {
  const root = await Deno.makeTempDir({ prefix: "runner_results_" });
  try {
    await assert.rejects(
      () => readTrials(join(root, "nope")),
      /^Error: Results path ".*nope" is not a folder: expected a results root, experiment or trial folder$/,
    );
    await assert.rejects(() => readTrials(root), /No trials found under ".*": expected folders/);
    await assert.rejects(() => readTrials([]), /No results paths given/);
    const dir = await writeFakeTrial(root, {
      config: learnerConfig("bad", "bp", 0.1, 0),
      metrics: [],
      metricsText: '{"epoch": 0}\n{"epoch": 1,\n',
    });
    await assert.rejects(() => readTrials(root), (e: Error) => {
      assert.ok(
        e.message.startsWith(`Cannot parse "${join(dir, "metrics.jsonl")}" line 2:`),
        e.message,
      );
      return true;
    });
    await Deno.writeTextFile(join(dir, "metrics.jsonl"), "[1]\n");
    await assert.rejects(
      () => readTrial(dir),
      /metrics\.jsonl" line 1: expected a JSON object, got \[1\]$/,
    );
    await Deno.writeTextFile(join(dir, "metrics.jsonl"), "");
    await Deno.writeTextFile(join(dir, "summary.json"), "[]");
    await assert.rejects(() => readTrial(dir), /summary\.json": expected a JSON object, got \[\]$/);
    await Deno.writeTextFile(join(dir, "config.yaml"), "- 1\n- 2\n");
    await assert.rejects(() => readTrial(dir), /config.yaml": expected a mapping/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
