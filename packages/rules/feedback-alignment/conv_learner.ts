/**
 * The learner of the feedback-alignment family on networks given by layers (conv, pool, flatten,
 * dense): a `ConvNet` of `@plasticity/backprop` whose backward pass goes through a pluggable
 * {@linkcode ConvFeedbackPath}, trained exactly as backprop's `ConvNetLearner` trains it.
 *
 * @module
 */
import {
  angleFromCos,
  CosineAccumulator,
  createRng,
  deriveSeed,
  lossGrad,
  type ResolvedLearnerOptions,
  type Rng,
  type Tensor,
} from "@plasticity/core";
import {
  type ConvNet,
  type ConvNetCache,
  type ConvNetGrads,
  ConvNetLearner,
} from "@plasticity/backprop";

/**
 * How a rule sends errors backwards through a {@linkcode ConvNet}, plus the matrices it owns.
 * Implementations keep their matrices alive across `Backend.tidy` with `keep`.
 */
export interface ConvFeedbackPath {
  /**
   * The rule's backward pass from e = ∂ℒ/∂h_L: the parameter updates it hands the optimiser.
   *
   * @param cache The forward pass.
   * @param e The output error.
   */
  grads(cache: ConvNetCache, e: Tensor): ConvNetGrads;
  /**
   * The matrix standing in for Wₖ (same shape) in the backward pass, for the weight alignment
   * ∠(Wₖ, Bₖ); `undefined` when the rule has none (DFA).
   */
  standIn?(k: number): Tensor | undefined;
  /** The path's matrices by export key (e.g. `B0`). */
  matrices(): Record<string, Tensor>;
  /** Replaces the matrix under `key` (from an import); throws on an unknown key. */
  setMatrix(key: string, value: Tensor): void;
  /**
   * Called after weight layer k's update with `apply`, which applies exactly Wₖ's update
   * p ← (1 − λ)p − η·uₖ to another matrix of Wₖ's shape (Kolen–Pollack), and returns it.
   */
  learn?(k: number, apply: (p: Tensor) => Tensor): void;
  /** Frees the path's matrices. */
  dispose(): void;
}

/** Makes a rule's feedback path for a freshly built network, from the rule's own generator. */
export type ConvFeedbackFactory = (net: ConvNet, rng: Rng) => ConvFeedbackPath;

/** What {@linkcode ConvFeedbackLearner} needs. */
export interface ConvFeedbackLearnerConfig {
  /** The rule's registered name, e.g. `fa`. */
  rule: string;
  /** Network (given by layers), optimiser, loss, backend and seed. */
  options: ResolvedLearnerOptions;
  /** The feedback path. */
  feedback: ConvFeedbackFactory;
}

/**
 * A network of conv, pool, flatten and dense layers trained by a rule of the feedback-alignment
 * family: backprop's `ConvNetLearner` (forward pass, e = ∂ℒ/∂h_L, the optimiser's step on every
 * parameter) with the rule's backward pass in place of backpropagation, the same update given to
 * the rule's learned matrices (Kolen–Pollack), and the alignment metrics; so a path whose
 * backward pass is backprop's gives its runs bit for bit. Weights come from the seed stream `weights` (the same as `bp`'s),
 * feedback matrices from `feedback`. Parameters export as `W0…`, `b0…` (one per conv or dense
 * layer) and the path's matrices.
 *
 * @example FA on a small conv net
 * ```ts
 * import { createLearner, jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { faRule } from "@plasticity/feedback-alignment";
 * const sections = resolveLearnerConfig(faRule, {
 *   network: { input_shape: [1, 4, 4], activation: "relu", layers: [{ conv: { out: 2, kernel: 3 } }, "flatten", { dense: 2 }] },
 *   optimizer: { name: "sgd", lr: 0.1 },
 *   loss: "ce",
 * });
 * const net = createLearner("fa", { ...sections, backend: b, seed: 0 });
 * const w = net.exportWeights();
 * console.assert(w.B0!.rows === 2 && w.B0!.cols === 9 && w.B1!.rows === 8);
 * ```
 */
export class ConvFeedbackLearner extends ConvNetLearner {
  /** The rule's feedback path. */
  readonly path: ConvFeedbackPath;

