/**
 * Experiment configs: YAML parsing and validation. The runner declares only its own keys (name,
 * kind, epochs, batch size, backend, metrics); every other section is validated by the schema
 * declared beside the code that uses it — network, optimiser and loss in core, the rule's
 * settings in the rule package, dataset options in the datasets package — in one pass, through
 * core's {@linkcode resolveLearnerConfig}. Every error is one line naming the key path, the
 * offending value and what was expected; unknown keys are rejected and defaults are filled, so a
 * resolved config states every setting explicitly. The keys of a resolved config are the keys of
 * the core types, so a trial builds its learner from it without conversion.
 *
 * Counts that allocate memory or loop are bounded ({@linkcode CONFIG_LIMITS}), so a typo such as
 * `epochs: 1e12` or `network.sizes: [1, 1000000000, 1]` is a config error naming the key and
 * the maximum rather than an out-of-memory crash or a run that never ends.
 *
 * @module
 */
import {
  BACKEND_NAMES,
  type BackendName,
  capSchema,
  checkValue,
  describeField,
  getLearner,
  getSimulation,
  type HyperField,
  type HyperSchema,
  type HyperValue,
  type LearnerDefinition,
  type LossSpec,
  NETWORK_SECTION,
  type NetworkSpec,
  OPTIMIZER_SECTION,
  type OptimizerSpec,
  resolveHyper,
  resolveLearnerConfig,
  SchemaError,
  showValue,
  type Variants,
} from "@plasticity/core";
import { type DriftConfig, resolveDrift, resolveTasks, type TasksConfig } from "./protocol.ts";
import { parseDocument } from "yaml";

/** The upper bounds of {@linkcode CONFIG_LIMITS}. */
export interface ConfigLimits {
  /** Trials (grid points × seeds) of one experiment, unless `maxTrials` / `--allow-large`. */
  trials: number;
  /** Entries of `seeds`. */
  seeds: number;
  /** `epochs`. */
  epochs: number;
  /** `batch_size` and `metrics.test_batch_size`. */
  batchSize: number;
  /** `metrics.every`. */
  every: number;
  /** Each entry of `network.sizes` and `dataset.teacher_sizes`. */
  layerSize: number;
  /** Σ sizes[i]·sizes[i+1] of `network.sizes` and `dataset.teacher_sizes`. */
  weights: number;
  /** Each dataset sample count (`train_size`, `validation_size`, `test_size`, per class). */
  samples: number;
  /** Samples × (inputs + outputs) of a generated (teacher-student) dataset. */
  dataValues: number;
  /** Alias expansions in one YAML file. */
  yamlAliases: number;
  /** Characters of the experiment `name`. */
  nameLength: number;
}

/**
 * The documented upper bounds of an experiment config. Each guards a count that allocates memory
 * or loops, so that a typo is a one-line config error naming the key and the maximum:
 *
 * - `trials` (100 000): grid points × seeds of one experiment, checked before the grid is
 *   expanded; `--allow-large` (option `maxTrials`) lifts it.
 * - `seeds` (10 000): entries of `seeds`.
 * - `epochs` (10⁶): `epochs`.
 * - `batchSize` (10⁶): `batch_size` and `metrics.test_batch_size`.
 * - `every` (10⁶): `metrics.every`.
 * - `layerSize` (100 000): each entry of `network.sizes` and `dataset.teacher_sizes`.
 * - `weights` (10⁸): Σ sizes[i]·sizes[i+1] of `network.sizes` and `dataset.teacher_sizes`.
 * - `samples` (10⁶): each of `dataset.train_size`, `validation_size`, `test_size`, `per_class`
 *   and `test_per_class`.
 * - `dataValues` (10⁸): samples × (inputs + outputs) of a generated (teacher-student) dataset.
 * - `yamlAliases` (100): alias expansions in a YAML file (a "billion laughs" file is refused).
 * - `nameLength` (100): characters of the experiment `name` (a folder name).
 *
 * @example
 * ```ts
 * import { CONFIG_LIMITS } from "@plasticity/runner/config";
 * console.assert(CONFIG_LIMITS.trials === 100_000 && CONFIG_LIMITS.epochs === 1_000_000);
 * ```
 */
export const CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  trials: 100_000,
  seeds: 10_000,
  epochs: 1_000_000,
  batchSize: 1_000_000,
  every: 1_000_000,
  layerSize: 100_000,
  weights: 100_000_000,
  samples: 1_000_000,
  dataValues: 100_000_000,
  yamlAliases: 100,
  nameLength: 100,
});

