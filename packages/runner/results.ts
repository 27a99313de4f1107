/**
 * The results layout on disk: `$PLASTICITY_RESULTS/<experiment>/<trial id>/` holding
 * `config.yaml`, `status.json`, `metrics.jsonl`, `summary.json` and `meta.json`. Every file is
 * written atomically (a temp file in the same folder, then a rename), and `status.json` says
 * `done` only after everything else is in place.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import type { TrialConfig } from "./config.ts";

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
}

/** File names inside a trial folder. */
export const TRIAL_FILES = {
  config: "config.yaml",
  status: "status.json",
  metrics: "metrics.jsonl",
  summary: "summary.json",
  meta: "meta.json",
  lock: ".lock",
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
 *   metrics: { every: 1, diagnostics: true, test_batch_size: 10 },
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
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** One trial folder as found on disk. */
export interface ResultEntry {
  /** The trial id (folder name). */
  id: string;
  /** The folder. */
  dir: string;
  /** The recorded state, or `incomplete` when the folder has no status yet. */
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
    const entry: ResultEntry = { id: e.name, dir: tdir, state: status?.state ?? "incomplete" };
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
