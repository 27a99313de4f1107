// Paired speed ratios of the feedback-alignment family (FA, DFA, KP, the sign-symmetry rules and
// weight mirroring) against backprop (target: at most 1.1×): the rules take turns, 100 batches each, for `--rounds` rounds, so a change in machine load hits them all
// alike; prints each rule's median time per 100 batches and the median of its per-round ratio to
// BP's. 784-256-10 ReLU, softmax CE, SGD, batch 64, synthetic data (16 batches cycled).
// Run: OPENBLAS_NUM_THREADS=1 deno run -A tools/fa_paired.ts [--backend blas] [--rounds 25]
//      [--rules bp,fa,dfa,kp,usf,frsf,brsf,wm]
import { createLearner } from "@plasticity/core";
import { benchSetup, syntheticBatches } from "./_fa_bench_setup.ts";
import "@plasticity/feedback-alignment";

const { b, rounds, values } = await benchSetup(25, {
  rules: { type: "string", default: "bp,fa,dfa,kp,usf,frsf,brsf,wm" },
});
const data = syntheticBatches(b);
// BP first: every ratio is to its time in the same round.
const rules = ["bp", ...values.rules!.split(",").filter((r) => r !== "bp")];
const learners = rules.map((rule) =>
  createLearner(rule, {
    network: { sizes: [784, 256, 10], activation: "relu" },
    loss: { kind: "ce" },
    optimizer: { name: "sgd", lr: 0.02 },
    backend: b,
    seed: 0,
  })
);
const ms = rules.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  learners.forEach((learner, r) => {
    const start = performance.now();
    for (let i = 0; i < 100; i++) learner.trainBatch(...data[i % 16]!);
    ms[r]!.push(performance.now() - start);
  });
}
const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
console.log(`backend ${b.name}, ${rounds} rounds of 100 batches per rule`);
rules.forEach((rule, r) => {
  const ratio = median(ms[r]!.map((t, i) => t / ms[0]![i]!));
  console.log(
    `${rule.padEnd(4)} ${median(ms[r]!).toFixed(1)} ms / 100 batches, ×${ratio.toFixed(3)} BP`,
  );
});
