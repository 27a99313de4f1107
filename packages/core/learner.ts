/**
 * The learner interface every rule implements and every app uses, and the registry through
 * which apps pick a rule by name.
 *
 * @module
 */
import {
  checkValue,
  describeField,
  type HyperSchema,
  type HyperValues,
  resolveHyper,
  schemaDefaults,
  SchemaError,
  type SectionField,
  showValue,
} from "./hyper.ts";
import { INIT_SECTION, type InitSpec } from "./init.ts";
import { LAYER_SECTION, layerShapes, type LayerSpec, weightLayerCount } from "./layers.ts";
import { imageSize } from "./image_shape.ts";
import { Registry } from "./registry.ts";
import { LOSS_SECTION, type LossSpec } from "./loss.ts";
import { checkLrSchedule } from "./lr_schedule.ts";
import { OPTIMIZER_SECTION, type OptimizerSpec } from "./optimizer.ts";
import { type Activation, ACTIVATIONS, type Backend, type Tensor } from "./tensor.ts";

/** The architecture of a layered network. */
export interface NetworkSpec {
  /**
   * Layer sizes from input to output, e.g. `[784, 500, 10]`. For a network given by `layers`,
   * {@linkcode resolveNetwork} sets it to `[c·h·w, outputs]`: the input and output sizes, which
   * the data must have.
   */
  sizes: readonly number[];
  /** Hidden activation: one for all hidden layers, or one per hidden layer. */
  activation: Activation | readonly Activation[];
  /** Output activation (absent: the rule's default — identity for MLPs and PC, hard sigmoid for EP and CorInfoMax). */
  "output_activation"?: Activation;
  /** Negative slope of `leakyRelu` (default 0.01). */
  "leaky_slope"?: number;
  /** Weight initialiser (absent: the rule's own default, which each rule documents). */
  init?: InitSpec;
  /** Whether layers have biases (default true). */
  bias?: boolean;
  /** Shape `[c, h, w]` of one input image, for a network given by `layers`. */
  "input_shape"?: readonly number[];
  /**
   * The layers (conv, pool, flatten, dense; see `layers.ts`), for networks other than
   * multilayer perceptrons; absent: the MLP of `sizes`. Only rules that declare
   * {@linkcode LearnerDefinition.layers} accept it.
   */
  layers?: readonly LayerSpec[];
}

/**
 * The `network` section of a config, declared once: `sizes` (required unless `layers` is given),
 * `activation` (`tanh`; one for all hidden layers or one per hidden layer), `output_activation`
 * (absent: the rule's default), `leaky_slope` (0.01), `bias` (true), `init` (absent: the rule's
 * default; see {@linkcode INIT_SECTION}), and for networks other than MLPs `input_shape` and
 * `layers` (see {@linkcode LAYER_SECTION}). {@linkcode resolveNetwork} adds the checks across
 * keys.
 *
 * @example
 * ```ts
 * import { NETWORK_SECTION } from "@plasticity/core";
 * console.assert(NETWORK_SECTION.type === "section");
 * ```
 */
export const NETWORK_SECTION: SectionField = {
  type: "section",
  doc: "the architecture",
  schema: {
    sizes: {
      type: "numbers",
      integer: true,
      min: 1,
      minItems: 2,
      optional: true,
      doc:
        "layer sizes from input to output, e.g. [784, 500, 10] (required unless layers is given)",
    },
    activation: {
      type: "choice",
      enum: ACTIVATIONS,
      list: true,
      default: "tanh",
      doc: "hidden activation: one for all hidden layers, or one per hidden layer",
    },
    "output_activation": {
      type: "string",
      enum: ACTIVATIONS,
      optional: true,
      doc: "output activation; absent, each rule uses its own default",
    },
    "leaky_slope": { type: "number", default: 0.01, min: 0, doc: "negative slope of leakyRelu" },
    bias: { type: "boolean", default: true, doc: "whether layers have biases" },
    init: INIT_SECTION,
    "input_shape": {
      type: "numbers",
      integer: true,
      min: 1,
      optional: true,
      doc: "shape [channels, height, width] of one input image, with layers",
    },
    layers: {
      type: "list",
      item: LAYER_SECTION,
      minItems: 1,
      optional: true,
      doc: "the layers from input to output (conv, pool, flatten, dense) instead of sizes",
    },
  },
};

