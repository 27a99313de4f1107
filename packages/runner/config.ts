/**
 * Experiment configs: YAML parsing and schema validation. Every error is one line naming the
 * key path, the offending value and what was expected; unknown keys are rejected and defaults
 * are filled, so a resolved config states every setting explicitly. YAML keys are snake_case;
 * {@linkcode toLearnerOptions} maps them to the camelCase core types.
 *
 * @module
 */
import {
  ACTIVATIONS,
  BACKEND_NAMES,
  getLearner,
  getSimulation,
  type HyperSchema,
  type HyperValue,
  INIT_KINDS,
  resolveHyper,
} from "@plasticity/core";
import { parseDocument } from "yaml";

/** A bad config: the message is one line naming the key path, the value and what was expected. */
export class ConfigError extends Error {
  /**
   * Makes the error.
   *
   * @param message The one-line message.
   */
  constructor(message: string) {
    super(message.split("\n")[0]);
    this.name = "ConfigError";
  }
}

/** Where the validator finds dataset option schemas (the `@plasticity/datasets` catalogue). */
export interface ResolveContext {
  /** The option schema of a dataset; throws `Unknown dataset …` for an unknown name. */
  datasetSchema(name: string): HyperSchema;
}

/** Resolved network section (YAML form). */
export interface NetworkConfig {
  /** Layer sizes from input to output. */
  sizes: number[];
  /** Hidden activation, one for all or one per hidden layer. */
  activation: string | string[];
  /** Output activation; omitted, each rule uses its own default (identity for MLPs and PC, hard
   * sigmoid for EP and CorInfoMax, as in their reference code). */
  "output_activation"?: string;
  /** Negative slope of `leakyRelu`. */
  "leaky_slope": number;
  /** Whether layers have biases. */
  bias: boolean;
  /** Weight initialiser; absent means the rule's own default. */
  init?: { kind: string; [param: string]: number | string };
}

/** Resolved optimiser section (YAML form). */
export interface OptimizerConfig {
  /** `sgd` or `adam`. */
  name: "sgd" | "adam";
  /** Learning rate. */
  lr: number;
  /** Decoupled weight decay. */
  "weight_decay": number;
  /** SGD momentum (sgd only). */
  momentum?: number;
  /** Adam β₁ (adam only). */
  beta1?: number;
  /** Adam β₂ (adam only). */
  beta2?: number;
  /** Adam ε (adam only). */
  eps?: number;
}

/** Resolved loss section (YAML form). */
export interface LossConfig {
  /** `mse` or `ce`. */
  kind: "mse" | "ce";
  /** Multiply squared error by ½ (mse only). */
  half?: boolean;
  /** `mean` over batch rows or `sum`. */
  reduction: "mean" | "sum" | "meanElements";
}

/** Resolved metrics section. */
export interface MetricsConfig {
  /** Log every this many epochs (learners) or records (simulations). */
  every: number;
  /** Whether to log `learner.diagnostics()` each logged epoch. */
  diagnostics: boolean;
  /** Batch size of evaluation passes. */
  "test_batch_size": number;
}

/** Fields shared by both kinds of resolved trial config. */
export interface TrialConfigBase {
  /** Experiment name. */
  name: string;
  /** The trial's seed. */
  seed: number;
  /** Requested backend name. */
  backend: string;
  /** What to log. */
  metrics: MetricsConfig;
}

/** A resolved learner trial: a rule trained on a dataset. */
export interface LearnerTrialConfig extends TrialConfigBase {
  /** Kind of trial. */
  kind: "learner";
  /** Dataset name and options (snake_case keys of its schema). */
  dataset: { name: string; [option: string]: HyperValue };
  /** Network architecture. */
  network: NetworkConfig;
  /** Rule name and hyper-parameters (snake_case keys of its schema). */
  rule: { name: string; [hyper: string]: HyperValue };
  /** Optimiser. */
  optimizer: OptimizerConfig;
  /** Loss. */
  loss: LossConfig;
  /** Number of training epochs. */
  epochs: number;
  /** Training batch size. */
  "batch_size": number;
}

/** A resolved simulation trial. */
export interface SimulationTrialConfig extends TrialConfigBase {
  /** Kind of trial. */
  kind: "simulation";
  /** Simulation name and parameters. */
  simulation: { name: string; params: Record<string, unknown> };
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
] as const;

