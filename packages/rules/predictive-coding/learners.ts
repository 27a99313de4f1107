/**
 * The learners `pc` (inference learning / prospective configuration), `pc-bp` (the same network
 * trained by backpropagation: no value nodes, T = 1) and `pc-nudge` (PC-Nudge), registered with
 * core's learner registry when this module is imported.
 *
 * @module
 */
import {
  type HyperSchema,
  type Learner,
  type LearnerDefinition,
  registerLearner,
  type ResolvedLearnerOptions,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { PC_LOSS, PCNetwork } from "./network.ts";
import { ConvPCNetwork } from "./conv_network.ts";
import { ConvPCLearner } from "./conv_learner.ts";
import {
  checkPCSettings,
  PC_BP_SCHEMA,
  PC_NUDGE_SCHEMA,
  PC_SCHEMA,
  type PCMode,
  toPCConfig,
} from "./settings.ts";

/** A {@linkcode PCNetwork} behind core's {@linkcode Learner} interface. */
class PCLearner implements Learner {
  readonly rule: string;
  readonly backend;
  readonly net: PCNetwork;
  #diagRows: number;
  #trace: boolean;

  constructor(rule: string, net: PCNetwork, diagRows: number, trace: boolean) {
    this.rule = rule;
    this.net = net;
    this.backend = net.backend;
    this.#diagRows = diagRows;
    this.#trace = trace;
  }

  trainBatch(x: Tensor, y: Tensor): StepStats {
    const r = this.net.step(x, y);
    return {
      loss: r.loss,
      energy_first: r.energies[0]!,
      energy_last: r.energies[r.energies.length - 1]!,
      gamma: r.gamma,
      decays: r.decays,
    };
  }

  predict(x: Tensor): Tensor {
    return this.net.predict(x);
  }

  endEpoch(_epoch: number): void {
    this.net.endEpoch();
  }

  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    const out: Record<string, number> = {};
    const e = this.net.lastEnergies;
    if (this.#trace && this.net.config.mode !== "bp") {
      e.forEach((v, t) => (out[`energy_t${t}`] = v));
    }
    if (x && y && this.#diagRows > 0) {
      const b = this.backend, n = Math.min(this.#diagRows, x.rows);
      const xs = n === x.rows ? x : b.fromArray(b.read(x).subarray(0, n * x.cols), n, x.cols);
      const ys = n === y.rows ? y : b.fromArray(b.read(y).subarray(0, n * y.cols), n, y.cols);
      const p = this.net.probeStep(xs, ys);
      if (xs !== x) b.dispose(xs);
      if (ys !== y) b.dispose(ys);
      out.target_alignment = p.targetAlignment;
      p.prospectiveIndex.forEach((v, i) => (out[`prospective_index_${i + 1}`] = v));
    }
    return out;
  }

  exportWeights(): Record<string, WeightArray> {
    return this.net.exportWeights();
  }

  importWeights(weights: Record<string, WeightArray>): void {
    this.net.importWeights(weights);
  }

  dispose(): void {
    this.net.dispose();
  }
}

function define(
  name: string,
  mode: PCMode,
  description: string,
  hyper: HyperSchema,
): LearnerDefinition {
  return {
    name,
    family: "predictive-coding",
    description,
    hyper,
    optimizer: true,
    loss: PC_LOSS,
    check: (config) => checkPCSettings(mode, config.hyper),
    layers: mode !== "nudge",
    create(options: ResolvedLearnerOptions): Learner {
      const h = options.hyper;
      const l2 = (h.l2 ?? 0) as number, repeat = (h.repeat ?? 1) as number;
      if (options.network.layers) {
        const net = new ConvPCNetwork({
          network: options.network,
          config: toPCConfig(mode, h),
          optimizer: options.optimizer!,
          loss: options.loss,
          l2,
          backend: options.backend,
          seed: options.seed,
        });
        return new ConvPCLearner(name, net, {
          diagRows: h.diag_rows as number,
          energyTrace: (h.energy_trace ?? false) as boolean,
          repeat,
        });
      }
      if (l2 !== 0 || repeat !== 1) {
        throw new Error(
          `rule.${
            l2 !== 0 ? `l2: got ${l2}` : `repeat: got ${repeat}`
          } for a network of sizes: expected ${
            l2 !== 0 ? 0 : 1
          } (it applies to networks given by layers only)`,
        );
      }
      const net = new PCNetwork({
        network: options.network,
        config: toPCConfig(mode, h),
        optimizer: options.optimizer!,
        loss: options.loss,
        backend: options.backend,
        seed: options.seed,
      });
      return new PCLearner(name, net, h.diag_rows as number, (h.energy_trace ?? false) as boolean);
    },
  };
}

/**
 * `pc`: inference learning / prospective configuration (Song et al. 2024).
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import { pcRule } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc") === pcRule);
 * ```
 */
export const pcRule: LearnerDefinition = registerLearner(define(
  "pc",
  "pc",
  "predictive coding / prospective configuration: relax value nodes, then a local weight step",
  PC_SCHEMA,
));

/**
 * `pc-bp`: the same network without value nodes, trained by backpropagation (the paper's BP, T = 1).
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import { pcBpRule } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc-bp") === pcBpRule);
 * ```
 */
export const pcBpRule: LearnerDefinition = registerLearner(define(
  "pc-bp",
  "bp",
  "the predictive-coding network without value nodes, trained by backpropagation (T = 1)",
  PC_BP_SCHEMA,
));

/**
 * `pc-nudge`: PC-Nudge (Millidge et al. 2023, as in the Supervised-CorInfoMax repository).
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import { pcNudgeRule } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc-nudge") === pcNudgeRule);
 * ```
 */
export const pcNudgeRule: LearnerDefinition = registerLearner(define(
  "pc-nudge",
  "nudge",
  "PC-Nudge: weak output nudge λ_w, inference on every node, weight step scaled by 1/λ_w",
  PC_NUDGE_SCHEMA,
));
