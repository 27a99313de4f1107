// One epoch (60 000 samples, batch 64) of a 784-256-10 ReLU/softmax MLP under bp, fa, dfa and kp,
// on the blas and tfjs-wasm backends, with synthetic data (a pool of 16 distinct batches cycled,
// so data creation is not timed). Target: fa, dfa and kp within 1.1× of bp on each backend.
//   OPENBLAS_NUM_THREADS=1 deno bench -A packages/rules/feedback-alignment/fa_bench.ts
// FA_BENCH_SAMPLES=6400 shortens the "epoch" for a quick look at the ratios.
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  type Tensor,
} from "@plasticity/core";
import { loadTfjsBackend } from "@plasticity/tfjs";
import "./mod.ts";

const N = Number(Deno.env.get("FA_BENCH_SAMPLES") ?? 60_000),
  BATCH = 64,
  POOL = 16,
  SIZES = [784, 256, 10];

function pool(b: Backend): [Tensor, Tensor][] {
  const rng = createRng(0), out: [Tensor, Tensor][] = [];
  for (const rows of [...new Array(POOL).fill(BATCH), N % BATCH] as number[]) {
    if (rows === 0) continue;
    const x = b.keep(b.random(rows, SIZES[0]!, () => rng.next()));
    const y = new Float32Array(rows * 10);
    for (let r = 0; r < rows; r++) y[r * 10 + rng.int(10)] = 1;
    out.push([x, b.keep(b.fromArray(y, rows, 10))]);
  }
  return out;
}

const backends: Backend[] = [];
try {
  backends.push(createBlasBackend());
} catch (e) {
  console.log(`skipping blas: ${e instanceof Error ? e.message : e}`);
}
try {
  backends.push(await loadTfjsBackend("wasm"));
} catch (e) {
  console.log(`skipping tfjs-wasm: ${e instanceof Error ? e.message : e}`);
}

for (const backend of backends) {
  const batches = pool(backend), full = Math.floor(N / BATCH);
  for (const rule of ["bp", "fa", "dfa", "kp"]) {
    const learner = createLearner(rule, {
      network: { sizes: SIZES, activation: "relu" },
      loss: { kind: "ce" },
      optimizer: { name: "sgd", lr: 0.02 },
      backend,
      seed: 0,
    });
    Deno.bench({
      name: `${rule} epoch 784-256-10 batch 64 (${backend.name})`,
      group: backend.name,
      baseline: rule === "bp",
      n: 3,
      warmup: 1,
      fn() {
        for (let i = 0; i < full; i++) learner.trainBatch(...batches[i % POOL]!);
        if (batches.length > POOL) learner.trainBatch(...batches[POOL]!);
      },
    });
  }
}
