// Our side of the PC epoch benchmark beside the original PCTrainer code
// (`../shared/bench-ref/perf_ref_pc.py`, same network, data and settings): 784-W-W-10 sigmoid, no
// bias, xavier-uniform, PC T inference steps (γ 0.1, decay 0.5, weights at the last step, SGD),
// summed ½-squared error, inputs U[0, 1], random one-hot targets, an epoch of --samples in batches
// of --batch after a few untimed warm-up batches. Prints one JSON line like the reference.
//   OPENBLAS_NUM_THREADS=1 deno run -A tools/pc_epoch.ts --width 32 --T 64 --samples 6400
import { parseArgs } from "node:util";
import { type BackendName, createRng, selectBackend } from "@plasticity/core";
import { DEFAULT_PC_CONFIG, PCNetwork } from "@plasticity/predictive-coding";

const { values: v } = parseArgs({
  args: Deno.args,
  options: {
    width: { type: "string", default: "32" },
    T: { type: "string", default: "64" },
    batch: { type: "string", default: "64" },
    samples: { type: "string", default: "60000" },
    lr: { type: "string", default: "0.005" },
    warm: { type: "string", default: "3" },
    backend: { type: "string", default: "blas" },
  },
});
const width = Number(v.width), T = Number(v.T), batch = Number(v.batch);
const samples = Number(v.samples), warm = Number(v.warm);
const b = await selectBackend(v.backend as BackendName, { log: () => {} });
const rng = createRng(0);
const batches = Array.from({ length: Math.ceil(samples / batch) }, (_, i) => {
  const m = Math.min(batch, samples - i * batch);
  const x = b.random(m, 784, () => rng.next());
  const y = new Float32Array(m * 10);
  for (let r = 0; r < m; r++) y[r * 10 + Math.floor(rng.next() * 10)] = 1;
  return [x, b.fromArray(y, m, 10)] as const;
});
const make = () =>
  new PCNetwork({
    network: {
      sizes: [784, width, width, 10],
      activation: "sigmoid",
      output_activation: "identity",
      bias: false,
      init: { kind: "xavierUniform", gain: 1 },
    },
    config: { ...DEFAULT_PC_CONFIG, mode: "pc", T, gamma: 0.1, decay: 0.5 },
    optimizer: { name: "sgd", lr: Number(v.lr) },
    backend: b,
    seed: 0,
  });
const warmNet = make();
for (let i = 0; i < warm; i++) {
  warmNet.step(batches[i % batches.length]![0], batches[i % batches.length]![1]);
}
const net = make();
const t0 = performance.now();
let first = NaN, last = NaN;
for (const [i, [x, y]] of batches.entries()) {
  const loss = net.step(x, y).loss;
  if (i === 0) first = loss;
  last = loss;
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  seconds,
  ms_per_batch: (1000 * seconds) / batches.length,
  first_loss: first,
  last_loss: last,
  backend: b.name,
}));