/**
 * A bad config: each problem is one line naming the key path, the value and what was expected;
 * the message is the problems, one per line (one problem, one line).
 *
 * @example
 * ```ts
 * import { ConfigError } from "@plasticity/runner/config";
 * const e = new ConfigError(["a.yaml:3:1: epochs: expected …", "a.yaml:5:1: seeds: expected …"]);
 * console.assert(e.problems.length === 2 && e.message.split("\n").length === 2);
 * ```
 */
export class ConfigError extends Error {
  /** The problems, one line each. */
  readonly problems: readonly string[];
  /**
   * Makes the error.
   *
   * @param message The one-line message (only its first line is kept), or several problems.
   */
  constructor(message: string | readonly string[]) {
    const problems = typeof message === "string"
      ? [message.split("\n")[0]!]
      : message.map((m) => m.split("\n")[0]!);
    super(problems.join("\n"));
    this.problems = problems;
    this.name = "ConfigError";
  }
}

/** Where the validator finds dataset option schemas (the `@plasticity/datasets` catalogue). */
export interface ResolveContext {
  /** The option schema of a dataset; throws `Unknown dataset …` for an unknown name. */
  datasetSchema(name: string): HyperSchema;
  /**
   * Where the data of a resolved dataset section comes from, as one line (the embedded package
   * and version, or the files' content hash; see `sourceId` of `@plasticity/datasets`). Its
   * answer becomes the trial's `data_source`, part of the trial id. May throw
   * {@linkcode MissingDataSource} to ask an asynchronous caller to find it and resolve again.
   */
  dataSource?(dataset: Readonly<{ name: string; [option: string]: HyperValue }>): string;
  /**
   * The trial a learner trial with `init_from: { config }` and this seed starts from (the
   * runner expands the other sweep to know). Without it, `init_from` is an error.
   */
  initFrom?(given: { config: string }, seed: number): { experiment: string; trial: string };
}

/**
 * Thrown by a {@linkcode ResolveContext.dataSource} that does not know a dataset section's
 * source yet: the caller finds it (reading the files takes time) and resolves again.
 */
export class MissingDataSource extends Error {
  /** The resolved dataset section. */
  readonly dataset: Readonly<{ name: string; [option: string]: HyperValue }>;
  /**
   * Says which dataset section's source is missing.
   *
   * @param dataset The resolved dataset section.
   */
  constructor(dataset: Readonly<{ name: string; [option: string]: HyperValue }>) {
    super(`The source of dataset ${dataset.name} is not known yet`);
    this.dataset = dataset;
    this.name = "MissingDataSource";
  }
}

/** Resolved network section: core's {@linkcode NetworkSpec}, whose keys are the YAML keys. */
export type NetworkConfig = NetworkSpec;
/** Resolved optimiser section: core's {@linkcode OptimizerSpec}. */
export type OptimizerConfig = OptimizerSpec;
/** Resolved loss section: core's {@linkcode LossSpec}. */
export type LossConfig = LossSpec;

/** Resolved metrics section. */
export interface MetricsConfig {
  /** Log every this many epochs (learners) or records (simulations). */
  every: number;
  /** Whether to log `learner.diagnostics()` each logged epoch. */
  diagnostics: boolean;
  /** Batch size of evaluation passes. */
  "test_batch_size": number;
  /**
   * A learner trial is `diverged` when a logged loss is not finite or exceeds this many times
   * max(1, the same loss at epoch 0).
   */
  "diverge_factor": number;
  /** Also log a row every this many training batches (learners). */
  "every_batches"?: number;
  /** Diagnostics averaged over the first n training batches of each logged epoch (bioflax). */
  "diagnostics_train_batches"?: number;
  /** Also log `test_top<k>_accuracy` (classification). */
  "top_k"?: number;
}

/** Fields shared by both kinds of resolved trial config. */
export interface TrialConfigBase {
  /** Experiment name. */
  name: string;
  /** The trial's seed. */
  seed: number;
  /** Requested backend name. */
  backend: BackendName;
  /** What to log. */
  metrics: MetricsConfig;
}

