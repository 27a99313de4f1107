/**
 * The learner of networks given by layers (conv, pool, flatten, dense): a {@linkcode ConvNet}
 * trained by backpropagation with core's optimisers, as {@linkcode MlpLearner} trains an MLP.
 *
 * @module
 */
import {
  type Backend,
  createRng,
  deriveSeed,
  exportTensor,
  type Learner,
  lossGrad,
  type LossSpec,
  lossValue,
  Optimizer,
  type ResolvedLearnerOptions,
  shapeOf,
  type StepStats,
  type Tensor,
  type WeightArray,
} from "@plasticity/core";
import { ConvNet, type ConvNetCache, type ConvNetGrads } from "./convnet.ts";
import { stepParams, stepsInPlace } from "./_update.ts";

/** What {@linkcode ConvNetLearner} needs. */
export interface ConvNetLearnerConfig {
  /** The rule's registered name, e.g. `bp`. */
  rule: string;
  /** Network (given by layers), optimiser, loss, backend and seed. */
  options: ResolvedLearnerOptions;
}

/**
 * A network of conv, pool, flatten and dense layers trained by backpropagation. Each step:
 * forward pass, e = ∂ℒ/∂h_L, backward pass, then per parameter p with gradient g the optimiser's
 * direction u (SGD, momentum or Adam) and p ← (1 − λ)·p − η·u, λ the optimiser's weight decay and
 * η its rate of the current epoch (its `schedule`, advanced by {@linkcode ConvNetLearner.endEpoch}),
 * as {@linkcode MlpLearner} in its `documented` decay mode. Weights come from the seed stream
 * `weights`. Parameters are exported as `W0…` and `b0…`, one per conv or dense layer in order.
 *
 * @example A small conv net fits two images
 * ```ts
 * import { jsBackend as b, resolveLearnerConfig } from "@plasticity/core";
 * import { bpRule, ConvNetLearner } from "@plasticity/backprop";
 * const sections = resolveLearnerConfig(bpRule, {
 *   network: { input_shape: [1, 4, 4], activation: "relu", layers: [{ conv: { out: 2, kernel: 3 } }, "flatten", { dense: 2 }] },
 *   optimizer: { name: "sgd", lr: 0.1 },
 * });
 * const net = new ConvNetLearner({ rule: "bp", options: { ...sections, backend: b, seed: 0 } });
 * const x = b.fromArray(Array.from({ length: 32 }, (_, i) => (i % 5) / 5), 2, 16);
 * const y = b.fromArray([1, 0, 0, 1], 2, 2);
 * const first = net.trainBatch(x, y).loss;
 * for (let i = 0; i < 50; i++) net.trainBatch(x, y);
 * console.assert(net.trainBatch(x, y).loss < first);
 * ```
 */
export class ConvNetLearner implements Learner {
  /** The rule's name. */
  readonly rule: string;
  /** The backend. */
  readonly backend: Backend;
  /** The network (its parameters change with every step). */
  readonly net: ConvNet;
  /** The loss. */
  readonly loss: LossSpec;
  /** The optimiser. */
  readonly optimizer: Optimizer;

  /**
   * Builds the network.
   *
   * @param config Rule name and options.
   */
  constructor(config: ConvNetLearnerConfig) {
    const o = config.options;
    this.rule = config.rule;
    this.backend = o.backend;
    this.loss = o.loss;
    if (!o.optimizer) throw new Error(`optimizer: missing; ${config.rule} needs an optimiser`);
    this.optimizer = new Optimizer(o.backend, o.optimizer);
    this.net = ConvNet.init(o.backend, o.network, createRng(deriveSeed(o.seed, "weights")));
  }

