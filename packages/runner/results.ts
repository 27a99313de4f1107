/**
 * The results layout on disk: `$PLASTICITY_RESULTS/<experiment>/<trial id>/` holding
 * `config.yaml`, `status.json`, `metrics.jsonl`, `summary.json` and `meta.json`. Every file is
 * written atomically (a temp file in the same folder, then a rename), and `status.json` says
 * `done` only after everything else is in place. This module is the one owner of that layout: the
 * runner writes through it, and the apps read trials back with {@linkcode readTrials} as plain
 * trial records (`TrialRecord` of `@plasticity/analysis`).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import type { TrialRecord } from "@plasticity/analysis/trials";
import type { TrialConfig } from "./config.ts";
import { trialLocked } from "./trial_dir.ts";

/** The state of a trial as recorded in `status.json`. */
export type TrialState = "running" | "done" | "diverged" | "failed";

/** The content of `status.json`. */
export interface TrialStatus {
  /** Where the trial stands. */
  state: TrialState;
  /** The error, for failed and diverged trials. */
  error?: string;
  /** When the trial started (ISO time). */
  started: string;
  /** When it ended (ISO time). */
  finished?: string;
}

/** The content of `meta.json`. */
export interface TrialMeta {
  /** `git rev-parse HEAD` of the checkout that ran the trial, or `unknown`. */
  "git_commit": string;
  /** Versions of the workspace packages. */
  versions: Record<string, string>;
  /** The backend actually used. */
  backend: string;
  /** The Deno version. */
  deno: string;
  /**
   * The git state of the folder the sweep was run from (its commit, and whether it had
   * uncommitted changes), when that folder is in a git repository.
   */
  "workdir_git"?: { commit: string; dirty: boolean };
  /**
   * Where a learner trial's data came from: the embedded package and version, or the folder,
   * files and SHA-256 hashes of the files read (`DatasetSource` of `@plasticity/datasets`).
   */
  data?: Readonly<Record<string, unknown>>;
}

/** File names inside a trial folder. */
export const TRIAL_FILES = {
  config: "config.yaml",
  status: "status.json",
  metrics: "metrics.jsonl",
  summary: "summary.json",
  meta: "meta.json",
  weights: "weights.json",
  simState: "sim_state.json",
} as const;

/**
 * The results root: `$PLASTICITY_RESULTS`, else `./results`, as an absolute path.
 *
 * @returns The path.
 *
 * @example
 * ```ts
 * import { resultsRoot } from "@plasticity/runner";
 * console.assert(resultsRoot().length > 0);
 * ```
 */
export function resultsRoot(): string {
  let env: string | undefined;
  try {
    env = Deno.env.get("PLASTICITY_RESULTS") || undefined;
  } catch {
    env = undefined;
  }
  return resolve(env ?? "results");
}

/**
 * The folder of an experiment.
 *
 * @param name The experiment name.
 * @param root The results root (default {@linkcode resultsRoot}).
 * @returns Its path.
 *
 * @example
 * ```ts
 * import { experimentDir } from "@plasticity/runner";
 * console.assert(experimentDir("fa-sine", "/r") === "/r/fa-sine");
 * ```
 */
export function experimentDir(name: string, root: string = resultsRoot()): string {
  return join(root, name);
}

let tempCounter = 0;

