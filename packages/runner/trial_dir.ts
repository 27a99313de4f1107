/**
 * The life of a trial folder on disk, so that no kill, forced rerun or `clean` loses a complete
 * result or leaves one that looks complete but is not:
 *
 * - **Owner marker.** An experiment folder written by the runner holds
 *   {@linkcode EXPERIMENT_MARKER}; `clean` touches no folder without it.
 * - **Locks.** Each trial has a lock file `<experiment>/.locks/<trial id>.lock`, held (an
 *   exclusive `flock`) by the one process that runs, replaces or removes the trial. The lock lives
 *   outside the trial folder, so it stays put when the folder is swapped or removed, and the
 *   operating system releases it when its holder dies, however it dies.
 * - **Staging.** A forced rerun of a finished trial runs into `<experiment>/.<id>.next` and
 *   replaces the old folder only once the new result is complete ({@linkcode commitStaged}).
 * - **Removal.** A trial folder is renamed to `<experiment>/.<id>.trash` before it is deleted,
 *   so a kill during deletion never leaves a half-deleted trial behind.
 * - **Recovery.** {@linkcode recoverTrial}, called under the lock before a trial runs, finishes
 *   or undoes whatever a killed process left half-done and removes its temp files.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** File that marks a folder as an experiment folder of this toolkit. */
export const EXPERIMENT_MARKER = ".plasticity-experiment";

/** Folder (inside an experiment folder) of the trials' lock files. */
export const LOCKS_DIR = ".locks";

