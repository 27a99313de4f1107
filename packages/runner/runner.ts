/**
 * The programmatic runner: load and validate an experiment config, expand it into trials, and
 * run them on the local process pool with progress display and resumable results.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type HyperValue, SchemaError } from "@plasticity/core";
import { datasetSchema, datasetSource, sourceId } from "@plasticity/datasets";
import "./registry.ts";
import { envBackendName } from "./backend_env.ts";
import {
  ConfigError,
  MissingDataSource,
  parseYaml,
  parseYamlWithPositions,
  type ResolveContext,
  showValue,
} from "./config.ts";
import {
  canonicalJson,
  checkTrialCount,
  expandGrid,
  iterateGrid,
  MAX_TRIALS,
  planGrid,
  type Trial,
  trialId,
} from "./grid.ts";
import { type Executor, localExecutor } from "./executor.ts";
import { describeShard, inShard, type Shard } from "./shard.ts";
import { filterTrials, type TrialFilter } from "./where.ts";
import { workdirGit } from "./workdir.ts";
import { ProgressDisplay, type ProgressMode } from "./progress.ts";
import {
  countStates,
  experimentDir,
  gitCommit,
  loadResultsIndex,
  readStatus,
  type ResultEntry,
  resultsRoot,
  TRIAL_FILES,
  type TrialState,
  workspaceVersions,
} from "./results.ts";
import type { TrialOutcome } from "./trial.ts";
import {
  EXPERIMENT_MARKER,
  isExperimentDir,
  lockTrial,
  markExperimentDir,
  recoverTrial,
  removeTrialDir,
} from "./trial_dir.ts";

/** The dataset catalogue of `@plasticity/datasets`, for validation. */
export const DATASETS: ResolveContext = { datasetSchema };

/** Options that shape the trials of an experiment. */
export interface ExpandOptions {
  /**
   * Backend for every trial (`--backend`); overrides `PLASTICITY_BACKEND`. A config naming
   * another backend (other than `auto`, which leaves the choice open), or a grid over `backend`
   * with other values, is a config error: drop one of them.
   */
  backend?: string;
  /** Modules to import first (paths or URLs), e.g. extra rule registrations. */
  imports?: readonly string[];
  /**
   * Refuse sweeps of more trials (grid points × seeds) than this, checked before expanding
   * (default {@linkcode MAX_TRIALS}, 100 000; `Infinity` for no limit, as `--allow-large`).
   */
  maxTrials?: number;
}

/** Options of {@linkcode runExperiment}. */
export interface RunOptions extends ExpandOptions {
  /** Parallel trial processes (default: one per core). */
  jobs?: number;
  /** Redo trials that are already done (or diverged). */
  force?: boolean;
  /** Results root (default `$PLASTICITY_RESULTS` or `./results`). */
  resultsDir?: string;
  /** Only expand and report the trials; run and write nothing. */
  dryRun?: boolean;
  /** Progress display: `auto` (bars on a terminal, else lines; default), `tty`, `plain`, `none`. */
  progress?: ProgressMode | "auto";
  /** Stops the sweep: running trial processes are ended, no new ones start. */
  signal?: AbortSignal;
  /** Show the stack trace of a crashing trial process (default: its one-line message). */
  verbose?: boolean;
  /** Where the trials run (default: {@linkcode localExecutor} with `jobs` processes). */
  executor?: Executor;
  /**
   * Run only this shard's trials: those whose index in the sweep is `index` modulo `count` (see
   * `inShard`), so shards started anywhere, at any time, split the sweep without overlap.
   */
  shard?: Shard;
  /**
   * Run only the trials these filters keep (see `filterTrials` of `@plasticity/runner/where`):
   * part of a sweep chosen by its configs, e.g. one dataset size first.
   */
  where?: TrialFilter[];
}

/** One trial in a run report. */
export interface TrialReport {
  /** The trial. */
  trial: Trial;
  /** Its folder. */
  dir: string;
  /** How it stands: `skipped` = already finished before this run; `pending` = not run. */
  state: TrialState | "skipped" | "pending" | "incomplete";
  /** The error of a failed or diverged trial. */
  error?: string;
  /** Its summary, when it ran now. */
  summary?: Record<string, number | null>;
}

/** What {@linkcode runExperiment} did. */
export interface RunReport {
  /** Experiment name. */
  experiment: string;
  /** Experiment folder. */
  dir: string;
  /** Every trial with its state. */
  trials: TrialReport[];
  /** Trials per state. */
  counts: Record<string, number>;
  /** Whether the run was stopped early. */
  interrupted: boolean;
}

/** A config to load: a YAML file path, or already-parsed config data. */
export type ConfigInput = string | URL | Record<string, unknown>;