/**
 * The defaults of {@linkcode NETWORK_SECTION} (`activation`, `leaky_slope`, `bias`), for code that
 * takes a partial {@linkcode NetworkSpec} directly; derived from the section, not written again.
 *
 * @example
 * ```ts
 * import { NETWORK_DEFAULTS } from "@plasticity/core";
 * console.assert(NETWORK_DEFAULTS.leaky_slope === 0.01 && NETWORK_DEFAULTS.bias === true);
 * ```
 */
export const NETWORK_DEFAULTS: Readonly<{
  activation: Activation;
  "leaky_slope": number;
  bias: boolean;
}> = Object.freeze(
  schemaDefaults(NETWORK_SECTION.schema as HyperSchema) as unknown as {
    activation: Activation;
    "leaky_slope": number;
    bias: boolean;
  },
);

/**
 * Validates a `network` section against {@linkcode NETWORK_SECTION} and the checks across its
 * keys (one activation per hidden layer; `sizes` or `layers` with `input_shape`, with the layers'
 * shapes checked by {@linkcode layerShapes}), filling defaults. For a network given by `layers`,
 * `sizes` becomes `[c·h·w, outputs]` (given as well, it must say exactly that), and the hidden
 * layers are the conv and dense layers but the last.
 *
 * @param given The section as written.
 * @param where Its key path, for messages (default `network`).
 * @returns The resolved spec.
 * @throws {SchemaError} On a bad value.
 *
 * @example
 * ```ts
 * import { resolveNetwork } from "@plasticity/core";
 * const n = resolveNetwork({ sizes: [2, 3, 1] });
 * console.assert(n.activation === "tanh" && n.leaky_slope === 0.01 && n.bias === true);
 * try { resolveNetwork({ sizes: [2, 3, 1], activation: ["relu", "tanh"] }); } catch (e) {
 *   console.assert((e as Error).message.startsWith("network.activation: expected one activation per hidden layer (1)"));
 * }
 * ```
 */
export function resolveNetwork(given: unknown, where = "network"): NetworkSpec {
  let n = checkValue(NETWORK_SECTION, given ?? {}, where) as unknown as NetworkSpec;
  const schema = NETWORK_SECTION.schema as HyperSchema;
  if (n.layers === undefined) {
    if (n.input_shape !== undefined) {
      throw new SchemaError(
        `${where}.input_shape: given without ${where}.layers (value ${
          showValue(n.input_shape)
        }): expected layers beside it, or no input_shape for an MLP of sizes`,
      );
    }
    if (n.sizes === undefined) {
      throw new SchemaError(`${where}.sizes: missing; expected ${describeField(schema.sizes!)}`);
    }
  } else {
    const shapes = layerShapes(n, where);
    const out = shapes.outputs[shapes.outputs.length - 1] as number;
    const sizes = [imageSize(shapes.input), out];
    if (n.sizes !== undefined && (n.sizes.length !== 2 || n.sizes.some((v, i) => v !== sizes[i]))) {
      throw new SchemaError(
        `${where}.sizes: expected ${
          showValue(sizes)
        } (the input and output sizes of layers) or no sizes beside layers, got ${
          showValue(n.sizes)
        }`,
      );
    }
    const { sizes: _, ...rest } = n;
    n = { sizes, ...rest };
  }
  const hidden = n.layers ? weightLayerCount(n.layers) - 1 : n.sizes.length - 2;
  if (typeof n.activation !== "string" && n.activation.length !== hidden) {
    throw new SchemaError(
      `${where}.activation: expected one activation per hidden layer (${hidden}), got ${
        showValue(n.activation)
      }`,
    );
  }
  return n;
}