/**
 * Writes a file atomically: a temp file in the same folder, then a rename over the target.
 *
 * @param path The target.
 * @param text The content.
 *
 * @example
 * ```ts
 * import { writeAtomic } from "@plasticity/runner";
 * const dir = Deno.makeTempDirSync();
 * writeAtomic(dir + "/a.json", "{}");
 * console.assert(Deno.readTextFileSync(dir + "/a.json") === "{}");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${Deno.pid}.${tempCounter++}.tmp`);
  try {
    Deno.writeTextFileSync(tmp, text);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
}

/**
 * Writes a value as pretty JSON, atomically. Non-finite numbers become `null`.
 *
 * @param path The target.
 * @param value The value.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "@plasticity/runner";
 * const dir = Deno.makeTempDirSync();
 * writeJsonAtomic(dir + "/a.json", { a: 1 });
 * console.assert(JSON.parse(Deno.readTextFileSync(dir + "/a.json")).a === 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * A resolved trial config as YAML text (the content of `config.yaml`).
 *
 * @param config The config.
 * @returns YAML text.
 *
 * @example
 * ```ts
 * import { configToYaml } from "@plasticity/runner";
 * console.assert(configToYaml({
 *   name: "x", kind: "simulation", simulation: { name: "s", params: {} }, seed: 1, backend: "js",
 *   metrics: { every: 1, diagnostics: true, test_batch_size: 10, diverge_factor: 1000 },
 * }).includes("seed: 1"));
 * ```
 */
export function configToYaml(config: TrialConfig): string {
  return stringify(config, { flowCollectionPadding: false, aliasDuplicateObjects: false });
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * The status of a trial folder, or `undefined` when it has none (never started, or killed
 * before it wrote one).
 *
 * @param dir The trial folder.
 * @returns The status.
 *
 * @example
 * ```ts
 * import { readStatus } from "@plasticity/runner";
 * console.assert(readStatus("/nonexistent") === undefined);
 * ```
 */
export function readStatus(dir: string): TrialStatus | undefined {
  const s = readJson(join(dir, TRIAL_FILES.status)) as TrialStatus | undefined;
  if (!s || typeof s !== "object" || typeof s.state !== "string") return undefined;
  return s;
}

/**
 * Reads a trial's `metrics.jsonl`: one object per line.
 *
 * @param dir The trial folder.
 * @returns The records (empty when the file is missing).
 *
 * @example
 * ```ts
 * import { readMetrics } from "@plasticity/runner";
 * console.assert(readMetrics("/nonexistent").length === 0);
 * ```
 */
export function readMetrics(dir: string): Record<string, number | null>[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(join(dir, TRIAL_FILES.metrics));
  } catch {
    return [];
  }
  return completeLines(text).filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/**
 * The complete lines of an appended file: a last line without its newline is one a killed writer
 * left half-written, and is not returned.
 */
function completeLines(text: string): string[] {
  const lines = text.split("\n");
  lines.pop();
  return lines;
}

/** One trial folder as found on disk. */
export interface ResultEntry {
  /** The trial id (folder name). */
  id: string;
  /** The folder. */
  dir: string;
  /**
   * The recorded state, or `incomplete` when the folder has no status yet or says `running`
   * while no live process holds the trial's lock (its runner was killed).
   */
  state: TrialState | "incomplete";
  /** The recorded status. */
  status?: TrialStatus;
  /** `summary.json`, when present. */
  summary?: Record<string, number | null>;
  /** `meta.json`, when present. */
  meta?: TrialMeta;
}

/**
 * Lists the trial folders of an experiment folder with their states.
 *
 * @param dir The experiment folder (e.g. `results/fa-sine`).
 * @returns One entry per trial folder, sorted by id; empty when the folder does not exist.
 *
 * @example
 * ```ts
 * import { loadResultsIndex } from "@plasticity/runner";
 * console.assert(loadResultsIndex("/nonexistent").length === 0);
 * ```
 */
export function loadResultsIndex(dir: string): ResultEntry[] {
  const out: ResultEntry[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory || !/^[0-9a-f]{12}$/.test(e.name)) continue;
    const tdir = join(dir, e.name);
    const status = readStatus(tdir);
    // `running` on disk with nobody holding the lock: its process died; a rerun redoes it.
    const orphan = status?.state === "running" && !trialLocked(tdir);
    const entry: ResultEntry = {
      id: e.name,
      dir: tdir,
      state: orphan ? "incomplete" : status?.state ?? "incomplete",
    };
    if (status) entry.status = status;
    const summary = readJson(join(tdir, TRIAL_FILES.summary));
    if (summary && typeof summary === "object") {
      entry.summary = summary as Record<string, number | null>;
    }
    const meta = readJson(join(tdir, TRIAL_FILES.meta));
    if (meta && typeof meta === "object") entry.meta = meta as TrialMeta;
    out.push(entry);
  }
  return out.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Counts trials per state.
 *
 * @param entries Entries from {@linkcode loadResultsIndex}.
 * @returns Counts by state.
 *
 * @example
 * ```ts
 * import { countStates } from "@plasticity/runner";
 * console.assert(countStates([]).done === 0);
 * ```
 */
export function countStates(
  entries: readonly { state: string }[],
): Record<TrialState | "incomplete", number> {
  const c = { running: 0, done: 0, diverged: 0, failed: 0, incomplete: 0 };
  for (const e of entries) {
    if (e.state in c) c[e.state as keyof typeof c]++;
  }
  return c;
}

/**
 * The git commit of the checkout the runner lives in, or `unknown` when git cannot tell.
 *
 * @returns The commit hash.
 *
 * @example
 * ```ts
 * import { gitCommit } from "@plasticity/runner";
 * console.assert(typeof gitCommit() === "string");
 * ```
 */
export function gitCommit(): string {
  try {
    const out = new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: new URL(".", import.meta.url).pathname,
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const sha = new TextDecoder().decode(out.stdout).trim();
    return out.success && /^[0-9a-f]{40}$/.test(sha) ? sha : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Versions of the workspace packages (`@plasticity/*` name → version), read from their
 * `deno.json` files.
 *
 * @returns The versions, sorted by name.
 *
 * @example
 * ```ts
 * import { workspaceVersions } from "@plasticity/runner";
 * console.assert(workspaceVersions()["@plasticity/runner"] === "0.1.0");
 * ```
 */
export function workspaceVersions(): Record<string, string> {
  // From a registry (https://jsr.io/@plasticity/runner/0.1.0/results.ts) there is no workspace:
  // the version in the module's own URL is what is known.
  if (!import.meta.url.startsWith("file:")) return registryVersion(import.meta.url);
  const root = new URL("../../", import.meta.url);
  const found: Record<string, string> = {};
  const visit = (dir: URL, depth: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory || e.name.startsWith(".") || e.name === "node_modules") continue;
      const sub = new URL(e.name + "/", dir);
      const meta = readJson(new URL("deno.json", sub).pathname) as
        | { name?: string; version?: string }
        | undefined;
      if (meta?.name && meta.version) found[meta.name] = meta.version;
      else if (depth > 0) visit(sub, depth - 1);
    }
  };
  visit(new URL("packages/", root), 1);
  visit(new URL("apps/", root), 0);
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a < b ? -1 : 1));
}