/**
 * Loads an experiment config: reads and parses a YAML file, or takes config data as is.
 *
 * @param input A path or URL of a YAML file, or config data.
 * @returns The parsed config and where it came from.
 *
 * @example
 * ```ts
 * import { loadConfig } from "@plasticity/runner";
 * const { raw } = await loadConfig({ name: "x" });
 * console.assert(raw.name === "x");
 * ```
 */
export async function loadConfig(
  input: ConfigInput,
): Promise<
  { raw: Record<string, unknown>; source: string; positions?: ReadonlyMap<string, string> }
> {
  if (typeof input === "object" && !(input instanceof URL)) {
    return { raw: structuredClone(input), source: "config" };
  }
  const source = input instanceof URL ? input.pathname : input;
  let text: string;
  try {
    text = await Deno.readTextFile(input);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : (e instanceof Error ? e.message : String(e));
    throw new ConfigError(`${source}: cannot read config: ${why}`);
  }
  const { value: raw, positions } = parseYamlWithPositions(text, source);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `${source}: expected a mapping of settings at the top level, got ${showValue(raw)}`,
    );
  }
  return { raw: raw as Record<string, unknown>, source, positions };
}

const imported = new Set<string>();

/**
 * Imports modules that register rules or simulations, once each.
 *
 * @param specifiers Paths (relative to the working directory) or URLs.
 * @returns Their file URLs.
 *
 * @example
 * ```ts
 * import { importModules } from "@plasticity/runner";
 * console.assert((await importModules([])).length === 0);
 * ```
 */
export async function importModules(specifiers: readonly string[]): Promise<string[]> {
  const urls: string[] = [];
  for (const s of specifiers) {
    const url = /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)
      ? s
      : pathToFileURL(resolve(s)).href;
    if (!imported.has(url)) {
      try {
        await import(url);
      } catch (e) {
        throw new ConfigError(
          `--import ${s}: cannot import: ${
            (e instanceof Error ? e.message : String(e)).split("\n")[0]
          }`,
        );
      }
      imported.add(url);
    }
    urls.push(url);
  }
  return urls;
}

/**
 * Puts the `--backend` flag or else, when the config names none, `PLASTICITY_BACKEND` into the
 * config. The flag may not contradict the config: a `backend:` naming another backend (other than
 * `auto`, which leaves the choice open) or a grid over `backend` with other values is a config
 * error rather than silently overridden. The name is validated once, with the rest of the config,
 * by the runner's schema; `from` is where it came from, for the message.
 */
function applyBackend(
  raw: Record<string, unknown>,
  flag: string | undefined,
): { raw: Record<string, unknown>; from?: string } {
  if (flag !== undefined) {
    if (raw.backend !== undefined && raw.backend !== "auto" && raw.backend !== flag) {
      throw new ConfigError(
        `--backend: ${showValue(flag)} conflicts with the config's backend ${
          showValue(raw.backend)
        }; drop one`,
      );
    }
    const grid = raw.grid;
    if (grid && typeof grid === "object" && !Array.isArray(grid) && "backend" in grid) {
      const values = (grid as Record<string, unknown>).backend;
      if (!Array.isArray(values) || values.some((v) => v !== flag)) {
        throw new ConfigError(
          `--backend: ${showValue(flag)} conflicts with the config's grid over backend ${
            showValue(values)
          }; drop one`,
        );
      }
    }
    return { raw: { ...raw, backend: flag }, from: "--backend" };
  }
  const env = envBackendName();
  if (raw.backend === undefined && env !== undefined) {
    return { raw: { ...raw, backend: env }, from: "PLASTICITY_BACKEND" };
  }
  return { raw };
}

/**
 * Loads a config and applies the backend (`withBackend`: the flag and `PLASTICITY_BACKEND`; else
 * the config's own), then runs `expand` on it, naming the source of a config error.
 */
/**
 * The data sources of the dataset sections met while expanding a sweep: a synchronous lookup for
 * the resolver, filled asynchronously (hashing data files) between expansion attempts.
 */
class DataSources {
  #known = new Map<string, string>();
  lookup(dataset: Readonly<{ name: string; [option: string]: HyperValue }>): string {
    const id = this.#known.get(canonicalJson(dataset));
    if (id === undefined) throw new MissingDataSource(dataset);
    return id;
  }
  async learn(dataset: Readonly<{ name: string; [option: string]: HyperValue }>): Promise<void> {
    const { name, ...o } = dataset;
    let source;
    try {
      source = await datasetSource(name, o);
    } catch (e) {
      // Bad data found while expanding is bad input: one line, exit 2, nothing written.
      if (e instanceof SchemaError) throw new ConfigError(e.message);
      throw e;
    }
    this.#known.set(canonicalJson(dataset), sourceId(source));
  }
}