/** What a learner is built from: the config's sections, before validation. */
export interface LearnerOptions {
  /** The architecture. */
  network: NetworkSpec;
  /** The rule's settings (the config's `rule` section without `name`). */
  hyper?: Record<string, unknown>;
  /**
   * Optimiser of the weights (defaults: {@linkcode OPTIMIZER_SECTION}); an error for rules that
   * set their own rates.
   */
  optimizer?: Partial<OptimizerSpec>;
  /** Loss at the output (default: the rule's, else squared error with ½, mean over rows). */
  loss?: Partial<LossSpec> | LossSpec["kind"];
  /** The backend every tensor lives on. */
  backend: Backend;
  /** Seed of every random draw the learner makes. */
  seed: number;
}

/**
 * {@linkcode LearnerOptions} whose rule settings are typed: `hyper` takes any subset of the keys
 * of `H` (a rule's settings, snake_case as in configs) with their types, so a misspelled key or a
 * wrong value type is a compile error. The rule packages' typed factories (`createFa`, `createPc`,
 * …) take it; their values are still checked at run time against the rule's schema (bounds,
 * checks across keys).
 *
 * @typeParam H The rule's settings, e.g. `FaHyper` of `@plasticity/feedback-alignment`.
 *
 * @example
 * ```ts
 * import { jsBackend, type RuleOptions } from "@plasticity/core";
 * interface MyHyper { "feedback_scale": number; decay: "documented" | "bioflax-compat" }
 * const options: RuleOptions<MyHyper> = {
 *   network: { sizes: [2, 3, 1], activation: "tanh" },
 *   hyper: { feedback_scale: 0.5 },
 *   backend: jsBackend,
 *   seed: 0,
 * };
 * console.assert(options.hyper?.feedback_scale === 0.5);
 * ```
 */
export interface RuleOptions<H> extends Omit<LearnerOptions, "hyper"> {
  /** The rule's settings (the config's `rule` section without `name`); absent: defaults. */
  hyper?: Partial<H>;
}

/**
 * The validated sections a rule's constructor receives: every default filled, every key checked
 * once by {@linkcode resolveLearnerConfig}.
 */
