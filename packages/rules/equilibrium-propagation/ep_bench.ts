// EP and CSM on MNIST-sized data: 784-500-10, batches of 20, 20 free + 4 nudged steps (the
// repository's MNIST settings); one epoch = 3000 batches (the reference's CPU anchor for EP:
// ≈ 46 s per epoch). Run: OPENBLAS_NUM_THREADS=1 deno bench -A <this file>.
import { createRng, selectBackend, type Tensor } from "@plasticity/core";
import { createCsm, createEp } from "./mod.ts";

const b = await selectBackend("blas");
const rng = createRng(0);
const batches: [Tensor, Tensor][] = [];
for (let i = 0; i < 16; i++) {
  const x = b.random(20, 784, () => (rng.next() < 0.2 ? rng.next() : 0));
  const y = new Float32Array(200);
  for (let r = 0; r < 20; r++) y[r * 10 + rng.int(10)] = 1;
  batches.push([x, b.fromArray(y, 20, 10)]);
}
const network = {
  sizes: [784, 500, 10],
  activation: "hardSigmoid",
  output_activation: "hardSigmoid",
} as const;
for (const [name, create] of [["ep", createEp], ["csm", createCsm]] as const) {
  const net = create({ network, backend: b, seed: 0 });
  let i = 0;
  Deno.bench({
    name: `${name} 784-500-10, one batch of 20 (20 + 4 steps) on ${b.name}; epoch = 3000 batches`,
    n: 100,
    warmup: 5,
    fn() {
      const [x, y] = batches[i++ % batches.length]!;
      net.trainBatch(x, y);
    },
  });
}
