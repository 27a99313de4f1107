// Time per step of the GeNN-order dendritic microcircuit (`GennMicrocircuit`) on the PAL GeNN
// configurations, printed as one JSON line whose `seconds` field is the timed part — our side of
// `../shared/bench-ref/perf_ref_pal.py` (the numpy reference's steps) in a `perf_pairs.py` plan.
//
//   --net mnist-train        784-100-10 (MNIST_PAL) training steps (learning, teaching) on the first
//                            50 MNIST training images (pixels / 256), 100 steps per image
//   --net mnist-train-exact  the same with `exact_decay` (every input synapse's low-pass every step)
//   --net mnist-val          the same network's validation steps (no learning, no teaching)
//   --net yinyang-train      4-30-3 (YIN_YANG_PAL) training steps on one input, target on
//   --steps N                timed steps (default 20 000), after 10 000 untimed ones
//
//   OPENBLAS_NUM_THREADS=1 deno run -A tools/pal_step.ts --net mnist-train --steps 20000
import { parseArgs } from "node:util";
import { createClassifier, MNIST_PAL, YIN_YANG_PAL } from "@plasticity/microcircuit/classification";
import { mnistSplits } from "@plasticity/microcircuit/simulation";
import { embeddedMnistImages } from "@plasticity/runner/registry";

const { values } = parseArgs({
  options: {
    net: { type: "string", default: "mnist-train" },
    steps: { type: "string", default: "20000" },
  },
});
const nets = ["mnist-train", "mnist-train-exact", "mnist-val", "yinyang-train"];
if (!nets.includes(values.net)) {
  console.error(`Invalid --net ${JSON.stringify(values.net)}: expected one of ${nets.join(", ")}`);
  Deno.exit(2);
}
const steps = Number(values.steps);
if (!Number.isInteger(steps) || steps < 1) {
  console.error(`Invalid --steps ${JSON.stringify(values.steps)}: expected a positive integer`);
  Deno.exit(2);
}

let step: (t: number) => void;
let layers: readonly number[];
if (values.net === "yinyang-train") {
  const net = createClassifier(YIN_YANG_PAL, 123456).net!;
  const x = [0.2, 0.7, 0.8, 0.3], target = [1, 0.1, 0.1];
  net.resetInput(x, target);
  step = () => net.step(x, target, true);
  layers = YIN_YANG_PAL.dims;
} else {
  const train = mnistSplits(embeddedMnistImages(), { n_train: 50, n_valid: 1, n_test: 1 }).train;
  const px = Float64Array.from(train.x);
  const targets = Array.from(
    { length: train.n },
    (_, s) => Float64Array.from({ length: 10 }, (_, j) => (j === train.labels[s] ? 1 : 0.1)),
  );
  const net = createClassifier(
    { ...MNIST_PAL, "exact_decay": values.net === "mnist-train-exact" },
    123456,
  ).net!;
  const learning = values.net !== "mnist-val";
  net.resetInput(px.subarray(0, 784), targets[0]!);
  step = (t) => {
    const s = Math.floor(t / 100) % train.n;
    net.step(px.subarray(s * 784, (s + 1) * 784), learning ? targets[s]! : null, learning);
  };
  layers = MNIST_PAL.dims;
}
for (let t = 0; t < 10000; t++) step(t);
const t0 = performance.now();
for (let t = 10000; t < 10000 + steps; t++) step(t);
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  impl: "ours",
  what: values.net,
  layers,
  steps,
  seconds,
  "us_per_step": 1e6 * seconds / steps,
}));
