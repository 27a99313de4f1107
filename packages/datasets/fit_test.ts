import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  jsBackend as b,
  type Learner,
  lossValue,
  type Tensor,
} from "@plasticity/core";
import "@plasticity/backprop";
import { evaluate, fit } from "./fit.ts";
import type { Split } from "./types.ts";

/** 5 samples, 2 inputs, 3 one-hot classes. */
const SPLIT: Split = {
  x: Float32Array.of(1, 0, 0, 1, 1, 1, -1, 0, 0, -1),
  y: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0),
  labels: Int32Array.of(0, 1, 2, 0, 1),
  n: 5,
  inputDim: 2,
  targetDim: 3,
};

/** A learner whose prediction is x·M for a fixed M, recording what it was trained on. */
function fixed(seen: number[][] = []): Learner {
  const m = b.fromArray([2, 0, 1, 0, 2, 1], 2, 3);
  return {
    trainBatch(x: Tensor) {
      seen.push(Array.from(b.read(x)));
      return { loss: x.rows };
    },
    predict: (x: Tensor) => b.matmul(x, m),
    diagnostics: () => ({}),
    exportWeights: () => ({}),
    importWeights: () => {},
    dispose: () => {},
  } as unknown as Learner;
}

Deno.test("evaluate: the summed loss over every sample per sample, accuracy by argmax", () => {
  // Outputs: (2,0,1), (0,2,1), (2,2,2), (-2,0,-1), (0,-2,-1); argmax 0, 1, 0 (tie), 1, 0.
  const out = b.fromArray([2, 0, 1, 0, 2, 1, 2, 2, 2, -2, 0, -1, 0, -2, -1], 5, 3);
  const want =
    lossValue(b, { kind: "mse", half: true, reduction: "sum" }, out, b.fromArray(SPLIT.y, 5, 3)) /
    5;
  for (const batchSize of [1, 2, 5]) {
    const e = evaluate(fixed(), SPLIT, { backend: b, loss: { kind: "mse" }, batchSize, topK: 2 });
    assert.ok(Math.abs(e.loss - want) < 1e-6, `batch ${batchSize}: ${e.loss} vs ${want}`);
    // Correct: sample 0 (0), sample 1 (1); sample 2's tie goes to 0 ≠ 2; 3 → 1 ≠ 0; 4 → 0 ≠ 1.
    assert.equal(e.accuracy, 2 / 5);
    assert.ok(e.topK! >= e.accuracy!);
  }
  const { labels: _, ...unlabelled } = SPLIT;
  const regression = evaluate(fixed(), unlabelled, {
    backend: b,
    loss: { kind: "mse" },
  });
  assert.equal(regression.accuracy, undefined);
});

Deno.test("fit: every sample once per epoch, a fresh order each epoch, reproducible by seed", () => {
  const run = (seed: number) => {
    const seen: number[][] = [];
    const losses = fit(fixed(seen), SPLIT, {
      backend: b,
      epochs: 3,
      batchSize: 2,
      rng: createRng(seed),
    });
    return { seen, losses };
  };
  const a = run(4), again = run(4), other = run(5);
  assert.deepEqual(a, again);
  assert.notDeepEqual(a.seen, other.seen);
  assert.equal(a.seen.length, 3 * 3); // batches of 2, 2, 1
  assert.deepEqual(a.losses, [5 / 3, 5 / 3, 5 / 3]); // mean of the batch sizes 2, 2, 1
  const rows = (epoch: number) =>
    a.seen.slice(epoch * 3, epoch * 3 + 3).flatMap((x) => {
      const r: string[] = [];
      for (let i = 0; i < x.length; i += 2) r.push(`${x[i]},${x[i + 1]}`);
      return r;
    });
  const all = Array.from({ length: 5 }, (_, i) => `${SPLIT.x[2 * i]},${SPLIT.x[2 * i + 1]}`).sort();
  for (let e = 0; e < 3; e++) assert.deepEqual(rows(e).sort(), all);
  assert.notDeepEqual(rows(0), rows(1));
  assert.throws(
    () => fit(fixed(), SPLIT, { backend: b, epochs: -1, batchSize: 2, rng: createRng(0) }),
    /Invalid epochs/,
  );
});

Deno.test("fit then evaluate: BP learns a separable problem", () => {
  const learner = createLearner("bp", {
    network: { sizes: [2, 8, 3], activation: "tanh" },
    optimizer: { name: "sgd", lr: 0.2 },
    loss: "ce",
    backend: b,
    seed: 1,
  });
  const before = evaluate(learner, SPLIT, { backend: b, loss: { kind: "ce" } });
  fit(learner, SPLIT, { backend: b, epochs: 200, batchSize: 5, rng: createRng(2) });
  const after = evaluate(learner, SPLIT, { backend: b, loss: { kind: "ce" } });
  assert.ok(after.loss < 0.2 * before.loss, `${before.loss} → ${after.loss}`);
  assert.equal(after.accuracy, 1);
});
