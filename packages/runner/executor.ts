/**
 * Where trials run. An executor takes the pending trials of a sweep — each an idempotent unit: a
 * resolved config and the folder its result belongs in — runs them somewhere, and reports how each
 * ended; the trial's files end up in its folder through the results layout's writers, whatever the
 * executor. `local` (the default) runs them in processes on this machine; `@plasticity/cluster`
 * adds one that runs them on workers behind a BullMQ queue.
 *
 * @module
 */
import type { Trial } from "./grid.ts";
import { runPool, spawnTrial, type TrialProcess } from "./pool.ts";
import type { TrialMeta } from "./results.ts";
import type { TrialOutcome, TrialProgress } from "./trial.ts";
import { trialLocked } from "./trial_dir.ts";

/** One trial for an executor to run. */
export interface TrialTask {
  /** The trial (resolved config, id, grid point, seed). */
  readonly trial: Trial;
  /** Its folder on this machine, where its result belongs. */
  readonly dir: string;
  /** Redo it even when its folder holds a finished result. */
  readonly force: boolean;
  /** Modules to import before it runs (file URLs): extra rule or simulation registrations. */
  readonly imports: readonly string[];
  /** Git commit and package versions of the submitting checkout. */
  readonly meta: Pick<TrialMeta, "git_commit" | "versions" | "workdir_git">;
}

/** What an executor reports as trials run. */
export interface ExecutorEvents {
  /** A trial started (on some machine). */
  onStart(task: TrialTask): void;
  /** A trial made progress. */
  onProgress(task: TrialTask, progress: TrialProgress): void;
  /** A line a trial logged. */
  onLog(task: TrialTask, line: string): void;
  /** A trial ended, its files in its folder; `interrupted` when the run was stopped. */
  onEnd(task: TrialTask, outcome: TrialOutcome): void;
}

/** Runs trials. */
export interface Executor {
  /** Its name, for messages. */
  readonly name: string;
  /**
   * Runs every task, reporting through `events`, and resolves when each has ended or the signal
   * stopped the run.
   */
  run(tasks: readonly TrialTask[], events: ExecutorEvents, signal?: AbortSignal): Promise<void>;
}

/** Options of {@linkcode localExecutor}. */
export interface LocalExecutorOptions {
  /** Trial processes at once (default: one per core). */
  jobs?: number;
  /** Pass on the stack trace of a crashing trial process. */
  verbose?: boolean;
}

/**
 * The local executor: each trial in its own `deno run` process on this machine, `jobs` at a time;
 * stopping the run ends the running processes (their trials stay `running`, and a rerun redoes
 * them). A trial another process holds (a second runner on the same folder) is left for later:
 * its turn comes when no trial is free, and then waits for the holder and skips or resumes it.
 *
 * @param options Parallelism and verbosity.
 * @returns The executor.
 *
 * @example
 * ```ts
 * import { localExecutor } from "@plasticity/runner";
 * const ex = localExecutor({ jobs: 2 });
 * console.assert(ex.name === "local");
 * ```
 */
export function localExecutor(options: LocalExecutorOptions = {}): Executor {
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 1);
  return {
    name: "local",
    async run(tasks, events, signal) {
      const running = new Set<TrialProcess>();
      const onAbort = () => {
        for (const p of running) p.kill();
      };
      signal?.addEventListener("abort", onAbort);
      try {
        await runPool(
          tasks,
          jobs,
          async (task) => {
            events.onStart(task);
            const proc = spawnTrial(
              {
                config: task.trial.config,
                dir: task.dir,
                force: task.force,
                imports: [...task.imports],
                meta: task.meta,
              },
              {
                onProgress: (p) => events.onProgress(task, p),
                onLog: (line) => events.onLog(task, line),
                verbose: options.verbose ?? false,
              },
            );
            running.add(proc);
            const outcome = await proc.done;
            running.delete(proc);
            events.onEnd(task, signal?.aborted ? { ...outcome, interrupted: true } : outcome);
          },
          signal,
          (task) => !trialLocked(task.dir),
        );
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
  };
}