/** A resolved learner trial: a rule trained on a dataset. */
export interface LearnerTrialConfig extends TrialConfigBase {
  /** Kind of trial. */
  kind: "learner";
  /** Dataset name and options (the keys of its schema). */
  dataset: { name: string; [option: string]: HyperValue };
  /**
   * Where the data comes from (embedded package and version, or the files' SHA-256), when the
   * runner resolved it: part of the trial id, so results on other data are never reused.
   */
  "data_source"?: string;
  /** Network architecture. */
  network: NetworkConfig;
  /** Rule name and settings (the keys of its schema). */
  rule: { name: string; [hyper: string]: HyperValue };
  /** Optimiser; absent for rules that set their own rates. */
  optimizer?: OptimizerConfig;
  /** Loss. */
  loss: LossConfig;
  /** Number of training epochs. */
  epochs: number;
  /** Training batch size. */
  "batch_size": number;
  /** Batches per epoch (an iteration of that many batches); absent: one pass over the data. */
  "batches_per_epoch"?: number;
  /** Save the weights (`weights.json`) at the end, and every `every` epochs when above 0. */
  checkpoint?: CheckpointConfig;
  /**
   * Start from the saved weights of another trial: the experiment config as given (`config`,
   * before the sweep is expanded), then the trial it resolves to, whose id is part of this
   * trial's id.
   */
  "init_from"?: InitFrom;
  /** Continual learning: a sequence of class tasks on a shared head (`protocol.ts`). */
  tasks?: TasksConfig;
  /** Concept drift: re-drawn subsets and permuted labels every few epochs (`protocol.ts`). */
  drift?: DriftConfig;
}

/** Resolved `checkpoint` section. */
export interface CheckpointConfig {
  /** Also save every this many epochs (0: only at the end). */
  every: number;
}

/** `init_from` as given (the other sweep's config file) or resolved (the trial to start from). */
export type InitFrom = { config: string } | { experiment: string; trial: string };

/** A resolved simulation trial. */
export interface SimulationTrialConfig extends TrialConfigBase {
  /** Kind of trial. */
  kind: "simulation";
  /** Simulation name and parameters. */
  simulation: { name: string; params: Record<string, unknown> };
  /**
   * Save the simulation's state (`sim_state.json`) every `every` records (every record when 0),
   * so that a rerun of the unfinished trial resumes from the last one.
   */
  checkpoint?: CheckpointConfig;
}

/** A fully resolved trial config, as written to a trial's `config.yaml`. */
export type TrialConfig = LearnerTrialConfig | SimulationTrialConfig;

/** A resolved config before its seed is set (one grid point). */
export type UnseededConfig = Omit<LearnerTrialConfig, "seed"> | Omit<SimulationTrialConfig, "seed">;

/** Top-level keys of an experiment config. */
export const TOP_LEVEL_KEYS = [
  "name",
  "kind",
  "dataset",
  "network",
  "rule",
  "optimizer",
  "loss",
  "epochs",
  "batch_size",
  "batches_per_epoch",
  "checkpoint",
  "init_from",
  "tasks",
  "drift",
  "simulation",
  "seeds",
  "seed",
  "backend",
  "metrics",
  "grid",
] as const;

const LEARNER_ONLY = [
  "dataset",
  "network",
  "rule",
  "optimizer",
  "loss",
  "epochs",
  "batch_size",
  "batches_per_epoch",
  "init_from",
  "tasks",
  "drift",
] as const;

export { showValue };

function fail(path: string, expected: string, got: unknown): never {
  throw new ConfigError(`${path}: expected ${expected}, got ${showValue(got)}`);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mapping(v: unknown, path: string): Record<string, unknown> {
  if (!isMapping(v)) fail(path, "a mapping", v);
  return v;
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(
        `${path ? path + "." : ""}${key}: unknown key (value ${
          showValue(obj[key])
        }); expected one of ${allowed.join(", ")}`,
      );
    }
  }
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v === "") fail(path, "a non-empty string", v);
  return v;
}

/**
 * Parses YAML text into plain data. Only plain YAML data is accepted: tags, duplicate keys and
 * anything else the parser warns about are errors, and so are numbers whose literal does not fit
 * a double (`1e400` would silently become `.inf`, `1e-400` 0) and files that expand more than
 * {@linkcode CONFIG_LIMITS}.yamlAliases aliases (nested aliases that would exhaust memory).
 *
 * @param text The YAML text.
 * @param source Name of the file, for messages.
 * @returns The parsed value.
 *
 * @example
 * ```ts
 * import { parseYaml } from "@plasticity/runner/config";
 * const v = parseYaml("name: demo\nepochs: 2\n", "demo.yaml") as { epochs: number };
 * console.assert(v.epochs === 2);
 * ```
 */
