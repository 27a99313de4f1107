// Speed target: one CorInfoMax training epoch on MNIST-sized data — 3000 batches of 20,
// 784-500-10, 30 free + 10 nudged iterations — in ≤ 60 s on the blas backend (the reference's
// anchor: ≈ 123 s on one CPU thread, ≈ 177 s on a GPU). Each bench iteration is one batch, so
// one epoch ≈ 3000 × the reported time. Run: OPENBLAS_NUM_THREADS=1 deno bench -A <this file>.
import { createRng, selectBackend, type Tensor } from "@plasticity/core";
import { createCorInfoMax } from "./mod.ts";

const b = await selectBackend("blas");
const rng = createRng(0);
const batches: [Tensor, Tensor][] = [];
for (let i = 0; i < 16; i++) {
  // MNIST-like inputs (about a fifth of the pixels on) and one-hot targets.
  const x = b.random(20, 784, () => (rng.next() < 0.2 ? rng.next() : 0));
  const y = new Float32Array(200);
  for (let r = 0; r < 20; r++) y[r * 10 + rng.int(10)] = 1;
  batches.push([x, b.fromArray(y, 20, 10)]);
}
const net = createCorInfoMax({
  network: { sizes: [784, 500, 10], activation: "hardSigmoid", output_activation: "hardSigmoid" },
  backend: b,
  seed: 0,
});
let i = 0;
Deno.bench({
  name:
    `corinfomax 784-500-10, one batch of 20 (30 + 10 iterations) on ${b.name}; epoch = 3000 batches`,
  n: 300,
  warmup: 5,
  fn() {
    const [x, y] = batches[i++ % batches.length]!;
    net.trainBatch(x, y);
  },
});
