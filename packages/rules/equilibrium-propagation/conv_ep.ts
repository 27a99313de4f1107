/**
 * Equilibrium Propagation on convolutional networks (`conv-ep`) after Laborieux, Ernoult,
 * Scellier, Bengio, Grollier & Querlioz (2021), "Scaling equilibrium propagation to deep
 * convnets by drastically reducing its gradient estimator bias" (Front. Neurosci. 15:633674), on
 * networks given by layers (conv, pool, flatten, dense).
 *
 * A conv or dense layer and the pooling P right after it form a block from neuron layer s_l
 * (s_0 = x) to s_{l+1}. The network has the primitive function (summed over the batch)
 *
 *   Φ(x, s, θ) = Σ_conv s_{l+1} · P(W_l ⋆ s_l + b_l) + Σ_dense s_{l+1}ᵀ (W_lᵀ s_l + b_l),
 *
 * and with the cost L on the output, Φ^β = Φ − β·ℓ(s_L, y) (ℓ the per-sample loss, i.e. m × the
 * loss's batch mean for a batch of m). The neurons all move at once,
 *
 *   s_{t+1} = σ(∂Φ^β/∂s (x, s_t, θ)),
 *
 * σ the network's activations (the paper: hard sigmoid, `hardSigmoid` = clamp(x, 0, 1)). A free
 * phase runs T1 steps from s = 0 with β = 0 to s_*; a nudged phase runs T2 steps from s_* with
 * β (its sign drawn per batch with `random_sign`), and with symmetric nudging a third phase runs
 * T2 steps from s_* with −β. The estimate of the loss gradient at the free fixed point is
 *
 *   symmetric: ĝ = −(1/(2β)) (∂Φ/∂θ(x, s^β_*, θ) − ∂Φ/∂θ(x, s^{−β}_*, θ)),
 *   one-sided: ĝ = −(1/β) (∂Φ/∂θ(x, s^β_*, θ) − ∂Φ/∂θ(x, s_*, θ)),
 *
 * averaged over the batch, and core's optimiser steps θ with ĝ as with a gradient (the paper
 * uses SGD with momentum and per-layer rates, `lrs`). By the EP theorem, ĝ → ∂L/∂θ(s_*) as
 * β → 0: the one-sided estimate has an O(β) bias, the symmetric one O(β²).
 *
 * @module
 */
import {
  type HyperSchema,
  type LearnerDefinition,
  registerLearner,
  SchemaError,
  weightLayerCount,
} from "@plasticity/core";
import { ConvEpNet, convEpSettings } from "./_conv_ep_net.ts";
import { phiBlocks } from "./_conv_phi.ts";

/**
 * Hyper-parameters of `conv-ep`; defaults are the paper's CIFAR-10 runs (β 0.5, T1 250, T2 30,
 * symmetric nudging).
 */
export const CONV_EP_HYPER: HyperSchema = {
  "beta": { type: "number", default: 0.5, above: 0, doc: "nudging strength β" },
  "t_free": {
    type: "number",
    default: 250,
    min: 1,
    integer: true,
    doc: "free-phase steps T1",
  },
  "t_nudged": {
    type: "number",
    default: 30,
    min: 1,
    integer: true,
    doc: "steps T2 of each nudged phase",
  },
  "estimator": {
    type: "string",
    default: "symmetric",
    enum: ["symmetric", "two-phase"],
    doc: "symmetric: phases with +β and −β, factor 1/(2β); two-phase: +β against the free " +
      "state, factor 1/β (one-sided)",
  },
  "random_sign": {
    type: "boolean",
    default: false,
    doc: "draw the sign of β afresh every batch",
  },
  "lrs": {
    type: "numbers",
    optional: true,
    above: 0,
    doc: "per-layer learning rates, one per conv or dense layer, in place of optimizer.lr " +
      "(its schedule still applies)",
  },
};

/** Resolved hyper-parameters of `conv-ep` ({@linkcode CONV_EP_HYPER}; snake_case, as in configs). */
export interface ConvEpHyper {
  /** Nudging strength β (> 0). */
  beta: number;
  /** Free-phase steps T1. */
  "t_free": number;
  /** Steps T2 of each nudged phase. */
  "t_nudged": number;
  /**
   * `symmetric`: phases with +β and −β from the free state, factor 1/(2β); `two-phase`: +β
   * against the free state, factor 1/β (one-sided).
   */
  estimator: "symmetric" | "two-phase";
  /** Draw the sign of β afresh every batch. */
  "random_sign": boolean;
  /**
   * Per-layer learning rates, one per conv or dense layer, in place of `optimizer.lr` (its
   * schedule still applies).
   */
  lrs?: readonly number[];
}

/**
 * The `conv-ep` rule as registered with the core learner registry: Equilibrium Propagation on a
 * network given by `network.layers`, with the primitive function, dynamics and estimators of the
 * module description. Every pool layer must follow a conv layer (max, mean or no pooling; a
 * pooling elsewhere is an error naming the layer); the loss is the config's (the paper: `mse`).
 * Weights start from `network.init` (default PyTorch's, U(±1/√fan-in)) drawn as `bp`'s conv net
 * draws them, biases at zero, and export as `W0…`, `b0…` like `bp`'s.
 *
 * @example A small conv net learns one batch
 * ```ts
 * import { createLearner, jsBackend as b } from "@plasticity/core";
 * import "@plasticity/equilibrium-propagation";
 * const net = createLearner("conv-ep", {
 *   network: {
 *     sizes: [36, 2], input_shape: [1, 6, 6], activation: "hardSigmoid", output_activation: "hardSigmoid",
 *     layers: [{ type: "conv", out: 2, kernel: 3, stride: 1, padding: 0 },
 *       { type: "pool", kind: "max", size: 2, stride: 2 }, { type: "flatten" }, { type: "dense", out: 2 }],
 *   },
 *   hyper: { t_free: 20, t_nudged: 5 },
 *   optimizer: { name: "sgd", lr: 0.5 },
 *   backend: b, seed: 0,
 * });
 * const x = b.fromArray(Array.from({ length: 72 }, (_, i) => (i < 36 ? i % 2 : 1 - (i % 2))), 2, 36);
 * const y = b.fromArray([1, 0, 0, 1], 2, 2);
 * const first = net.trainBatch(x, y).loss;
 * for (let i = 0; i < 30; i++) net.trainBatch(x, y);
 * console.assert(net.trainBatch(x, y).loss < first);
 * ```
 */
export const convEpRule: LearnerDefinition = registerLearner({
  name: "conv-ep",
  family: "equilibrium-propagation",
  description:
    "Equilibrium Propagation on conv nets with symmetric nudging (Laborieux et al. 2021)",
  hyper: CONV_EP_HYPER,
  optimizer: true,
  layers: true,
  check(config) {
    phiBlocks(config.network, "conv-ep");
    const lrs = config.hyper["lrs"] as readonly number[] | undefined;
    const n = weightLayerCount(config.network.layers!);
    if (lrs && lrs.length !== n) {
      throw new SchemaError(
        `rule.lrs: ${lrs.length} rates (value ${
          JSON.stringify(lrs)
        }): expected one per conv or dense layer (${n})`,
      );
    }
  },
  create: (options) => new ConvEpNet("conv-ep", options, convEpSettings(options.hyper)),
});
