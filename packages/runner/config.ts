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
 * @module
 */
import {
  BACKEND_NAMES,
  type BackendName,
  checkValue,
  describeField,
  getLearner,
  getSimulation,
  type HyperField,
  type HyperSchema,
  type HyperValue,
  type LearnerDefinition,
  type LossSpec,
  type NetworkSpec,
  type OptimizerSpec,
  resolveHyper,
  resolveLearnerConfig,
  SchemaError,
  showValue,
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
        doc: "batch size of evaluation passes",
      },
    },
  },
};

/** The runner's keys of a learner trial, declared once. */
const LEARNER_RUN_SCHEMA: HyperSchema = {
  epochs: { type: "number", integer: true, min: 0, doc: "training epochs" },
  "batch_size": { type: "number", default: 32, integer: true, min: 1, doc: "training batch size" },
};

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
    dsSchema = ctx.datasetSchema(ds.name as string);
  } catch (e) {
    throw new ConfigError(`dataset.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: dsName, ...dsOptions } = ds;
  const dataset = { name: dsName as string, ...resolveHyper(dsSchema, dsOptions, "dataset") };

  const r = named(raw.rule, "rule");
  let def: LearnerDefinition;
  try {
    def = getLearner(r.name as string);
  } catch (e) {
    throw new ConfigError(`rule.name: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { name: ruleName, ...ruleHyper } = r;
  const learner = resolveLearnerConfig(def, {
    network: raw.network,
    hyper: ruleHyper,
    optimizer: raw.optimizer,
    loss: raw.loss,
  });
  const own = resolveHyper(LEARNER_RUN_SCHEMA, pick(raw, Object.keys(LEARNER_RUN_SCHEMA)), "");
  // Key order as written to config.yaml: the optimiser after the rule, when the rule has one.
  return {
    name,
    kind,
    dataset,
    network: learner.network,
    rule: { name: ruleName as string, ...learner.hyper },
    ...(learner.optimizer ? { optimizer: learner.optimizer } : {}),
    loss: learner.loss,
    epochs: own.epochs as number,
    "batch_size": own.batch_size as number,
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
