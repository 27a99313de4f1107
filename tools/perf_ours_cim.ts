// Our side of the CorInfoMax / EP / PC-Nudge batch benchmark beside the Supervised-CorInfoMax
// repository's own classes (`../shared/bench-ref/perf_ref_cim.py`, same networks, settings and
// data): 784-500-10, batches of 20 with inputs U[0, 1] and random one-hot targets, a few untimed
// warm-up batches on a throw-away learner, then --batches timed batches on a fresh one. Settings:
//   corinfomax  the rule's defaults (the repository's best MNIST setting: λ 0.99999, ε 0.15, g 0.5,
//               η 0.05 constant, T 30 + 10, μ_ff [1.0, 0.7], μ_fb [0.15, 0.15], |β| 1 random sign),
//               hard sigmoid on both layers;
//   ep          the rule's defaults (lr [0.1, 0.05], η 0.5, T 20 + 4, |β| 1 random sign), hard
//               sigmoid;
//   pcnudge     ReLU hidden layer, linear output, Kaiming-uniform weights, 50 inference steps at
//               γ 0.1, λ_w 1e-3 without a random sign, SGD 1e-3.
// Prints one JSON line like the reference, with the process's CPU time per timed batch
// (cpu_ms_per_batch: user + system over the timed loop, less sensitive than the wall time to
// other jobs taking turns on the cores). With --check DIR (pcnudge only) it starts from the
// initial weights and runs the batches that `perf_ref_cim.py --model pcnudge --dump DIR` wrote, and
// prints the largest relative difference between the final weights and the reference's.
//   OPENBLAS_NUM_THREADS=1 deno run -A tools/perf_ours_cim.ts --model corinfomax --batches 300
import process from "node:process";
import { parseArgs } from "node:util";
import { type BackendName, createRng, type Learner, selectBackend } from "@plasticity/core";
import { createCorInfoMax } from "@plasticity/corinfomax";
import { createEp } from "@plasticity/equilibrium-propagation";
import { createPcNudge } from "@plasticity/predictive-coding";

const { values: v } = parseArgs({
  args: Deno.args,
  options: {
    model: { type: "string", default: "corinfomax" },
    batches: { type: "string", default: "300" },
    warm: { type: "string", default: "3" },
    backend: { type: "string", default: "blas" },
    check: { type: "string" },
  },
});
const model = v.model!, warm = Number(v.warm);
if (!["corinfomax", "ep", "pcnudge"].includes(model)) {
  throw new Error(`Unknown model ${JSON.stringify(model)}: expected corinfomax, ep or pcnudge`);
}
if (v.check !== undefined && model !== "pcnudge") {
  throw new Error("--check needs --model pcnudge");
}
const b = await selectBackend(v.backend as BackendName, { log: () => {} });
const m = 20, n0 = 784, nOut = 10;

function readF32(path: string): Float32Array {
  const bytes = Deno.readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

let batches: [ReturnType<typeof b.fromArray>, ReturnType<typeof b.fromArray>][];
if (v.check !== undefined) {
  const X = readF32(`${v.check}/X.bin`), Y = readF32(`${v.check}/Y.bin`);
  const count = X.length / (m * n0);
  batches = Array.from({ length: count }, (_, i) => [
    b.fromArray(X.slice(i * m * n0, (i + 1) * m * n0), m, n0),
    b.fromArray(Y.slice(i * m * nOut, (i + 1) * m * nOut), m, nOut),
  ]);
} else {
  const rng = createRng(0);
  batches = Array.from({ length: Number(v.batches) + warm }, () => {
    const x = b.random(m, n0, () => rng.next());
    const y = new Float32Array(m * nOut);
    for (let r = 0; r < m; r++) y[r * nOut + rng.int(nOut)] = 1;
    return [x, b.fromArray(y, m, nOut)];
  });
}

function make(): Learner {
  if (model === "corinfomax") {
    return createCorInfoMax({
      network: {
        sizes: [784, 500, 10],
        activation: "hardSigmoid",
        output_activation: "hardSigmoid",
      },
      backend: b,
      seed: 0,
    });
  }
  if (model === "ep") {
    return createEp({
      network: {
        sizes: [784, 500, 10],
        activation: "hardSigmoid",
        output_activation: "hardSigmoid",
      },
      backend: b,
      seed: 0,
    });
  }
  return createPcNudge({
    network: {
      sizes: [784, 500, 10],
      activation: "relu",
      output_activation: "identity",
      init: { kind: "kaimingUniform" },
    },
    hyper: { T: 50, gamma: 0.1, nudge: 1e-3, random_sign: false },
    optimizer: { name: "sgd", lr: 1e-3 },
    backend: b,
    seed: 0,
  });
}

/** Torch's out × in weight (and out × 1 bias) as our in × out (1 × out) arrays. */
function fromTorch(data: Float32Array, out: number, inp: number) {
  const t = new Float32Array(data.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) t[i * out + o] = data[o * inp + i]!;
  return { rows: inp, cols: out, data: Array.from(t) };
}

function torchWeights(tag: string) {
  const sizes = [784, 500, 10], out: Record<string, ReturnType<typeof fromTorch>> = {};
  for (let l = 1; l <= 2; l++) {
    const i = 2 * (l - 1);
    out[`W${l}`] = fromTorch(readF32(`${v.check}/p${i}_${tag}.bin`), sizes[l]!, sizes[l - 1]!);
    const bias = readF32(`${v.check}/p${i + 1}_${tag}.bin`);
    out[`b${l}`] = { rows: 1, cols: sizes[l]!, data: Array.from(bias) };
  }
  return out;
}

if (v.check !== undefined) {
  const net = make();
  net.importWeights!(torchWeights("init"));
  for (const [x, y] of batches) net.trainBatch(x, y);
  const ours = net.exportWeights!(), ref = torchWeights("final"), init = torchWeights("init");
  const rel: Record<string, number> = {};
  for (const [k, r] of Object.entries(ref)) {
    let d2 = 0, s2 = 0, c2 = 0;
    const o = ours[k]!.data, i0 = init[k]!.data;
    for (let j = 0; j < r.data.length; j++) {
      d2 += (o[j]! - r.data[j]!) ** 2;
      s2 += r.data[j]! ** 2;
      c2 += (r.data[j]! - i0[j]!) ** 2;
    }
    rel[k] = Math.sqrt(d2 / s2);
    rel[`${k}_change`] = Math.sqrt(d2 / c2);
  }
  console.log(JSON.stringify({ impl: "plasticity", model, check: v.check, relative: rel }));
} else {
  const w = make();
  for (let i = 0; i < warm; i++) w.trainBatch(...batches[i]!);
  const net = make();
  const t0 = performance.now(), c0 = process.cpuUsage();
  let diverged = 0;
  for (let i = warm; i < batches.length; i++) {
    diverged += net.trainBatch(...batches[i]!).diverged ?? 0;
  }
  const seconds = (performance.now() - t0) / 1000, cpu = process.cpuUsage(c0);
  const count = batches.length - warm;
  const finite = Object.values(net.exportWeights!()).every((t) => t.data.every(Number.isFinite));
  console.log(JSON.stringify({
    impl: "plasticity",
    model,
    batches: count,
    seconds,
    ms_per_batch: (1000 * seconds) / count,
    cpu_ms_per_batch: (cpu.user + cpu.system) / 1000 / count,
    finite,
    diverged,
    backend: b.name,
  }));
}
