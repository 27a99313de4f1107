// The webgpu backend against blas on the same machine, in the same run (medians):
//  (a) an MLP epoch, 784-256-10 ReLU/softmax, batch 64, bp;
//  (b) a PC epoch, 784-256-256-10, batch 256, T = 20;
//  (c) a square matrix product, reported as GFLOPS from the median.
// By default the sizes suit a software adapter (an "epoch" of 640 samples for the MLP and 512 for
// PC, 512² products); WEBGPU_BENCH_FULL=1 runs full 60 000-sample epochs and 4096² products (for
// a real GPU).
//   OPENBLAS_NUM_THREADS=1 deno bench -A packages/webgpu/webgpu_bench.ts
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  type Tensor,
} from "@plasticity/core";
import "@plasticity/backprop";
import "@plasticity/predictive-coding";
import { createWebgpuBackend } from "./mod.ts";

const FULL = Deno.env.get("WEBGPU_BENCH_FULL") === "1";
const MLP_SAMPLES = FULL ? 60_000 : 640, PC_SAMPLES = FULL ? 60_000 : 512, N = FULL ? 4096 : 512;

function batches(b: Backend, rows: number, inputs: number, count: number): [Tensor, Tensor][] {
  const rng = createRng(0), out: [Tensor, Tensor][] = [];
  for (let i = 0; i < count; i++) {
    const x = b.keep(b.random(rows, inputs, () => rng.next()));
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
const gpu = await createWebgpuBackend();
console.log(
  `webgpu adapter: ${gpu.adapter.description} (software: ${gpu.adapter.isFallbackAdapter})`,
);
backends.push(gpu);

for (const b of backends) {
  const mlp = createLearner("bp", {
    network: { sizes: [784, 256, 10], activation: "relu" },
    loss: { kind: "ce" },
    optimizer: { name: "sgd", lr: 0.02 },
    backend: b,
    seed: 0,
  });
  const small = batches(b, 64, 784, 16);
  Deno.bench({
    name: `(a) bp epoch 784-256-10 batch 64, ${MLP_SAMPLES} samples (${b.name})`,
    group: "mlp",
    baseline: b.name === "blas",
    n: 3,
    warmup: 1,
    fn() {
      for (let i = 0; i < MLP_SAMPLES / 64; i++) mlp.trainBatch(...small[i % 16]!);
      // the epoch ends when its results are on the host
      b.read(mlp.predict(small[0]![0]));
    },
  });
  const pc = createLearner("pc", {
    network: { sizes: [784, 256, 256, 10], activation: "relu" },
    optimizer: { name: "sgd", lr: 0.01 },
    hyper: { T: 20, gamma: 0.1 },
    backend: b,
    seed: 0,
  });
  const big = batches(b, 256, 784, 4);
  Deno.bench({
    name: `(b) pc epoch 784-256-256-10 batch 256 T 20, ${PC_SAMPLES} samples (${b.name})`,
    group: "pc",
    baseline: b.name === "blas",
    n: 2,
    warmup: 1,
    fn() {
      for (let i = 0; i < PC_SAMPLES / 256; i++) pc.trainBatch(...big[i % 4]!);
      b.read(pc.predict(big[0]![0]));
    },
  });
  const rng = createRng(1);
  const x = b.keep(b.random(N, N, () => rng.next())), y = b.keep(b.random(N, N, () => rng.next()));
  Deno.bench({
    name: `(c) matmul ${N}² (${b.name}); GFLOPS = ${(2 * N ** 3 / 1e9).toFixed(2)} / median s`,
    group: "matmul",
    baseline: b.name === "blas",
    n: 5,
    warmup: 1,
    fn() {
      const z = b.matmul(x, y);
      b.sumAll(z); // waits for the product on the GPU
      b.dispose(z);
    },
  });
}
