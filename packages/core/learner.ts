/**
 * The learner interface every rule implements and every app uses, and the registry through
 * which apps pick a rule by name.
 *
 * @module
 */
import type { HyperSchema } from "./hyper.ts";
import type { InitSpec } from "./init.ts";
import type { LossSpec } from "./loss.ts";
import type { OptimizerSpec } from "./optimizer.ts";
import type { Activation, Backend, Tensor } from "./tensor.ts";

/** The architecture of a layered network. */
export interface NetworkSpec {
  /** Layer sizes from input to output, e.g. `[784, 500, 10]`. */
  sizes: readonly number[];
  /** Hidden activation: one for all hidden layers, or one per hidden layer. */
  activation: Activation | readonly Activation[];
  /** Output activation (default `identity`). */
  outputActivation?: Activation;
  /** Negative slope of `leakyRelu` (default 0.01). */
  leakySlope?: number;
  /** Weight initialiser (default `xavierUniform`; each rule documents its own default). */
  init?: InitSpec;
  /** Whether layers have biases (default true). */
  bias?: boolean;
}

/** Everything a rule needs to build a learner. */
export interface LearnerOptions {
  /** The architecture. */
  network: NetworkSpec;
  /** The rule's hyper-parameters, checked against the rule's schema. */
  hyper?: Record<string, unknown>;
  /** Optimiser of the weights (default: SGD, lr 0.01). */
  optimizer?: OptimizerSpec;
  /** Loss at the output (default: squared error with ½, mean over the batch). */
  loss?: LossSpec;
  /** The backend every tensor lives on. */
  backend: Backend;
  /** Seed of every random draw the learner makes. */
  seed: number;
}

/** Statistics of one training step: at least the loss, plus any named numbers. */
export interface StepStats {
  /** The batch loss before the update. */
  loss: number;
  /** Further named statistics, e.g. `energy`. */
  [name: string]: number;
}

/** A weight matrix as plain data, for checkpoints. */
export interface WeightArray {
  /** Rows. */
  rows: number;
  /** Columns. */
  cols: number;
  /** Row-major values. */
  data: number[];
}

/**
 * A trainable network under one learning rule.
 *
 * @example Train and predict with a registered rule
 * ```ts
 * import type { Learner } from "@plasticity/core";
 * function epoch(learner: Learner, batches: [import("@plasticity/core").Tensor, import("@plasticity/core").Tensor][]) {
 *   let total = 0;
 *   for (const [x, y] of batches) total += learner.trainBatch(x, y).loss;
 *   return total / batches.length;
 * }
 * console.assert(typeof epoch === "function");
 * ```
 */
export interface Learner {
  /** The rule's registered name. */
  readonly rule: string;
  /** The backend its tensors live on. */
  readonly backend: Backend;
  /** One learning step on a batch of inputs `x` and targets `y`. */
  trainBatch(x: Tensor, y: Tensor): StepStats;
  /** The network's output for `x`, without learning. */
  predict(x: Tensor): Tensor;
  /**
   * Rule-specific diagnostics as named numbers (e.g. alignment angles per layer). Rules that
   * measure on a batch use `x` and `y` when given.
   */
  diagnostics(x?: Tensor, y?: Tensor): Record<string, number>;
  /** Called by the runner after each epoch (1-based), e.g. for learning-rate schedules. */
  endEpoch?(epoch: number): void;
  /** Every learnable (and fixed feedback) matrix as plain arrays. */
  exportWeights(): Record<string, WeightArray>;
  /** Restores matrices exported by {@linkcode Learner.exportWeights}. */
  importWeights(weights: Record<string, WeightArray>): void;
  /** Frees backend memory. */
  dispose(): void;
}

/** A rule as registered: its name, family, hyper-parameter schema and constructor. */
export interface LearnerDefinition {
  /** Name used in configs, e.g. `fa`. */
  name: string;
  /** Package family, e.g. `feedback-alignment`. */
  family: string;
  /** One line on what the rule is. */
  description: string;
  /** The hyper-parameters it accepts. */
  hyper: HyperSchema;
  /** Builds a learner. */
  create(options: LearnerOptions): Learner;
}

