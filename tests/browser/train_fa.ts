// Entry of the browser test: trains feedback alignment on the js backend for a few steps and
// leaves the losses on `globalThis` for the page's evaluator. Bundled with `deno bundle
// --platform browser`; nothing here may need Deno.
import { createLearner, createRng, jsBackend as b } from "@plasticity/core";
import "@plasticity/feedback-alignment";

const rng = createRng(7);
const x = b.random(64, 4, () => rng.normal());
// A fixed linear teacher plus tanh: the 4-16-2 student can fit it.
const teacher = [0.5, -1, 0.25, 0.75, -0.5, 1, 0.3, -0.2];
const xd = b.read(x), yd = new Float32Array(64 * 2);
for (let i = 0; i < 64; i++) {
  for (let j = 0; j < 2; j++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += xd[i * 4 + k]! * teacher[k * 2 + j]!;
    yd[i * 2 + j] = Math.tanh(s);
  }
}
const y = b.fromArray(yd, 64, 2);
const learner = createLearner("fa", {
  network: { sizes: [4, 16, 2], activation: "tanh" },
  optimizer: { name: "sgd", lr: 0.1 },
  backend: b,
  seed: 3,
});
const losses: number[] = [];
for (let step = 0; step < 200; step++) losses.push(learner.trainBatch(x, y).loss);
(globalThis as { plasticityResult?: unknown }).plasticityResult = {
  first: losses[0],
  last: losses[losses.length - 1],
  hasDeno: typeof (globalThis as { Deno?: unknown }).Deno !== "undefined",
};
