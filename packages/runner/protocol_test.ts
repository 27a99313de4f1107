import assert from "node:assert/strict";
import type { Split } from "@plasticity/datasets";
import { driftProtocol, resolveDrift, resolveTasks, taskProtocol } from "./protocol.ts";

/** n samples per class of `classes` classes; each input is the sample's original label. */
function split(classes: number, n: number): Split {
  const labels = new Int32Array(classes * n).map((_, i) => i % classes);
  const y = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => y[i * classes + l] = 1);
  return {
    x: Float32Array.from(labels),
    y,
    labels,
    n: labels.length,
    inputDim: 1,
    targetDim: classes,
  };
}

Deno.test("tasks: the task switches every switch_every epochs, cyclically, labels mod head", () => {
  const full = { train: split(10, 3), test: split(10, 2) };
  const at = taskProtocol(
    {
      classes: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]],
      switch_every: 4,
      head: 5,
      shuffle_labels: false,
    },
    full,
    [0, 1],
    7,
  );
  assert.deepEqual([0, 3, 4, 7, 8, 12].map((e) => at(e).marks.task), [0, 0, 1, 1, 0, 1]);
  for (const task of [0, 1]) {
    const p = at(task * 4);
    assert.equal(p.train.n, 15);
    assert.equal(p.test.n, 10);
    p.train.labels!.forEach((l, i) => {
      const original = p.train.x[i]!;
      assert.equal(Math.floor(original / 5), task, "only the task's classes");
      assert.equal(l, original % 5, "label mod head");
      assert.equal(p.train.y[i * 5 + l], 1);
    });
    assert.deepEqual(Object.keys(p.tests), ["task0", "task1"]);
  }
  // shuffle_labels: one permutation per seed maps each class to a unit; the same seed, the same.
  const shuffled = (seed: number) =>
    taskProtocol(
      {
        classes: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]],
        switch_every: 1,
        head: 5,
        shuffle_labels: true,
      },
      full,
      [0, 1],
      seed,
    );
  const units = (seed: number) => [0, 1].flatMap((t) => [...shuffled(seed)(t).train.labels!]);
  assert.deepEqual(units(3), units(3));
  assert.ok([1, 2, 4, 5].some((s) => units(s).join() !== units(3).join()), "seeds differ");
});

Deno.test("drift: every `every` epochs only the chosen classes' labels are permuted", () => {
  const full = { train: split(4, 5), test: split(4, 3) };
  const at = driftProtocol({ every: 2, classes: [2, 3], per_class: 4, test_per_class: -1 }, full, [
    -1,
    1,
  ], 11);
  assert.equal(at(0), at(1), "no change between drifts");
  const start = at(0);
  assert.equal(start.marks.drift, 0);
  start.train.labels!.forEach(
    (l, i) => assert.equal(l, start.train.x[i]!),
    "the start permutes nothing",
  );
  assert.equal(start.train.n, 16, "per_class samples of each class");
  let swapped = 0;
  for (let d = 1; d <= 8; d++) {
    const p = at(2 * d);
    assert.equal(p.marks.drift, d);
    const map = new Map<number, number>();
    p.train.labels!.forEach((l, i) => {
      const original = p.train.x[i]!;
      if (original < 2) assert.equal(l, original, "classes not chosen keep their labels");
      else {
        assert.ok(l === 2 || l === 3, "chosen classes map among themselves");
        if (map.has(original)) assert.equal(map.get(original), l, "one label per class");
        map.set(original, l);
      }
      assert.equal(p.train.y[i * 4 + l], 1);
      assert.equal(
        p.train.y.subarray(i * 4, i * 4 + 4).filter((v) => v === -1).length,
        3,
        "±1 targets",
      );
    });
    assert.notEqual(map.get(2), map.get(3), "a bijection");
    if (map.get(2) === 3) swapped++;
  }
  assert.ok(
    swapped > 0 && swapped < 8,
    `fresh permutations at each drift (${swapped} of 8 swapped)`,
  );
});

Deno.test("tasks and drift sections: one-line errors naming the key", () => {
  assert.throws(
    () => resolveTasks({ classes: [[0], []], switch_every: 1, head: 1 }),
    /^SchemaError: tasks\.classes: expected a list of non-empty lists/,
  );
  assert.throws(
    () => resolveTasks({ classes: [[0]], switch_every: 0, head: 1 }),
    /tasks\.switch_every/,
  );
  assert.throws(() => resolveDrift({ every: 2, classes: [1], per_class: -2 }), /drift\.per_class/);
});
