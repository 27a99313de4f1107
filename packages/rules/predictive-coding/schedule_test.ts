// The weight optimiser's learning-rate schedule in pc, pc-bp and pc-nudge, stepped by `endEpoch`
// as the runner calls it: a rate dropped to 0 freezes the weights, a halved rate matches a
// learner built with half the rate (its training step and its one-step diagnostics).
import assert from "node:assert/strict";
import {
  createLearner,
  createRng,
  getLearner,
  instantiateLearner,
  jsBackend as b,
  type Learner,
  resolveLearnerConfig,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import "./learners.ts";

const rng = createRng(11);
const batches: [Tensor, Tensor][] = [0, 1].map(() => [
  b.random(4, 3, () => rng.normal()),
  b.random(4, 2, () => rng.normal()),
]);
const NETWORK = { sizes: [3, 5, 5, 2], activation: "tanh" } as const;
const HYPER: Record<string, Record<string, unknown>> = {
  pc: { T: 8, diag_rows: 4 },
  "pc-bp": { diag_rows: 4 },
  "pc-nudge": { T: 8, nudge: 0.01 },
};

/** One epoch as the runner runs it: every batch, then `endEpoch(epoch)`. */
function epoch(l: Learner, e: number): Record<string, WeightArray> {
  for (const [x, y] of batches) l.trainBatch(x, y);
  l.endEpoch?.(e);
  return l.exportWeights();
}

Deno.test("StepLR γ = 0 after one epoch: pc, pc-bp and pc-nudge stop changing their weights", () => {
  for (const name of ["pc", "pc-bp", "pc-nudge"]) {
    const def = getLearner(name);
    // γ = 0 is outside the section's bounds (γ > 0): resolve with γ = 0.5, then build with 0.
    const sections = resolveLearnerConfig(def, {
      network: NETWORK,
      hyper: HYPER[name]!,
      optimizer: { name: "sgd", lr: 0.01, schedule: { name: "step", step_size: 1, gamma: 0.5 } },
    });
    const config = {
      ...sections,
      optimizer: { ...sections.optimizer!, schedule: { name: "step", step_size: 1, gamma: 0 } },
    } as const;
    const l = instantiateLearner(def, config, b, 0);
    const w0 = l.exportWeights();
    const [w1, w2, w3] = [1, 2, 3].map((e) => epoch(l, e));
    assert.notDeepEqual(w1, w0, name);
    assert.deepEqual(w2, w1, name);
    assert.deepEqual(w3, w1, name);
    l.dispose();
  }
});

Deno.test("StepLR γ = 0.5: epoch 2's step and probe equal a learner's at lr0/2 (pc, pc-bp)", () => {
  const lr0 = 0.02;
  for (const name of ["pc", "pc-bp"]) {
    const make = (optimizer: Record<string, unknown>) =>
      createLearner(name, {
        network: NETWORK,
        hyper: HYPER[name]!,
        optimizer,
        backend: b,
        seed: 2,
      });
    const sched = make({
      name: "sgd",
      lr: lr0,
      schedule: { name: "step", step_size: 1, gamma: 0.5 },
    });
    const w1 = epoch(sched, 1);
    const half = make({ name: "sgd", lr: lr0 / 2 });
    half.importWeights(w1);
    const [x, y] = batches[0]!;
    // The one-step measures (not the energy trace of the last step, which `half` has not taken).
    const probe = (l: Learner) =>
      Object.entries(l.diagnostics(x, y)).filter(([k]) => !k.startsWith("energy_t"));
    assert.deepEqual(probe(sched), probe(half), name);
    assert.ok(probe(sched).some(([k]) => k === "target_alignment"), name);
    sched.trainBatch(x, y);
    half.trainBatch(x, y);
    assert.deepEqual(sched.exportWeights(), half.exportWeights(), name);
    sched.dispose();
    half.dispose();
  }
});