/**
 * The package and version in a registry module URL (`…/@scope/name/1.2.3/file.ts`), as
 * {@linkcode workspaceVersions} gives them; empty when the URL holds none.
 *
 * @param url A module URL.
 * @returns `{ "@scope/name": "1.2.3" }` or `{}`.
 *
 * @example
 * ```ts
 * import { registryVersion } from "@plasticity/runner";
 * const v = registryVersion("https://jsr.io/@plasticity/runner/0.1.0/results.ts");
 * console.assert(v["@plasticity/runner"] === "0.1.0");
 * ```
 */
export function registryVersion(url: string): Record<string, string> {
  const m = /\/(@[a-z0-9-]+\/[a-z0-9-]+)\/(\d+\.\d+\.\d+[^/]*)\//.exec(url);
  return m ? { [m[1]!]: m[2]! } : {};
}

/**
 * Whether a path is a file (`false` when it does not exist).
 *
 * @param path The path.
 * @returns Whether it is a file.
 *
 * @example
 * ```ts
 * import { isFile } from "@plasticity/runner";
 * console.assert(!isFile("/nonexistent/font.ttf"));
 * ```
 */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Whether a folder is a trial folder: one holding `config.yaml`.
 *
 * @param dir The folder.
 * @returns Whether it holds a trial.
 *
 * @example
 * ```ts
 * import { isTrialDir } from "@plasticity/runner";
 * console.assert(!isTrialDir("/nonexistent"));
 * ```
 */
