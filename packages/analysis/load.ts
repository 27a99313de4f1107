/**
 * Loads results folders written by the runner (`<results>/<experiment>/<trial id>/` holding
 * `config.yaml`, `status.json`, `metrics.jsonl`, `summary.json`, `meta.json`) into trials and rows.
 *
 * Each metrics line becomes one row holding:
 * - the resolved trial config flattened to dotted columns (`rule.name`, `optimizer.lr`, `seed`,
 *   `network.sizes` as JSON text);
 * - `experiment` (the experiment folder's name), `trial` (the trial id) and `state` (from
 *   `status.json`; `"unknown"` when that file is missing);
 * - `summary.<key>` for every number in `summary.json` and `meta.<key>` for `meta.json`;
 * - the metrics line's own keys (a key that clashes with a config column is stored as
 *   `metrics.<key>`).
 *
 * Derived columns (on by default, `derive: false` turns them off): `network.depth` = the number of
 * weight layers, `network.sizes.length − 1`; `test_error` = 1 − `test_accuracy` on metrics lines and
 * `summary.test_error` likewise, where the error is not already recorded.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { flatten, type Row } from "./rows.ts";

/** One trial folder, parsed. */
export interface Trial {
  /** The trial id (the folder's name). */
  readonly id: string;
  /** The experiment (the parent folder's name). */
  readonly experiment: string;
  /** The folder's absolute path. */
  readonly dir: string;
  /** The resolved trial config, as parsed from `config.yaml`. */
  readonly config: Record<string, unknown>;
  /** `status.json`'s `state`, or `"unknown"` when the file is missing. */
  readonly state: string;
  /** `status.json`'s `error`, when any. */
  readonly error?: string;
  /** The metrics lines, in file order (empty when `metrics.jsonl` is missing). */
  readonly metrics: Record<string, unknown>[];
  /** `summary.json`, or an empty object when missing. */
  readonly summary: Record<string, unknown>;
  /** `meta.json`, or an empty object when missing. */
  readonly meta: Record<string, unknown>;
}

/** Options of {@linkcode trialRows} and {@linkcode loadRows}. */
export interface RowOptions {
  /** Keep only trials in these states (e.g. `["done"]`); all states when left out. */
  readonly states?: readonly string[];
  /** Add the derived columns `network.depth` and `test_error` (default true). */
  readonly derive?: boolean;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function subdirs(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(path)) if (e.isDirectory) out.push(join(path, e.name));
  return out.sort();
}

/**
 * Finds the trial folders (those holding `config.yaml`) under a path that is a trial folder, an
 * experiment folder or a results root.
 *
 * @param path The folder.
 * @returns The trial folders' absolute paths, sorted.
 * @throws {Error} When the path is not a folder or holds no trial folder.
 *
 * @example
 * ```ts ignore
 * import { findTrialDirs } from "@plasticity/analysis";
 * const dirs = await findTrialDirs("results/fa-sine");
 * ```
 */
export async function findTrialDirs(path: string): Promise<string[]> {
  const root = resolve(path);
  if (!(await isDir(root))) {
    throw new Error(
      `Results path "${path}" is not a folder: expected a results root, experiment or trial folder`,
    );
  }
  if (await isFile(join(root, "config.yaml"))) return [root];
  const found: string[] = [];
  for (const exp of await subdirs(root)) {
    if (await isFile(join(exp, "config.yaml"))) {
      found.push(exp);
      continue;
    }
    for (const trial of await subdirs(exp)) {
      if (await isFile(join(trial, "config.yaml"))) found.push(trial);
    }
  }
  if (found.length === 0) {
    throw new Error(
      `No trials found under "${path}": expected folders <experiment>/<trial>/ holding config.yaml`,
    );
  }
  return found;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`Cannot parse "${path}": ${(e as Error).message}`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new Error(`Cannot read "${path}": expected a JSON object, got ${JSON.stringify(v)}`);
  }
  return v as Record<string, unknown>;
}

/**
 * Reads one trial folder.
 *
 * @param dir The trial folder.
 * @returns The trial.
 * @throws {Error} When `config.yaml` is missing or not a mapping, or a JSON file or metrics line
 * does not parse (the message names the file and line).
 *
 * @example
 * ```ts ignore
 * import { loadTrial } from "@plasticity/analysis";
 * const trial = await loadTrial("results/fa-sine/0123456789ab");
 * console.log(trial.state, trial.metrics.length);
 * ```
 */
export async function loadTrial(dir: string): Promise<Trial> {
  const abs = resolve(dir);
  const configPath = join(abs, "config.yaml");
  let config: unknown;
  try {
    config = parseYaml(await Deno.readTextFile(configPath));
  } catch (e) {
    throw new Error(`Cannot read "${configPath}": ${(e as Error).message}`);
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new Error(
      `Cannot read "${configPath}": expected a mapping, got ${JSON.stringify(config)}`,
    );
  }
  const status = await readJson(join(abs, "status.json"));
  const metrics: Record<string, unknown>[] = [];
  const metricsPath = join(abs, "metrics.jsonl");
  let text = "";
  try {
    text = await Deno.readTextFile(metricsPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`Cannot parse "${metricsPath}" line ${i + 1}: ${(e as Error).message}`);
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new Error(
        `Cannot read "${metricsPath}" line ${i + 1}: expected a JSON object, got ${line}`,
      );
    }
    metrics.push(v as Record<string, unknown>);
  }
  const state = typeof status?.state === "string" ? status.state : "unknown";
  const error = typeof status?.error === "string" ? status.error : undefined;
  return {
    id: basename(abs),
    experiment: basename(dirname(abs)),
    dir: abs,
    config: config as Record<string, unknown>,
    state,
    ...(error === undefined ? {} : { error }),
    metrics,
    summary: (await readJson(join(abs, "summary.json"))) ?? {},
    meta: (await readJson(join(abs, "meta.json"))) ?? {},
  };
}

