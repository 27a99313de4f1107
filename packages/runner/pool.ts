/**
 * The local process pool: each trial runs in its own `deno run` subprocess (single-threaded
 * BLAS), at most `jobs` at a time. Subprocesses report progress as JSON lines on stdout; a
 * process that dies without reporting an end is recorded as failed with its last stderr line.
 *
 * @module
 */
import { join } from "node:path";
import type { TrialConfig } from "./config.ts";
import { readStatus, TRIAL_FILES, type TrialMeta, writeJsonAtomic } from "./results.ts";
import { lockTrial, recoverTrial } from "./trial_dir.ts";
import type { TrialOutcome, TrialProgress } from "./trial.ts";

/** Prefix of the lines a trial process writes to report to the pool. */
export const MESSAGE_PREFIX = "@@plasticity-run ";

/** What a trial process is asked to do (sent as one JSON line on its stdin). */
export interface TrialJob {
  /** The resolved trial config. */
  config: TrialConfig;
  /** The trial folder (absolute). */
  dir: string;
  /** Redo a finished trial. */
  force: boolean;
  /** Modules to import before the trial (file URLs), e.g. extra rule registrations. */
  imports: string[];
  /** Git commit and package versions for `meta.json`. */
  meta: Pick<TrialMeta, "git_commit" | "versions" | "workdir_git">;
}

/** Callbacks of a running trial process. */
export interface TrialEvents {
  /** Progress reports. */
  onProgress?: (p: TrialProgress) => void;
  /** Lines the process logged (notices, stray output, stderr). */
  onLog?: (line: string) => void;
  /** Pass on stack traces of a crashing trial process too (default: its message only). */
  verbose?: boolean;
}

/** Text without terminal colour codes. */
function stripAnsi(line: string): string {
  // deno-lint-ignore no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, "");
}

/** A running trial process. */
export interface TrialProcess {
  /** Resolves when the process has ended, with how the trial ended. */
  done: Promise<TrialOutcome>;
  /** Ends the process (SIGTERM); the trial stays `running` on disk. */
  kill(): void;
}

const TRIAL_MAIN = new URL("./trial_main.ts", import.meta.url);

/**
 * The `deno run` arguments of a trial process: in a checkout, with the workspace's `deno.json`
 * (its import map and npm packages); run from a registry (JSR, where imports are resolved in the
 * published modules themselves) or elsewhere without a workspace around the package, by URL alone.
 *
 * @param moduleUrl Where the trial entry point is (default: this package's `trial_main.ts`).
 * @returns The arguments after the Deno executable.
 *
 * @example
 * ```ts
 * import { trialCommandArgs } from "@plasticity/runner";
 * const remote = trialCommandArgs(new URL("https://jsr.io/@plasticity/runner/0.1.0/trial_main.ts"));
 * console.assert(!remote.includes("--config") && remote.at(-1)!.startsWith("https://"));
 * ```
 */
export function trialCommandArgs(moduleUrl: URL = TRIAL_MAIN): string[] {
  const base = ["run", "-A", "--quiet"];
  if (moduleUrl.protocol !== "file:") return [...base, moduleUrl.href];
  const config = new URL("../../deno.json", moduleUrl);
  let workspace = false;
  try {
    workspace = Deno.statSync(config).isFile;
  } catch {
    workspace = false;
  }
  return [...base, ...(workspace ? ["--config", config.pathname] : []), moduleUrl.pathname];
}

