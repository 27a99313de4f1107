// A PC epoch against a BP epoch of the same network (the paper's Fig. 3f–h setting: 784-64×14-10
// LeakyReLU, no bias, 600 images in batches of 60, T = 128). Target: PC ≤ T/2 × BP. On the slow
// `js` backend the "epoch" is cut to 2 batches (120 images) to keep the run short.
//   OPENBLAS_NUM_THREADS=1 deno bench -A packages/rules/predictive-coding/pc_bench.ts
import { type Backend, createRng, jsBackend, selectBackend, type Tensor } from "@plasticity/core";
import { PCNetwork } from "./network.ts";
import { DEFAULT_PC_CONFIG, type PCMode } from "./settings.ts";

const SIZES = [784, ...new Array<number>(14).fill(64), 10];
const BATCH = 60, T = 128;

function setup(backend: Backend, mode: PCMode, batches: number) {
  const rng = createRng(0);
  const data: [Tensor, Tensor][] = [];
  for (let i = 0; i < batches; i++) {
    const x = backend.random(BATCH, 784, () => rng.next());
    const y = backend.fromArray(
      Array.from(
        { length: BATCH * 10 },
        (_, j) => (j % 10 === (i + Math.floor(j / 10)) % 10 ? 1 : 0),
      ),
      BATCH,
      10,
    );
    data.push([x, y]);
  }
  const net = new PCNetwork({
    network: { sizes: SIZES, activation: "leakyRelu", bias: false, init: { kind: "xavierNormal" } },
    config: { ...DEFAULT_PC_CONFIG, mode, T, gamma: 0.1, decay: 0.5 },
    optimizer: { name: "sgd", lr: mode === "pc" ? 0.5 : 0.005 },
    backend,
    seed: 0,
  });
  return () => {
    for (const [x, y] of data) net.step(x, y);
  };
}

const blas = await selectBackend("blas", { log: () => {} });
for (const backend of blas.name === "blas" ? [jsBackend, blas] : [jsBackend]) {
  const batches = backend.name === "js" ? 2 : 10,
    what = `${batches * BATCH} images, ${backend.name}`;
  const bp = setup(backend, "bp", batches), pc = setup(backend, "pc", batches);
  const group = `epoch-${backend.name}`;
  Deno.bench({ name: `BP epoch (${what})`, group, baseline: true, fn: bp });
  Deno.bench({ name: `PC epoch, T = ${T} (${what})`, group, n: 3, warmup: 1, fn: pc });
}
