/**
 * The learner of the feedback-alignment family on networks given by layers (conv, pool, flatten,
 * dense): a `ConvNet` of `@plasticity/backprop` whose backward pass goes through a pluggable
 * {@linkcode ConvFeedbackPath}, trained exactly as backprop's `ConvNetLearner` trains it.
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
import { ConvNet, type ConvNetCache, type ConvNetGrads } from "@plasticity/backprop";

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
 * family. Each step: forward pass, e = ∂ℒ/∂h_L, the rule's backward pass, then per parameter p
 * with update g the optimiser's direction u (SGD, momentum or Adam) and p ← (1 − λ)·p − η·u, λ
 * the optimiser's weight decay and η its rate of the current epoch — the arithmetic of backprop's
 * `ConvNetLearner`, operation for operation, so a path whose backward pass is backprop's gives
 * its runs bit for bit. Weights come from the seed stream `weights` (the same as `bp`'s),
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
export class ConvFeedbackLearner implements Learner {
  /** The rule's name. */
  readonly rule: string;
  /** The backend. */
  readonly backend: Backend;
  /** The network (its parameters change with every step). */
  readonly net: ConvNet;
  /** The feedback path. */
  readonly path: ConvFeedbackPath;
  /** The loss. */
  readonly loss: LossSpec;
  /** The optimiser. */
  readonly optimizer: Optimizer;

  /**
   * Builds the network and its feedback path.
   *
   * @param config Rule name, options and feedback path.
   */
  constructor(config: ConvFeedbackLearnerConfig) {
    const o = config.options;
    this.rule = config.rule;
    this.backend = o.backend;
    this.loss = o.loss;
    if (!o.optimizer) throw new Error(`optimizer: missing; ${config.rule} needs an optimiser`);
    this.optimizer = new Optimizer(o.backend, o.optimizer);
    this.net = ConvNet.init(o.backend, o.network, createRng(deriveSeed(o.seed, "weights")));
    this.path = config.feedback(this.net, createRng(deriveSeed(o.seed, "feedback")));
  }

  #checkBatch(what: string, x: Tensor, y?: Tensor): void {
    const net = this.net, s = net.shapes.input;
    if (x.cols !== net.inputSize) {
      throw new Error(
        `${what}: input x has shape ${
          shapeOf(x)
        }: expected batch×${net.inputSize} (${s.c}×${s.h}×${s.w} images)`,
      );
    }
    if (y && (y.rows !== x.rows || y.cols !== net.outputSize)) {
      throw new Error(
        `${what}: target y has shape ${shapeOf(y)}: expected ${x.rows}×${net.outputSize}`,
      );
    }
  }

  /**
   * One step on a batch; see the class description for the update.
   *
   * @param x Inputs, batch × (c·h·w).
   * @param y Targets, batch × outputs.
   * @returns The batch loss before the update.
   */
  trainBatch(x: Tensor, y: Tensor): StepStats {
    this.#checkBatch("trainBatch", x, y);
    const b = this.backend, net = this.net, opt = this.optimizer, lr = opt.lr;
    const c = 1 - (opt.spec.weight_decay ?? 0), adam = opt.spec.name === "adam";
    const inPlace = c === 1 ? b.axpyInPlace?.bind(b) : undefined;
    const step = (p: Tensor, u: Tensor): Tensor => {
      if (!inPlace) return b.axpy(-lr, u, c === 1 ? p : b.scale(p, c));
      inPlace(-lr, u, p);
      return p;
    };
    let loss = NaN;
    const oldW = net.W, oldB = net.b;
    const next = b.tidy(() => {
      const cache = net.forward(x);
      const out = cache.h[cache.h.length - 1]!;
      loss = lossValue(b, this.loss, out, y);
      const g = this.path.grads(cache, lossGrad(b, this.loss, out, y));
      const W: Tensor[] = [], bias: (Tensor | undefined)[] = [];
      for (let k = 0; k < net.weightLayers; k++) {
        const u = opt.direction(`W${k}`, g.dW[k]!);
        const apply = (p: Tensor) => step(p, u);
        W.push(apply(oldW[k]!));
        this.path.learn?.(k, apply);
        if (adam) b.dispose(u);
        const db = g.db[k], bk = oldB[k];
        if (db && bk) {
          const ub = opt.direction(`b${k}`, db);
          bias.push(step(bk, ub));
          if (adam) b.dispose(ub);
        } else bias.push(undefined);
      }
      return { W, bias };
    });
    net.W = next.W;
    net.b = next.bias;
    if (!inPlace) b.dispose(...oldW, ...oldB.filter((t): t is Tensor => t !== undefined));
    return { loss };
  }

  /**
   * Ends an epoch: advances the optimiser's schedule.
   *
   * @param _epoch The epoch just finished (1-based; the optimiser counts calls itself).
   */
  endEpoch(_epoch: number): void {
    this.optimizer.endEpoch();
  }

  /**
   * The network output h_L (logits for cross-entropy).
   *
   * @param x Inputs, batch × (c·h·w).
   * @returns Outputs, batch × outputs.
   */
  predict(x: Tensor): Tensor {
    this.#checkBatch("predict", x);
    return this.backend.tidy(() => {
      const { h } = this.net.forward(x);
      return h[h.length - 1]!;
    });
  }

  /**
   * Alignment metrics with the keys of the MLP learners, angles in degrees: for rules with a
   * stand-in Bₖ, `cos_W_BT_k` / `angle_W_BT_k` = ∠(Wₖ, Bₖ) and `dist_W_BT_k` = ‖Wₖ − Bₖ‖_F;
   * with a batch, `cos_grad_k` / `angle_grad_k` = ∠(gₖ^BP, gₖ^rule) of the concatenated
   * [∂bₖ; vec ∂Wₖ] at the current weights, `norm_ratio_k` = ‖gₖ^BP‖ / ‖gₖ^rule‖, the same over all
   * layers (`_all`), and `cos_grad_b_k` / `angle_grad_b_k` for the bias gradients alone.
   *
   * @param x Inputs of the batch (optional).
   * @param y Its targets (required with `x`).
   * @returns Named numbers.
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    if (x && !y) throw new Error("diagnostics: got inputs x without targets y: expected both");
    if (x) this.#checkBatch("diagnostics", x, y);
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

  /**
   * Weights `W0…`, biases `b0…` and the path's matrices as plain arrays.
   *
   * @returns The matrices by name.
   */
  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    this.net.W.forEach((w, k) => (out[`W${k}`] = exportTensor(b, w)));
    this.net.b.forEach((t, k) => {
      if (t) out[`b${k}`] = exportTensor(b, t);
    });
    for (const [k, t] of Object.entries(this.path.matrices())) out[k] = exportTensor(b, t);
    return out;
  }

  /**
   * Restores matrices from {@linkcode ConvFeedbackLearner.exportWeights}; keys not given keep
   * their values.
   *
   * @param weights Matrices by name.
   */
  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, net = this.net, fixed = this.path.matrices();
    for (const [key, wa] of Object.entries(weights)) {
      if (
        !wa || !Number.isInteger(wa.rows) || !Number.isInteger(wa.cols) || !Array.isArray(wa.data)
      ) {
        throw new Error(`importWeights: ${key} is not a {rows, cols, data} matrix`);
      }
      const m = /^([Wb])(\d+)$/.exec(key);
      const k = m ? Number(m[2]) : -1;
      const list = m?.[1] === "W" ? net.W : net.b;
      const old = m && k < net.weightLayers ? list[k] : fixed[key];
      if (!old) {
        throw new Error(
          `importWeights: unknown weight ${JSON.stringify(key)}: expected one of ${
            Object.keys(this.exportWeights()).join(", ")
          }`,
        );
      }
      if (wa.rows !== old.rows || wa.cols !== old.cols || wa.data.length !== wa.rows * wa.cols) {
        throw new Error(
          `importWeights: ${key} has shape ${wa.rows}×${wa.cols} with ${wa.data.length} values: expected ${old.rows}×${old.cols}`,
        );
      }
      const t = b.fromArray(wa.data, wa.rows, wa.cols);
      if (m) {
        list[k] = t;
        b.dispose(old);
      } else this.path.setMatrix(key, t);
    }
  }

  /** Frees the parameters and the feedback matrices. */
  dispose(): void {
    this.net.dispose();
    this.path.dispose();
    this.optimizer.reset();
  }
}
