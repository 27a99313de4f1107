/**
 * The learner of `pc` and `pc-bp` for networks given by layers: a {@linkcode ConvPCNetwork} behind
 * core's {@linkcode Learner} interface.
 *
 * @module
 */
import type { Backend, Learner, StepStats, Tensor, WeightArray } from "@plasticity/core";
import type { ConvPCNetwork } from "./conv_network.ts";

/** What {@linkcode ConvPCLearner} reports and repeats besides the network. */
export interface ConvPCLearnerOptions {
  /** Rows of the diagnostics batch for target alignment and prospective index (0: off). */
  diagRows: number;
  /** Whether diagnostics include the energy trace of the last step. */
  energyTrace: boolean;
  /** Weight steps per batch (`pc-bp`'s `repeat`), each from a fresh pass over the batch. */
  repeat: number;
}

/**
 * `pc` or `pc-bp` on a network of conv, pool, flatten and dense layers. `trainBatch` runs
 * `repeat` steps of {@linkcode ConvPCNetwork.step} on the batch (1 but for Fig. 4i's repeated BP)
 * and reports the loss before the first; diagnostics as the MLP learner's: `energy_t0…`, and the
 * one-step `target_alignment` and `prospective_index_k` on the first `diagRows` rows.
 *
 * @example
 * ```ts
 * import { createLearner, jsBackend as b, resolveNetwork } from "@plasticity/core";
 * import { ConvPCLearner } from "@plasticity/predictive-coding";
 * const l = createLearner("pc", {
 *   network: resolveNetwork({ input_shape: [1, 4, 4], activation: "relu", layers: [{ conv: { out: 2, kernel: 3 } }, "flatten", { dense: 2 }] }),
 *   hyper: { T: 4 },
 *   optimizer: { name: "sgd", lr: 0.05 },
 *   backend: b,
 *   seed: 0,
 * });
 * console.assert(l instanceof ConvPCLearner);
 * ```
 */
export class ConvPCLearner implements Learner {
  /** The rule's name. */
  readonly rule: string;
  /** The backend. */
  readonly backend: Backend;
  /** The network. */
  readonly net: ConvPCNetwork;
  #o: ConvPCLearnerOptions;

  /**
   * Wraps a network.
   *
   * @param rule The rule's name.
   * @param net The network.
   * @param options Diagnostics rows, energy trace and repeats.
   */
  constructor(rule: string, net: ConvPCNetwork, options: ConvPCLearnerOptions) {
    this.rule = rule;
    this.net = net;
    this.backend = net.backend;
    this.#o = { ...options };
  }

  /**
   * `repeat` learning steps on a batch.
   *
   * @param x Inputs, batch × (c·h·w).
   * @param y Targets, batch × outputs.
   * @returns The loss before the first step and the first step's energy summary.
   */
  trainBatch(x: Tensor, y: Tensor): StepStats {
    const r = this.net.step(x, y);
    for (let i = 1; i < this.#o.repeat; i++) this.net.step(x, y);
    return {
      loss: r.loss,
      energy_first: r.energies[0]!,
      energy_last: r.energies[r.energies.length - 1]!,
      gamma: r.gamma,
      decays: r.decays,
    };
  }

  /**
   * The feed-forward output.
   *
   * @param x Inputs, batch × (c·h·w).
   * @returns Outputs, batch × outputs.
   */
  predict(x: Tensor): Tensor {
    return this.net.predict(x);
  }

  /**
   * Ends an epoch (advances the optimiser's schedule).
   *
   * @param _epoch The epoch just finished.
   */
  endEpoch(_epoch: number): void {
    this.net.endEpoch();
  }

  /**
   * The energy trace of the last step and the one-step measures on a batch.
   *
   * @param x Inputs of a batch.
   * @param y Its targets.
   * @returns The measures by name.
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    const out: Record<string, number> = {};
    if (x && !y) throw new Error("diagnostics: got inputs x without targets y: expected both");
    if (this.#o.energyTrace && this.net.config.mode !== "bp") {
      this.net.lastEnergies.forEach((v, t) => (out[`energy_t${t}`] = v));
    }
    if (x && y && this.#o.diagRows > 0) {
      const b = this.backend, n = Math.min(this.#o.diagRows, x.rows);
      const xs = n === x.rows ? x : b.fromArray(b.read(x).subarray(0, n * x.cols), n, x.cols);
      const ys = n === y.rows ? y : b.fromArray(b.read(y).subarray(0, n * y.cols), n, y.cols);
      const p = this.net.probeStep(xs, ys);
      out.target_alignment = p.targetAlignment;
      p.prospectiveIndex.forEach((v, i) => (out[`prospective_index_${i + 1}`] = v));
    }
    return out;
  }

  /**
   * Weights `W0…` and biases `b0…`.
   *
   * @returns The matrices by name.
   */
  exportWeights(): Record<string, WeightArray> {
    return this.net.exportWeights();
  }

  /**
   * Restores matrices from {@linkcode ConvPCLearner.exportWeights}.
   *
   * @param weights Matrices by name.
   */
  importWeights(weights: Record<string, WeightArray>): void {
    this.net.importWeights(weights);
  }

  /** Frees the parameters. */
  dispose(): void {
    this.net.dispose();
  }
}
