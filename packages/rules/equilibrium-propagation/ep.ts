/**
 * Equilibrium Propagation (Scellier & Bengio 2017) as in the Supervised-CorInfoMax repository:
 * hard-sigmoid neurons relax by s ← σ(s − η ∂Φ/∂s) on the energy of {@link ./energy.ts}, a free
 * phase (β = 0) then a nudged phase with β of random sign, and the contrastive update
 * ΔW_l = (α_l/β)⟨s^β_{l+1} s^βᵀ_l − s^0_{l+1} s^0ᵀ_l⟩. The symmetric three-phase estimator of
 * Laborieux et al. (2021) is an option. Any number of hidden layers.
 *
 * @module
 */
import { type HyperSchema, type LearnerDefinition, registerLearner } from "@plasticity/core";
import { EnergyNet, energyNetSettings } from "./_energy_net.ts";
import { energyHyper } from "./_hyper.ts";

/** Hyper-parameters of `ep`; defaults are the repository's MNIST 784-500-10 values. */
export const EP_HYPER: HyperSchema = energyHyper({ lr: [0.1, 0.05], stepEpochs: 0, stepGamma: 1 });

/** Resolved hyper-parameters of `ep` ({@linkcode EP_HYPER}; snake_case, as in configs). */
export interface EpHyper {
  /** Per-layer learning rates α_l of W_l and b_l (one per weight matrix; plain SGD). */
  lr: readonly number[];
  /** Neural step η of s ← σ(s − η ∂Φ/∂s). */
  "neural_lr": number;
  /**
   * Neural step η of the free phase that predicts (evaluation); absent: neural_lr. The
   * CorInfoMax comparison's CIFAR-10 scripts evaluate EP and CSM with another η than they train
   * with (e.g. CSM 0.05 vs 0.5).
   */
  "eval_neural_lr"?: number;
  /** Free-phase iterations T1. */
  "t_free": number;
  /** Nudged-phase iterations T2. */
  "t_nudged": number;
  /** Nudging strength |β| (its sign is drawn per batch). */
  beta: number;
  /** Draw the sign of β afresh every batch (the repository's variant). */
  "random_sign": boolean;
  /**
   * `two-phase`: contrast (s^β, β) with the free state, factor 1/β; `symmetric`: a third phase
   * with −β from the free state, factor 1/(2β) (Laborieux et al. 2021).
   */
  estimator: "two-phase" | "symmetric";
  /** Multiply the learning rates by lr_step_gamma every this many epochs (0: never). */
  "lr_step_epochs": number;
  /** Step decay factor. */
  "lr_step_gamma": number;
  /** The free phase counts as diverged when its last step is at least this times its first. */
  "divergence_ratio": number;
  /** On diverged dynamics return a NaN loss without updating (`nan`) or throw (`throw`). */
  "on_divergence": "nan" | "throw";
}

/**
 * The `ep` rule as registered with the core learner registry.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * import "@plasticity/equilibrium-propagation";
 * console.assert(getLearner("ep").family === "equilibrium-propagation");
 * ```
 */
export const epRule: LearnerDefinition = registerLearner({
  name: "ep",
  family: "equilibrium-propagation",
  description:
    "Equilibrium Propagation with random-sign β (optionally the symmetric three-phase estimator)",
  hyper: EP_HYPER,
  optimizer: false,
  create: (o) => new EnergyNet(o, energyNetSettings("ep", false, o.hyper, o.network.sizes)),
});
