// Speed of the microcircuit step on the Fig3abc network 5-20-10-20-5 (the numpy reference takes
// 171 µs per PAL step; target ≤ 5.7 µs). Each iteration runs 1000 steps, so the time per iteration
// in ms is the time per step in µs.
import { createClassifier, MNIST_FA, MNIST_PAL, YIN_YANG_PAL } from "./classification.ts";
import { buildMicrocircuit, inputSamples } from "./experiment.ts";
import { parseParams } from "./params.ts";
import { mnistSplits } from "./simulation.ts";
import { embeddedMnistImages } from "@plasticity/runner/registry";

function stepper(modelType: "PAL" | "BP" | "FA", learnWeights: boolean) {
  const p = parseParams({ model_type: modelType });
  const { mc } = buildMicrocircuit(p, 123);
  const x = inputSamples(p, 123);
  const opts = { learnWeights, learnLatWeights: true, learnBwWeights: true };
  let i = 0;
  return () => {
    for (let n = 0; n < 1000; n++, i++) mc.step(x, null, opts, (Math.floor(i / 100) % 100) * 5);
  };
}

const palBw = stepper("PAL", false);
Deno.bench("1000 PAL steps, bw_only (5-20-10-20-5)", { group: "step", baseline: true }, palBw);
const palFw = stepper("PAL", true);
Deno.bench("1000 PAL steps, learning W too (5-20-10-20-5)", { group: "step" }, palFw);
const fa = stepper("FA", false);
Deno.bench("1000 FA steps, bw_only (5-20-10-20-5)", { group: "step" }, fa);
const bp = stepper("BP", true);
Deno.bench("1000 BP steps, learning W (5-20-10-20-5)", { group: "step" }, bp);

// GeNN-order classification steps (training: learning and teaching on; validation: both off).

function gennStepper(params: typeof MNIST_PAL, learning: boolean) {
  const net = createClassifier(params, 123456).net!;
  const n0 = params.dims[0]!, nOut = params.dims[params.dims.length - 1]!;
  const x = Float64Array.from({ length: n0 }, (_, i) => (i * 0.618) % 1);
  const target = Float64Array.from({ length: nOut }, (_, j) => (j === 0 ? 1 : 0.1));
  net.resetInput(x, target);
  return () => {
    for (let n = 0; n < 1000; n++) net.step(x, learning ? target : null, learning);
  };
}

// The MNIST protocol's steps: real training images (pixels / 256; about 81 % are exactly 0), each
// presented for 100 steps (t_pattern 1 ms, dt 0.01 ms), with the one-hot target (u_high / u_low).
// Default kernel (blank pixels' synapses caught up lazily) and the exact-decay kernel.
const mnistImages =
  mnistSplits(embeddedMnistImages(), { n_train: 50, n_valid: 1, n_test: 1 }).train;

function mnistStepper(params: typeof MNIST_PAL, learning: boolean, exactDecay: boolean) {
  const net = createClassifier({ ...params, "exact_decay": exactDecay }, 123456).net!;
  const pixels = Float64Array.from(mnistImages.x);
  const image = (s: number) => pixels.subarray(s * 784, (s + 1) * 784);
  const target = (s: number) =>
    Float64Array.from({ length: 10 }, (_, j) => (j === mnistImages.labels[s] ? 1 : 0.1));
  let t = 0;
  net.resetInput(image(0), target(0));
  return () => {
    for (let n = 0; n < 1000; n++, t++) {
      const s = Math.floor(t / 100) % mnistImages.n;
      net.step(image(s), learning ? target(s) : null, learning);
    }
  };
}

Deno.bench(
  "1000 GeNN-order PAL training steps on MNIST images (784-100-10)",
  { group: "genn" },
  mnistStepper(MNIST_PAL, true, false),
);
Deno.bench(
  "1000 GeNN-order PAL training steps on MNIST images, exact decay (784-100-10)",
  { group: "genn" },
  mnistStepper(MNIST_PAL, true, true),
);
Deno.bench(
  "1000 GeNN-order PAL validation steps on MNIST images (784-100-10)",
  { group: "genn" },
  mnistStepper(MNIST_PAL, false, false),
);
const mnistTrain = gennStepper(MNIST_PAL, true);
Deno.bench(
  "1000 GeNN-order PAL training steps, dense input (784-100-10)",
  { group: "genn" },
  mnistTrain,
);
const mnistVal = gennStepper(MNIST_PAL, false);
Deno.bench(
  "1000 GeNN-order PAL validation steps, dense input (784-100-10)",
  { group: "genn" },
  mnistVal,
);
const yyTrain = gennStepper(YIN_YANG_PAL, true);
Deno.bench("1000 GeNN-order PAL training steps (4-30-3)", { group: "genn" }, yyTrain);

// Where a 784-100-10 training step's time goes: the same network under FA (no noise, no B or
// interneuron-to-apical learning), and two floors — the input layer's 78 400 synapses once through
// the low-passed update W += δ, δ += a(e r_last − δ) with the basal sum (the arithmetic of a
// training step's first synapse population), and once through the bare product W r (validation).
const mnistFa = gennStepper(MNIST_FA, true);
Deno.bench("1000 GeNN-order FA training steps (784-100-10)", { group: "genn" }, mnistFa);

function inputLayerFloor(learning: boolean) {
  const pre = 784, post = 100;
  const g = Float64Array.from({ length: pre * post }, (_, i) => ((i * 0.377) % 0.2) - 0.1);
  const delta = new Float64Array(pre * post), out = new Float64Array(post);
  const r = Float64Array.from({ length: pre }, (_, i) => (i * 0.618) % 1);
  const err = Float64Array.from({ length: post }, (_, j) => ((j * 0.31) % 0.2) - 0.1);
  const a = 0.01 / 100;
  return () => {
    for (let n = 0; n < 1000; n++) {
      for (let j = 0; j < post; j++) {
        const row = j * pre, e = 1e-4 * err[j]!;
        let acc = 0;
        if (learning) {
          for (let i = 0; i < pre; i++) {
            const dl = delta[row + i]!, w = g[row + i]! + dl;
            g[row + i] = w;
            delta[row + i] = dl + a * (e * r[i]! - dl);
            acc += w * r[i]!;
          }
        } else {
          for (let i = 0; i < pre; i++) acc += g[row + i]! * r[i]!;
        }
        out[j] = acc;
      }
    }
  };
}
Deno.bench(
  "floor: 1000 × the 784 × 100 low-passed update with basal sum",
  { group: "genn" },
  inputLayerFloor(true),
);
Deno.bench(
  "floor: 1000 × the 784 × 100 product W r",
  { group: "genn" },
  inputLayerFloor(false),
);
