/**
 * The programmatic runner: load and validate an experiment config, expand it into trials, and
 * run them on the local process pool with progress display and resumable results.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { datasetSchema } from "@plasticity/datasets";
import "./registry.ts";
import { envBackendName } from "./backend_env.ts";
import { ConfigError, parseYaml, type ResolveContext, showValue } from "./config.ts";
import { expandGrid, type Trial } from "./grid.ts";
import { runPool, spawnTrial } from "./pool.ts";
import { ProgressDisplay, type ProgressMode } from "./progress.ts";
import {
  countStates,
  experimentDir,
  gitCommit,
  loadResultsIndex,
  readStatus,
  resultsRoot,
  type TrialState,
  workspaceVersions,
} from "./results.ts";
import type { TrialOutcome } from "./trial.ts";

/** The dataset catalogue of `@plasticity/datasets`, for validation. */
export const DATASETS: ResolveContext = { datasetSchema };

/** Options that shape the trials of an experiment. */
export interface ExpandOptions {
  /** Backend for every trial; overrides the config and `PLASTICITY_BACKEND`. */
  backend?: string;
  /** Modules to import first (paths or URLs), e.g. extra rule registrations. */
  imports?: readonly string[];
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
): Promise<{ raw: Record<string, unknown>; source: string }> {
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
  const raw = parseYaml(text, source);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `${source}: expected a mapping of settings at the top level, got ${showValue(raw)}`,
    );
  }
  return { raw: raw as Record<string, unknown>, source };
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
 * Puts the `--backend` flag (which also replaces a grid over `backend`) or else, when the config
 * names none, `PLASTICITY_BACKEND` into the config. The name is validated once, with the rest of
 * the config, by the runner's schema; `from` is where it came from, for the message.
 */
function applyBackend(
  raw: Record<string, unknown>,
  flag: string | undefined,
): { raw: Record<string, unknown>; from?: string } {
  if (flag !== undefined) {
    const out: Record<string, unknown> = { ...raw, backend: flag };
    if (out.grid && typeof out.grid === "object" && "backend" in out.grid) {
      const { backend: _b, ...grid } = out.grid as Record<string, unknown>;
      out.grid = grid;
    }
    return { raw: out, from: "--backend" };
  }
  const env = envBackendName();
  if (raw.backend === undefined && env !== undefined) {
    return { raw: { ...raw, backend: env }, from: "PLASTICITY_BACKEND" };
  }
  return { raw };
}

