/**
 * Checkpoints: `checkpoint:` saves a trial's weights, `init_from:` starts a trial from the saved
 * weights of another sweep's trial, and that trial's id is part of the dependent trial's id.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { expandTrials, runExperiment } from "@plasticity/runner";
import { writeConfig } from "./_cli.ts";

const BASE = `dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.1 }
batch_size: 64
backend: js
metrics: { diagnostics: false }
checkpoint: { every: 1 }
`;

type Weights = Record<string, { data: number[] }>;
const weightsOf = (dir: string) =>
  JSON.parse(Deno.readTextFileSync(join(dir, "weights.json"))) as {
    epoch: number;
    weights: Weights;
  };
const lines = (dir: string) =>
  Deno.readTextFileSync(join(dir, "metrics.jsonl")).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("a trial started from a checkpoint continues where the other stopped", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "ckpt-" });
  const root = join(tmp, "results");
  const pre = writeConfig(tmp, "pre.yaml", `name: pre\nepochs: 2\n${BASE}`);
  const cont = writeConfig(tmp, "cont.yaml", `name: cont\nepochs: 2\ninit_from: pre.yaml\n${BASE}`);
  const full = writeConfig(tmp, "full.yaml", `name: full\nepochs: 4\n${BASE}`);

  // Without the checkpoint on disk, the dependent trial fails and says what to run.
  const early = await runExperiment(cont, { resultsDir: root, progress: "none", jobs: 1 });
  assert.equal(early.trials[0]!.state, "failed");
  assert.match(
    early.trials[0]!.error!,
    /^init_from: no saved weights of trial \w{12} of experiment pre /,
  );

  const [p] = (await runExperiment(pre, { resultsDir: root, progress: "none", jobs: 1 })).trials;
  const c = (await runExperiment(cont, { resultsDir: root, progress: "none", jobs: 1 })).trials[0]!;
  const [f] = (await runExperiment(full, { resultsDir: root, progress: "none", jobs: 1 })).trials;
  assert.equal(c.state, "done", String(c.error));
  assert.equal(weightsOf(p!.dir).epoch, 2, "the last save is the end of training");
  assert.equal(
    c.trial.config.kind === "learner" && JSON.stringify(c.trial.config.init_from),
    JSON.stringify({ experiment: "pre", trial: p!.trial.id }),
  );
  // Epoch 0 of the continuation evaluates the weights the other trial ended with.
  assert.equal(lines(c.dir)[0].test_loss, lines(p!.dir).at(-1).test_loss);
  // 2 + 2 epochs of full-batch descent equal 4 uninterrupted ones (up to the order in which the
  // shuffled rows of the one batch are summed).
  const a = weightsOf(c.dir).weights, b = weightsOf(f!.dir).weights;
  const pw = weightsOf(p!.dir).weights;
  for (const k of Object.keys(b)) {
    a[k]!.data.forEach((v, i) => {
      assert.ok(Math.abs(v - b[k]!.data[i]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${k}[${i}]`);
    });
    assert.ok(a[k]!.data.some((v, i) => v !== pw[k]!.data[i]), `${k} moved after the checkpoint`);
  }

  // The checkpoint's trial is part of the dependent trial's identity.
  const before = (await expandTrials(cont))[0]!.id;
  Deno.writeTextFileSync(pre, Deno.readTextFileSync(pre).replace("lr: 0.1", "lr: 0.05"));
  assert.notEqual((await expandTrials(cont))[0]!.id, before);
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("init_from errors name the key: bad shape, a cycle, several trials per seed", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "ckpt-bad-" });
  const bad = writeConfig(tmp, "bad.yaml", `name: bad\nepochs: 1\ninit_from: [1]\n${BASE}`);
  await assert.rejects(
    () => expandTrials(bad),
    /init_from: expected the path of another experiment config/,
  );
  const loop = writeConfig(
    tmp,
    "loop.yaml",
    `name: loop\nepochs: 1\ninit_from: loop.yaml\n${BASE}`,
  );
  await assert.rejects(() => expandTrials(loop), /init_from: .*starts from itself/);
  writeConfig(
    tmp,
    "grid.yaml",
    `name: grid\nepochs: 1\ngrid: { "optimizer.lr": [0.1, 0.2] }\n${BASE}`,
  );
  const dep = writeConfig(tmp, "dep.yaml", `name: dep\nepochs: 1\ninit_from: grid.yaml\n${BASE}`);
  await assert.rejects(
    () => expandTrials(dep),
    /init_from: "grid\.yaml" has 2 trials with seed 0; expected one/,
  );
  Deno.removeSync(tmp, { recursive: true });
});
