/**
 * Imports every rule package so its learners (and simulations) register themselves with the
 * core registries; the runner and its trial processes import this module first.
 *
 * @example
 * ```ts
 * import "@plasticity/runner/registry";
 * import { learnerNames } from "@plasticity/core";
 * console.assert(learnerNames().includes("bp"));
 * ```
 *
 * @module
 */
import "@plasticity/backprop";
import "@plasticity/corinfomax";
import "@plasticity/equilibrium-propagation";
import "@plasticity/feedback-alignment";
import "@plasticity/predictive-coding";
import "@plasticity/microcircuit";
