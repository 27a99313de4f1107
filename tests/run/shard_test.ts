/**
 * `--shard i/N`: N runners started together on one results folder, each on its shard (by flag,
 * or from SLURM's or Kubernetes' array variables), run every trial of the sweep exactly once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readStatus } from "@plasticity/runner";
import { cli, trialDirs, writeConfig } from "./_cli.ts";

const SWEEP = `name: sharded
dataset: { name: sine, train_size: 128, validation_size: 0, test_size: 32 }
network: { sizes: [1, 16, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.05 }
epochs: 40
batch_size: 16
seeds: [0, 1, 2, 3, 4]
backend: js
grid: { "rule.name": [bp, fa] }
`;

Deno.test("N shards on one folder, started together, run every trial exactly once", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "shard-" });
  const config = writeConfig(tmp, "sweep.yaml", SWEEP);
  const root = join(tmp, "results");
  const args = [config, "--jobs", "1", "--progress", "plain"];
  const runs = await Promise.all([
    cli([...args, "--shard", "0/4"], root),
    // SLURM array task 2 of --array=1-4 (ids 1…4): shard 1/4
    cli(args, root, {
      env: { SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "4", SLURM_ARRAY_TASK_MIN: "1" },
    }),
    // a Kubernetes Indexed Job pod: shard 2/4
    cli(args, root, { env: { JOB_COMPLETION_INDEX: "2", PLASTICITY_SHARD_COUNT: "4" } }),
    cli([...args, "--shard", "3/4"], root),
  ]);
  const ran: string[] = [];
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`shard ${i}/4 .*: \\d+ of 10 trials`));
    assert.doesNotMatch(r.stderr, /skipped/);
    for (const line of r.stderr.split("\n")) {
      const m = /\] done (\w+) /.exec(line);
      if (m) ran.push(m[1]!);
    }
  });
  // 10 trials: shards of sizes 3, 3, 2, 2 (by index mod 4), each trial once.
  assert.equal(ran.length, 10, runs.map((r) => r.stderr).join("\n"));
  assert.equal(new Set(ran).size, 10);
  const dirs = trialDirs(join(root, "sharded"));
  assert.equal(dirs.length, 10);
  for (const d of dirs) assert.equal(readStatus(d)?.state, "done");

  const bad = await cli([...args, "--shard", "4/4"], root);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: --shard: expected i\/N with 0 ≤ i < N, got "4\/4"\n$/);
  const noCount = await cli(args, root, { env: { JOB_COMPLETION_INDEX: "1" } });
  assert.equal(noCount.code, 2);
  assert.match(noCount.stderr, /PLASTICITY_SHARD_COUNT/);
  Deno.removeSync(tmp, { recursive: true });
});
