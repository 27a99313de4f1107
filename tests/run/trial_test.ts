// runTrial in process: what the metrics mean, independent of the loss's reduction.
import assert from "node:assert/strict";
import { DATASETS, expandGrid, parseYaml, readMetrics, runTrial } from "@plasticity/runner";
import "@plasticity/backprop";

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