async function forEachLine(stream: ReadableStream<Uint8Array>, fn: (line: string) => void) {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      fn(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  if (buf) fn(buf);
}

/**
 * Starts a trial in a new `deno run` process.
 *
 * @param job The trial.
 * @param events Progress and log callbacks.
 * @returns The running process.
 *
 * @example
 * ```ts ignore
 * import { spawnTrial } from "@plasticity/runner";
 * const p = spawnTrial(job, { onProgress: (p) => console.log(p.done, p.total) });
 * console.log((await p.done).state);
 * ```
 */
export function spawnTrial(job: TrialJob, events: TrialEvents = {}): TrialProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: trialCommandArgs(),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { OPENBLAS_NUM_THREADS: "1", "NO_COLOR": "1" },
  }).spawn();
  let killed = false;
  let outcome: TrialOutcome | undefined;
  const stderrTail: string[] = [];
  let crashMessage: string | undefined;
  const writer = child.stdin.getWriter();
  writer.write(new TextEncoder().encode(JSON.stringify(job) + "\n")).catch(() => {});
  const out = forEachLine(child.stdout, (line) => {
    if (!line.startsWith(MESSAGE_PREFIX)) {
      if (line.trim()) events.onLog?.(line);
      return;
    }
    const msg = JSON.parse(line.slice(MESSAGE_PREFIX.length));
    if (msg.type === "progress") events.onProgress?.(msg);
    else if (msg.type === "log") events.onLog?.(msg.line);
    else if (msg.type === "end") outcome = msg.outcome;
  });
  const err = forEachLine(child.stderr, (raw) => {
    const line = stripAnsi(raw);
    if (!line.trim()) return;
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    // A crash prints `error: <message>`, then indented lines (the source line, a caret, the
    // stack): only the message, unless verbose.
    if (/^error: /.test(line)) crashMessage ??= line;
    if (events.verbose || crashMessage === undefined || !/^\s/.test(line)) events.onLog?.(line);
  });
  const done = (async (): Promise<TrialOutcome> => {
    const status = await child.status;
    await Promise.allSettled([out, err]);
    writer.close().catch(() => {});
    if (outcome) return outcome;
    if (killed || status.signal === "SIGINT" || status.signal === "SIGTERM") {
      return { state: "failed", error: "Interrupted", interrupted: true };
    }
    // The process died without reporting: record the failure unless the trial finished.
    const why = crashMessage ?? stderrTail.filter((l) => /error/i.test(l)).pop() ??
      stderrTail[stderrTail.length - 1] ?? "";
    const error = `Trial process exited with ${
      status.signal ? `signal ${status.signal}` : `code ${status.code}`
    }${why ? `: ${why.trim()}` : ""}`;
    // Record the failure in the trial folder, unless another process has taken the trial over
    // since, or the folder holds a finished result (a forced rerun crashed: the result is kept).
    const lock = await lockTrial(job.dir, false).catch(() => undefined);
    if (!lock) return { state: "failed", error, crashed: true };
    try {
      recoverTrial(job.dir);
      const prev = readStatus(job.dir);
      if (prev?.state === "done" || prev?.state === "diverged") {
        return job.force
          ? { state: "failed", error: `${error} (the previous result is kept)`, crashed: true }
          : { state: prev.state };
      }
      Deno.mkdirSync(job.dir, { recursive: true });
      writeJsonAtomic(join(job.dir, TRIAL_FILES.status), {
        state: "failed",
        error,
        started: prev?.started ?? new Date().toISOString(),
        finished: new Date().toISOString(),
      });
    } catch {
      /* nothing more to do */
    } finally {
      lock.release();
    }
    return { state: "failed", error, crashed: true };
  })();
  return {
    done,
    kill() {
      killed = true;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
  };
}

/**
 * Runs `fn` on every item with at most `jobs` running at once, in order of the items — or, given
 * `ready`, each free worker takes the first item not yet taken that is ready, and the first one
 * not yet taken only when none is (a runner passes "no other process holds this trial", so that
 * two runners sharing a folder each run trials the other is not running, rather than the second
 * waiting on the first's trial).
 *
 * @param items The work.
 * @param jobs Maximum concurrency (≥ 1).
 * @param fn The worker.
 * @param signal Stops starting new items when aborted.
 * @param ready Whether an item can start without waiting (asked when a worker picks its next).
 *
 * @example
 * ```ts
 * import { runPool } from "@plasticity/runner";
 * const seen: number[] = [];
 * await runPool([1, 2, 3], 1, async (x) => { seen.push(x); }, undefined, (x) => x !== 1);
 * console.assert(seen.join() === "2,3,1");
 * ```
 */
export async function runPool<T>(
  items: readonly T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
  ready?: (item: T) => boolean,
): Promise<void> {
  const taken = new Array<boolean>(items.length).fill(false);
  let first = 0; // every item before it is taken
  const pick = (): number => {
    while (first < items.length && taken[first]) first++;
    let i = first;
    if (ready) {
      while (i < items.length && (taken[i] || !ready(items[i]!))) i++;
      if (i === items.length) i = first;
    }
    if (i < items.length) taken[i] = true;
    return i;
  };
  const worker = async () => {
    while (!signal?.aborted) {
      const i = pick();
      if (i >= items.length) return;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
}