async function withConfig<T>(
  input: ConfigInput,
  options: ExpandOptions,
  withBackend: boolean,
  expand: (raw: Record<string, unknown>, ctx: ResolveContext) => T,
): Promise<T> {
  await importModules(options.imports ?? []);
  const { raw, source, positions } = await loadConfig(input);
  const sources = new DataSources();
  const ctx: ResolveContext = { ...DATASETS, dataSource: (d) => sources.lookup(d) };
  const applied = withBackend ? applyBackend(raw, options.backend) : { raw };
  const located = (e: ConfigError): ConfigError => {
    // A bad backend named by the flag or the variable (not by a grid point) is reported as theirs.
    if (
      applied.from && e.message.startsWith("backend: ") &&
      !e.message.includes("(grid point backend=")
    ) {
      return new ConfigError(`${applied.from}: ${e.message.slice("backend: ".length)}`);
    }
    if (source === "config") return e;
    const at = positions ? keyPosition(e.message, positions) : undefined;
    return new ConfigError(`${source}${at ? `:${at}` : ""}: ${e.message}`);
  };
  try {
    const initFrom = await startingPoints(raw, source, options);
    if (initFrom) ctx.initFrom = initFrom;
  } catch (e) {
    throw e instanceof ConfigError ? located(e) : e;
  }
  // Every error of the file at once: after each, the value it names is dropped (its default
  // applies) and validation goes on, until the file passes or an error names no given value.
  const found: ConfigError[] = [];
  const dropped = new Set<string>();
  for (let current = applied.raw;;) {
    try {
      const result = await expandKnowingSources(current, ctx, sources, expand);
      if (found.length === 0) return result;
      break;
    } catch (e) {
      if (!(e instanceof ConfigError)) {
        if (found.length === 0) throw e;
        break;
      }
      const path = namedPath(e.message);
      // An error about a value dropped before (now missing) is not the user's.
      if (found.length && path !== undefined && dropped.has(path)) break;
      found.push(located(e));
      const next = found.length < MAX_CONFIG_ERRORS ? withoutNamedValue(current, e.message) : null;
      if (next === null) break;
      dropped.add(path!);
      current = next;
    }
  }
  throw new ConfigError(found.map((e) => e.message));
}

/** The key path an error message starts with (`rule.T` of `rule.T: expected …`). */
function namedPath(message: string): string | undefined {
  return /^([A-Za-z0-9_.-]+): /.exec(message)?.[1];
}

/**
 * The grid key that set the value at `path`, when the message ends with its grid point
 * (`(grid point optimizer.lr=0.1, optimizer.momentum=1.5)`): the key equal to the path or above it.
 */
function gridKeyOf(message: string, path: string): string | undefined {
  const point = /\(grid point (.*)\)$/.exec(message)?.[1];
  if (point === undefined) return undefined;
  for (const [, key] of point.matchAll(/(?:^|, )([^=\s,]+)=/g)) {
    if (key !== undefined && (path === key || path.startsWith(`${key}.`))) return key;
  }
  return undefined;
}

/** Errors of one config reported at once, at most. */
const MAX_CONFIG_ERRORS = 20;

/**
 * Expansion is synchronous; a dataset section whose source is not known yet stops it, the source
 * is found (files are hashed once) and expansion starts again.
 */
async function expandKnowingSources<T>(
  raw: Record<string, unknown>,
  ctx: ResolveContext,
  sources: DataSources,
  expand: (raw: Record<string, unknown>, ctx: ResolveContext) => T,
): Promise<T> {
  for (;;) {
    try {
      return expand(raw, ctx);
    } catch (e) {
      if (!(e instanceof MissingDataSource)) throw e;
      await sources.learn(e.dataset);
    }
  }
}

/**
 * The config without the value an error message names (`rule.T: …` drops `rule.T`; a section
 * given as a bare string is dropped whole), or null when the message names no value the config
 * gives (a missing key, a value set by a grid point, a data file).
 */
function withoutNamedValue(
  raw: Record<string, unknown>,
  message: string,
): Record<string, unknown> | null {
  const path = namedPath(message);
  if (path === undefined) return null;
  if (gridKeyOf(message, path) !== undefined) return null;
  const out = structuredClone(raw);
  let parent: Record<string, unknown> = out;
  const keys = path.split(".");
  for (const [i, key] of keys.entries()) {
    if (!Object.hasOwn(parent, key)) return null;
    const value = parent[key];
    const isLast = i === keys.length - 1;
    if (isLast || value === null || typeof value !== "object" || Array.isArray(value)) {
      delete parent[key];
      return out;
    }
    parent = value as Record<string, unknown>;
  }
  return null;
}