const registry = new Map<string, LearnerDefinition>();

/**
 * Registers a rule so apps can build it by name. Registering a name twice is an error.
 *
 * @param def The rule.
 *
 * @example
 * ```ts
 * import { learnerNames, registerLearner } from "@plasticity/core";
 * registerLearner({
 *   name: "example-null",
 *   family: "docs",
 *   description: "does nothing",
 *   hyper: {},
 *   create: () => { throw new Error("Not for use"); },
 * });
 * console.assert(learnerNames().includes("example-null"));
 * ```
 */
export function registerLearner(def: LearnerDefinition): void {
  const prev = registry.get(def.name);
  if (prev && prev !== def) {
    throw new Error(`Learner ${JSON.stringify(def.name)} is already registered`);
  }
  registry.set(def.name, def);
}

/**
 * The registered rule of that name.
 *
 * @param name The rule name.
 * @returns Its definition.
 *
 * @example
 * ```ts
 * import { getLearner } from "@plasticity/core";
 * try { getLearner("no-such-rule"); } catch (e) { console.assert(String(e).includes("Unknown rule")); }
 * ```
 */
export function getLearner(name: string): LearnerDefinition {
  const def = registry.get(name);
  if (!def) {
    throw new Error(
      `Unknown rule ${JSON.stringify(name)}: expected one of ${
        learnerNames().join(", ") || "(none registered)"
      }`,
    );
  }
  return def;
}

/**
 * Names of all registered rules, sorted.
 *
 * @returns The names.
 *
 * @example
 * ```ts
 * import { learnerNames } from "@plasticity/core";
 * console.assert(Array.isArray(learnerNames()));
 * ```
 */
export function learnerNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Builds a learner of a registered rule.
 *
 * @param name The rule name.
 * @param options Network, hyper-parameters, optimiser, backend, seed.
 * @returns The learner.
 *
 * @example
 * ```ts
 * import { createLearner } from "@plasticity/core";
 * console.assert(typeof createLearner === "function");
 * ```
 */
export function createLearner(name: string, options: LearnerOptions): Learner {
  return getLearner(name).create(options);
}

/**
 * The activation of hidden layer `i` (0-based) of a network spec.
 *
 * @param spec The network.
 * @param i Hidden layer index.
 * @returns Its activation.
 *
 * @example
 * ```ts
 * import { hiddenActivation } from "@plasticity/core";
 * console.assert(hiddenActivation({ sizes: [2, 3, 3, 1], activation: ["relu", "tanh"] }, 1) === "tanh");
 * ```
 */
export function hiddenActivation(spec: NetworkSpec, i: number): Activation {
  if (typeof spec.activation === "string") return spec.activation;
  const a = spec.activation[i];
  if (a === undefined) {
    throw new Error(
      `network.activation: got ${spec.activation.length} activations for ${
        spec.sizes.length - 2
      } hidden layers: expected one per hidden layer`,
    );
  }
  return a;
}

/**
 * Checks a network spec: at least two sizes, all positive integers, activations per hidden layer.
 *
 * @param spec The network.
 *
 * @example
 * ```ts
 * import { checkNetwork } from "@plasticity/core";
 * checkNetwork({ sizes: [784, 10], activation: "relu" });
 * ```
 */
export function checkNetwork(spec: NetworkSpec): void {
  if (spec.sizes.length < 2 || !spec.sizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(
      `network.sizes: expected at least two positive integers, got ${JSON.stringify(spec.sizes)}`,
    );
  }
  if (typeof spec.activation !== "string" && spec.activation.length !== spec.sizes.length - 2) {
    throw new Error(
      `network.activation: got ${spec.activation.length} activations for ${
        spec.sizes.length - 2
      } hidden layers: expected one per hidden layer`,
    );
  }
}
