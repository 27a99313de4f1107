// The optimiser's learning-rate schedule in fa, dfa and kp (the MLP learner of backprop, whose
// `endEpoch` advances it): a rate dropped to 0 freezes every learned matrix, Kolen–Pollack's B
// included.
import assert from "node:assert/strict";
import {
  createRng,
  getLearner,
  instantiateLearner,
  jsBackend as b,
  type Learner,
  resolveLearnerConfig,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import "./mod.ts";

const rng = createRng(7);
const batches: [Tensor, Tensor][] = [0, 1].map(() => [
  b.random(4, 3, () => rng.normal()),
  b.random(4, 2, () => rng.normal()),
]);

/** One epoch as the runner runs it: every batch, then `endEpoch(epoch)`. */
function epoch(l: Learner, e: number): Record<string, WeightArray> {
  for (const [x, y] of batches) l.trainBatch(x, y);
  l.endEpoch?.(e);
  return l.exportWeights();
}

Deno.test("MultiStepLR γ = 0 at epoch 1: fa, dfa and kp stop changing their matrices", () => {
  for (const name of ["fa", "dfa", "kp"]) {
    const def = getLearner(name);
    // γ = 0 is outside the section's bounds (γ > 0): resolve with γ = 0.5, then build with 0.
    const sections = resolveLearnerConfig(def, {
      network: { sizes: [3, 5, 5, 2], activation: "tanh" },
      optimizer: { name: "adam", lr: 0.01, schedule: { name: "multistep", milestones: [1] } },
    });
    const config = {
      ...sections,
      optimizer: {
        ...sections.optimizer!,
        schedule: { name: "multistep", milestones: [1], gamma: 0 },
      },
    } as const;
    const l = instantiateLearner(def, config, b, 0);
    const w0 = l.exportWeights();
    const [w1, w2, w3] = [1, 2, 3].map((e) => epoch(l, e));
    assert.notDeepEqual(w1!.W0, w0.W0, name);
    if (name === "kp") assert.notDeepEqual(w1!.B0, w0.B0, name);
    assert.deepEqual(w2, w1, name);
    assert.deepEqual(w3, w1, name);
    l.dispose();
  }
});
