// MNIST on the dendritic microcircuit 784-100-10 with the PAL GeNN code's MNIST
// configuration (MNIST_PAL or MNIST_FA), its data protocol (pixels / 256; train = training images
// 0–49 999, validation = 50 000–59 999, test = the official 10 000) and schedule (per epoch a
// validation pass, then a training pass; then a final validation and the test pass), in GeNN's
// step order. The full protocol (100 epochs of 50 000 images, ≈ 6e8 steps) takes about a day
// here, so `--train`, `--valid`, `--test` take the first n images of each split and `--epochs`
// sets the number of epochs. Prints one line per epoch and the final summary as JSON.
// Run: deno run -A tools/microcircuit_mnist.ts --model PAL --train 2000 --valid 1000 --epochs 5
import { parseArgs } from "node:util";
import { loadDataset } from "@plasticity/datasets";
import {
  type ClassSplit,
  createClassifier,
  MNIST_FA,
  MNIST_PAL,
} from "@plasticity/microcircuit/classification";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "PAL" },
    train: { type: "string", default: "50000" },
    valid: { type: "string", default: "10000" },
    test: { type: "string", default: "10000" },
    epochs: { type: "string", default: "100" },
    seed: { type: "string", default: "0" },
  },
});
const int = (key: "train" | "valid" | "test" | "epochs" | "seed", max: number) => {
  const v = Number(values[key]);
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new Error(`Invalid --${key} ${JSON.stringify(values[key])}: expected 0…${max}`);
  }
  return v;
};
const model = values.model;
if (model !== "PAL" && model !== "FA") {
  throw new Error(`Invalid --model ${JSON.stringify(model)}: expected PAL or FA`);
}
const nTrain = int("train", 50000), nValid = int("valid", 10000), nTest = int("test", 10000);
const epochs = int("epochs", 1e6), seed = int("seed", 2 ** 32 - 1);

const d = await loadDataset("mnist", {
  normalize: "div256",
  validation_size: 10000,
  validation_split: "tail",
}, { seed });
const head = (s: { x: Float32Array; labels?: Int32Array | Uint8Array }, n: number): ClassSplit => ({
  x: s.x.subarray(0, n * 784),
  labels: s.labels!.subarray(0, n),
  n,
});
const params = { ...(model === "PAL" ? MNIST_PAL : MNIST_FA), "n_epochs": epochs };
const run = createClassifier(params, seed);
const started = performance.now();
const summary = run.run({
  train: head(d.train, nTrain),
  validation: head(d.validation!, nValid),
  test: head(d.test, nTest),
}, (r) => {
  const s = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`${model} ${JSON.stringify(r)} (${s} s)`);
});
console.log(JSON.stringify({ model, nTrain, nValid, nTest, epochs, seed, ...summary }));
