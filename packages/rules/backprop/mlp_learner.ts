/**
 * The learner shared by backpropagation and the feedback-alignment family: an {@linkcode Mlp}
 * trained with core's optimisers, whose backward pass uses a pluggable {@linkcode FeedbackPath}.
 * Backprop, FA, DFA and Kolen–Pollack differ only in that path.
 *
 * @module
 */
import {
  angleFromCos,
  type Backend,
  CosineAccumulator,
  createRng,
  deriveSeed,
  exportTensor,
  type Learner,
  lossGrad,
  type LossSpec,
  lossValue,
  Optimizer,
  type ResolvedLearnerOptions,
  type Rng,
  shapeOf,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { type FeedbackSignal, Mlp } from "./mlp.ts";
import { checkShape } from "./_check.ts";
import { stepParams, stepsInPlace } from "./_update.ts";

/**
 * How a rule sends errors backwards, plus the matrices it owns (e.g. the feedback weights B).
 * Implementations keep their matrices alive across {@linkcode Backend.tidy} with `keep`.
 */
export interface FeedbackPath {
  /** The signal at hᵢ for layer i ≥ 1 (see {@linkcode FeedbackSignal}). */
  readonly signal: FeedbackSignal;
  /** The path's matrices by export key (e.g. `B0`), empty for backprop. */
  matrices(): Record<string, Tensor>;
  /** Replaces the matrix under `key` (from an import); throws on an unknown key or shape. */
  setMatrix(key: string, value: Tensor): void;
  /**
   * The matrix that stands in for Wᵢ in the backward pass, stored like Wᵢ (fanIn × fanOut, i.e.
   * it plays the role of Wᵢᵀ in column notation), for the weight alignment cos ∠(Wᵢ, Bᵢ);
   * `undefined` when there is none (backprop, DFA).
   */
  standIn?(i: number): Tensor | undefined;
  /**
   * Called after each layer's update with `apply`, which applies exactly Wᵢ's update
   * p ← c·p − η·uᵢ to another matrix (Kolen–Pollack's B learns this way). `apply` returns the
   * updated matrix, which is `p` itself when the backend updated it in place.
   */
  learn?(i: number, apply: (p: Tensor) => Tensor): void;
  /** Frees the path's matrices. */
  dispose(): void;
}

/** Makes a rule's feedback path for a freshly built network, from the rule's own generator. */
export type FeedbackFactory = (mlp: Mlp, rng: Rng) => FeedbackPath;

/**
 * How weight decay λ (`optimizer.weight_decay`) enters the update:
 * `documented` is p ← (1 − λ)p − η u (decoupled decay; Kolen–Pollack's W − Bᵀ then shrinks as
 * (1 − λ)ᵗ); `bioflax-compat` reproduces the bioflax repository's optax chain, whose
 * `add_decayed_weights` after the learning-rate scaling gives p ← (1 + λ)p − η u.
 */
export type DecayMode = "documented" | "bioflax-compat";

/** Decay modes. */
export const DECAY_MODES: readonly DecayMode[] = ["documented", "bioflax-compat"];

/** What {@linkcode MlpLearner} needs besides the core learner options. */
export interface MlpLearnerConfig {
  /** The rule's registered name, e.g. `fa`. */
  rule: string;
  /** Network, optimiser, loss, backend and seed. */
  options: ResolvedLearnerOptions;
  /** The feedback path (default: backpropagation, δᵢWᵢᵀ). */
  feedback?: FeedbackFactory;
  /** Weight decay form (default `documented`). */
  decay?: DecayMode;
}

const backpropPath = (mlp: Mlp): FeedbackPath => ({
  signal: mlp.bpSignal,
  matrices: () => ({}),
  setMatrix: (key) => {
    throw new Error(`Unknown weight ${JSON.stringify(key)}: backprop has no feedback matrices`);
  },
  dispose: () => {},
});

/**
 * A multilayer perceptron learner. Each step: forward pass, e = ∂ℒ/∂h_L, backward pass through
 * the rule's feedback path, then per parameter p with gradient estimate g the optimiser's
 * direction u (SGD, momentum or Adam) and p ← c·p − η·u with c = 1 − λ (or 1 + λ in
 * `bioflax-compat` mode) and η the optimiser's rate of the current epoch (its `schedule`,
 * advanced by {@linkcode MlpLearner.endEpoch}). Weights come from the seed stream `weights`, feedback matrices from
 * `feedback`, so two rules with the same seed start from the same forward weights.
 *
 * @example Backprop on a two-sample regression problem
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { MlpLearner } from "@plasticity/backprop";
 * const net = new MlpLearner({
 *   rule: "bp",
 *   options: {
 *     network: { sizes: [2, 8, 1], activation: "tanh" }, hyper: {}, backend: b, seed: 0,
 *     optimizer: { name: "sgd", lr: 0.1 }, loss: { kind: "mse", half: true, reduction: "mean" },
 *   },
 * });
 * const x = b.fromArray([0, 1, 1, 0], 2, 2), y = b.fromArray([0.5, -0.5], 2, 1);
 * const first = net.trainBatch(x, y).loss;
 * for (let i = 0; i < 50; i++) net.trainBatch(x, y);
 * console.assert(net.trainBatch(x, y).loss < first);
 * ```
 */
export class MlpLearner implements Learner {
  /** The rule's name. */
  readonly rule: string;
  /** The backend. */
  readonly backend: Backend;
  /** The network (its parameters change with every step). */
  readonly mlp: Mlp;
  /** The feedback path. */
  readonly path: FeedbackPath;
  /** The loss. */
  readonly loss: LossSpec;
  /** The optimiser (its weight decay is applied by the learner, see {@linkcode DecayMode}). */
  readonly optimizer: Optimizer;
  /** The decay form. */
  readonly decay: DecayMode;

  /**
   * Builds the network and its feedback path.
   *
   * @param config Rule name, options, feedback path and decay form.
   */
  constructor(config: MlpLearnerConfig) {
    const o = config.options;
    this.rule = config.rule;
    this.backend = o.backend;
    this.loss = o.loss; // validated by LOSS_SECTION
    if (!o.optimizer) throw new Error(`optimizer: missing; ${config.rule} needs an optimiser`);
    this.optimizer = new Optimizer(o.backend, o.optimizer);
    this.decay = config.decay ?? "documented";
    if (!DECAY_MODES.includes(this.decay)) {
      throw new Error(
        `Unknown decay mode ${JSON.stringify(this.decay)}: expected one of ${
          DECAY_MODES.join(", ")
        }`,
      );
    }
    this.mlp = Mlp.init(o.backend, o.network, createRng(deriveSeed(o.seed, "weights")));
    const make = config.feedback ?? backpropPath;
    this.path = make(this.mlp, createRng(deriveSeed(o.seed, "feedback")));
  }

  #checkBatch(what: string, x: Tensor, y?: Tensor): void {
    const s = this.mlp.sizes, nOut = s[s.length - 1]!;
    if (x.cols !== s[0]) {
      throw new Error(`${what}: input x has shape ${shapeOf(x)}: expected batch×${s[0]}`);
    }
    if (y && (y.rows !== x.rows || y.cols !== nOut)) {
      throw new Error(`${what}: target y has shape ${shapeOf(y)}: expected ${x.rows}×${nOut}`);
    }
  }

  /**
   * One step on a batch; see the class description for the update.
   *
   * @param x Inputs, batch × sizes[0].
   * @param y Targets, batch × sizes[L].
   * @returns The batch loss before the update.
   */
  trainBatch(x: Tensor, y: Tensor): StepStats {
    this.#checkBatch("trainBatch", x, y);
    const b = this.backend, mlp = this.mlp, opt = this.optimizer;
    const lambda = opt.spec.weight_decay ?? 0;
    const c = this.decay === "documented" ? 1 - lambda : 1 + lambda;
    let loss = NaN;
    const oldW = mlp.W, oldB = mlp.b;
    const next = b.tidy(() => {
      const cache = mlp.forward(x);
      const out = cache.h[mlp.layers]!;
      loss = lossValue(b, this.loss, out, y);
      const g = mlp.backward(cache, lossGrad(b, this.loss, out, y), this.path.signal);
      return stepParams(b, opt, c, { W: oldW, bias: oldB }, g, this.path.learn?.bind(this.path));
    });
    mlp.W = next.W;
    mlp.b = next.bias;
    if (!stepsInPlace(b, c)) {
      b.dispose(
        ...oldW,
        ...oldB.filter((t): t is Tensor => t !== undefined),
      );
    }
    return { loss };
  }

  /**
   * Ends an epoch: advances the optimiser's epoch count, so the next epoch's steps use the rate
   * of its `schedule` ({@linkcode Optimizer.endEpoch}; nothing changes without one).
   *
   * @param _epoch The epoch just finished (1-based; the optimiser counts calls itself).
   */
  endEpoch(_epoch: number): void {
    this.optimizer.endEpoch();
  }

  /**
   * The network output h_L (logits for cross-entropy).
   *
   * @param x Inputs.
   * @returns Outputs, batch × sizes[L].
   */
  predict(x: Tensor): Tensor {
    this.#checkBatch("predict", x);
    return this.backend.tidy(() => {
      const { h } = this.mlp.forward(x);
      return h[h.length - 1]!;
    });
  }

  /**
   * Alignment metrics as bioflax defines them, with angles in degrees:
   * `cos_W_BT_i` / `angle_W_BT_i` = ∠(Wᵢ, Bᵢ) for rules with a per-layer stand-in Bᵢ (FA, KP),
   * with `dist_W_BT_i` = ‖Wᵢ − Bᵢ‖_F (Kolen–Pollack: (1 − λ)ᵗ‖W₀ − B₀‖_F after t steps);
   * with a batch, `cos_grad_i` / `angle_grad_i` = ∠(gᵢ^BP, gᵢ^rule) of the concatenated
   * [∂bᵢ; vec ∂Wᵢ] at the current weights on that batch (the rule's g is what the optimiser
   * receives), `norm_ratio_i` = ‖gᵢ^BP‖ / ‖gᵢ^rule‖, and the same over all layers (`_all`);
   * with biases also `cos_grad_b_i` / `angle_grad_b_i` for the bias gradients alone.
   *
   * @param x Inputs of the batch (optional).
   * @param y Its targets (required with `x`).
   * @returns Named numbers.
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    if (x && !y) throw new Error("diagnostics: got inputs x without targets y: expected both");
    if (x) this.#checkBatch("diagnostics", x, y);
    const b = this.backend, mlp = this.mlp, out: Record<string, number> = {};
    b.tidy(() => {
      for (let i = 0; i < mlp.layers; i++) {
        const B = this.path.standIn?.(i);
        if (!B) continue;
        const w = b.read(mlp.W[i]!), bt = b.read(B);
        const al = new CosineAccumulator();
        al.add(w, bt);
        const cw = al.cos();
        out[`cos_W_BT_${i}`] = cw;
        out[`angle_W_BT_${i}`] = angleFromCos(cw);
        let d2 = 0;
        for (let k = 0; k < w.length; k++) d2 += (w[k]! - bt[k]!) ** 2;
        out[`dist_W_BT_${i}`] = Math.sqrt(d2);
      }
      if (!x || !y) return;
      const cache = mlp.forward(x);
      const h = cache.h[mlp.layers]!;
      const e = lossGrad(b, this.loss, h, y);
      const gBp = mlp.backward(cache, e, mlp.bpSignal);
      const gRule = mlp.backward(cache, e, this.path.signal);
      const all = new CosineAccumulator();
      for (let i = 0; i < mlp.layers; i++) {
        const al = new CosineAccumulator();
        al.add(b.read(gBp.dW[i]!), b.read(gRule.dW[i]!));
        const bb = gBp.db[i], br = gRule.db[i];
        if (bb && br) {
          const ab = new CosineAccumulator();
          ab.add(b.read(bb), b.read(br));
          const cb = ab.cos();
          out[`cos_grad_b_${i}`] = cb;
          out[`angle_grad_b_${i}`] = angleFromCos(cb);
          al.merge(ab);
        }
        all.merge(al);
        const cg = al.cos();
        out[`cos_grad_${i}`] = cg;
        out[`angle_grad_${i}`] = angleFromCos(cg);
        out[`norm_ratio_${i}`] = al.normRatio();
      }
      const ca = all.cos();
      out.cos_grad_all = ca;
      out.angle_grad_all = angleFromCos(ca);
      out.norm_ratio_all = all.normRatio();
    });
    return out;
  }

  /**
   * Weights `W0…`, biases `b0…` and the path's matrices (e.g. `B0…`) as plain arrays.
   *
   * @returns The matrices by name.
   */
  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    this.mlp.W.forEach((w, i) => (out[`W${i}`] = exportTensor(b, w)));
    this.mlp.b.forEach((t, i) => {
      if (t) out[`b${i}`] = exportTensor(b, t);
    });
    for (const [k, t] of Object.entries(this.path.matrices())) out[k] = exportTensor(b, t);
    return out;
  }

  /**
   * Restores matrices from {@linkcode MlpLearner.exportWeights}; keys not given keep their values.
   *
   * @param weights Matrices by name.
   */
  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, mlp = this.mlp;
    const fixed = this.path.matrices();
    for (const [key, wa] of Object.entries(weights)) {
      if (
        !wa || !Number.isInteger(wa.rows) || !Number.isInteger(wa.cols) || !Array.isArray(wa.data)
      ) {
        throw new Error(`importWeights: ${key} is not a {rows, cols, data} matrix`);
      }
      if (wa.data.length !== wa.rows * wa.cols) {
        throw new Error(
          `importWeights: ${key} has ${wa.data.length} values: expected rows × cols = ${
            wa.rows * wa.cols
          }`,
        );
      }
      const m = /^([Wb])(\d+)$/.exec(key);
      const i = m ? Number(m[2]) : -1;
      if (m && m[1] === "W" && i < mlp.layers) {
        checkShape(`importWeights: ${key}`, wa, mlp.W[i]!.rows, mlp.W[i]!.cols);
        const old = mlp.W[i]!;
        mlp.W[i] = b.fromArray(wa.data, wa.rows, wa.cols);
        b.dispose(old);
      } else if (m && m[1] === "b" && i < mlp.layers && mlp.b[i]) {
        const old = mlp.b[i]!;
        checkShape(`importWeights: ${key}`, wa, 1, old.cols);
        mlp.b[i] = b.fromArray(wa.data, wa.rows, wa.cols);
        b.dispose(old);
      } else if (key in fixed) {
        const old = fixed[key]!;
        checkShape(`importWeights: ${key}`, wa, old.rows, old.cols);
        this.path.setMatrix(key, b.fromArray(wa.data, wa.rows, wa.cols));
      } else {
        const known = [...Object.keys(this.exportWeights())].join(", ");
        throw new Error(
          `importWeights: unknown weight ${JSON.stringify(key)}: expected one of ${known}`,
        );
      }
    }
  }

  /** Frees the parameters and the feedback matrices. */
  dispose(): void {
    this.mlp.dispose();
    this.path.dispose();
    this.optimizer.reset();
  }
}
