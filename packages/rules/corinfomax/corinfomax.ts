/**
 * CorInfoMax (Bozkurt, Pehlevan & Erdogan, NeurIPS 2023) as in the Supervised-CorInfoMax
 * repository: layers maximise the correlative information with their neighbours, giving neurons
 * with basal (forward) and apical (feedback) inputs and lateral matrices B; learning contrasts a
 * free and a nudged phase, with no weight symmetry.
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { CorInfoMax, corinfomaxSettings } from "./_learner.ts";
import { corinfomaxHyper } from "./_hyper.ts";
import type { NeuralLrRule } from "./schedule.ts";

/** Hyper-parameters of `corinfomax`; defaults are the repository's best MNIST setting. */
export const CORINFOMAX_HYPER: HyperSchema = corinfomaxHyper({
  tFree: 30,
  tNudged: 10,
  lrFb: [0.15, 0.15],
});

/** Resolved hyper-parameters of `corinfomax` ({@linkcode CORINFOMAX_HYPER}; keys as in configs). */
export interface CorInfoMaxHyper {
  /** Forgetting factor λ of the correlation; γ = (1 − λ)/λ. */
  lambda: number;
  /** ε of the correlative information (error variance). */
  epsilon: number;
  /** Hopfield gain g (acts on saturated units only). */
  "hopfield_g": number;
  /** Neural step η₀ (η ≥ 0.15 diverges at ε = 0.15). */
  "neural_lr": number;
  /** Neural step schedule within a phase. */
  "neural_lr_rule": NeuralLrRule;
  /** Floor η_stop of the decaying schedules. */
  "neural_lr_stop": number;
  /** Multiplier of divide_by_slow_loop_index. */
  "neural_lr_decay": number;
  /** Free-phase iterations. */
  "t_free": number;
  /** Nudged-phase iterations. */
  "t_nudged": number;
  /** Nudging strength |β| (its sign is drawn per batch). */
  beta: number;
  /** Draw the sign of β afresh every batch. */
  "random_sign": boolean;
  /** Third phase with −β from the nudged state replaces the free state; factor 1/(2β). */
  "three_phase": boolean;
  /** Learning rates μ_ff, one per forward matrix. */
  "lr_ff": readonly number[];
  /**
   * Learning rates μ_fb of the feedback matrices k = 1 … P−1 (P entries with the first unused,
   * as in the repository, or P − 1).
   */
  "lr_fb": readonly number[];
  /**
   * After each update W ← (1 − μ·ε)·W for every Wff and Wfb (the repository's option, off in all
   * its scripts).
   */
  "weight_decay": boolean;
  /** Epoch decay d: μ = μ_start·d^epoch before lr_decay_switch_epoch. */
  "lr_decay": number;
  /** From this epoch on μ = μ_start·lr_decay_late^epoch. */
  "lr_decay_switch_epoch": number;
  /** Late epoch decay factor. */
  "lr_decay_late": number;
  /**
   * Optional second switch: from this epoch on μ = μ_start·lr_decay_late2^epoch (needs
   * lr_decay_late2).
   */
  "lr_decay_switch2_epoch"?: number;
  /** Decay factor after lr_decay_switch2_epoch. */
  "lr_decay_late2"?: number;
  /**
   * The free phase counts as diverged when its last voltage step is at least this times its
   * first.
   */
  "divergence_ratio": number;
  /** On diverged dynamics return a NaN loss without updating (`nan`) or throw (`throw`). */
  "on_divergence": "nan" | "throw";
}

/**
 * The `corinfomax` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/corinfomax";
 * console.assert(getLearner("corinfomax").family === "corinfomax");
 * ```
 */
export const corinfomaxRule: LearnerDefinition = registerLearner({
  name: "corinfomax",
  family: "corinfomax",
  description:
    "Correlative information maximisation: contrastive learning of forward, feedback and lateral weights",
  hyper: CORINFOMAX_HYPER,
  optimizer: false,
  create: (o) =>
    new CorInfoMax(o, corinfomaxSettings("corinfomax", o.hyper, o.network.sizes, false)),
});
