/**
 * The learners `pc` (inference learning / prospective configuration), `pc-bp` (the same network
 * trained by backpropagation: no value nodes, T = 1) and `pc-nudge` (PC-Nudge), registered with
 * core's learner registry when this module is imported.
 *
 * @module
 */
import {
  type HyperSchema,
  type HyperValue,
  type Learner,
  type LearnerDefinition,
  type LearnerOptions,
  registerLearner,
  resolveHyper,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { PC_LOSS, type PCConfig, type PCMode, PCNetwork } from "./network.ts";

const INPUT_SCHEMA: HyperSchema = {
  variant: {
    type: "string",
    default: "song",
    enum: ["song", "whittington-bogacz"],
    doc:
      "`whittington-bogacz`: logit inputs, sigmoid on the input too, targets mapped to 0.03/0.97 " +
      "(the Supervised-CorInfoMax repository's PC; pair it with a sigmoid network, biases and Adam)",
  },
  "input_activation": {
    type: "boolean",
    default: false,
    doc: "apply the first hidden activation to the input as well (implied by whittington-bogacz)",
  },
  "input_transform": {
    type: "string",
    default: "none",
    enum: ["none", "logit"],
    doc: "feed logit(s) instead of s (implied by whittington-bogacz)",
  },
  "target_range": {
    type: "numbers",
    default: [],
    doc:
      "[lo, hi]: targets mapped to lo + (hi − lo)·y; empty = unchanged (whittington-bogacz: [0.03, 0.97])",
  },
  "diag_rows": {
    type: "number",
    default: 16,
    integer: true,
    min: 0,
    doc:
      "rows of the diagnostics batch used for the one-step target alignment and prospective index (0 = off)",
  },
};

const INFERENCE_SCHEMA: HyperSchema = {
  T: { type: "number", default: 128, integer: true, min: 1, doc: "inference iterations T" },
  gamma: {
    type: "number",
    default: 0.1,
    min: 0,
    doc: "inference rate γ₀ (plain SGD on the value nodes)",
  },
  decay: {
    type: "number",
    default: 0.5,
    min: 1e-12,
    max: 1,
    doc: "γ ← γ·decay whenever the energy fails to fall (1 = no decay)",
  },
  "energy_trace": {
    type: "boolean",
    default: true,
    doc: "diagnostics include energy_t0 … energy_t{T−1} of the last training batch",
  },
};

/**
 * Hyper-parameters of `pc`.
 *
 * @example
 * ```ts
 * import { PC_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(PC_SCHEMA.T?.type === "number");
 * ```
 */
export const PC_SCHEMA: HyperSchema = {
  ...INFERENCE_SCHEMA,
  "update_p_at": {
    type: "string",
    default: "last",
    enum: ["last", "all"],
    doc: "weight step at the last inference iteration (`last`) or at every iteration (`all`)",
  },
  ...INPUT_SCHEMA,
};

/**
 * Hyper-parameters of `pc-bp` (no inference settings).
 *
 * @example
 * ```ts
 * import { PC_BP_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(!("T" in PC_BP_SCHEMA));
 * ```
 */
export const PC_BP_SCHEMA: HyperSchema = { ...INPUT_SCHEMA };

/**
 * Hyper-parameters of `pc-nudge` (defaults of the Supervised-CorInfoMax repository).
 *
 * @example
 * ```ts
 * import { PC_NUDGE_SCHEMA } from "@plasticity/predictive-coding";
 * console.assert(PC_NUDGE_SCHEMA.nudge?.type === "number");
 * ```
 */
export const PC_NUDGE_SCHEMA: HyperSchema = {
  ...INFERENCE_SCHEMA,
  T: { type: "number", default: 50, integer: true, min: 1, doc: "inference steps on every node" },
  decay: {
    type: "number",
    default: 1,
    min: 1e-12,
    max: 1,
    doc: "γ ← γ·decay whenever the energy fails to fall (the repository uses none: 1)",
  },
  nudge: {
    type: "number",
    default: 1e-3,
    doc: "output nudge strength λ_w (weight step scaled by 1/λ_w)",
  },
  "random_sign": {
    type: "boolean",
    default: false,
    doc: "flip the sign of λ_w at random for each batch",
  },
  ...INPUT_SCHEMA,
};

function configFrom(
  mode: PCMode,
  h: Record<string, HyperValue>,
  given: Record<string, unknown>,
): Partial<PCConfig> {
  const c: Partial<PCConfig> = { mode };
  if (h.T !== undefined) c.T = h.T as number;
  if (h.gamma !== undefined) c.gamma = h.gamma as number;
  if (h.decay !== undefined) c.decay = h.decay as number;
  if (h.update_p_at !== undefined) c.updatePAt = h.update_p_at as "last" | "all";
  if (h.nudge !== undefined) c.nudge = h.nudge as number;
  if (h.random_sign !== undefined) c.randomSign = h.random_sign as boolean;
  c.inputActivation = h.input_activation as boolean;
  c.inputTransform = h.input_transform as "none" | "logit";
  const range = h.target_range as readonly number[];
  if (range.length !== 0 && range.length !== 2) {
    throw new Error(
      `rule.target_range: expected [] or two numbers [lo, hi], got ${JSON.stringify(range)}`,
    );
  }
  if (range.length === 2) c.targetRange = [range[0]!, range[1]!];
  if (h.variant === "whittington-bogacz") {
    c.inputActivation = true;
    c.inputTransform = "logit";
    if (range.length === 0) c.targetRange = [0.03, 0.97];
    // 50 inference steps, then the weight step: T counts evaluations, so 51.
    if (mode === "pc" && given.T === undefined) c.T = 51;
    if (mode === "pc" && given.decay === undefined) c.decay = 1;
  }
  return c;
}

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
    create(options: LearnerOptions): Learner {
      const given = options.hyper ?? {};
      const h = resolveHyper(hyper, given, "rule");
      const net = new PCNetwork({
        network: options.network,
        config: configFrom(mode, h, given),
        optimizer: options.optimizer ?? { name: "sgd", lr: 0.01 },
        loss: options.loss ?? PC_LOSS,
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
 * import { PC_LEARNER } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc") === PC_LEARNER);
 * ```
 */
export const PC_LEARNER: LearnerDefinition = define(
  "pc",
  "pc",
  "predictive coding / prospective configuration: relax value nodes, then a local weight step",
  PC_SCHEMA,
);

/**
 * `pc-bp`: the same network without value nodes, trained by backpropagation (the paper's BP, T = 1).
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import { PC_BP_LEARNER } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc-bp") === PC_BP_LEARNER);
 * ```
 */
export const PC_BP_LEARNER: LearnerDefinition = define(
  "pc-bp",
  "bp",
  "the predictive-coding network without value nodes, trained by backpropagation (T = 1)",
  PC_BP_SCHEMA,
);

/**
 * `pc-nudge`: PC-Nudge (Millidge et al. 2023, as in the Supervised-CorInfoMax repository).
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import { PC_NUDGE_LEARNER } from "@plasticity/predictive-coding";
 * console.assert(getLearner("pc-nudge") === PC_NUDGE_LEARNER);
 * ```
 */
export const PC_NUDGE_LEARNER: LearnerDefinition = define(
  "pc-nudge",
  "nudge",
  "PC-Nudge: weak output nudge λ_w, inference on every node, weight step scaled by 1/λ_w",
  PC_NUDGE_SCHEMA,
);

registerLearner(PC_LEARNER);
registerLearner(PC_BP_LEARNER);
registerLearner(PC_NUDGE_LEARNER);
