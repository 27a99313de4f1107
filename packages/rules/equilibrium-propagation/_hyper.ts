// Hyper-parameters shared by the EP and CSM schemas.
import type { HyperSchema } from "@plasticity/core";

/** The fields common to `ep` and `csm`, with the repository's MNIST values as defaults. */
export function energyHyper(defaults: {
  lr: readonly number[];
  stepEpochs: number;
  stepGamma: number;
}): HyperSchema {
  return {
    "lr": {
      type: "numbers",
      default: defaults.lr,
      doc: "Per-layer learning rates α_l of W_l and b_l (one per weight matrix; plain SGD)",
    },
    "neural_lr": {
      type: "number",
      default: 0.5,
      min: 0,
      doc: "Neural step η of s ← σ(s − η ∂Φ/∂s)",
    },
    "eval_neural_lr": {
      type: "number",
      min: 0,
      optional: true,
      doc: "Neural step η of the free phase that predicts (evaluation); absent: neural_lr. The " +
        "CorInfoMax comparison's CIFAR-10 scripts evaluate EP and CSM with another η than " +
        "they train with (e.g. CSM 0.05 vs 0.5)",
    },
    "t_free": {
      type: "number",
      default: 20,
      min: 1,
      integer: true,
      doc: "Free-phase iterations T1",
    },
    "t_nudged": {
      type: "number",
      default: 4,
      min: 1,
      integer: true,
      doc: "Nudged-phase iterations T2",
    },
    "beta": {
      type: "number",
      default: 1,
      above: 0,
      doc: "nudging strength |β| (its sign is drawn per batch)",
    },
    "random_sign": {
      type: "boolean",
      default: true,
      doc: "Draw the sign of β afresh every batch (the repository's variant)",
    },
    "estimator": {
      type: "string",
      default: "two-phase",
      enum: ["two-phase", "symmetric"],
      doc:
        "two-phase: contrast (s^β, β) with the free state, factor 1/β; symmetric: a third phase " +
        "with −β from the free state, factor 1/(2β) (Laborieux et al. 2021)",
    },
    "lr_step_epochs": {
      type: "number",
      default: defaults.stepEpochs,
      min: 0,
      integer: true,
      doc: "Multiply the learning rates by lr_step_gamma every this many epochs (0: never)",
    },
    "lr_step_gamma": {
      type: "number",
      default: defaults.stepGamma,
      min: 0,
      doc: "Step decay factor",
    },
    "divergence_ratio": {
      type: "number",
      default: 0.5,
      min: 0,
      doc: "The free phase counts as diverged when its last step is at least this times its first",
    },
    "on_divergence": {
      type: "string",
      default: "nan",
      enum: ["nan", "throw"],
      doc: "On diverged dynamics return a NaN loss without updating (nan) or throw (throw)",
    },
  };
}