/**
 * Where the key an error message starts with is written (`line:column`): the key itself, else
 * the grid entry that set it (a message ending in `(grid point <key>=…)`), else its closest
 * written parent (`rule` for `rule.T` when `T` comes from a default).
 */
function keyPosition(message: string, positions: ReadonlyMap<string, string>): string | undefined {
  const path = /^([A-Za-z0-9_.[\]-]+): /.exec(message)?.[1];
  if (path === undefined) return undefined;
  const grid = gridKeyOf(message, path);
  if (grid !== undefined && positions.has(`grid.${grid}`)) return positions.get(`grid.${grid}`);
  if (positions.has(path)) return positions.get(path);
  for (let p = path; p.includes(".");) {
    p = p.slice(0, p.lastIndexOf("."));
    if (positions.has(p)) return positions.get(p);
  }
  return undefined;
}

/** Sweeps being expanded for `init_from`, outermost first, to refuse a cycle. */
const expanding: string[] = [];

/**
 * For a config with `init_from: other.yaml`: expands the other sweep (its path relative to the
 * config's folder) and returns the lookup of the trial each seed starts from — the other sweep's
 * trial with the same seed, or its only trial.
 */
async function startingPoints(
  raw: Record<string, unknown>,
  source: string,
  options: ExpandOptions,
): Promise<ResolveContext["initFrom"]> {
  const given = raw.init_from;
  const path = typeof given === "string"
    ? given
    : given && typeof given === "object" && typeof (given as { config?: unknown }).config ===
        "string"
    ? (given as { config: string }).config
    : undefined;
  if (path === undefined) return undefined; // absent, or malformed: the schema says so
  const file = resolve(source === "config" ? Deno.cwd() : dirname(source), path);
  if (expanding.includes(file)) {
    throw new ConfigError(
      `init_from: "${path}" starts from itself through ${expanding.join(" → ")}`,
    );
  }
  let deps: Trial[];
  expanding.push(file);
  try {
    deps = await expandTrials(file, {
      ...(options.imports ? { imports: options.imports } : {}),
      ...(options.maxTrials === undefined ? {} : { maxTrials: options.maxTrials }),
    });
  } catch (e) {
    throw new ConfigError(`init_from: ${(e instanceof Error ? e.message : String(e))}`);
  } finally {
    expanding.pop();
  }
  const bySeed = new Map<number, Trial[]>();
  for (const t of deps) bySeed.set(t.seed, [...(bySeed.get(t.seed) ?? []), t]);
  return (g, seed) => {
    if (g.config !== path) {
      throw new ConfigError(
        `init_from: "${g.config}" set by the grid; expected init_from at the top level only`,
      );
    }
    const match = bySeed.get(seed) ?? (deps.length === 1 ? deps : []);
    if (match.length !== 1) {
      throw new ConfigError(
        `init_from: "${path}" has ${match.length} trials with seed ${seed}; expected one ` +
          "per seed, or a sweep of a single trial",
      );
    }
    return { experiment: match[0]!.config.name, trial: match[0]!.id };
  };
}

/**
 * Validates an experiment config and expands it into its trials (grid × seeds). The backend is
 * the `backend` option, else the config's `backend`, else `PLASTICITY_BACKEND`, else `auto`; an
 * option contradicting the config's backend is an error. A sweep of more than `maxTrials` trials
 * (default {@linkcode MAX_TRIALS}) is refused before it is expanded.
 *
 * @param input A YAML file path or config data.
 * @param options Backend, modules to import first, and the trial limit.
 * @returns The trials in sweep order.
 *
 * @example
 * ```ts
 * import { expandTrials } from "@plasticity/runner";
 * const trials = await expandTrials({
 *   name: "doc-sine", dataset: { name: "sine" }, network: { sizes: [1, 8, 1] },
 *   rule: { name: "bp" }, epochs: 1, seeds: [0, 1],
 *   grid: { "optimizer.lr": [0.01, 0.1] },
 * });
 * console.assert(trials.length === 4);
 * ```
 */
export async function expandTrials(
  input: ConfigInput,
  options: ExpandOptions = {},
): Promise<Trial[]> {
  const max = options.maxTrials;
  return await withConfig(
    input,
    options,
    true,
    (raw, ctx) => expandGrid(raw, ctx, max === undefined ? {} : { maxTrials: max }),
  );
}

