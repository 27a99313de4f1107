// Angle check: CorInfoMax's forward–backward angle Θ⁽²⁾ = ∠(Wff₁, Wfb₁ᵀ) over the first
// batches of training on MNIST (784-500-10, batch 20, the reference defaults), printed every
// `--every` batches up to `--batches`.
// Run: OPENBLAS_NUM_THREADS=1 deno run -A tools/corinfomax_angle.ts [--batches 1000] [--every 100]
import { parseArgs } from "node:util";
import { createRng, deriveSeed } from "@plasticity/core";
import { batches, loadDataset } from "@plasticity/datasets";
import { createCorInfoMax } from "@plasticity/corinfomax";
import { parseBackendFlag, selectEnvBackend } from "@plasticity/runner/backend-env";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "1000" },
    every: { type: "string", default: "100" },
    seed: { type: "string", default: "0" },
    backend: { type: "string", default: "auto" },
  },
});
const total = Number(values.batches), every = Number(values.every), seed = Number(values.seed);
for (const [k, v] of [["batches", total], ["every", every], ["seed", seed]] as const) {
  if (!Number.isInteger(v) || v < 0) {
    throw new Error(`Invalid --${k} ${JSON.stringify(values[k])}: expected a whole number`);
  }
}
const b = await selectEnvBackend(parseBackendFlag(values.backend));
const data = await loadDataset("mnist", { normalize: "unit" }, { seed });
const net = createCorInfoMax({
  network: { sizes: [784, 500, 10], activation: "hardSigmoid", output_activation: "hardSigmoid" },
  backend: b,
  seed,
});
const angle = () => net.diagnostics().angle_ff_fb_2!;
console.log(`batch 0: angle_ff_fb_2 ${angle().toFixed(2)}°`);
let n = 0;
const rng = createRng(deriveSeed(seed, "shuffle"));
while (n < total) {
  for (const [x, y] of batches(data.train, 20, b, { rng })) {
    net.trainBatch(x, y);
    b.dispose(x, y);
    if (++n % every === 0) console.log(`batch ${n}: angle_ff_fb_2 ${angle().toFixed(2)}°`);
    if (n >= total) break;
  }
}
