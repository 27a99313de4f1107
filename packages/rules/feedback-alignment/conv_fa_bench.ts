// One training step (forward pass, backward pass, SGD update) of two conv nets under bp and fa on
// the blas backend, with synthetic data (a pool of 4 batches cycled, so data creation is not
// timed):
// - BioTorch's LeNet on 1×28×28 MNIST-shaped images (first conv padded by 2), batch 64;
// - the CNN of Song et al. 2024 Fig. 4i on 3×32×32 images (conv 64 and 128 of 3×3 kernels with
//   stride 2 and padding 1, dense 512, 10), batch 200.
// tools/conv_fa_torch.py measures the same steps in PyTorch (one thread).
//   OPENBLAS_NUM_THREADS=1 deno bench -A packages/rules/feedback-alignment/conv_fa_bench.ts
import {
  type Backend,
  createBlasBackend,
  createLearner,
  createRng,
  type Tensor,
} from "@plasticity/core";
import { CONV_BENCH_NETS } from "./_conv_bench_nets.ts";
import "./mod.ts";

function pool(b: Backend, rows: number, cols: number): [Tensor, Tensor][] {
  const rng = createRng(0), out: [Tensor, Tensor][] = [];
  for (let i = 0; i < 4; i++) {
    const x = b.keep(b.random(rows, cols, () => rng.normal()));
    const y = new Float32Array(rows * 10);
    for (let r = 0; r < rows; r++) y[r * 10 + rng.int(10)] = 1;
    out.push([x, b.keep(b.fromArray(y, rows, 10))]);
  }
  return out;
}

let backend: Backend | undefined;
try {
  backend = createBlasBackend();
} catch (e) {
  console.log(`skipping: no blas backend: ${e instanceof Error ? e.message : e}`);
}

if (backend) {
  for (const net of Object.values(CONV_BENCH_NETS)) {
    const [c, h, w] = net.network.input_shape;
    const batches = pool(backend, net.batch, c! * h! * w!);
    for (const rule of ["bp", "fa"]) {
      const learner = createLearner(rule, {
        network: net.network as never,
        loss: { kind: "ce" },
        optimizer: { name: "sgd", lr: 1e-4 },
        backend,
        seed: 0,
      });
      let i = 0;
      Deno.bench({
        name: `${rule} step ${net.name} (blas)`,
        group: net.name,
        baseline: rule === "bp",
        warmup: 3,
        n: 20,
        fn() {
          learner.trainBatch(...batches[i++ % batches.length]!);
        },
      });
    }
  }
}