/** What {@linkcode previewExperiment} found: the size of a sweep and its first trials. */
export interface ExperimentPreview {
  /** Experiment name. */
  experiment: string;
  /** Experiment folder. */
  dir: string;
  /** Trials: grid points × seeds, less identical combinations when every point was checked. */
  total: number;
  /** Grid points (1 without a grid). */
  points: number;
  /** Seeds per grid point. */
  seeds: number;
  /** The grid's dotted key paths. */
  keys: string[];
  /** The first trials, each `pending` or in its state on disk. */
  rows: TrialReport[];
  /** Trials per state, when every trial was checked (sweeps up to {@linkcode MAX_TRIALS}). */
  counts?: Record<string, number>;
  /** Grid points validated: all of them, or for larger sweeps the first ones and one per value. */
  checkedPoints: number;
}

/**
 * Previews an experiment without running or writing anything (`--dry-run`), in bounded time and
 * memory whatever the size of the sweep: the number of trials is computed, not expanded. A sweep
 * of up to {@linkcode MAX_TRIALS} trials is validated point by point and its states counted,
 * keeping only the first `rows` trials; a larger one (allowed by `maxTrials`) validates the points
 * shown and one point per grid value, so every value is checked once.
 *
 * @param input A YAML file path or config data.
 * @param options Backend, imports, trial limit, results root, and how many trials to list (20).
 * @returns The counts and the first trials.
 *
 * @example
 * ```ts
 * import { previewExperiment } from "@plasticity/runner";
 * const p = await previewExperiment({
 *   name: "doc-preview", dataset: { name: "sine" }, network: { sizes: [1, 8, 1] },
 *   rule: { name: "bp" }, epochs: 1, seeds: [0, 1],
 *   grid: { "optimizer.lr": [0.01, 0.1, 1] },
 * }, { rows: 4, resultsDir: Deno.makeTempDirSync() });
 * console.assert(p.total === 6 && p.rows.length === 4 && p.counts?.pending === 6);
 * ```
 */
export async function previewExperiment(
  input: ConfigInput,
  options: ExpandOptions & { resultsDir?: string; rows?: number } = {},
): Promise<ExperimentPreview> {
  const root = options.resultsDir ?? resultsRoot();
  const wanted = options.rows ?? 20;
  return await withConfig(input, options, true, (raw, ctx) => {
    const plan = planGrid(raw);
    checkTrialCount(plan, options.maxTrials);
    const rows: TrialReport[] = [];
    let dir = "", name = "";
    const report = (trial: Trial): TrialReport => {
      if (!dir) [name, dir] = [trial.config.name, experimentDir(trial.config.name, root)];
      const tdir = join(dir, trial.id);
      return { trial, dir: tdir, state: readStatus(tdir)?.state ?? "pending" };
    };
    const preview: Omit<ExperimentPreview, "experiment" | "dir"> = {
      total: 0,
      points: plan.points,
      seeds: plan.seeds.length,
      keys: [...plan.keys],
      rows,
      checkedPoints: plan.points,
    };
    if (plan.trials <= MAX_TRIALS) {
      const counts: Record<string, number> = {};
      for (const trial of iterateGrid(raw, ctx)) {
        const r = report(trial);
        counts[r.state] = (counts[r.state] ?? 0) + 1;
        preview.total++;
        if (rows.length < wanted) rows.push(r);
      }
      preview.counts = counts;
    } else {
      const first = Math.min(plan.points, Math.ceil(wanted / plan.seeds.length));
      for (const trial of iterateGrid(raw, ctx, range(first))) {
        if (rows.length < wanted) rows.push(report(trial));
      }
      // One point per grid value: point i takes value i mod n of each key of n values.
      let longest = 0;
      for (const values of plan.values) longest = Math.max(longest, values.length);
      const strides: number[] = [];
      let stride = 1;
      for (let k = plan.values.length - 1; k >= 0; k--) {
        strides[k] = stride;
        stride *= plan.values[k]!.length;
      }
      const cover = function* () {
        for (let i = 0; i < longest; i++) {
          let c = 0;
          plan.values.forEach((values, k) => c += (i % values.length) * strides[k]!);
          yield c;
        }
      };
      for (const trial of iterateGrid(raw, ctx, cover())) if (!dir) report(trial);
      preview.total = plan.trials;
      preview.checkedPoints = first + longest;
    }
    return { experiment: name, dir, ...preview };
  });
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/**
 * A short label of a trial: its id, grid values and seed.
 *
 * @param t The trial.
 * @returns The label.
 *
 * @example
 * ```ts ignore
 * import { trialLabel } from "@plasticity/runner";
 * trialLabel(trial); // "3f2a9c0d1e4b rule.name=fa seed=1"
 * ```
 */
export function trialLabel(t: Trial): string {
  const parts = Object.entries(t.point).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  );
  return [t.id, ...parts, `seed=${t.seed}`].join(" ");
}

