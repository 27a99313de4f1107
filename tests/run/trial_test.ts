// runTrial in process: what the metrics mean, independent of the loss's reduction.
import assert from "node:assert/strict";
import {
  DATASETS,
  expandGrid,
  parseYaml,
  readMetrics,
  readTrial,
  runTrial,
} from "@plasticity/runner";
import "@plasticity/backprop";
import "@plasticity/feedback-alignment";
import { angleFromCos, createLearner, createRng, deriveSeed, jsBackend } from "@plasticity/core";
import { batches, loadDataset } from "@plasticity/datasets";

const ctx = DATASETS;

Deno.test("train_loss is per sample whatever the loss reduction (lr 0: epoch 1 equals epoch 0)", async () => {
  for (const reduction of ["mean", "sum", "meanElements"]) {
    const [t] = expandGrid(
      parseYaml(
        `
name: per-sample
dataset: { name: teacher-student, train_size: 50, validation_size: 0, test_size: 20 }
network: { sizes: [1, 8, 10], activation: tanh }
rule: { name: bp }
optimizer: { name: sgd, lr: 0 }
loss: { kind: mse, reduction: ${reduction} }
epochs: 1
batch_size: 16
seeds: [0]
backend: js
metrics: { every: 1, diagnostics: false, test_batch_size: 20 }
`,
        "t.yaml",
      ),
      ctx,
    );
    const dir = Deno.makeTempDirSync();
    try {
      await runTrial(t!.config, dir);
      const [e0, e1] = readMetrics(dir) as { train_loss: number }[];
      assert.ok(
        Math.abs(e1!.train_loss - e0!.train_loss) < 1e-6 * e0!.train_loss,
        `${reduction}: epoch 1 ${e1!.train_loss} vs epoch 0 ${e0!.train_loss}`,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
});

function oneTrial(yaml: string) {
  const [t] = expandGrid(parseYaml(yaml, "t.yaml"), ctx);
  return t!.config;
}

const BLOWUP = `
name: blowup
dataset: { name: yin-yang, train_size: 600, test_size: 300 }
network: { sizes: [4, 30, 3], activation: tanh }
rule: bp
loss: { kind: ce }
optimizer: { name: adam, lr: 1000 }
epochs: 20
batch_size: 20
backend: js
`;

Deno.test("a cross-entropy Adam run whose loss explodes while staying finite ends diverged", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const out = await runTrial(oneTrial(BLOWUP), dir);
    assert.equal(out.state, "diverged", String(out.error));
    const rows = readMetrics(dir) as { epoch: number; train_loss: number }[];
    const last = rows.at(-1)!;
    // The rule: a loss above 1000 × max(1, its epoch-0 value), here ln 3 ≈ 1.1 < 1 + 0.1.
    assert.ok(Number.isFinite(last.train_loss) && last.train_loss > 1000, `${last.train_loss}`);
    assert.ok(rows.length < 21, "the trial stopped when it diverged");
    assert.match(out.error!, /exceeds 1000 × max\(1, 1\.10\) \(metrics\.diverge_factor\)$/);
    // The same run with a factor above its peak loss runs to the end.
    const lenient = oneTrial(BLOWUP + "metrics: { diverge_factor: 1e9 }\n");
    const dir2 = Deno.makeTempDirSync();
    assert.equal((await runTrial(lenient, dir2)).state, "done");
    Deno.removeSync(dir2, { recursive: true });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const SMALL = `
name: small
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1] }
rule: bp
epochs: 3
backend: js
`;

Deno.test("metrics.jsonl: a half-written last line (a kill mid-write) is skipped by every reader", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await runTrial(oneTrial(SMALL), dir);
    const path = `${dir}/metrics.jsonl`;
    const text = Deno.readTextFileSync(path);
    assert.equal(text.split("\n").length, 5, "four lines, each ended by a newline");
    Deno.writeTextFileSync(path, text + '{"epoch": 4, "train_lo');
    assert.deepEqual(readMetrics(dir).map((r) => r.epoch), [0, 1, 2, 3]);
    assert.deepEqual((await readTrial(dir)).metrics.map((r) => r.epoch), [0, 1, 2, 3]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--force: a rerun that fails keeps the previous complete result", async () => {
  const dir = Deno.makeTempDirSync() + "/exp/0123456789ab";
  try {
    assert.equal((await runTrial(oneTrial(SMALL), dir)).state, "done");
    const before = ["config.yaml", "metrics.jsonl", "summary.json", "status.json"].map((f) =>
      Deno.readTextFileSync(`${dir}/${f}`)
    );
    // A config the dataset does not fit fails when the trial starts.
    const bad = oneTrial(SMALL.replace("[1, 8, 1]", "[2, 8, 1]"));
    const out = await runTrial(bad, dir, { force: true });
    assert.equal(out.state, "failed");
    assert.match(out.error!, /\(the previous result is kept\)$/);
    const after = ["config.yaml", "metrics.jsonl", "summary.json", "status.json"].map((f) =>
      Deno.readTextFileSync(`${dir}/${f}`)
    );
    assert.deepEqual(after, before);
    assert.deepEqual([...Deno.readDirSync(`${dir}/..`)].map((e) => e.name).sort(), [
      ".locks",
      "0123456789ab",
    ]);
    // A rerun that succeeds replaces it.
    const good = await runTrial(oneTrial(SMALL), dir, { force: true });
    assert.equal(good.state, "done");
    assert.notEqual(Deno.readTextFileSync(`${dir}/status.json`), before[3]);
  } finally {
    Deno.removeSync(dir.replace("/exp/0123456789ab", ""), { recursive: true });
  }
});

const FROZEN = `
name: frozen
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1] }
rule: bp
optimizer: { name: sgd, lr: 0 }
batch_size: 16
backend: js
metrics: { diagnostics: false }
`;

Deno.test("batches_per_epoch: an epoch takes the next batches of consecutive shuffled passes", async () => {
  // 64 samples in batches of 16 is 4 batches a pass; 2 epochs of 6 batches are 3 whole passes.
  // With lr 0 a whole pass averages to the epoch-0 training loss, so the two epochs — pass 1
  // and half of pass 2, then the other half and pass 3 — average to it too, while each alone
  // does not (the halves of pass 2 are random).
  const dir = Deno.makeTempDirSync();
  try {
    await runTrial(oneTrial(FROZEN + "epochs: 2\nbatches_per_epoch: 6\n"), dir);
    const [e0, e1, e2] = readMetrics(dir) as { train_loss: number }[];
    const l0 = e0!.train_loss;
    assert.ok(Math.abs((e1!.train_loss + e2!.train_loss) / 2 - l0) < 1e-6 * l0);
    assert.ok(Math.abs(e1!.train_loss - l0) > 1e-4 * l0, "epoch 1 is not one whole pass");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("metrics.every_batches: rows every k batches, with the step and the window's loss", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    await runTrial(
      oneTrial(
        FROZEN.replace("{ diagnostics: false }", "{ diagnostics: false, every_batches: 3 }") +
          "epochs: 3\n",
      ),
      dir,
    );
    const rows = readMetrics(dir) as {
      epoch: number;
      step: number;
      train_loss: number;
      test_loss: number;
    }[];
    // 4 batches an epoch: batch rows at steps 3, 6, 9; epoch rows at 4, 8, 12 (step 12 ends
    // epoch 3, so its batch row is the epoch row).
    assert.deepEqual(rows.map((r) => [r.epoch, r.step]), [[0, 0], [1, 3], [1, 4], [2, 6], [2, 8], [
      3,
      9,
    ], [3, 12]]);
    // lr 0: every test loss is the first; every epoch row's training loss is a whole pass's.
    for (const r of rows) assert.equal(r.test_loss, rows[0]!.test_loss);
    for (const r of rows.filter((r) => r.step % 4 === 0)) {
      assert.ok(Math.abs(r.train_loss - rows[0]!.train_loss) < 1e-6 * rows[0]!.train_loss);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const YY = `
name: protocol
dataset: { name: yin-yang, train_size: 300, test_size: 150 }
rule: bp
optimizer: { name: sgd, lr: 0.1 }
batch_size: 20
epochs: 5
backend: js
metrics: { diagnostics: false }
`;

Deno.test("tasks in a trial: rows name the task trained, test on it, and test every task", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const config = oneTrial(
      YY +
        "network: { sizes: [4, 8, 2] }\ntasks: { classes: [[0], [1, 2]], switch_every: 2, head: 2 }\n",
    );
    assert.equal((await runTrial(config, dir)).state, "done");
    const rows = readMetrics(dir) as Record<string, number>[];
    // Epochs 1–2 train task 0, 3–4 task 1, 5 task 0 again; epoch 0 evaluates task 0.
    assert.deepEqual(rows.map((r) => r.task), [0, 0, 0, 1, 1, 0]);
    for (const r of rows) {
      assert.equal(r.test_accuracy, r[`task${r.task}_test_accuracy`]);
      assert.ok("task0_test_loss" in r && "task1_test_loss" in r);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("drift in a trial: rows count the drifts; a head of the wrong size is refused", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const config = oneTrial(
      YY + "network: { sizes: [4, 8, 3] }\ndrift: { every: 2, classes: [1, 2], per_class: 30 }\n",
    );
    assert.equal((await runTrial(config, dir)).state, "done");
    assert.deepEqual(readMetrics(dir).map((r) => r.drift), [0, 0, 0, 1, 1, 2]);
    const wrong = oneTrial(
      YY +
        "network: { sizes: [4, 8, 3] }\ntasks: { classes: [[0], [1, 2]], switch_every: 2, head: 2 }\n",
    );
    const out = await runTrial(wrong, Deno.makeTempDirSync());
    assert.equal(out.state, "failed");
    assert.equal(
      out.error,
      "network.sizes: last size 3 does not match the 2 targets of tasks.head",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("metrics.top_k: top-k accuracy beside top-1; k = the number of classes is 1", async () => {
  for (const k of [2, 3]) {
    const dir = Deno.makeTempDirSync();
    try {
      const config = oneTrial(
        YY.replace("{ diagnostics: false }", `{ diagnostics: false, top_k: ${k} }`) +
          "network: { sizes: [4, 8, 3] }\n",
      );
      assert.equal((await runTrial(config, dir)).state, "done");
      for (const r of readMetrics(dir) as Record<string, number>[]) {
        const topK = r[`test_top${k}_accuracy`]!;
        assert.ok(topK >= r.test_accuracy!, "top-k is at least top-1");
        if (k === 3) assert.equal(topK, 1, "3 of 3 classes always hold the target");
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
});

Deno.test("metrics.diagnostics_train_batches: alignment averaged over the first training batches, as bioflax", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const config = oneTrial(`
name: bioflax-metrics
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 8, 1], activation: tanh }
rule: fa
optimizer: { name: sgd, lr: 0 }
batch_size: 16
epochs: 1
seed: 3
backend: js
metrics: { diagnostics: true, diagnostics_train_batches: 2 }
`);
    assert.equal((await runTrial(config, dir)).state, "done");
    const [e0, e1] = readMetrics(dir) as Record<string, number>[];
    assert.ok(!("angle_grad_0" in e0!), "no training batch before epoch 1");
    // Independently: the first two batches of epoch 1's shuffle, on a learner of the same seed
    // (lr 0: no update changes it), cosines averaged, then the angle of the mean.
    if (config.kind !== "learner") throw new Error("a learner trial");
    const { name: _rule, ...hyper } = config.rule;
    const learner = createLearner("fa", {
      network: config.network,
      hyper,
      optimizer: config.optimizer!,
      loss: config.loss,
      backend: jsBackend,
      seed: config.seed,
    });
    const data = await loadDataset("sine", config.dataset, { seed: config.seed });
    const it = batches(data.train, 16, jsBackend, {
      rng: createRng(deriveSeed(config.seed, "shuffle")),
    });
    const cos: number[] = [];
    for (let i = 0; i < 2; i++) {
      const [x, y] = it.next().value!;
      cos.push(learner.diagnostics(x, y).cos_grad_0!);
    }
    const mean = (cos[0]! + cos[1]!) / 2;
    assert.ok(Math.abs(e1!.cos_grad_0! - mean) < 1e-12);
    assert.ok(Math.abs(e1!.angle_grad_0! - angleFromCos(mean)) < 1e-9);
    assert.ok("angle_W_BT_0" in e1!, "weight alignment too");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