/**
 * A value as it appears in messages: JSON, or `String(v)` for what JSON cannot show.
 *
 * @param v The value.
 * @returns Its display form.
 *
 * @example
 * ```ts
 * import { showValue } from "@plasticity/runner/config";
 * console.assert(showValue("x") === '"x"');
 * ```
 */
export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
  } catch {
    return String(v);
  }
}

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

function num(
  v: unknown,
  path: string,
  opts: { integer?: boolean; min?: number; max?: number; positive?: boolean } = {},
): number {
  const parts = [opts.integer ? "an integer" : "a number"];
  if (opts.positive) parts.push("> 0");
  if (opts.min !== undefined) parts.push(`≥ ${opts.min}`);
  if (opts.max !== undefined) parts.push(`≤ ${opts.max}`);
  const what = parts.join(" ");
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, what, v);
  if (opts.integer && !Number.isInteger(v)) fail(path, what, v);
  if (opts.positive && !(v > 0)) fail(path, what, v);
  if (opts.min !== undefined && v < opts.min) fail(path, what, v);
  if (opts.max !== undefined && v > opts.max) fail(path, what, v);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "true or false", v);
  return v;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], path: string): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    fail(path, `one of ${options.join(", ")}`, v);
  }
  return v as T;
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string" || v === "") fail(path, "a non-empty string", v);
  return v;
}

/**
 * `camelCase` → `snake_case`.
 *
 * @param key The key.
 * @returns Its snake_case form.
 *
 * @example
 * ```ts
 * import { snakeCase } from "@plasticity/runner/config";
 * console.assert(snakeCase("feedbackScale") === "feedback_scale");
 * console.assert(snakeCase("T") === "T");
 * ```
 */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, (_, a: string, b: string) => `${a}_${b.toLowerCase()}`);
}

/**
 * Validates options against a core schema whose keys may be camelCase or snake_case: the YAML
 * may use the snake_case form of any key. Returns the resolved values under snake_case keys.
 */
function resolveSnake(
  schema: HyperSchema,
  given: Record<string, unknown>,
  where: string,
): Record<string, HyperValue> {
  const bySnake = new Map<string, string>();
  for (const k of Object.keys(schema)) bySnake.set(snakeCase(k), k);
  const translated: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    const target = k in schema ? k : bySnake.get(k) ?? k;
    if (target in translated) {
      throw new ConfigError(`${where}.${k}: given twice (as ${target} and ${k})`);
    }
    translated[target] = v;
  }
  let out: Record<string, HyperValue>;
  try {
    out = resolveHyper(schema, translated, where);
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const snake: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(out)) snake[snakeCase(k)] = v;
  return snake;
}

/**
 * Maps resolved snake_case options back to the schema's own keys.
 *
 * @param schema The core schema.
 * @param resolved Options under snake_case keys (as in a resolved config).
 * @returns The options under the schema's keys.
 *
 * @example
 * ```ts
 * import { toSchemaKeys } from "@plasticity/runner/config";
 * const h = toSchemaKeys({ feedbackScale: { type: "number", doc: "" } }, { feedback_scale: 2 });
 * console.assert(h.feedbackScale === 2);
 * ```
 */
export function toSchemaKeys(
  schema: HyperSchema,
  resolved: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema)) {
    const s = snakeCase(k);
    if (s in resolved) out[k] = resolved[s];
    else if (k in resolved) out[k] = resolved[k];
  }
  return out;
}

