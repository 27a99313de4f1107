// Hyper-parameter schema shared by `corinfomax` and `corinfomax-sparse`.
import type { HyperSchema } from "@plasticity/core";
import { NEURAL_LR_RULES } from "./schedule.ts";

/** The common fields, with the given defaults for the values the two scripts differ in. */
export function corinfomaxHyper(
  d: { tFree: number; tNudged: number; lrFb: readonly number[] },
): HyperSchema {
  return {
    "lambda": {
      type: "number",
      default: 0.99999,
      above: 0,
      max: 1,
      doc: "Forgetting factor λ of the correlation; γ = (1 − λ)/λ",
    },
    "epsilon": {
      type: "number",
      default: 0.15,
      above: 0,
      doc: "ε of the correlative information (error variance)",
    },
    "hopfield_g": {
      type: "number",
      default: 0.5,
      min: 0,
      doc: "Hopfield gain g (acts on saturated units only)",
    },
    "neural_lr": {
      type: "number",
      default: 0.05,
      min: 0,
      doc: "Neural step η₀ (η ≥ 0.15 diverges at ε = 0.15)",
    },
    "neural_lr_rule": {
      type: "string",
      default: "constant",
      enum: NEURAL_LR_RULES,
      doc: "Neural step schedule within a phase",
    },
    "neural_lr_stop": {
      type: "number",
      default: 0.001,
      min: 0,
      doc: "Floor η_stop of the decaying schedules",
    },
    "neural_lr_decay": {
      type: "number",
      default: 0.01,
      min: 0,
      doc: "Multiplier of divide_by_slow_loop_index",
    },
    "t_free": {
      type: "number",
      default: d.tFree,
      min: 1,
      integer: true,
      doc: "Free-phase iterations",
    },
    "t_nudged": {
      type: "number",
      default: d.tNudged,
      min: 1,
      integer: true,
      doc: "Nudged-phase iterations",
    },
    "beta": {
      type: "number",
      default: 1,
      above: 0,
      doc: "nudging strength |β| (its sign is drawn per batch)",
    },
    "random_sign": { type: "boolean", default: true, doc: "Draw the sign of β afresh every batch" },
    "three_phase": {
      type: "boolean",
      default: false,
      doc: "Third phase with −β from the nudged state replaces the free state; factor 1/(2β)",
    },
    "lr_ff": {
      type: "numbers",
      default: [1.0, 0.7],
      doc: "Learning rates μ_ff, one per forward matrix",
    },
    "lr_fb": {
      type: "numbers",
      default: d.lrFb,
      doc:
        "Learning rates μ_fb of the feedback matrices k = 1 … P−1 (P entries with the first unused, as in the repository, or P − 1)",
    },
    "weight_decay": {
      type: "boolean",
      default: false,
      doc:
        "After each update W ← (1 − μ·ε)·W for every Wff and Wfb (the repository's option, off in all its scripts)",
    },
    "lr_decay": {
      type: "number",
      default: 0.95,
      min: 0,
      doc: "Epoch decay d: μ = μ_start·d^epoch before lr_decay_switch_epoch",
    },
    "lr_decay_switch_epoch": {
      type: "number",
      default: 15,
      min: 0,
      integer: true,
      doc: "From this epoch on μ = μ_start·lr_decay_late^epoch",
    },
    "lr_decay_late": { type: "number", default: 0.9, min: 0, doc: "Late epoch decay factor" },
    "lr_decay_switch2_epoch": {
      type: "number",
      optional: true,
      min: 1,
      integer: true,
      doc:
        "Optional second switch: from this epoch on μ = μ_start·lr_decay_late2^epoch (needs lr_decay_late2)",
    },
    "lr_decay_late2": {
      type: "number",
      optional: true,
      min: 0,
      doc: "Decay factor after lr_decay_switch2_epoch",
    },
    "divergence_ratio": {
      type: "number",
      default: 0.5,
      min: 0,
      doc:
        "The free phase counts as diverged when its last voltage step is at least this times its first",
    },
    "on_divergence": {
      type: "string",
      default: "nan",
      enum: ["nan", "throw"],
      doc: "On diverged dynamics return a NaN loss without updating (nan) or throw (throw)",
    },
  };
}