export function parseYaml(text: string, source: string): unknown {
  return parseYamlWithPositions(text, source).value;
}

/**
 * {@linkcode parseYaml}, also returning where each key is written: its key path (`rule.T`,
 * `grid.optimizer.lr`, `grid.rule[1].T`) → `line:column` of the key, for error messages.
 *
 * @param text The file's text.
 * @param source The file name, for messages.
 * @returns The value and the positions of its keys.
 *
 * @example
 * ```ts
 * import { parseYamlWithPositions } from "@plasticity/runner/config";
 * const { positions } = parseYamlWithPositions("name: demo\nrule:\n  name: bp\n", "demo.yaml");
 * console.assert(positions.get("rule.name") === "3:3");
 * ```
 */
export function parseYamlWithPositions(
  text: string,
  source: string,
): { value: unknown; positions: ReadonlyMap<string, string> } {
  const positions = new Map<string, string>();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const offset = Math.min(problem.pos[0], text.length);
    const before = text.slice(0, offset).split("\n");
    const where = `${source}:${before.length}:${before[before.length - 1]!.length + 1}`;
    const msg = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?.*$/, "");
    throw new ConfigError(`${where}: invalid YAML: ${msg}`);
  }
  const lineColumn = (offset: number): string => {
    const before = text.slice(0, Math.min(offset, text.length)).split("\n");
    return `${before.length}:${before[before.length - 1]!.length + 1}`;
  };
  const position = (offset: number): string => `${source}:${lineColumn(offset)}`;
  let hasTag = false;
  let badNumber: string | undefined;
  const visit = (node: unknown, path: string): void => {
    if (node && typeof node === "object") {
      const n = node as {
        tag?: string;
        items?: unknown[];
        key?: unknown;
        value?: unknown;
        source?: unknown;
        range?: number[];
      };
      if (typeof n.tag === "string" && !n.tag.startsWith("tag:yaml.org,2002:")) hasTag = true;
      if (typeof n.value === "number" && typeof n.source === "string" && !badNumber) {
        const why = numberLiteralProblem(n.value, n.source);
        if (why) badNumber = `${position(n.range?.[0] ?? 0)}: ${path ? path + ": " : ""}${why}`;
      }
      if (Array.isArray(n.items)) {
        n.items.forEach((item, i) =>
          visit(item, item && typeof item === "object" && "key" in item ? path : `${path}[${i}]`)
        );
      }
      if ("key" in n) {
        visit(n.key, path);
        const k = n.key as { value?: unknown } | null;
        const name = k && typeof k === "object" ? String(k.value) : String(k);
        const at = path ? `${path}.${name}` : name;
        const keyRange = k && typeof k === "object" ? (k as { range?: number[] }).range : undefined;
        if (keyRange && !positions.has(at)) positions.set(at, lineColumn(keyRange[0]!));
        if ("value" in n) visit(n.value, at);
      } else if ("value" in n) visit(n.value, path);
    }
  };
  visit(doc.contents, "");
  if (hasTag) {
    throw new ConfigError(
      `${source}: invalid YAML: custom tags are not allowed (no code in configs)`,
    );
  }
  if (badNumber) throw new ConfigError(badNumber);
  try {
    return { value: doc.toJS({ maxAliasCount: CONFIG_LIMITS.yamlAliases }), positions };
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new ConfigError(
        `${source}: invalid YAML: aliases expand more than ${CONFIG_LIMITS.yamlAliases} times (nested aliases, a "billion laughs" file?); expected at most ${CONFIG_LIMITS.yamlAliases} alias expansions`,
      );
    }
    throw new ConfigError(
      `${source}: invalid YAML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
    );
  }
}

/** Why a YAML number literal does not stand for its value (overflow, underflow), if it does not. */
function numberLiteralProblem(value: number, literal: string): string | undefined {
  const src = literal.trim();
  if (!Number.isFinite(value) && !/^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(src)) {
    return `${src} overflows to ${
      showValue(value)
    }; expected a number of magnitude below 1.8e308 (write .inf for infinity)`;
  }
  if (value === 0 && /[eE]/.test(src) && /[1-9]/.test(src.split(/[eE]/)[0]!)) {
    return `${src} underflows to 0; expected 0 or a number of magnitude above 5e-324`;
  }
  return undefined;
}

/** The runner's own keys besides `name` and the sections, declared once. */
const RUN_SCHEMA: HyperSchema = {
  kind: {
    type: "string",
    default: "learner",
    enum: ["learner", "simulation"],
    doc: "`learner` (a rule trained on a dataset) or `simulation`",
  },
  backend: {
    type: "string",
    default: "auto",
    enum: BACKEND_NAMES,
    doc: "backend of every tensor (`auto`: blas, else tfjs-wasm, else js)",
  },
  metrics: {
    type: "section",
    doc: "what to log",
    schema: {
      every: {
        type: "number",
        default: 1,
        integer: true,
        min: 1,
        max: CONFIG_LIMITS.every,
        doc: "log every this many epochs (learners) or records (simulations)",
      },
      diagnostics: {
        type: "boolean",
        default: true,
        doc: "log the learner's diagnostics each logged epoch",
      },
      "test_batch_size": {
        type: "number",
        default: 1000,
        integer: true,
        min: 1,
        max: CONFIG_LIMITS.batchSize,
        doc: "batch size of evaluation passes",
      },
      "every_batches": {
        type: "number",
        integer: true,
        min: 1,
        max: CONFIG_LIMITS.epochs,
        optional: true,
        doc: "also log a row every this many training batches (learners), with `step` (batches " +
          "so far) and the mean training loss of those batches; absent: rows per epoch only",
      },
      "diagnostics_train_batches": {
        type: "number",
        integer: true,
        min: 1,
        max: CONFIG_LIMITS.epochs,
        optional: true,
        doc: "take the diagnostics as bioflax does: averaged over the first n training batches " +
          "of each logged epoch (gradient metrics before each update, weight metrics after " +
          "it); absent: on the first test batch at the end of the epoch",
      },
      "top_k": {
        type: "number",
        integer: true,
        min: 2,
        max: 1000,
        optional: true,
        doc: "also log test_top<k>_accuracy (classification): the target among the k largest " +
          "outputs, e.g. 5 for CIFAR-100",
      },
      "diverge_factor": {
        type: "number",
        default: 1000,
        min: 1,
        doc: "a learner trial is diverged when a logged loss is not finite or exceeds this many " +
          "times max(1, the same loss at epoch 0)",
      },
    },
  },
};

/** The `checkpoint` section of a learner or simulation trial. */
const CHECKPOINT_SCHEMA: HyperSchema = {
  every: {
    type: "number",
    default: 0,
    integer: true,
    min: 0,
    max: CONFIG_LIMITS.epochs,
    doc: "learner: also save the weights every this many epochs (0: only at the end); " +
      "simulation: save its state every this many records (0: after every record), from " +
      "which a rerun of the unfinished trial resumes",
  },
};

/** The runner's keys of a learner trial, declared once. */
const LEARNER_RUN_SCHEMA: HyperSchema = {
  epochs: {
    type: "number",
    integer: true,
    min: 0,
    max: CONFIG_LIMITS.epochs,
    doc: "training epochs",
  },
  "batch_size": {
    type: "number",
    default: 32,
    integer: true,
    min: 1,
    max: CONFIG_LIMITS.batchSize,
    doc: "training batch size",
  },
  "batches_per_epoch": {
    type: "number",
    integer: true,
    min: 1,
    max: CONFIG_LIMITS.batchSize,
    optional: true,
    doc: "batches per epoch, drawn from passes over the shuffled training set (a new shuffle " +
      "each pass); absent: one pass. With it, an epoch is an iteration of that many batches " +
      "followed by a test, as in Song et al. 2024, Fig. 4b (200 batches per iteration)",
  },
};

/**
 * The runner's own schemas: `run` (kind, backend, metrics), `learner` (epochs, batch size,
 * batches per epoch) and the `checkpoint` section, as the JSON Schema of a config states them.
 *
 * @example
 * ```ts
 * import { RUNNER_SCHEMAS } from "@plasticity/runner/config";
 * console.assert("metrics" in RUNNER_SCHEMAS.run && "epochs" in RUNNER_SCHEMAS.learner);
 * ```
 */
export const RUNNER_SCHEMAS: Readonly<
  { run: HyperSchema; learner: HyperSchema; checkpoint: HyperSchema }
> = Object.freeze({ run: RUN_SCHEMA, learner: LEARNER_RUN_SCHEMA, checkpoint: CHECKPOINT_SCHEMA });

/** The dataset options bounded by {@linkcode CONFIG_LIMITS} (where a dataset has them). */
const DATASET_CAPS: Readonly<Record<string, number>> = {
  "train_size": CONFIG_LIMITS.samples,
  "validation_size": CONFIG_LIMITS.samples,
  "test_size": CONFIG_LIMITS.samples,
  "per_class": CONFIG_LIMITS.samples,
  "test_per_class": CONFIG_LIMITS.samples,
  "teacher_sizes": CONFIG_LIMITS.layerSize,
};

/** `network.sizes` with its per-layer bound, so the message states the maximum. */
const BOUNDED_SIZES: HyperField = {
  ...(NETWORK_SECTION.schema as HyperSchema).sizes!,
  max: CONFIG_LIMITS.layerSize,
} as HyperField;

/** Checks the weights of a list of layer sizes against {@linkcode CONFIG_LIMITS}.weights. */
function checkWeights(sizes: readonly number[], path: string): void {
  let weights = 0;
  for (let i = 0; i + 1 < sizes.length; i++) weights += sizes[i]! * sizes[i + 1]!;
  if (weights > CONFIG_LIMITS.weights) {
    throw new ConfigError(
      `${path}: ${
        showValue(sizes)
      } makes ${weights} weights (Σ sizes[i]·sizes[i+1]); expected at most ${CONFIG_LIMITS.weights}`,
    );
  }
}

/** Every key of the optimiser section's variants (for the hint on a misplaced `rule.lr`). */
const OPTIMIZER_KEYS: ReadonlySet<string> = new Set(
  Object.values((OPTIMIZER_SECTION.schema as Variants).variants).flatMap((v) => Object.keys(v)),
);

/** Rejects keys of `rule:` the rule does not declare, saying so plainly for rules without any. */
function checkRuleKeys(def: LearnerDefinition, given: Record<string, unknown>): void {
  const allowed = Object.keys(def.hyper);
  for (const key of Object.keys(given)) {
    if (allowed.includes(key)) continue;
    const expected = allowed.length
      ? `expected one of name, ${allowed.join(", ")}`
      : `rule ${def.name} has no hyper-parameters (expected only name)`;
    const hint = def.optimizer && OPTIMIZER_KEYS.has(key) ? `; set it as optimizer.${key}` : "";
    throw new ConfigError(
      `rule.${key}: unknown key (value ${showValue(given[key])}); ${expected}${hint}`,
    );
  }
}

function pick(raw: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (raw[k] !== undefined) out[k] = raw[k];
  return out;
}

function named(v: unknown, path: string): Record<string, unknown> {
  const m = typeof v === "string" ? { name: v } : mapping(v, path);
  str(m.name, `${path}.name`);
  return m;
}

/**
 * Checks an experiment name, which names the experiment's results folder: lower-case letters,
 * digits, `_` and `-`, starting with a letter or digit, at most
 * {@linkcode CONFIG_LIMITS}.nameLength characters.
 *
 * @param v The candidate.
 * @returns The name.
 *
 * @example
 * ```ts
 * import { checkExperimentName } from "@plasticity/runner/config";
 * console.assert(checkExperimentName("fa-sine") === "fa-sine");
 * ```
 */
export function checkExperimentName(v: unknown): string {
  if (typeof v !== "string" || !/^[a-z0-9][a-z0-9_-]*$/.test(v)) {
    fail(
      "name",
      "an experiment name of lower-case letters, digits, _ and - starting with a letter or digit (e.g. fa-sine); it names a folder",
      v,
    );
  }
  if (v.length > CONFIG_LIMITS.nameLength) {
    throw new ConfigError(
      `name: expected an experiment name of at most ${CONFIG_LIMITS.nameLength} characters (it names a folder), got ${v.length} characters ${
        showValue(v)
      }`,
    );
  }
  return v;
}

const SEED: HyperField = {
  type: "number",
  integer: true,
  min: 0,
  max: 4294967295,
  doc: "seed of a trial",
};

/**
 * Checks a seed: a non-negative integer below 2³².
 *
 * @param v The candidate.
 * @param path Key path for messages.
 * @returns The seed.
 *
 * @example
 * ```ts
 * import { checkSeed } from "@plasticity/runner/config";
 * console.assert(checkSeed(3, "seed") === 3);
 * ```
 */
export function checkSeed(v: unknown, path: string): number {
  try {
    return checkValue(SEED, v, path) as number;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/**
 * Validates one config without `grid`/`seeds` (a single grid point), filling every default.
 * The result has no `seed`; {@linkcode withSeed} adds it.
 *
 * @param raw The parsed config (with grid values already applied).
 * @param ctx Where dataset schemas come from.
 * @returns The resolved config minus its seed.
 *
 * @example Validate a simulation config
 * ```ts
 * import { registerSimulation } from "@plasticity/core";
 * import { resolveConfig } from "@plasticity/runner/config";
 * registerSimulation({
 *   name: "doc-idle", description: "emits nothing", resolve: (p) => p,
 *   create: () => ({ totalRecords: 0, run: () => {}, summary: () => ({}) }),
 * });
 * const c = resolveConfig(
 *   { name: "idle", kind: "simulation", simulation: { name: "doc-idle" } },
 *   { datasetSchema: () => ({}) },
 * );
 * console.assert(c.backend === "auto" && c.metrics.every === 1);
 * ```
 */
export function resolveConfig(
  raw: Record<string, unknown>,
  ctx: ResolveContext,
): UnseededConfig {
  try {
    return resolveChecked(raw, ctx);
  } catch (e) {
    if (e instanceof SchemaError) throw new ConfigError(e.message);
    throw e;
  }
}

function resolveChecked(raw: Record<string, unknown>, ctx: ResolveContext): UnseededConfig {
  checkKeys(raw, TOP_LEVEL_KEYS.filter((k) => k !== "grid" && k !== "seeds" && k !== "seed"), "");
  const name = checkExperimentName(raw.name);
  const run = resolveHyper(RUN_SCHEMA, pick(raw, Object.keys(RUN_SCHEMA)), "");
  const kind = run.kind as "learner" | "simulation";
  const backend = run.backend as BackendName;
  const metrics = run.metrics as unknown as MetricsConfig;
  if (kind === "simulation") {
    for (const k of LEARNER_ONLY) {
      if (raw[k] !== undefined) {
        throw new ConfigError(
          `${k}: not used by kind simulation (value ${
            showValue(raw[k])
          }); put it in simulation.params`,
        );
      }
    }
    if (raw.simulation === undefined) {
      fail("simulation", "a mapping with name and params", undefined);
    }
    const sim = named(raw.simulation, "simulation");
    checkKeys(sim, ["name", "params"], "simulation");
    let def;
    try {
      def = getSimulation(sim.name as string);
    } catch (e) {
      throw new ConfigError(`simulation.name: ${e instanceof Error ? e.message : String(e)}`);
    }
    let params: Record<string, unknown>;
    try {
      // The one validation pass: the trial records the resolved parameters and runs them.
      params = def.resolve(structuredClone(mapping(sim.params ?? {}, "simulation.params")));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new ConfigError(msg.includes("simulation") ? msg : `simulation.params: ${msg}`);
    }
    return {
      name,
      kind,
      simulation: { name: def.name, params },
      ...checkpointSection(raw.checkpoint),
      backend,
      metrics,
    };
  }
  if (raw.simulation !== undefined) {
    throw new ConfigError(
      `simulation: only used by kind simulation (value ${
        showValue(raw.simulation)
      }); set kind: simulation`,
    );
  }
  for (const k of ["dataset", "network", "rule", "epochs"] as const) {
    if (raw[k] === undefined) {
      fail(
        k,
        k === "epochs" ? describeField(LEARNER_RUN_SCHEMA.epochs!) : "a mapping with its settings",
        undefined,
      );
    }
  }
  const ds = named(raw.dataset, "dataset");
  let dsSchema: HyperSchema;
  try {
    dsSchema = capSchema(ctx.datasetSchema(ds.name as string), DATASET_CAPS);
  } catch (e) {
    throw new ConfigError(`dataset.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: dsName, ...dsOptions } = ds;
  const dataset = { name: dsName as string, ...resolveHyper(dsSchema, dsOptions, "dataset") };
  checkDatasetSize(dataset);

  const r = named(raw.rule, "rule");
  let def: LearnerDefinition;
  try {
    def = getLearner(r.name as string);
  } catch (e) {
    throw new ConfigError(`rule.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: ruleName, ...ruleHyper } = r;
  checkRuleKeys(def, ruleHyper);
  const rawSizes = isMapping(raw.network) ? raw.network.sizes : undefined;
  // Bounded before the network is resolved, so every message on sizes states the maximum.
  if (rawSizes !== undefined) checkValue(BOUNDED_SIZES, rawSizes, "network.sizes");
  const learner = resolveLearnerConfig(def, {
    network: raw.network,
    hyper: ruleHyper,
    optimizer: raw.optimizer,
    loss: raw.loss,
  });
  checkWeights(learner.network.sizes, "network.sizes");
  const own = resolveHyper(LEARNER_RUN_SCHEMA, pick(raw, Object.keys(LEARNER_RUN_SCHEMA)), "");
  if (raw.tasks !== undefined && raw.drift !== undefined) {
    fail("drift", "no drift section beside tasks (one protocol per trial)", raw.drift);
  }
  // Key order as written to config.yaml: the optimiser after the rule, when the rule has one.
  const source = ctx.dataSource?.(dataset as LearnerTrialConfig["dataset"]);
  return {
    name,
    kind,
    dataset,
    ...(source === undefined ? {} : { "data_source": source }),
    network: learner.network,
    rule: { name: ruleName as string, ...learner.hyper },
    ...(learner.optimizer ? { optimizer: learner.optimizer } : {}),
    loss: learner.loss,
    epochs: own.epochs as number,
    "batch_size": own.batch_size as number,
    ...(own.batches_per_epoch === undefined
      ? {}
      : { "batches_per_epoch": own.batches_per_epoch as number }),
    ...checkpointSection(raw.checkpoint),
    ...(raw.init_from === undefined ? {} : { "init_from": initFromGiven(raw.init_from) }),
    ...(raw.tasks === undefined ? {} : { tasks: resolveTasks(raw.tasks) }),
    ...(raw.drift === undefined ? {} : { drift: resolveDrift(raw.drift) }),
    backend,
    metrics,
  };
}

/** The resolved `checkpoint` section, when the config has one (`true` takes the defaults). */
function checkpointSection(raw: unknown): { checkpoint?: CheckpointConfig } {
  if (raw === undefined || raw === null) return {};
  return {
    checkpoint: resolveHyper(
      CHECKPOINT_SCHEMA,
      raw === true ? {} : checkMapping(raw, "checkpoint"),
      "checkpoint",
    ) as unknown as CheckpointConfig,
  };
}

function checkMapping(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    fail(path, "a mapping (or true)", v);
  }
  return v as Record<string, unknown>;
}

/** `init_from: other.yaml` or `{ config: other.yaml }`, as given. */
function initFromGiven(v: unknown): { config: string } {
  const config = typeof v === "string"
    ? v
    : v !== null && typeof v === "object" && !Array.isArray(v) &&
        Object.keys(v).length === 1 && typeof (v as { config?: unknown }).config === "string"
    ? (v as { config: string }).config
    : undefined;
  if (config === undefined || config.trim() === "") {
    fail("init_from", "the path of another experiment config, or { config: <path> }", v);
  }
  return { config };
}

/** Bounds the data a generated dataset allocates (teacher-student: its teacher and samples). */
function checkDatasetSize(dataset: Record<string, unknown>): void {
  const teacher = dataset.teacher_sizes;
  if (!Array.isArray(teacher) || teacher.length === 0) return;
  checkWeights(teacher as number[], "dataset.teacher_sizes");
  const count = (k: string) => (typeof dataset[k] === "number" ? Math.max(0, dataset[k]) : 0);
  const samples = count("train_size") + count("validation_size") + count("test_size");
  const values = samples * ((teacher[0] as number) + (teacher[teacher.length - 1] as number));
  if (values > CONFIG_LIMITS.dataValues) {
    throw new ConfigError(
      `dataset: ${samples} samples of ${teacher[0]} inputs and ${
        teacher[teacher.length - 1]
      } outputs make ${values} values; expected at most ${CONFIG_LIMITS.dataValues}`,
    );
  }
}

/**
 * Adds the seed to a resolved config, keeping the canonical key order.
 *
 * @param config The resolved config without seed.
 * @param seed The seed.
 * @returns The trial config.
 *
 * @example
 * ```ts
 * import { withSeed } from "@plasticity/runner/config";
 * const t = withSeed({
 *   name: "x", kind: "simulation", simulation: { name: "s", params: {} }, backend: "js",
 *   metrics: { every: 1, diagnostics: true, test_batch_size: 10, diverge_factor: 1000 },
 * }, 4);
 * console.assert(t.seed === 4);
 * ```
 */
export function withSeed(config: UnseededConfig, seed: number): TrialConfig {
  const { backend, metrics, ...rest } = config;
  return { ...rest, seed, backend, metrics } as TrialConfig;
}
