import assert from "node:assert/strict";
import { DATASET_NAMES, datasetSchema } from "./schema.ts";
import { loadDataset } from "./load.ts";

Deno.test("unknown dataset names and options give one-line errors", async () => {
  await assert.rejects(
    loadDataset("foo", {}, { seed: 0 }),
    {
      message:
        'Unknown dataset "foo": expected one of mnist, fashion-mnist, cifar10, yin-yang, teacher-student, sine, bars',
    },
  );
  await assert.rejects(
    loadDataset("sine", { trainsize: 3 }, { seed: 0 }),
    /^SchemaError: dataset\.trainsize: unknown key/,
  );
  await assert.rejects(
    loadDataset("yin-yang", { train_size: -5 }, { seed: 0 }),
    /dataset\.train_size: expected an integer ≥ 1, got -5/,
  );
  await assert.rejects(loadDataset("sine", { name: "yin-yang" }, { seed: 0 }), /dataset\.name/);
  for (const name of DATASET_NAMES) {
    for (const key of Object.keys(datasetSchema(name))) assert.match(key, /^[a-z][a-z0-9_]*$/);
  }
});

Deno.test("yin-yang through loadDataset: default sizes, one-hot values, Kriener seeds", async () => {
  const d = await loadDataset("yin-yang", {
    name: "yin-yang",
    data_seed: 9876543,
    target_values: [0.1, 1],
  }, { seed: 5 });
  assert.equal(d.train.n, 6000);
  assert.equal(d.validation?.n, 900);
  assert.equal(d.test.n, 900);
  const counts = [0, 0, 0];
  for (const l of d.validation!.labels!) counts[l]!++;
  assert.deepEqual(counts, [311, 300, 289]);
  for (let i = 0; i < 10; i++) {
    const row = Array.from(d.train.y.subarray(3 * i, 3 * i + 3));
    assert.deepEqual(row, [0, 1, 2].map((c) => Math.fround(c === d.train.labels![i] ? 1 : 0.1)));
  }
});

Deno.test("generated datasets are deterministic per seed and differ across seeds", async () => {
  for (const name of ["yin-yang", "teacher-student", "sine"]) {
    const opts = { "train_size": 50, "validation_size": 10, "test_size": 20 };
    const a = await loadDataset(name, opts, { seed: 1 });
    const b = await loadDataset(name, opts, { seed: 1 });
    const c = await loadDataset(name, opts, { seed: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.train.x, c.train.x);
    assert.notDeepEqual(a.train.x, a.test.x);
    assert.notDeepEqual(a.train.x.subarray(0, 10), a.validation!.x.subarray(0, 10));
  }
});

Deno.test("teacher-student options: companion variant standardises each split", async () => {
  const d = await loadDataset("teacher-student", {
    teacher_sizes: [78, 2, 1],
    teacher_activation: "identity",
    input_distribution: "normal",
    standardize: true,
    train_size: 500,
    validation_size: 0,
    test_size: 100,
  }, { seed: 0 });
  assert.equal(d.task, "regression");
  assert.equal(d.validation, undefined);
  assert.equal(d.train.inputDim, 78);
  assert.equal(d.train.targetDim, 1);
  for (const a of [d.train.x, d.train.y, d.test.x, d.test.y]) {
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
    assert.ok(Math.abs(m) < 1e-4 && Math.abs(sd - 1) < 1e-4);
  }
  await assert.rejects(
    loadDataset("teacher-student", { teacher_sizes: [3] }, { seed: 0 }),
    {
      name: "DatasetError",
      message:
        "dataset.teacher_sizes: expected at least two integers ≥ 1 (input size first), got [3]",
    },
  );
});
