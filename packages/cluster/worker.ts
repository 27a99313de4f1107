/**
 * A worker: takes trial jobs from the BullMQ queue and runs each in its own `deno run` process (as
 * the local executor does), in a temporary folder, and returns the trial's files with the job. It
 * needs no shared file system and no results folder. A trial's own error fails its job at once; a
 * process that dies without reporting is retried; a diverged trial is a result.
 *
 * @module
 */
import "./_msgpackr_js.ts";
import { hostname } from "node:os";
import { join } from "node:path";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { gitCommit, readTrialFiles, spawnTrial, workspaceVersions } from "@plasticity/runner";
import { DEFAULT_QUEUE, type TrialJobData, type TrialJobResult } from "./queue.ts";
import { connectionOptions, type RedisTarget } from "./redis.ts";

/** Options of {@linkcode runWorker}. */
export interface WorkerOptions {
  /** Where Redis is. */
  redis: RedisTarget;
  /** The queue (default {@linkcode DEFAULT_QUEUE}). */
  queue?: string;
  /** Trials at once (default 1; one per core is the most useful). */
  concurrency?: number;
  /**
   * How long a job stays locked by this worker without a renewal, in ms (default 30 000): when the
   * worker dies, its jobs are run again elsewhere once the lock has expired.
   */
  lockMs?: number;
  /** How often this worker looks for jobs whose worker died, in ms (default 30 000). */
  stalledMs?: number;
  /** Stops the worker: running trials end, their jobs go back to the queue. */
  signal?: AbortSignal;
  /** Where its log lines go (default stdout). */
  log?: (line: string) => void;
}

/**
 * Runs a worker until the signal stops it.
 *
 * @param options Redis, queue, concurrency, lock timing, signal, log.
 *
 * @example
 * ```ts ignore
 * import { redisTarget, runWorker } from "@plasticity/cluster";
 * await runWorker({ redis: redisTarget("redis://127.0.0.1:6379", {}), concurrency: 4 });
 * ```
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const me = `${hostname()}:${Deno.pid}`;
  const meta = { "git_commit": gitCommit(), versions: workspaceVersions() };
  const running = new Set<{ kill(): void }>();
  const busy = new Set<Promise<unknown>>();
  const worker = new Worker<TrialJobData, TrialJobResult>(
    options.queue ?? DEFAULT_QUEUE,
    (job) => {
      const p = runJob(job);
      busy.add(p);
      return p.finally(() => busy.delete(p));
    },
    {
      connection: connectionOptions(options.redis),
      concurrency: Math.max(1, options.concurrency ?? 1),
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: options.stalledMs ?? 30_000,
      maxStalledCount: 3,
    },
  );
  async function runJob(job: Job<TrialJobData, TrialJobResult>): Promise<TrialJobResult> {
    const { id, config, imports, initWeights } = job.data;
    const tmp = await Deno.makeTempDir({ prefix: "plasticity-worker-" });
    const from = config.kind === "learner" ? config.init_from : undefined;
    if (initWeights !== undefined && from && "trial" in from) {
      // The trial finds the weights it starts from beside its own experiment folder.
      const at = join(tmp, from.experiment, from.trial);
      await Deno.mkdir(at, { recursive: true });
      await Deno.writeTextFile(join(at, "weights.json"), initWeights);
    }
    log(`start ${id} (${config.name}, attempt ${job.attemptsMade + 1})`);
    try {
      const proc = spawnTrial(
        { config, dir: join(tmp, config.name, id), force: true, imports, meta },
        {
          onProgress: (p) => void job.updateProgress({ ...p }).catch(() => {}),
          onLog: (line) => log(`${id}: ${line}`),
        },
      );
      running.add(proc);
      const outcome = await proc.done.finally(() => running.delete(proc));
      log(`end ${id} ${outcome.state}${outcome.error ? `: ${outcome.error}` : ""}`);
      if (outcome.interrupted || outcome.crashed) {
        throw new Error(outcome.error ?? "Trial process ended without a result");
      }
      if (outcome.state === "failed") throw new UnrecoverableError(outcome.error ?? "Failed");
      return { outcome, files: readTrialFiles(join(tmp, config.name, id)), worker: me };
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  }
  worker.on("error", (e) => log(`error: ${(e instanceof Error ? e.message : String(e))}`));
  await worker.waitUntilReady();
  log(`worker ${me} on ${options.redis.shown}, queue ${options.queue ?? DEFAULT_QUEUE}`);
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  // Running trials end; their jobs fail this attempt and go back to the queue for a retry.
  for (const p of running) p.kill();
  await Promise.allSettled([...busy]);
  await worker.close();
}