  /**
   * Builds the network and then the feedback path.
   *
   * @param config Rule name, options and feedback factory.
   */
  constructor(config: ConvFeedbackLearnerConfig) {
    super({ rule: config.rule, options: config.options });
    this.path = config.feedback(this.net, createRng(deriveSeed(config.options.seed, "feedback")));
  }

  /**
   * The rule's backward pass.
   *
   * @param cache The forward pass.
   * @param e The output error.
   * @returns ∂W and ∂b per layer.
   */
  protected override grads(cache: ConvNetCache, e: Tensor): ConvNetGrads {
    return this.path.grads(cache, e);
  }

  /**
   * Gives layer k's weight update to the path's learned matrix (Kolen–Pollack).
   *
   * @param k The layer.
   * @param apply The update.
   */
  protected override learnWith(k: number, apply: (p: Tensor) => Tensor): void {
    this.path.learn?.(k, apply);
  }

  /**
   * The path's matrices (`B0…`, and `M…` for the sign-symmetry magnitudes).
   *
   * @returns The matrices by name.
   */
  protected override extraMatrices(): Record<string, Tensor> {
    return this.path.matrices();
  }

  /**
   * Replaces one of the path's matrices.
   *
   * @param key Its name.
   * @param value The new matrix.
   */
  protected override setExtraMatrix(key: string, value: Tensor): void {
    this.path.setMatrix(key, value);
  }

  /**
   * Alignment metrics with the keys of the MLP learners, angles in degrees: for rules with a
   * stand-in Bₖ, `cos_W_BT_k` / `angle_W_BT_k` = ∠(Wₖ, Bₖ) and `dist_W_BT_k` = ‖Wₖ − Bₖ‖_F;
   * with a batch, `cos_grad_k` / `angle_grad_k` = ∠(gₖ^BP, gₖ^rule) of the concatenated
   * [∂bₖ; vec ∂Wₖ] at the current weights, `norm_ratio_k` = ‖gₖ^BP‖ / ‖gₖ^rule‖, the same over all
   * layers (`_all`), and `cos_grad_b_k` / `angle_grad_b_k` for the bias gradients alone.
   *
   * @param x Inputs of the batch (optional).
   * @param y Targets of the batch (with `x`).
   * @returns Named numbers.
   */
  override diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    super.diagnostics(x, y); // checks the batch
    const b = this.backend, net = this.net, out: Record<string, number> = {};
    b.tidy(() => {
      for (let k = 0; k < net.weightLayers; k++) {
        const B = this.path.standIn?.(k);
        if (!B) continue;
        const w = b.read(net.W[k]!), bt = b.read(B);
        const al = new CosineAccumulator();
        al.add(w, bt);
        const cw = al.cos();
        out[`cos_W_BT_${k}`] = cw;
        out[`angle_W_BT_${k}`] = angleFromCos(cw);
        let d2 = 0;
        for (let i = 0; i < w.length; i++) d2 += (w[i]! - bt[i]!) ** 2;
        out[`dist_W_BT_${k}`] = Math.sqrt(d2);
      }
      if (!x || !y) return;
      const cache = net.forward(x);
      const e = lossGrad(b, this.loss, cache.h[cache.h.length - 1]!, y);
      const gBp = net.backward(cache, e);
      const gRule = this.path.grads(cache, e);
      const all = new CosineAccumulator();
      for (let k = 0; k < net.weightLayers; k++) {
        const al = new CosineAccumulator();
        al.add(b.read(gBp.dW[k]!), b.read(gRule.dW[k]!));
        const bb = gBp.db[k], br = gRule.db[k];
        if (bb && br) {
          const ab = new CosineAccumulator();
          ab.add(b.read(bb), b.read(br));
          const cb = ab.cos();
          out[`cos_grad_b_${k}`] = cb;
          out[`angle_grad_b_${k}`] = angleFromCos(cb);
          al.merge(ab);
        }
        all.merge(al);
        const cg = al.cos();
        out[`cos_grad_${k}`] = cg;
        out[`angle_grad_${k}`] = angleFromCos(cg);
        out[`norm_ratio_${k}`] = al.normRatio();
      }
      const ca = all.cos();
      out.cos_grad_all = ca;
      out.angle_grad_all = angleFromCos(ca);
      out.norm_ratio_all = all.normRatio();
    });
    return out;
  }

  /** Frees the network, the path and the optimiser state. */
  override dispose(): void {
    super.dispose();
    this.path.dispose();
  }
}