/** A held trial lock. */
export interface TrialLock {
  /** Releases the lock. */
  release(): void;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function removeAll(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Marks a folder as an experiment folder of this toolkit (creating it when needed).
 *
 * @param dir The experiment folder.
 * @param name The experiment name, recorded in the marker.
 *
 * @example
 * ```ts
 * import { isExperimentDir, markExperimentDir } from "@plasticity/runner";
 * const dir = Deno.makeTempDirSync();
 * console.assert(!isExperimentDir(dir));
 * markExperimentDir(dir, "demo");
 * console.assert(isExperimentDir(dir));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function markExperimentDir(dir: string, name: string): void {
  Deno.mkdirSync(dir, { recursive: true });
  const path = join(dir, EXPERIMENT_MARKER);
  if (exists(path)) return;
  Deno.writeTextFileSync(path, JSON.stringify({ experiment: name }) + "\n");
}

/**
 * Whether a folder is an experiment folder of this toolkit (holds {@linkcode EXPERIMENT_MARKER}).
 *
 * @param dir The folder.
 * @returns Whether it is marked.
 *
 * @example
 * ```ts
 * import { isExperimentDir } from "@plasticity/runner";
 * console.assert(!isExperimentDir("/nonexistent"));
 * ```
 */
export function isExperimentDir(dir: string): boolean {
  return exists(join(dir, EXPERIMENT_MARKER));
}

/**
 * The lock file of a trial folder: `<experiment>/.locks/<trial id>.lock`.
 *
 * @param dir The trial folder.
 * @returns The lock file's path.
 *
 * @example
 * ```ts
 * import { trialLockPath } from "@plasticity/runner";
 * console.assert(trialLockPath("/r/e/0123456789ab") === "/r/e/.locks/0123456789ab.lock");
 * ```
 */
export function trialLockPath(dir: string): string {
  return join(dirname(dir), LOCKS_DIR, `${basename(dir)}.lock`);
}

/**
 * Takes the exclusive lock of a trial.
 *
 * @param dir The trial folder (need not exist yet; its experiment folder is created).
 * @param wait Wait for the lock (default) or give up at once when another process holds it.
 * @returns The lock, or `undefined` when `wait` is false and the lock is held elsewhere.
 *
 * @example
 * ```ts
 * import { lockTrial } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * const lock = await lockTrial(`${root}/e/0123456789ab`);
 * console.assert((await lockTrial(`${root}/e/0123456789ab`, false)) === undefined);
 * lock!.release();
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export async function lockTrial(dir: string, wait = true): Promise<TrialLock | undefined> {
  const path = trialLockPath(dir);
  Deno.mkdirSync(dirname(path), { recursive: true });
  const file = await Deno.open(path, { create: true, write: true });
  try {
    if (wait) await file.lock(true);
    else if (!(await file.tryLock(true))) {
      file.close();
      return undefined;
    }
  } catch (e) {
    file.close();
    throw e;
  }
  return { release: () => file.close() };
}

/**
 * Whether a live process holds the lock of a trial (runs, replaces or removes it now).
 *
 * @param dir The trial folder.
 * @returns Whether the lock is held.
 *
 * @example
 * ```ts
 * import { trialLocked } from "@plasticity/runner";
 * console.assert(!trialLocked("/nonexistent/e/0123456789ab"));
 * ```
 */
export function trialLocked(dir: string): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(trialLockPath(dir), { write: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  try {
    return !file.tryLockSync(true);
  } finally {
    file.close();
  }
}

/** The side folders of a trial, named after it in its experiment folder. */
function sidePath(dir: string, what: "next" | "prev" | "trash"): string {
  return join(dirname(dir), `.${basename(dir)}.${what}`);
}

/**
 * The staging folder of a forced rerun: `<experiment>/.<trial id>.next`, emptied.
 *
 * @param dir The trial folder.
 * @returns The staging folder (created, empty).
 *
 * @example
 * ```ts
 * import { stagingDir } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * console.assert(stagingDir(`${root}/0123456789ab`) === `${root}/.0123456789ab.next`);
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function stagingDir(dir: string): string {
  const next = sidePath(dir, "next");
  removeAll(next);
  Deno.mkdirSync(next, { recursive: true });
  return next;
}

/**
 * Puts a complete staged result in place of the trial folder: the old folder is moved aside,
 * the staged one renamed into place, then the old one deleted. A kill between the two renames
 * leaves both complete folders on disk, and {@linkcode recoverTrial} puts the new one in place.
 * Call it holding the trial's lock.
 *
 * @param staged The staging folder (from {@linkcode stagingDir}).
 * @param dir The trial folder.
 *
 * @example
 * ```ts
 * import { commitStaged, stagingDir } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * const dir = `${root}/0123456789ab`;
 * Deno.mkdirSync(dir);
 * Deno.writeTextFileSync(`${dir}/a.txt`, "old");
 * const next = stagingDir(dir);
 * Deno.writeTextFileSync(`${next}/a.txt`, "new");
 * commitStaged(next, dir);
 * console.assert(Deno.readTextFileSync(`${dir}/a.txt`) === "new");
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function commitStaged(staged: string, dir: string): void {
  const prev = sidePath(dir, "prev");
  removeAll(prev);
  if (exists(dir)) Deno.renameSync(dir, prev);
  Deno.renameSync(staged, dir);
  removeAll(prev);
}

/**
 * Removes a trial folder: renamed aside first (atomic), then deleted, so no reader ever sees a
 * half-deleted trial. Call it holding the trial's lock.
 *
 * @param dir The trial folder.
 *
 * @example
 * ```ts
 * import { removeTrialDir } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/0123456789ab`);
 * removeTrialDir(`${root}/0123456789ab`);
 * console.assert([...Deno.readDirSync(root)].length === 0);
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function removeTrialDir(dir: string): void {
  const trash = sidePath(dir, "trash");
  removeAll(trash);
  if (exists(dir)) Deno.renameSync(dir, trash);
  removeAll(trash);
}

function statusState(dir: string): string | undefined {
  try {
    const s = JSON.parse(Deno.readTextFileSync(join(dir, "status.json")));
    return typeof s?.state === "string" ? s.state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Repairs what a killed process left of a trial. Call it holding the trial's lock: no other
 * process can be working on the trial then, so whatever is half-done belongs to a dead one.
 * - a complete staged result (a forced rerun killed before or inside
 *   {@linkcode commitStaged}) is put in place; else, when the trial folder is missing, a folder
 *   moved aside is moved back;
 * - leftover staging, moved-aside and trash folders are deleted;
 * - temp files (`.*.tmp`) of interrupted atomic writes inside the trial folder are deleted.
 *
 * @param dir The trial folder.
 * @returns What was repaired (empty when nothing was), for a log line.
 *
 * @example
 * ```ts
 * import { recoverTrial } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/0123456789ab`);
 * Deno.writeTextFileSync(`${root}/0123456789ab/.123.0.tmp`, "half");
 * console.assert(recoverTrial(`${root}/0123456789ab`).length === 1);
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function recoverTrial(dir: string): string[] {
  const done: string[] = [];
  const next = sidePath(dir, "next"), prev = sidePath(dir, "prev");
  const nextState = exists(next) ? statusState(next) : undefined;
  if (nextState === "done" || nextState === "diverged") {
    commitStaged(next, dir);
    done.push("put a complete staged result in place");
  } else if (!exists(dir) && exists(prev)) {
    Deno.renameSync(prev, dir);
    done.push("restored the previous result");
  }
  for (const side of [next, prev, sidePath(dir, "trash")]) {
    if (exists(side)) {
      removeAll(side);
      done.push(`removed ${basename(side)}`);
    }
  }
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const e of entries) {
    if (e.isFile && e.name.startsWith(".") && e.name.endsWith(".tmp")) {
      removeAll(join(dir, e.name));
      done.push(`removed temp file ${e.name}`);
    }
  }
  return done;
}

/** The files of a trial result, as text by file name (`config.yaml`, `status.json`, …). */
export type TrialFiles = Readonly<Record<string, string>>;

const RESULT_FILES = [
  "config.yaml",
  "metrics.jsonl",
  "summary.json",
  "meta.json",
  "weights.json",
  "status.json",
];

/**
 * Reads the result files of a trial folder, as text by name (the files a finished trial has).
 *
 * @param dir The trial folder.
 * @returns The files present.
 *
 * @example
 * ```ts
 * import { readTrialFiles } from "@plasticity/runner";
 * console.assert(Object.keys(readTrialFiles("/nonexistent")).length === 0);
 * ```
 */
export function readTrialFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RESULT_FILES) {
    try {
      out[name] = Deno.readTextFileSync(join(dir, name));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out;
}

/**
 * Puts a trial result computed elsewhere (e.g. by a remote worker) into its folder, with the same
 * guarantees as a local run: under the trial's lock, through a staging folder swapped in whole
 * (`status.json` written last), never over a finished result unless `force`.
 *
 * @param dir The trial folder.
 * @param files The result files by name; only the results layout's names are accepted.
 * @param force Replace a finished result.
 * @returns Whether the files were installed (false: a finished result was already there).
 * @throws {Error} On a file name outside the results layout, or without `status.json`.
 *
 * @example
 * ```ts
 * import { installTrialFiles, readTrialFiles } from "@plasticity/runner";
 * const root = Deno.makeTempDirSync();
 * const dir = `${root}/e/0123456789ab`;
 * await installTrialFiles(dir, { "config.yaml": "seed: 0\n", "status.json": '{"state":"done"}' });
 * console.assert(readTrialFiles(dir)["config.yaml"] === "seed: 0\n");
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export async function installTrialFiles(
  dir: string,
  files: TrialFiles,
  force = false,
): Promise<boolean> {
  for (const name of Object.keys(files)) {
    if (!RESULT_FILES.includes(name)) {
      throw new Error(
        `Result file "${name}" is not part of a trial's results: expected ${
          RESULT_FILES.join(", ")
        }`,
      );
    }
  }
  if (files["status.json"] === undefined) {
    throw new Error(`A trial result for "${dir}" lacks status.json`);
  }
  const lock = await lockTrial(dir);
  try {
    recoverTrial(dir);
    const state = statusState(dir);
    if (!force && (state === "done" || state === "diverged")) return false;
    const next = stagingDir(dir);
    for (const name of RESULT_FILES) {
      if (name !== "status.json" && files[name] !== undefined) {
        Deno.writeTextFileSync(join(next, name), files[name]);
      }
    }
    Deno.writeTextFileSync(join(next, "status.json"), files["status.json"]);
    commitStaged(next, dir);
    return true;
  } finally {
    lock!.release();
  }
}