  /** Throws one line unless `x` (and `y`) fit the network. */
  protected checkBatch(what: string, x: Tensor, y?: Tensor): void {
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
    this.checkBatch("trainBatch", x, y);
    const b = this.backend, net = this.net, opt = this.optimizer;
    const c = 1 - (opt.spec.weight_decay ?? 0);
    let loss = NaN;
    const oldW = net.W, oldB = net.b;
    const next = b.tidy(() => {
      const cache = net.forward(x);
      const out = cache.h[cache.h.length - 1]!;
      loss = lossValue(b, this.loss, out, y);
      const g = this.grads(cache, lossGrad(b, this.loss, out, y));
      return stepParams(
        b,
        opt,
        c,
        { W: oldW, bias: oldB },
        g,
        (k, apply) => this.learnWith(k, apply),
      );
    });
    net.W = next.W;
    net.b = next.bias;
    if (!stepsInPlace(b, c)) {
      b.dispose(
        ...oldW,
        ...oldB.filter((t): t is Tensor => t !== undefined),
      );
    }
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
    this.checkBatch("predict", x);
    return this.backend.tidy(() => {
      const { h } = this.net.forward(x);
      return h[h.length - 1]!;
    });
  }

  /**
   * Backpropagation's update is the gradient itself, so there are no alignment metrics to report.
   *
   * @param x Inputs of a batch (optional; checked).
   * @param y Its targets (required with `x`).
   * @returns An empty record.
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number> {
    if (x && !y) throw new Error("diagnostics: got inputs x without targets y: expected both");
    if (x) this.checkBatch("diagnostics", x, y);
    return {};
  }

  /**
   * Weights `W0…` and biases `b0…` (one per conv or dense layer) as plain arrays.
   *
   * @returns The matrices by name.
   */
  exportWeights(): Record<string, WeightArray> {
    const b = this.backend, out: Record<string, WeightArray> = {};
    this.net.W.forEach((w, k) => (out[`W${k}`] = exportTensor(b, w)));
    this.net.b.forEach((t, k) => {
      if (t) out[`b${k}`] = exportTensor(b, t);
    });
    for (const [k, t] of Object.entries(this.extraMatrices())) out[k] = exportTensor(b, t);
    return out;
  }

  /**
   * The parameter gradients of a batch from its forward cache and the output error ∂ℓ/∂out:
   * backpropagation here; a rule with another backward pass overrides it.
   *
   * @param cache The forward pass.
   * @param e The output error.
   * @returns ∂W and ∂b per layer.
   */
  protected grads(cache: ConvNetCache, e: Tensor): ConvNetGrads {
    return this.net.backward(cache, e);
  }

  /**
   * Called after layer k's weight update `apply` (p ← p − η·u) so a rule can give the same update
   * to matrices of its own (Kolen–Pollack's B); nothing here.
   *
   * @param _k The layer.
   * @param _apply The update.
   */
  protected learnWith(_k: number, _apply: (p: Tensor) => Tensor): void {}

  /**
   * Matrices besides W and b that `exportWeights` writes and `importWeights` restores (a rule's
   * feedback weights); none here.
   *
   * @returns The matrices by name.
   */
  protected extraMatrices(): Record<string, Tensor> {
    return {};
  }

  /**
   * Replaces one of {@linkcode ConvNetLearner.extraMatrices}.
   *
   * @param key Its name.
   * @param _value The new matrix.
   */
  protected setExtraMatrix(key: string, _value: Tensor): void {
    throw new Error(`importWeights: unknown weight ${JSON.stringify(key)}`);
  }

  /**
   * Restores matrices from {@linkcode ConvNetLearner.exportWeights}; keys not given keep their
   * values.
   *
   * @param weights Matrices by name.
   */
  importWeights(weights: Record<string, WeightArray>): void {
    const b = this.backend, net = this.net, extra = this.extraMatrices();
    for (const [key, wa] of Object.entries(weights)) {
      const m = /^([Wb])(\d+)$/.exec(key);
      const k = m ? Number(m[2]) : -1;
      const list = m?.[1] === "W" ? net.W : net.b;
      const old = m ? (k < net.weightLayers ? list[k] : undefined) : extra[key];
      if (!old) {
        throw new Error(
          `importWeights: unknown weight ${JSON.stringify(key)}: expected one of ${
            Object.keys(this.exportWeights()).join(", ")
          }`,
        );
      }
      if (
        !wa || !Number.isInteger(wa.rows) || !Number.isInteger(wa.cols) || !Array.isArray(wa.data)
      ) {
        throw new Error(`importWeights: ${key} is not a {rows, cols, data} matrix`);
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
      } else this.setExtraMatrix(key, t);
    }
  }

  /** Frees the parameters. */
  dispose(): void {
    this.net.dispose();
    this.optimizer.reset();
  }
}