/**
 * Validates an experiment config and expands it into its trials (grid × seeds). The backend is
 * the `backend` option, else the config's `backend`, else `PLASTICITY_BACKEND`, else `auto`.
 *
 * @param input A YAML file path or config data.
 * @param options Backend override and modules to import first.
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
  await importModules(options.imports ?? []);
  const { raw, source } = await loadConfig(input);
  const applied = applyBackend(raw, options.backend);
  try {
    return expandGrid(applied.raw, DATASETS);
  } catch (e) {
    // A bad backend named by the flag or the variable (not by a grid point) is reported as theirs.
    if (
      e instanceof ConfigError && applied.from && e.message.startsWith("backend: ") &&
      !e.message.includes("(grid point backend=")
    ) {
      throw new ConfigError(`${applied.from}: ${e.message.slice("backend: ".length)}`);
    }
    if (e instanceof ConfigError && source !== "config") {
      throw new ConfigError(`${source}: ${e.message}`);
    }
    throw e;
  }
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
  const trials = await expandTrials(input, options);
  const imports = await importModules(options.imports ?? []);
  const name = trials[0]!.config.name;
  const dir = experimentDir(name, options.resultsDir ?? resultsRoot());
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
  Deno.mkdirSync(dir, { recursive: true });
  const todo = reports.filter((r) => r.state === "pending");
  const meta = { "git_commit": gitCommit(), versions: workspaceVersions() };
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 1);
  const display = new ProgressDisplay(
    todo.length,
    todo.length ? progressMode(options.progress) : "none",
  );
  const skipped = reports.length - todo.length;
  if (skipped > 0) {
    display.log(
      `${name}: ${skipped} of ${reports.length} trials already finished (use --force to redo)`,
    );
  }
  const running = new Set<{ kill(): void }>();
  const onAbort = () => {
    report.interrupted = true;
    for (const p of running) p.kill();
  };
  options.signal?.addEventListener("abort", onAbort);
  try {
    await runPool(todo, jobs, async (r) => {
      const label = trialLabel(r.trial);
      display.start(r.trial.id, label);
      const proc = spawnTrial(
        { config: r.trial.config, dir: r.dir, force: options.force ?? false, imports, meta },
        {
          onProgress: (p) => display.update(r.trial.id, p.done, p.total, p.note ?? ""),
          onLog: (line) => display.log(`${r.trial.id}: ${line}`),
        },
      );
      running.add(proc);
      const outcome = await proc.done;
      running.delete(proc);
      if (outcome.interrupted) report.interrupted = true;
      r.state = report.interrupted ? "incomplete" : outcome.state;
      if (outcome.error) r.error = outcome.error;
      if (outcome.summary) r.summary = outcome.summary;
      if (!report.interrupted) display.end(r.trial.id, outcome.state, outcomeDetail(outcome));
    }, options.signal);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    display.close();
  }
  if (options.signal?.aborted) report.interrupted = true;
  report.counts = tally(reports);
  return report;
}

function tally(reports: readonly TrialReport[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const r of reports) c[r.state] = (c[r.state] ?? 0) + 1;
  return c;
}

/**
 * Trial states of an experiment, from a config (trials not yet started count as `pending`) or
 * from an experiment folder.
 *
 * @param target A config file, config data, or an experiment results folder.
 * @param options Results root, backend and imports (for configs).
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
  options: Pick<RunOptions, "resultsDir" | "backend" | "imports"> = {},
): Promise<
  {
    dir: string;
    counts: Record<string, number>;
    total: number;
    trials: { id: string; state: string; error?: string }[];
  }
> {
  if (typeof target === "string" && !isFile(target) && !isDirectory(target)) {
    const named = experimentDir(target, options.resultsDir ?? resultsRoot());
    if (/^[a-z0-9_-]+$/.test(target) && isDirectory(named)) target = named;
  }
  if (typeof target === "string" && isDirectory(target)) {
    const entries = loadResultsIndex(target);
    const trials = entries.map((e) => {
      const t: { id: string; state: string; error?: string } = { id: e.id, state: e.state };
      if (e.status?.error) t.error = e.status.error;
      return t;
    });
    return {
      dir: resolve(target),
      counts: dropZeros(countStates(entries)),
      total: entries.length,
      trials,
    };
  }
  const trials = await expandTrials(target, options);
  const dir = experimentDir(trials[0]!.config.name, options.resultsDir ?? resultsRoot());
  const list = trials.map((t) => {
    const st = readStatus(join(dir, t.id));
    const r: { id: string; state: string; error?: string } = {
      id: t.id,
      state: st?.state ?? "pending",
    };
    if (st?.error) r.error = st.error;
    return r;
  });
  const counts: Record<string, number> = {};
  for (const t of list) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return { dir, counts, total: list.length, trials: list };
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

/**
 * Removes the folders of failed and diverged trials of an experiment (and, with `stale`, of
 * trials left `running` or without a status by an interrupted run), so a re-run redoes them.
 *
 * @param target A config file, config data, or an experiment results folder.
 * @param options `stale`, and results root / backend / imports for configs.
 * @returns The removed trial ids.
 *
 * @example
 * ```ts
 * import { cleanExperiment } from "@plasticity/runner";
 * console.assert((await cleanExperiment(Deno.makeTempDirSync())).length === 0);
 * ```
 */
export async function cleanExperiment(
  target: ConfigInput,
  options: Pick<RunOptions, "resultsDir" | "backend" | "imports"> & { stale?: boolean } = {},
): Promise<string[]> {
  const { dir } = await experimentStatus(target, options);
  const removed: string[] = [];
  for (const e of loadResultsIndex(dir)) {
    const bad = e.state === "failed" || e.state === "diverged";
    const stale = options.stale && (e.state === "running" || e.state === "incomplete");
    if (bad || stale) {
      Deno.removeSync(e.dir, { recursive: true });
      removed.push(e.id);
    }
  }
  return removed;
}