/**
 * Parses YAML text into plain data. Only plain YAML data is accepted: tags, duplicate keys and
 * anything else the parser warns about are errors.
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
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const offset = Math.min(problem.pos[0], text.length);
    const before = text.slice(0, offset).split("\n");
    const where = `${source}:${before.length}:${before[before.length - 1]!.length + 1}`;
    const msg = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?.*$/, "");
    throw new ConfigError(`${where}: invalid YAML: ${msg}`);
  }
  let hasTag = false;
  const visit = (node: unknown): void => {
    if (node && typeof node === "object") {
      const n = node as { tag?: string; items?: unknown[]; key?: unknown; value?: unknown };
      if (typeof n.tag === "string" && !n.tag.startsWith("tag:yaml.org,2002:")) hasTag = true;
      if (Array.isArray(n.items)) n.items.forEach(visit);
      if ("key" in n) visit(n.key);
      if ("value" in n) visit(n.value);
    }
  };
  visit(doc.contents);
  if (hasTag) {
    throw new ConfigError(
      `${source}: invalid YAML: custom tags are not allowed (no code in configs)`,
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

function resolveNetwork(v: unknown): NetworkConfig {
  const m = mapping(v, "network");
  checkKeys(
    m,
    ["sizes", "activation", "output_activation", "leaky_slope", "init", "bias"],
    "network",
  );
  const sizes = m.sizes;
  if (
    !Array.isArray(sizes) || sizes.length < 2 ||
    !sizes.every((n) => typeof n === "number" && Number.isInteger(n) && n > 0)
  ) {
    fail("network.sizes", "a list of at least two positive integers", sizes);
  }
  const hidden = sizes.length - 2;
  let activation: string | string[];
  const act = m.activation ?? "tanh";
  if (Array.isArray(act)) {
    if (act.length !== hidden) {
      fail("network.activation", `one activation per hidden layer (${hidden})`, act);
    }
    activation = act.map((a, i) => oneOf(a, ACTIVATIONS, `network.activation[${i}]`));
  } else {
    activation = oneOf(act, ACTIVATIONS, "network.activation");
  }
  const out: NetworkConfig = {
    sizes: [...sizes] as number[],
    activation,
    "leaky_slope": num(m.leaky_slope ?? 0.01, "network.leaky_slope", { min: 0 }),
    bias: bool(m.bias ?? true, "network.bias"),
  };
  if (m.output_activation !== undefined) {
    out.output_activation = oneOf(m.output_activation, ACTIVATIONS, "network.output_activation");
  }
  if (m.init !== undefined) out.init = resolveInit(m.init);
  return out;
}

const INIT_PARAMS: Record<string, Record<string, number | undefined>> = {
  xavierUniform: { gain: 1 },
  xavierNormal: { gain: 1 },
  lecunNormal: { scale: 1 },
  varianceScaling: { scale: 1 },
  kaimingUniform: { a: Math.sqrt(5) },
  uniform: { low: undefined, high: undefined },
  normal: { std: undefined, mean: 0 },
  zeros: {},
};

function resolveInit(v: unknown): { kind: string; [param: string]: number | string } {
  const m = typeof v === "string" ? { kind: v } : mapping(v, "network.init");
  const kind = oneOf(m.kind, INIT_KINDS, "network.init.kind");
  const params = INIT_PARAMS[kind]!;
  checkKeys(m, ["kind", ...Object.keys(params)], "network.init");
  const out: { kind: string; [param: string]: number | string } = { kind };
  for (const [p, def] of Object.entries(params)) {
    const given = m[p] ?? def;
    if (given === undefined) fail(`network.init.${p}`, `a number (required by ${kind})`, given);
    out[p] = num(given, `network.init.${p}`, p === "std" ? { min: 0 } : {});
  }
  if (kind === "uniform" && !((out.low as number) < (out.high as number))) {
    fail("network.init.high", `a number > low (${out.low})`, out.high);
  }
  return out;
}

function resolveOptimizer(v: unknown): OptimizerConfig {
  const m = mapping(v ?? {}, "optimizer");
  const name = oneOf(m.name ?? "sgd", ["sgd", "adam"] as const, "optimizer.name");
  const lr = num(m.lr ?? 0.01, "optimizer.lr", { min: 0 });
  const weightDecay = num(m.weight_decay ?? 0, "optimizer.weight_decay", { min: 0 });
  if (name === "sgd") {
    checkKeys(m, ["name", "lr", "momentum", "weight_decay"], "optimizer");
    return {
      name,
      lr,
      momentum: num(m.momentum ?? 0, "optimizer.momentum", { min: 0, max: 1 }),
      "weight_decay": weightDecay,
    };
  }
  checkKeys(m, ["name", "lr", "beta1", "beta2", "eps", "weight_decay"], "optimizer");
  return {
    name,
    lr,
    beta1: num(m.beta1 ?? 0.9, "optimizer.beta1", { min: 0, max: 1 }),
    beta2: num(m.beta2 ?? 0.999, "optimizer.beta2", { min: 0, max: 1 }),
    eps: num(m.eps ?? 1e-8, "optimizer.eps", { positive: true }),
    "weight_decay": weightDecay,
  };
}

function resolveLoss(v: unknown): LossConfig {
  const m = typeof v === "string" ? { kind: v } : mapping(v ?? {}, "loss");
  const kind = oneOf(m.kind ?? "mse", ["mse", "ce"] as const, "loss.kind");
  if (kind === "ce") {
    checkKeys(m, ["kind", "reduction"], "loss");
    return {
      kind,
      reduction: oneOf(m.reduction ?? "mean", ["mean", "sum"] as const, "loss.reduction"),
    };
  }
  checkKeys(m, ["kind", "half", "reduction"], "loss");
  const reduction = oneOf(
    m.reduction ?? "mean",
    ["mean", "sum", "meanElements"] as const,
    "loss.reduction",
  );
  return { kind, half: bool(m.half ?? true, "loss.half"), reduction };
}

function resolveMetrics(v: unknown): MetricsConfig {
  const m = mapping(v ?? {}, "metrics");
  checkKeys(m, ["every", "diagnostics", "test_batch_size"], "metrics");
  return {
    every: num(m.every ?? 1, "metrics.every", { integer: true, min: 1 }),
    diagnostics: bool(m.diagnostics ?? true, "metrics.diagnostics"),
    "test_batch_size": num(m.test_batch_size ?? 1000, "metrics.test_batch_size", {
      integer: true,
      min: 1,
    }),
  };
}

function named(v: unknown, path: string): Record<string, unknown> {
  const m = typeof v === "string" ? { name: v } : mapping(v, path);
  str(m.name, `${path}.name`);
  return m;
}

/**
 * Checks an experiment name: lower-case letters, digits, `_` and `-`.
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
  if (typeof v !== "string" || !/^[a-z0-9_-]+$/.test(v)) {
    fail("name", "an experiment name of lower-case letters, digits, _ and - (e.g. fa-sine)", v);
  }
  return v;
}

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
  return num(v, path, { integer: true, min: 0, max: 4294967295 });
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
 *   name: "doc-idle", description: "emits nothing", validate: () => {},
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
  checkKeys(raw, TOP_LEVEL_KEYS.filter((k) => k !== "grid" && k !== "seeds" && k !== "seed"), "");
  const name = checkExperimentName(raw.name);
  const kind = oneOf(raw.kind ?? "learner", ["learner", "simulation"] as const, "kind");
  const backend = oneOf(raw.backend ?? "auto", BACKEND_NAMES, "backend");
  const metrics = resolveMetrics(raw.metrics);
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
    const params = structuredClone(mapping(sim.params ?? {}, "simulation.params"));
    try {
      def.validate(params);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new ConfigError(msg.includes("simulation") ? msg : `simulation.params: ${msg}`);
    }
    return { name, kind, simulation: { name: def.name, params }, backend, metrics };
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
      fail(k, k === "epochs" ? "an integer ≥ 0" : "a mapping with its settings", undefined);
    }
  }
  const ds = named(raw.dataset, "dataset");
  let dsSchema: HyperSchema;
  try {
    dsSchema = ctx.datasetSchema(ds.name as string);
  } catch (e) {
    throw new ConfigError(`dataset.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: dsName, ...dsOptions } = ds;
  const dataset = { name: dsName as string, ...resolveSnake(dsSchema, dsOptions, "dataset") };

  const r = named(raw.rule, "rule");
  let ruleSchema: HyperSchema;
  try {
    ruleSchema = getLearner(r.name as string).hyper;
  } catch (e) {
    throw new ConfigError(`rule.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: ruleName, ...ruleHyper } = r;
  const rule = { name: ruleName as string, ...resolveSnake(ruleSchema, ruleHyper, "rule") };

  return {
    name,
    kind,
    dataset,
    network: resolveNetwork(raw.network),
    rule,
    optimizer: resolveOptimizer(raw.optimizer),
    loss: resolveLoss(raw.loss),
    epochs: num(raw.epochs, "epochs", { integer: true, min: 0 }),
    "batch_size": num(raw.batch_size ?? 32, "batch_size", { integer: true, min: 1 }),
    backend,
    metrics,
  };
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
 *   metrics: { every: 1, diagnostics: true, test_batch_size: 10 },
 * }, 4);
 * console.assert(t.seed === 4);
 * ```
 */
export function withSeed(config: UnseededConfig, seed: number): TrialConfig {
  const { backend, metrics, ...rest } = config;
  return { ...rest, seed, backend, metrics } as TrialConfig;
}
