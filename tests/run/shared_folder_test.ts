/**
 * Two runners on one results folder: a runner leaves the trials another process holds for later
 * and runs the free ones first, instead of waiting on the held trial.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { expandTrials, lockTrial, readStatus, runExperiment } from "@plasticity/runner";
import { writeConfig } from "./_cli.ts";

const CONFIG = `name: shared
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.1 }
epochs: 2
batch_size: 64
backend: js
metrics: { diagnostics: false }
seeds: [0, 1, 2]
`;

Deno.test("a runner runs the free trials before one another process holds, then that one", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "shared-folder-" });
  const root = join(tmp, "results");
  const config = writeConfig(tmp, "shared.yaml", CONFIG);
  const trials = await expandTrials(config);
  const dirs = trials.map((t) => join(root, "shared", t.id));
  // This process stands in for another runner working on the first trial.
  const held = (await lockTrial(dirs[0]!))!;
  const run = runExperiment(config, { resultsDir: root, progress: "none", jobs: 1 });
  // The other two finish while the first is still held (the runner does not wait on it).
  const deadline = Date.now() + 60_000;
  while (!dirs.slice(1).every((d) => readStatus(d)?.state === "done")) {
    assert.ok(Date.now() < deadline, "the free trials did not finish while the first was held");
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(readStatus(dirs[0]!), undefined, "the held trial was not started");
  held.release();
  const report = await run;
  assert.deepEqual(report.trials.map((t) => t.state), ["done", "done", "done"]);
  const started = (d: string) => Date.parse(readStatus(d)!.started!);
  const finished = (d: string) => Date.parse(readStatus(d)!.finished!);
  assert.ok(started(dirs[0]!) >= Math.max(finished(dirs[1]!), finished(dirs[2]!)));
  Deno.removeSync(tmp, { recursive: true });
});