function outcomeDetail(o: TrialOutcome): string {
  if (o.error) return o.error;
  const s = o.summary ?? {};
  const keys = ["test_accuracy", "test_loss", "train_loss"].filter((k) => typeof s[k] === "number");
  const nums = keys.slice(0, 2).map((k) => `${k} ${Number(s[k]).toPrecision(4)}`);
  if (typeof s.wall_s === "number") nums.push(`${s.wall_s.toFixed(1)}s`);
  return nums.join(", ");
}

function progressMode(p: RunOptions["progress"]): ProgressMode {
  if (p && p !== "auto") return p;
  try {
    return Deno.stderr.isTerminal() ? "tty" : "plain";
  } catch {
    return "plain";
  }
}

/**
 * Runs an experiment: validates the config, expands the grid, and runs every trial that is not
 * already finished in its own process, `jobs` at a time, recording results under
 * `<results>/<name>/<trial id>/`. Nothing is written when the config is invalid (a
 * {@linkcode ConfigError} is thrown) or on a dry run.
 *
 * @param input A YAML file path or config data.
 * @param options Parallelism, force, backend, results root, dry run, progress, signal.
 * @returns Every trial with its final state.
 *
 * @example
 * ```ts ignore
 * import { runExperiment } from "@plasticity/runner";
 * const report = await runExperiment("apps/run/examples/sine_bp_fa.yaml", { jobs: 2 });
 * console.log(report.counts);
 * ```
 */
export async function runExperiment(
  input: ConfigInput,
  options: RunOptions = {},
): Promise<RunReport> {
  const all = await expandTrials(input, options);
  const wanted = options.where?.length ? filterTrials(all, options.where) : all;
  const trials = wanted.filter((t) => inShard(t.index, options.shard));
  const imports = await importModules(options.imports ?? []);
  const name = all[0]!.config.name;
  const dir = experimentDir(name, options.resultsDir ?? resultsRoot());
  if (!options.dryRun) await recoverExperiment(dir);
  const reports: TrialReport[] = trials.map((trial) => {
    const tdir = join(dir, trial.id);
    const st = readStatus(tdir);
    const finished = st?.state === "done" || st?.state === "diverged";
    const r: TrialReport = {
      trial,
      dir: tdir,
      state: !options.force && finished ? "skipped" : "pending",
    };
    if (options.dryRun && st) r.state = st.state;
    return r;
  });
  const report: RunReport = {
    experiment: name,
    dir,
    trials: reports,
    counts: {},
    interrupted: false,
  };
  if (options.dryRun) {
    report.counts = tally(reports);
    return report;
  }
  markExperimentDir(dir, name);
  const todo = reports.filter((r) => r.state === "pending");
  const git = workdirGit();
  const meta = {
    "git_commit": gitCommit(),
    versions: workspaceVersions(),
    ...(git ? { "workdir_git": git } : {}),
  };
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 1);
  const display = new ProgressDisplay(
    todo.length,
    todo.length ? progressMode(options.progress) : "none",
  );
  if (options.where?.length) {
    const what = options.where.map((f) => `${f.path}=${showValue(f.value)}`).join(" ");
    display.log(`${name}: where ${what}: ${wanted.length} of ${all.length} trials`);
  }
  if (options.shard) {
    display.log(
      `${name}: ${describeShard(options.shard)}: ${trials.length} of ${wanted.length} trials`,
    );
  }
  const skipped = reports.length - todo.length;
  if (skipped > 0) {
    display.log(
      `${name}: ${skipped} of ${reports.length} trials already finished (use --force to redo)`,
    );
  }
  const executor = options.executor ?? localExecutor({ jobs, verbose: options.verbose ?? false });
  const byId = new Map(todo.map((r) => [r.trial.id, r]));
  try {
    await executor.run(
      todo.map((r) => ({
        trial: r.trial,
        dir: r.dir,
        force: options.force ?? false,
        imports,
        meta,
      })),
      {
        onStart: (t) => display.start(t.trial.id, trialLabel(t.trial)),
        onProgress: (t, p) => display.update(t.trial.id, p.done, p.total, p.note ?? ""),
        onLog: (t, line) => display.log(`${t.trial.id}: ${line}`),
        onEnd: (t, outcome) => {
          const r = byId.get(t.trial.id)!;
          if (outcome.interrupted) report.interrupted = true;
          r.state = outcome.interrupted ? "incomplete" : outcome.state;
          if (outcome.error) r.error = outcome.error;
          if (outcome.summary) r.summary = outcome.summary;
          if (!outcome.interrupted) {
            display.end(t.trial.id, outcome.state, outcomeDetail(outcome));
          }
        },
      },
      options.signal,
    );
  } finally {
    display.close();
  }
  if (options.signal?.aborted) report.interrupted = true;
  report.counts = tally(reports);
  return report;
}

