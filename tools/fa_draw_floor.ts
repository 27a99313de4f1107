// The floors of brSF and weight mirroring against backprop, in one process, the parts taking
// turns: per training batch of a 784-256-10 ReLU MLP (batch 64, synthetic data, SGD) it times
//   bp, fa, usf, brsf, wm — a training step each;
//   draw   — brSF's magnitudes of every layer drawn eagerly (fillInit + |·|, 784·256 + 256·10
//            values): what brSF would add if it drew B₀'s magnitudes, which the backward pass never
//            uses, at every update;
//   mirror — wm's mirror phase alone (one step per layer, 64 noise samples, growth control);
//   noise  — the 2·64·(784 + 256) normals of that phase alone (fillNormal);
// and prints each as a median ms per batch, its ratio to bp's (median of the per-round ratios) and,
// for the draws, ns per value.
// Run: OPENBLAS_NUM_THREADS=1 deno run -A tools/fa_draw_floor.ts [--backend blas] [--rounds 15]
import { createLearner, fillInit, fillNormal, Xoshiro128 } from "@plasticity/core";
import { benchSetup, syntheticBatches } from "./_fa_bench_setup.ts";
import type { WeightMirrorLearner } from "@plasticity/feedback-alignment";
import "@plasticity/feedback-alignment";

const { b, rounds } = await benchSetup(15);
const data = syntheticBatches(b);
const make = (rule: string) =>
  createLearner(rule, {
    network: { sizes: [784, 256, 10], activation: "relu" },
    loss: { kind: "ce" },
    optimizer: { name: "sgd", lr: 0.02 },
    backend: b,
    seed: 0,
  });
const BATCHES = 50, src = new Xoshiro128(1);
const shapes = [[784, 256], [256, 10]] as const;
const mags = shapes.map(([r, c]) => new Float32Array(r * c));
const noise = shapes.map(([r]) => new Float32Array(64 * r));
const wm = make("wm") as WeightMirrorLearner;
let i = 0;
const parts: [string, () => void][] = [
  ...["bp", "fa", "usf", "brsf", "wm"].map((rule) => {
    const l = make(rule);
    return [rule, () => l.trainBatch(...data[i++ % 16]!)] as [string, () => void];
  }),
  ["draw", () =>
    shapes.forEach(([r, c], k) => {
      const m = fillInit(mags[k]!, { kind: "lecunNormal" }, r, c, src);
      for (let j = 0; j < m.length; j++) m[j] = Math.abs(m[j]!);
    })],
  ["mirror", () => wm.mirror(1, 64)],
  ["noise", () => noise.forEach((x) => (fillNormal(x, src, 0.1), fillNormal(x, src, 1)))],
];
const ms = parts.map(() => [] as number[]);
for (let round = 0; round <= rounds; round++) {
  parts.forEach(([, fn], p) => {
    const start = performance.now();
    for (let k = 0; k < BATCHES; k++) fn();
    if (round > 0) ms[p]!.push((performance.now() - start) / BATCHES); // round 0 warms up
  });
}
const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q), h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const counts = { draw: 784 * 256 + 256 * 10, noise: 2 * 64 * (784 + 256) } as Record<
  string,
  number
>;
console.log(`backend ${b.name}, ${rounds} rounds of ${BATCHES} batches per part`);
parts.forEach(([name], p) => {
  const t = median(ms[p]!), ratio = median(ms[p]!.map((v, r) => v / ms[0]![r]!));
  const per = counts[name] ? `, ${(t * 1e6 / counts[name]!).toFixed(1)} ns per value` : "";
  console.log(`${name.padEnd(6)} ${t.toFixed(3)} ms per batch, ×${ratio.toFixed(3)} BP${per}`);
});
