/**
 * Training and evaluation loops over a {@linkcode Split} for any rule's learner: `fit` trains for
 * some epochs on freshly shuffled mini-batches, `evaluate` measures the loss per sample and, for
 * classification, the accuracy. The runner evaluates with the same function.
 *
 * @module
 */
import {
  type Backend,
  correctCount,
  type Learner,
  type LossSpec,
  lossValue,
  type Rng,
  topKCorrectCount,
} from "@plasticity/core";
import { batches } from "./batches.ts";
import type { Split } from "./types.ts";

/** What {@linkcode evaluate} measures. */
export interface Evaluation {
  /** The summed loss over the split divided by its samples. */
  loss: number;
  /** Fraction of samples whose largest output is at the target's largest (classification). */
  accuracy?: number;
  /** Fraction of samples whose target is among the `topK` largest outputs, when asked for. */
  topK?: number;
}

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The backend that makes the batch tensors (the learner's). */
  backend: Backend;
  /** The loss to report; its reduction is replaced by a sum over the split. */
  loss: LossSpec;
  /** Samples per evaluation batch (1000). */
  batchSize?: number;
  /** Also measure accuracy (default: when the split has labels). */
  classification?: boolean;
  /** Also measure top-k accuracy (classification). */
  topK?: number;
}

/**
 * Loss per sample and, for classification, accuracy of `learner` on `split`: predictions in
 * batches in the stored order, the loss summed over every sample then divided by their number.
 *
 * @param learner Any rule's learner.
 * @param split The data.
 * @param options Backend, loss, batch size, what to measure.
 * @returns The evaluation.
 *
 * @example
 * ```ts
 * import { createLearner, jsBackend } from "@plasticity/core";
 * import "@plasticity/backprop";
 * import { evaluate, loadDataset } from "@plasticity/datasets";
 * const data = await loadDataset("sine", { train_size: 32, validation_size: 0, test_size: 16 }, { seed: 0 });
 * const learner = createLearner("bp", {
 *   network: { sizes: [1, 8, 1], activation: "tanh" }, backend: jsBackend, seed: 0,
 * });
 * const e = evaluate(learner, data.test, { backend: jsBackend, loss: { kind: "mse" } });
 * console.assert(e.loss > 0 && e.accuracy === undefined);
 * ```
 */
export function evaluate(learner: Learner, split: Split, options: EvaluateOptions): Evaluation {
  const b = options.backend;
  const spec: LossSpec = { ...options.loss, reduction: "sum" };
  const classification = options.classification ?? split.labels !== undefined;
  const k = classification ? options.topK : undefined;
  let total = 0, correct = 0, inTopK = 0;
  for (const [x, y] of batches(split, options.batchSize ?? 1000, b)) {
    const out = learner.predict(x);
    total += lossValue(b, spec, out, y);
    if (classification) {
      const o = b.read(out), t = b.read(y);
      correct += correctCount(o, t, split.targetDim);
      if (k !== undefined) inTopK += topKCorrectCount(o, t, split.targetDim, k);
    }
    b.dispose(x, y, out);
  }
  const r: Evaluation = { loss: total / split.n };
  if (classification) r.accuracy = correct / split.n;
  if (k !== undefined) r.topK = inTopK / split.n;
  return r;
}

/** Options of {@linkcode fit}. */
export interface FitOptions {
  /** The backend that makes the batch tensors (the learner's). */
  backend: Backend;
  /** Passes over the split. */
  epochs: number;
  /** Samples per training batch. */
  batchSize: number;
  /** Shuffles the samples afresh every epoch (an injected, seeded generator). */
  rng: Rng;
  /** Called after each epoch with its number (1…) and the mean training loss of its batches. */
  onEpoch?(epoch: number, trainLoss: number): void;
}

/**
 * Trains `learner` for `epochs` passes over `split`, each in a fresh random order of mini-batches
 * (the last one partial), ending each epoch with the learner's `endEpoch` (learning-rate
 * schedules).
 *
 * @param learner Any rule's learner.
 * @param split The training data.
 * @param options Backend, epochs, batch size, shuffling generator, per-epoch callback.
 * @returns The mean training loss of each epoch's batches.
 *
 * @example
 * ```ts
 * import { createLearner, createRng, jsBackend } from "@plasticity/core";
 * import "@plasticity/feedback-alignment";
 * import { fit, loadDataset } from "@plasticity/datasets";
 * const data = await loadDataset("sine", { train_size: 64, validation_size: 0, test_size: 16 }, { seed: 0 });
 * const learner = createLearner("fa", {
 *   network: { sizes: [1, 16, 1], activation: "tanh" }, optimizer: { name: "sgd", lr: 0.05 }, backend: jsBackend, seed: 0,
 * });
 * const losses = fit(learner, data.train, { backend: jsBackend, epochs: 20, batchSize: 8, rng: createRng(1) });
 * console.assert(losses.length === 20 && losses[19]! < losses[0]!);
 * ```
 */
export function fit(learner: Learner, split: Split, options: FitOptions): number[] {
  const { backend: b, epochs } = options;
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new Error(`Invalid epochs ${JSON.stringify(epochs)}: expected an integer ≥ 0`);
  }
  const out: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let total = 0, count = 0;
    for (const [x, y] of batches(split, options.batchSize, b, { rng: options.rng })) {
      total += learner.trainBatch(x, y).loss;
      count++;
      b.dispose(x, y);
    }
    learner.endEpoch?.(epoch);
    const mean = count ? total / count : NaN;
    out.push(mean);
    options.onEpoch?.(epoch, mean);
  }
  return out;
}
