/**
 * Imports every rule package so its learners (and simulations) register themselves with the
 * core registries, and registers the microcircuit simulations with what they need from outside:
 * the `file` of `microcircuit` read from disk, the yin-yang data of `microcircuit-yin-yang` from
 * `@plasticity/datasets`. The runner and its trial processes import this module first.
 *
 * @example
 * ```ts
 * import "@plasticity/runner/registry";
 * import { learnerNames, simulationNames } from "@plasticity/core";
 * console.assert(learnerNames().includes("bp"));
 * console.assert(simulationNames().includes("microcircuit-yin-yang"));
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
import {
  type MicrocircuitHost,
  microcircuitSimulation,
  microcircuitYinYangSimulation,
} from "@plasticity/microcircuit/simulation";

const microcircuitHost: MicrocircuitHost = {
  readTextFile: (path) => Deno.readTextFileSync(path),
  yinYang: (size, seed) => generateYinYang(size, new NumpyRandomState(seed)),
};
registerSimulation(microcircuitSimulation(microcircuitHost));
registerSimulation(microcircuitYinYangSimulation(microcircuitHost));