/**
 * Repairs what killed processes left beside the trial folders of an experiment (staging, moved
 * aside and trash folders; see `recoverTrial`), for trials no live process holds. Trials that will
 * run are repaired by their own process anyway; this also covers the finished ones a run skips.
 */
async function recoverExperiment(dir: string): Promise<void> {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const ids = new Set<string>();
  for (const n of names) {
    const m = /^\.([0-9a-f]{12})\.(next|prev|trash)$/.exec(n);
    if (m) ids.add(m[1]!);
  }
  for (const id of ids) {
    const tdir = join(dir, id);
    const lock = await lockTrial(tdir, false);
    if (!lock) continue;
    try {
      recoverTrial(tdir);
    } finally {
      lock.release();
    }
  }
}

function tally(reports: readonly TrialReport[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of reports) c[r.state] = (c[r.state] ?? 0) + 1;
  return c;
}

/** One trial of {@linkcode experimentStatus}. */
export interface TrialStatusReport {
  /** The trial folder shown (for a config: the run whose state is given, or when none the id
   * the config's own backend gives). */
  id: string;
  /** Its state: `pending` when no folder holds it. */
  state: string;
  /** The error of a failed or diverged run. */
  error?: string;
  /** The backends it was run with (the `backend` of each matching folder's `config.yaml`). */
  backends: string[];
  /** Its grid values (configs only). */
  point?: Record<string, unknown>;
  /** Its seed (configs only). */
  seed?: number;
}

/** What {@linkcode experimentStatus} found. */
export interface ExperimentStatus {
  /** The experiment folder. */
  dir: string;
  /** Trials per state. */
  counts: Record<string, number>;
  /** Trials. */
  total: number;
  /** Every trial with its state. */
  trials: TrialStatusReport[];
  /** Trial folders that belong to no trial of the config (e.g. of an earlier version of it). */
  others: number;
}

/** Which run of a trial speaks for it when it ran more than once (on several backends). */
const STATE_RANK: Record<string, number> = {
  done: 0,
  diverged: 1,
  running: 2,
  incomplete: 3,
  failed: 4,
};

/** A trial's identity without its backend: js and blas runs of one trial share it. */
function backendFreeKey(config: unknown): string {
  return trialId({ ...(config as Record<string, unknown>), backend: undefined });
}

