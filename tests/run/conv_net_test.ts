// A conv net described in a runner config (network.layers) trains end to end: the config
// resolves (sizes from the layers), the trial runs on MNIST's embedded data and its training
// loss falls; an MLP config's trial id is unchanged by the new keys.
import assert from "node:assert/strict";
import {
  DATASETS,
  expandGrid,
  type LearnerTrialConfig,
  parseYaml,
  readMetrics,
  runTrial,
} from "@plasticity/runner";
import "@plasticity/backprop";

const TINY_LENET = `
name: tiny-lenet
dataset: { name: mnist, normalize: mnist, train_size: 512, validation_size: 0, test_size: 256 }
network:
  input_shape: [1, 28, 28]
  layers:
    - conv: { out: 4, kernel: 5, padding: 2 }
    - pool: { kind: max, size: 2 }
    - conv: { out: 8, kernel: 5 }
    - pool: { kind: avg, size: 2 }
    - flatten
    - dense: 32
    - dense: 10
  activation: relu
rule: bp
optimizer: { name: sgd, lr: 0.05, momentum: 0.9 }
loss: { kind: ce }
epochs: 3
batch_size: 32
seeds: [0]
backend: js
metrics: { every: 1, diagnostics: false, test_batch_size: 256 }
`;

Deno.test("a LeNet-like config trains on MNIST: training loss falls, test accuracy above chance", async () => {
  const [t] = expandGrid(parseYaml(TINY_LENET, "t.yaml"), DATASETS);
  const config = t!.config as LearnerTrialConfig;
  assert.deepEqual(config.network.sizes, [784, 10]);
  assert.deepEqual(config.network.layers?.[4], { type: "flatten" });
  const dir = Deno.makeTempDirSync();
  try {
    const out = await runTrial(config, dir);
    assert.equal(out.state, "done", String(out.error));
    const rows = readMetrics(dir) as { epoch: number; train_loss: number; test_accuracy: number }[];
    assert.deepEqual(rows.map((r) => r.epoch), [0, 1, 2, 3]);
    // ln 10 ≈ 2.30 at chance; three epochs of 16 batches take it well below
    assert.ok(rows[3]!.train_loss < 0.6 * rows[0]!.train_loss, JSON.stringify(rows));
    assert.ok(rows[3]!.test_accuracy > 0.5, `test accuracy ${rows[3]!.test_accuracy}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a conv net config with a layer that does not fit fails with one line naming the layer", () => {
  const bad = TINY_LENET.replace(
    "kernel: 5 }\n    - pool: { kind: avg",
    "kernel: 15 }\n    - pool: { kind: avg",
  );
  assert.throws(
    () => expandGrid(parseYaml(bad, "t.yaml"), DATASETS),
    /network\.layers\[2\]: kernel 15 does not fit the 14×14 image with padding 0: expected kernel ≤ 14/,
  );
  const mlpOnly = TINY_LENET.replace("rule: bp", "rule: ep");
  assert.throws(
    () => expandGrid(parseYaml(mlpOnly, "t.yaml"), DATASETS),
    /network\.layers: rule ep trains multilayer perceptrons only/,
  );
});

Deno.test("an MLP config keeps its trial id", () => {
  // The id this config had before network.layers existed (computed then by the same runner), so
  // MLP results stay where they are.
  const [t] = expandGrid(
    parseYaml(
      `
name: mlp-id
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 8, 1] }
rule: bp
epochs: 3
backend: js
`,
      "t.yaml",
    ),
    DATASETS,
  );
  assert.deepEqual(Object.keys((t!.config as LearnerTrialConfig).network), [
    "sizes",
    "activation",
    "leaky_slope",
    "bias",
  ]);
  assert.equal(t!.id, MLP_ID);
});

const MLP_ID = "e2b19d6ae9cb";
