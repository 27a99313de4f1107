// The optimiser's learning-rate schedule inside the MLP learner, stepped by `endEpoch` as the
// runner calls it: a rate dropped to 0 freezes the weights, a halved rate matches a learner
// built with half the rate.
import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  instantiateLearner,
  jsBackend as b,
  type Learner,
  resolveLearnerConfig,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { bpRule } from "./mod.ts";

const rng = createRng(5);
const batches: [Tensor, Tensor][] = [0, 1].map(() => [
  b.random(4, 3, () => rng.normal()),
  b.random(4, 2, () => rng.normal()),
]);
const NETWORK = { sizes: [3, 5, 2], activation: "tanh" } as const;

/** One epoch as the runner runs it: every batch, then `endEpoch(epoch)`. */
function epoch(l: Learner, e: number): Record<string, WeightArray> {
  for (const [x, y] of batches) l.trainBatch(x, y);
  l.endEpoch?.(e);
  return l.exportWeights();
}

Deno.test("bp with StepLR γ = 0 after one epoch: the weights stop changing after epoch 1", () => {
  // γ = 0 is outside the section's bounds (γ > 0): resolve with γ = 0.5, then build with 0.
  const sections = resolveLearnerConfig(bpRule, {
    network: NETWORK,
    optimizer: { name: "sgd", lr: 0.1, schedule: { name: "step", step_size: 1, gamma: 0.5 } },
  });
  const config = {
    ...sections,
    optimizer: { ...sections.optimizer!, schedule: { name: "step", step_size: 1, gamma: 0 } },
  } as const;
  const l = instantiateLearner(bpRule, config, b, 0);
  const w0 = l.exportWeights();
  const [w1, w2, w3] = [1, 2, 3].map((e) => epoch(l, e));
  assert.notDeepEqual(w1, w0);
  assert.deepEqual(w2, w1);
  assert.deepEqual(w3, w1);
  // Without the schedule, epochs 2 and 3 move the weights.
  const plain = instantiateLearner(
    bpRule,
    { ...sections, optimizer: { name: "sgd", lr: 0.1 } },
    b,
    0,
  );
  const p = [1, 2, 3].map((e) => epoch(plain, e));
  assert.deepEqual(p[0], w1);
  assert.notDeepEqual(p[1], p[0]);
  assert.notDeepEqual(p[2], p[1]);
});

Deno.test("bp with StepLR γ = 0.5: epoch 2's first update is the update of a learner at lr0/2", () => {
  const lr0 = 0.2;
  const make = (optimizer: Record<string, unknown>) =>
    createLearner("bp", { network: NETWORK, optimizer, backend: b, seed: 3 });
  const sched = make({
    name: "sgd",
    lr: lr0,
    schedule: { name: "step", step_size: 1, gamma: 0.5 },
  });
  const w1 = epoch(sched, 1);
  // Same state, built independently: half the rate and no schedule, and the full rate.
  const half = make({ name: "sgd", lr: lr0 / 2 }), full = make({ name: "sgd", lr: lr0 });
  half.importWeights(w1);
  full.importWeights(w1);
  const [x, y] = batches[0]!;
  for (const l of [sched, half, full]) l.trainBatch(x, y);
  const ws = sched.exportWeights(), wh = half.exportWeights(), wf = full.exportWeights();
  assert.deepEqual(ws, wh);
  // The update is half the update at lr0 (up to float32 rounding of the parameters).
  for (const k of Object.keys(w1)) {
    const p = w1[k]!.data;
    ws[k]!.data.forEach((v, i) => {
      const d = v - p[i]!, dFull = wf[k]!.data[i]! - p[i]!;
      assert.ok(Math.abs(d - dFull / 2) <= 1e-6 * Math.max(1, Math.abs(p[i]!)), `${k}[${i}]`);
    });
  }
  assert.ok(Object.keys(w1).some((k) => ws[k]!.data.some((v, i) => v !== w1[k]!.data[i])));
});

Deno.test("createLearner refuses multistep milestones that are not strictly increasing", () => {
  assert.throws(
    () =>
      createLearner("bp", {
        network: NETWORK,
        optimizer: { name: "sgd", lr: 0.1, schedule: { name: "multistep", milestones: [3, 3] } },
        backend: b,
        seed: 0,
      }),
    /^SchemaError: optimizer\.schedule\.milestones: expected strictly increasing integers > 0, got \[3,3\]$/,
  );
});