/** A trial folder's `config.yaml` as data, or `undefined` when missing or unreadable. */
function readTrialConfig(dir: string): Record<string, unknown> | undefined {
  try {
    const v = parseYaml(Deno.readTextFileSync(join(dir, TRIAL_FILES.config)), dir);
    return v && typeof v === "object" && !Array.isArray(v)
      ? v as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Trial states of an experiment, from a config (trials not yet started count as `pending`) or
 * from an experiment folder. For a config, the trials are matched to the folders whatever backend
 * they ran with: a trial's id includes its backend, so each folder's `config.yaml` is compared
 * with the config's trials ignoring `backend`; the `backend` option and `PLASTICITY_BACKEND` do
 * not change which trials are found. A trial run on several backends is reported by its most
 * advanced run (done, diverged, running, incomplete, failed) with every backend it ran with.
 *
 * @param target A config file, config data, or an experiment results folder.
 * @param options Results root, imports and trial limit (for configs); `backend` is ignored.
 * @returns Counts per state, the experiment folder, and the trials found.
 *
 * @example
 * ```ts
 * import { experimentStatus } from "@plasticity/runner";
 * const s = await experimentStatus(Deno.makeTempDirSync());
 * console.assert(s.total === 0);
 * ```
 */
export async function experimentStatus(
  target: ConfigInput,
  options: Pick<RunOptions, "resultsDir" | "backend" | "imports" | "maxTrials"> = {},
): Promise<ExperimentStatus> {
  if (typeof target === "string" && !isFile(target) && !isDirectory(target)) {
    const named = experimentDir(target, options.resultsDir ?? resultsRoot());
    if (/^[a-z0-9_-]+$/.test(target) && isDirectory(named)) target = named;
  }
  if (typeof target === "string" && isDirectory(target)) {
    const entries = loadResultsIndex(target);
    const trials = entries.map((e) => {
      const backend = readTrialConfig(e.dir)?.backend;
      const t: TrialStatusReport = {
        id: e.id,
        state: e.state,
        backends: typeof backend === "string" ? [backend] : [],
      };
      if (e.status?.error) t.error = e.status.error;
      return t;
    });
    return {
      dir: resolve(target),
      counts: dropZeros(countStates(entries)),
      total: entries.length,
      trials,
      others: 0,
    };
  }
  const { backend: _ignored, ...expand } = options;
  const max = expand.maxTrials;
  // The config's own backend: the flag and the variable must not change which trials are found.
  const trials = await withConfig(
    target,
    expand,
    false,
    (raw, ctx) => expandGrid(raw, ctx, max === undefined ? {} : { maxTrials: max }),
  );
  const dir = experimentDir(trials[0]!.config.name, options.resultsDir ?? resultsRoot());
  const byId = new Map(trials.map((t) => [t.id, t]));
  const byKey = new Map<string, Trial[]>();
  for (const t of trials) {
    const key = backendFreeKey(t.config);
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  const runs = new Map<Trial, { entry: ResultEntry; backend: string; exact: boolean }[]>();
  let others = 0;
  for (const entry of loadResultsIndex(dir)) {
    const exact = byId.get(entry.id);
    let owners: Trial[];
    let backend: string;
    if (exact) {
      owners = [exact];
      backend = exact.config.backend;
    } else {
      const cfg = readTrialConfig(entry.dir);
      backend = typeof cfg?.backend === "string" ? cfg.backend : "unknown";
      owners = cfg ? byKey.get(backendFreeKey(cfg)) ?? [] : [];
      // A grid over backend: a run belongs to the trial of its own backend when there is one.
      const same = owners.filter((t) => t.config.backend === backend);
      if (same.length) owners = same;
    }
    if (owners.length === 0) others++;
    for (const t of owners) {
      runs.set(t, [...(runs.get(t) ?? []), { entry, backend, exact: exact !== undefined }]);
    }
  }
  const list = trials.map((t) => {
    const mine = [...(runs.get(t) ?? [])].sort((a, b) =>
      (STATE_RANK[a.entry.state] ?? 5) - (STATE_RANK[b.entry.state] ?? 5) ||
      Number(b.exact) - Number(a.exact)
    );
    const best = mine[0];
    const r: TrialStatusReport = {
      id: best?.entry.id ?? t.id,
      state: best?.entry.state ?? "pending",
      backends: [...new Set(mine.map((m) => m.backend))].sort(),
      point: t.point,
      seed: t.seed,
    };
    if (best?.entry.status?.error) r.error = best.entry.status.error;
    return r;
  });
  const counts: Record<string, number> = {};
  for (const t of list) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return { dir, counts, total: list.length, trials: list, others };
}

function dropZeros(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v > 0));
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** What {@linkcode cleanExperiment} did. */
export interface CleanReport {
  /** The trial ids removed. */
  removed: string[];
  /** Trial ids left alone because a live process holds them (runs or replaces them now). */
  busy: string[];
}

/**
 * Removes the folders of failed and diverged trials of an experiment (and, with `stale`, of
 * trials left `running` or without a status by an interrupted run), so a re-run redoes them.
 * It only works in an experiment folder the runner marked as its own, never touches a trial a live
 * process holds, and removes each trial by renaming it aside first, so no half-deleted trial is
 * ever visible.
 *
 * @param target A config file, config data, or an experiment results folder.
 * @param options `stale`, and results root / backend / imports for configs.
 * @returns The removed trial ids and the ones left alone because they were busy.
 * @throws {ConfigError} When the folder exists but is not a marked experiment folder.
 *
 * @example
 * ```ts
 * import { cleanExperiment, markExperimentDir } from "@plasticity/runner";
 * const dir = Deno.makeTempDirSync();
 * markExperimentDir(dir, "demo");
 * console.assert((await cleanExperiment(dir)).removed.length === 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function cleanExperiment(
  target: ConfigInput,
  options: Pick<RunOptions, "resultsDir" | "backend" | "imports"> & { stale?: boolean } = {},
): Promise<CleanReport> {
  const { dir } = await experimentStatus(target, options);
  const report: CleanReport = { removed: [], busy: [] };
  if (!isDirectory(dir)) return report;
  if (!isExperimentDir(dir)) {
    throw new ConfigError(
      `"${dir}" is not an experiment folder written by the runner (no ${EXPERIMENT_MARKER} ` +
        `file): nothing removed`,
    );
  }
  for (const e of loadResultsIndex(dir)) {
    const bad = e.state === "failed" || e.state === "diverged";
    // A `running` trial is stale only when no live process holds it (checked under the lock).
    const stale = options.stale && (e.state === "incomplete" || e.state === "running");
    if (!bad && !stale) continue;
    const lock = await lockTrial(e.dir, false);
    if (!lock) {
      report.busy.push(e.id);
      continue;
    }
    try {
      // Read again under the lock: the trial may have been rerun since it was listed.
      const now = readStatus(e.dir)?.state;
      const stillBad = now === "failed" || now === "diverged";
      const stillStale = options.stale && (now === undefined || now === "running");
      if (stillBad || stillStale) {
        removeTrialDir(e.dir);
        report.removed.push(e.id);
      }
    } finally {
      lock.release();
    }
  }
  return report;
}