export function isTrialDir(dir: string): boolean {
  return isFile(join(dir, TRIAL_FILES.config));
}

/** Sub-folders, without the hidden ones (staging, trash and lock folders). */
function subdirs(path: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(path)) {
    if (e.isDirectory && !e.name.startsWith(".")) out.push(join(path, e.name));
  }
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
 * ```ts
 * import { findTrialDirs } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/exp/abc`, { recursive: true });
 * Deno.writeTextFileSync(`${root}/exp/abc/config.yaml`, "seed: 0\n");
 * console.assert(findTrialDirs(root)[0] === `${root}/exp/abc`);
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function findTrialDirs(path: string): string[] {
  const root = resolve(path);
  if (!isDir(root)) {
    throw new Error(
      `Results path "${path}" is not a folder: expected a results root, experiment or trial folder`,
    );
  }
  if (isTrialDir(root)) return [root];
  const found: string[] = [];
  for (const exp of subdirs(root)) {
    if (isTrialDir(exp)) {
      found.push(exp);
      continue;
    }
    for (const trial of subdirs(exp)) {
      if (isTrialDir(trial)) found.push(trial);
    }
  }
  if (found.length === 0) {
    throw new Error(
      `No trials found under "${path}": expected folders <experiment>/<trial>/ holding config.yaml`,
    );
  }
  return found;
}

async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
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
 * Reads one trial folder. Only `config.yaml` is required: without `status.json` the state is
 * `unknown`, and a missing `metrics.jsonl`, `summary.json` or `meta.json` reads as empty.
 *
 * @param dir The trial folder.
 * @returns The trial.
 * @throws {Error} When `config.yaml` is missing or not a mapping, or a JSON file or metrics line
 * does not parse (the message names the file and line).
 *
 * @example
 * ```ts
 * import { readTrial } from "@plasticity/runner";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/config.yaml`, "rule: { name: bp }\n");
 * Deno.writeTextFileSync(`${dir}/metrics.jsonl`, '{"epoch": 0}\n{"epoch": 1}\n');
 * const trial = await readTrial(dir);
 * console.assert(trial.state === "unknown" && trial.metrics.length === 2);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function readTrial(dir: string): Promise<TrialRecord> {
  const abs = resolve(dir);
  const configPath = join(abs, TRIAL_FILES.config);
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
  const status = await readJsonObject(join(abs, TRIAL_FILES.status));
  const metrics: Record<string, unknown>[] = [];
  const metricsPath = join(abs, TRIAL_FILES.metrics);
  let text = "";
  try {
    text = await Deno.readTextFile(metricsPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const lines = completeLines(text);
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
    summary: (await readJsonObject(join(abs, TRIAL_FILES.summary))) ?? {},
    meta: (await readJsonObject(join(abs, TRIAL_FILES.meta))) ?? {},
  };
}

/**
 * Reads every trial under one or many paths (each a results root, experiment or trial folder).
 * A trial reached through two paths is read once.
 *
 * @param paths The folders.
 * @returns The trials, ordered by experiment and trial id.
 *
 * @example
 * ```ts
 * import { readTrials } from "@plasticity/runner";
 * try { await readTrials([]); } catch (e) { console.assert(String(e).includes("No results paths given")); }
 * ```
 */
export async function readTrials(paths: string | readonly string[]): Promise<TrialRecord[]> {
  const list = typeof paths === "string" ? [paths] : paths;
  if (list.length === 0) throw new Error("No results paths given: expected at least one folder");
  const dirs = new Set<string>();
  for (const p of list) for (const d of findTrialDirs(p)) dirs.add(d);
  const trials: TrialRecord[] = [];
  for (const d of dirs) trials.push(await readTrial(d));
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