/**
 * Loads every trial under one or many paths (each a results root, experiment or trial folder).
 * A trial reached through two paths is loaded once.
 *
 * @param paths The folders.
 * @returns The trials, ordered by experiment and trial id.
 *
 * @example
 * ```ts ignore
 * import { loadTrials } from "@plasticity/analysis";
 * const trials = await loadTrials(["results/fa-sine", "results/bp-sine"]);
 * ```
 */
export async function loadTrials(paths: string | readonly string[]): Promise<Trial[]> {
  const list = typeof paths === "string" ? [paths] : paths;
  if (list.length === 0) throw new Error("No results paths given: expected at least one folder");
  const dirs = new Set<string>();
  for (const p of list) for (const d of await findTrialDirs(p)) dirs.add(d);
  const trials: Trial[] = [];
  for (const d of dirs) trials.push(await loadTrial(d));
  trials.sort((a, b) =>
    a.experiment < b.experiment
      ? -1
      : a.experiment > b.experiment
      ? 1
      : a.id < b.id
      ? -1
      : a.id > b.id
      ? 1
      : 0
  );
  return trials;
}

/**
 * The columns a trial shares with all its rows: flattened config, `experiment`, `trial`, `state`,
 * `summary.*`, `meta.*` and (when deriving) `network.depth` and `summary.test_error`.
 *
 * @param trial The trial.
 * @param derive Whether to add the derived columns.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { trialColumns } from "@plasticity/analysis";
 * const row = trialColumns({
 *   id: "abc", experiment: "e", dir: "/r/e/abc", state: "done", metrics: [], meta: {},
 *   config: { rule: { name: "bp" }, network: { sizes: [4, 8, 8, 2] } }, summary: { test_accuracy: 0.75 },
 * });
 * console.assert(row["network.depth"] === 3 && row["summary.test_error"] === 0.25 && row.trial === "abc");
 * ```
 */
export function trialColumns(trial: Trial, derive = true): Row {
  const row: Row = {
    ...flatten(trial.config),
    experiment: trial.experiment,
    trial: trial.id,
    state: trial.state,
    ...flatten(trial.summary, "summary"),
    ...flatten(trial.meta, "meta"),
  };
  if (derive) {
    const net = trial.config.network as Record<string, unknown> | undefined;
    if (net && Array.isArray(net.sizes) && !("network.depth" in row)) {
      row["network.depth"] = net.sizes.length - 1;
    }
    const acc = row["summary.test_accuracy"];
    if (typeof acc === "number" && !("summary.test_error" in row)) {
      row["summary.test_error"] = 1 - acc;
    }
  }
  return row;
}

/**
 * Turns trials into rows, one per metrics line (see the module doc for the columns).
 *
 * @param trials The trials.
 * @param options Which states to keep and whether to derive columns.
 * @returns The rows.
 *
 * @example
 * ```ts
 * import { trialRows } from "@plasticity/analysis";
 * const rows = trialRows([{
 *   id: "abc", experiment: "e", dir: "/r/e/abc", state: "done", summary: {}, meta: {},
 *   config: { rule: { name: "bp" }, seed: 1 },
 *   metrics: [{ epoch: 0, test_accuracy: 0.1 }, { epoch: 1, test_accuracy: 0.6 }],
 * }]);
 * console.assert(rows.length === 2 && rows[1]!["rule.name"] === "bp" && rows[1]!.test_error === 0.4);
 * ```
 */
export function trialRows(trials: readonly Trial[], options: RowOptions = {}): Row[] {
  const derive = options.derive ?? true;
  const rows: Row[] = [];
  for (const trial of trials) {
    if (options.states && !options.states.includes(trial.state)) continue;
    const base = trialColumns(trial, derive);
    for (const line of trial.metrics) {
      const row: Row = { ...base };
      for (const [k, v] of Object.entries(flatten(line))) row[k in base ? `metrics.${k}` : k] = v;
      if (derive && typeof row.test_accuracy === "number" && !("test_error" in row)) {
        row.test_error = 1 - row.test_accuracy;
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Loads rows from one or many results folders: {@linkcode loadTrials} then {@linkcode trialRows}.
 *
 * @param paths The folders (results roots, experiments or trials).
 * @param options Which states to keep and whether to derive columns.
 * @returns The rows.
 *
 * @example
 * ```ts ignore
 * import { loadRows } from "@plasticity/analysis";
 * const rows = await loadRows("results/fa-sine", { states: ["done"] });
 * ```
 */
export async function loadRows(
  paths: string | readonly string[],
  options: RowOptions = {},
): Promise<Row[]> {
  return trialRows(await loadTrials(paths), options);
}