export interface ResolvedLearnerOptions extends ResolvedLearnerConfig {
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

/** A rule as registered: its name, family, settings schema, shared sections and constructor. */
export interface LearnerDefinition {
  /** Name used in configs, e.g. `fa`. */
  name: string;
  /** Package family, e.g. `feedback-alignment`. */
  family: string;
  /** One line on what the rule is. */
  description: string;
  /** Its settings (the config's `rule` section), declared once. */
  hyper: HyperSchema;
  /**
   * Whether its weights follow the shared `optimizer` section. Rules with their own per-layer
   * rates in `hyper` say `false`, and an `optimizer` given to them is an error.
   */
  optimizer: boolean;
  /** Its own default loss, when not the core default (½ squared error, mean over rows). */
  loss?: LossSpec;
  /**
   * Whether it trains networks given by `network.layers` (conv, pool, flatten, dense); without
   * it such a network is an error naming `network.layers`.
   */
  layers?: boolean;
  /**
   * Checks across keys or sections that its schema cannot state (e.g. a list of two numbers),
   * run once by {@linkcode resolveLearnerConfig} on the resolved sections; throws a
   * `SchemaError` naming the key.
   */
  check?(config: ResolvedLearnerConfig): void;
  /** Builds a learner from validated sections (see {@linkcode createLearner}). */
  create(options: ResolvedLearnerOptions): Learner;
}

/** The sections of a learner config as {@linkcode resolveLearnerConfig} returns them. */
export interface ResolvedLearnerConfig {
  /** The architecture. */
  network: NetworkSpec;
  /** The rule's settings. */
  hyper: HyperValues;
  /** The optimiser, present exactly when the rule uses one. */
  optimizer?: OptimizerSpec;
  /** The loss. */
  loss: LossSpec;
}

/**
 * The one validation pass of a learner's settings: the network, the rule's settings against its
 * schema, the optimiser (refused for rules with their own rates) and the loss (the rule's
 * default when absent). Errors name the config key path (`network.sizes`, `rule.T`,
 * `optimizer.lr`).
 *
 * @param def The rule.
 * @param sections The sections as written.
 * @returns The validated sections, every default filled.
 * @throws {SchemaError} On a bad or unused value.
 *
 * @example
 * ```ts
 * import { type LearnerDefinition, resolveLearnerConfig } from "@plasticity/core";
 * const own: LearnerDefinition = {
 *   name: "doc-own-rates", family: "docs", description: "own rates", optimizer: false,
 *   hyper: { lr: { type: "numbers", default: [0.1], doc: "per-layer rates" } },
 *   create: () => { throw new Error("Not for use"); },
 * };
 * const r = resolveLearnerConfig(own, { network: { sizes: [2, 1] } });
 * console.assert(r.optimizer === undefined && r.loss.kind === "mse");
 * try { resolveLearnerConfig(own, { network: { sizes: [2, 1] }, optimizer: { lr: 0.5 } }); } catch (e) {
 *   console.assert((e as Error).message.startsWith("optimizer: not used by rule doc-own-rates"));
 * }
 * ```
 */
export function resolveLearnerConfig(
  def: LearnerDefinition,
  sections: { network: unknown; hyper?: unknown; optimizer?: unknown; loss?: unknown },
): ResolvedLearnerConfig {
  const network = resolveNetwork(sections.network);
  if (network.layers && !def.layers) {
    const able = registry.names().filter((n) => registry.get(n).layers);
    throw new SchemaError(
      `network.layers: rule ${def.name} trains multilayer perceptrons only: expected network.sizes, or a rule that takes layers (${
        able.join(", ") || "none registered"
      })`,
    );
  }
  const hyper = resolveHyper(def.hyper, sections.hyper as Record<string, unknown>, "rule");
  if (!def.optimizer && sections.optimizer !== undefined) {
    throw new SchemaError(
      `optimizer: not used by rule ${def.name} (value ${
        showValue(sections.optimizer)
      }); it sets its own learning rates in rule: remove the optimizer section`,
    );
  }
  const shared = resolveHyper(
    def.optimizer ? { optimizer: OPTIMIZER_SECTION, loss: LOSS_SECTION } : { loss: LOSS_SECTION },
    def.optimizer
      ? { optimizer: sections.optimizer, loss: sections.loss ?? def.loss }
      : { loss: sections.loss ?? def.loss },
    "",
  ) as unknown as { optimizer?: OptimizerSpec; loss: LossSpec };
  // What the schema language cannot say (milestones strictly increasing), checked here too, so
  // that a config with a bad schedule fails when it is resolved, not when the trial starts.
  checkLrSchedule(shared.optimizer?.schedule, "optimizer.schedule");
  checkIgnoredOutputs(def, shared.loss, network.sizes[network.sizes.length - 1]!);
  // Key order of the config: network, hyper, optimizer, loss.
  const out: ResolvedLearnerConfig = shared.optimizer
    ? { network, hyper, optimizer: shared.optimizer, loss: shared.loss }
    : { network, hyper, loss: shared.loss };
  def.check?.(out);
  return out;
}

const registry = new Registry<LearnerDefinition>("rule");

/**
 * `loss.ignore_outputs` names output units of this network, for a rule whose weights learn from
 * the loss's gradient (the rules with their own rates nudge their outputs their own way).
 */
function checkIgnoredOutputs(def: LearnerDefinition, loss: LossSpec, outputs: number): void {
  const ignored = loss.ignore_outputs;
  if (!ignored?.length) return;
  if (!def.optimizer) {
    throw new SchemaError(
      `loss.ignore_outputs: not supported by rule ${def.name} (value ${
        showValue(ignored)
      }); expected a rule that learns from the loss's gradient`,
    );
  }
  const bad = ignored.find((j) => j >= outputs);
  if (bad !== undefined) {
    throw new SchemaError(
      `loss.ignore_outputs: unit ${bad} is not an output of the ${outputs}-unit network (value ${
        showValue(ignored)
      }); expected indices 0…${outputs - 1}`,
    );
  }
  if (new Set(ignored).size === outputs) {
    throw new SchemaError(
      `loss.ignore_outputs: leaves no output in the loss (value ${
        showValue(ignored)
      }); expected fewer than ${outputs} units`,
    );
  }
}

/**
 * Registers a rule so apps can build it by name, and returns it: the one way a rule package
 * defines a rule is `export const <name>Rule = registerLearner({ ... })`. Registering another
 * definition under a registered name is an error.
 *
 * @param def The rule.
 * @returns The same definition.
 *
 * @example
 * ```ts
 * import { learnerNames, registerLearner } from "@plasticity/core";
 * export const exampleNullRule = registerLearner({
 *   name: "example-null",
 *   family: "docs",
 *   description: "does nothing",
 *   hyper: {},
 *   optimizer: false,
 *   create: () => { throw new Error("Not for use"); },
 * });
 * console.assert(learnerNames().includes("example-null") && exampleNullRule.name === "example-null");
 * ```
 */
export function registerLearner(def: LearnerDefinition): LearnerDefinition {
  return registry.register(def);
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
  return registry.get(name);
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
  return registry.names();
}

/**
 * Builds a learner of a registered rule: validates its sections once
 * ({@linkcode resolveLearnerConfig}), then calls the rule's constructor.
 *
 * @param name The rule name.
 * @param options Network, rule settings, optimiser, loss, backend, seed.
 * @returns The learner.
 * @throws {SchemaError} On a bad setting.
 *
 * @example
 * ```ts
 * import { createLearner } from "@plasticity/core";
 * try { createLearner("no-such-rule", { network: { sizes: [1, 1], activation: "tanh" }, backend: undefined!, seed: 0 }); }
 * catch (e) { console.assert(String(e).includes("Unknown rule")); }
 * ```
 */
export function createLearner(name: string, options: LearnerOptions): Learner {
  const def = getLearner(name);
  return instantiateLearner(def, resolveLearnerConfig(def, options), options.backend, options.seed);
}

/**
 * Builds a learner from sections already validated by {@linkcode resolveLearnerConfig} (e.g. a
 * resolved trial config), without validating them again.
 *
 * @param def The rule.
 * @param config The validated sections.
 * @param backend The backend every tensor lives on.
 * @param seed Seed of every random draw the learner makes.
 * @returns The learner.
 *
 * @example
 * ```ts
 * import { instantiateLearner, type LearnerDefinition, jsBackend, resolveLearnerConfig } from "@plasticity/core";
 * const def: LearnerDefinition = {
 *   name: "doc-sizes", family: "docs", description: "remembers its sizes", optimizer: true, hyper: {},
 *   create: (o) => ({ rule: "doc-sizes", backend: o.backend, sizes: o.network.sizes } as never),
 * };
 * const l = instantiateLearner(def, resolveLearnerConfig(def, { network: { sizes: [3, 1] } }), jsBackend, 0);
 * console.assert((l as unknown as { sizes: number[] }).sizes.join() === "3,1");
 * ```
 */
export function instantiateLearner(
  def: LearnerDefinition,
  config: ResolvedLearnerConfig,
  backend: Backend,
  seed: number,
): Learner {
  return def.create({ ...config, backend, seed });
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
