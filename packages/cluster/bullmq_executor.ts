/**
 * The `bullmq` executor: the runner enqueues its pending trials on a BullMQ queue in Redis, any
 * number of workers (`deno task worker`, {@linkcode runWorker}) on any machines run them, and the
 * runner writes each result that comes back into the trial's folder through the results layout's
 * own writer ({@linkcode installTrialFiles}: locked, staged, swapped in whole). Workers need no
 * shared file system.
 *
 * - A job's id is derived from the trial id: enqueueing a sweep twice adds nothing, and a runner
 *   stopped while its trials run collects their results when it is started again.
 * - A trial whose process crashes is retried with exponential backoff (3 attempts); a worker
 *   killed mid-trial loses its job lock and the job is run again by another worker (BullMQ's
 *   stalled-job recovery); a trial's own error (e.g. a network that does not fit the data) fails
 *   at once, and a diverged trial is a result, not a failure.
 * - Collected jobs are removed from the queue.
 *
 * @module
 */
import "./_msgpackr_js.ts";
import { dirname, join } from "node:path";
import { Job, Queue, QueueEvents } from "bullmq";
import {
  configToYaml,
  type Executor,
  type ExecutorEvents,
  installTrialFiles,
  type TrialOutcome,
  type TrialProgress,
  type TrialTask,
} from "@plasticity/runner";
import { DEFAULT_QUEUE, jobIdOf, type TrialJobData, type TrialJobResult } from "./queue.ts";
import { connectionOptions, type RedisTarget } from "./redis.ts";

/** Options of {@linkcode bullmqExecutor}. */
export interface BullmqExecutorOptions {
  /** Where Redis is. */
  redis: RedisTarget;
  /** The queue (default {@linkcode DEFAULT_QUEUE}). */
  queue?: string;
  /** Attempts per trial whose process crashes (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled each time (default 1000). */
  backoffMs?: number;
}

/**
 * The executor that runs trials on BullMQ workers.
 *
 * @param options Redis, queue, retries.
 * @returns The executor.
 *
 * @example
 * ```ts
 * import { bullmqExecutor, redisTarget } from "@plasticity/cluster";
 * const ex = bullmqExecutor({ redis: redisTarget("redis://127.0.0.1:6379", {}) });
 * console.assert(ex.name === "bullmq");
 * ```
 */
export function bullmqExecutor(options: BullmqExecutorOptions): Executor {
  const queueName = options.queue ?? DEFAULT_QUEUE;
  return {
    name: "bullmq",
    async run(tasks, events, signal) {
      const connection = connectionOptions(options.redis);
      const queue = new Queue<TrialJobData, TrialJobResult>(queueName, { connection });
      const queueEvents = new QueueEvents(queueName, { connection });
      // One waiting listener per trial on each: not a leak.
      queue.setMaxListeners(tasks.length + 16);
      queueEvents.setMaxListeners(tasks.length + 16);
      try {
        await queueEvents.waitUntilReady();
        await collectAll(queue, queueEvents, tasks, events, options, signal);
      } finally {
        await queueEvents.close();
        await queue.close();
      }
    },
  };
}

async function collectAll(
  queue: Queue<TrialJobData, TrialJobResult>,
  queueEvents: QueueEvents,
  tasks: readonly TrialTask[],
  events: ExecutorEvents,
  options: BullmqExecutorOptions,
  signal: AbortSignal | undefined,
): Promise<void> {
  const byJob = new Map(tasks.map((t) => [jobIdOf(t.trial.id), t]));
  const onActive = ({ jobId }: { jobId: string }) => {
    const t = byJob.get(jobId);
    if (t) events.onStart(t);
  };
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    const t = byJob.get(jobId);
    if (t && data && typeof data === "object") events.onProgress(t, data as TrialProgress);
  };
  queueEvents.on("active", onActive);
  queueEvents.on("progress", onProgress);
  await enqueue(queue, tasks, options);
  const stopped = new Promise<"stopped">((resolve) => {
    if (signal?.aborted) resolve("stopped");
    signal?.addEventListener("abort", () => resolve("stopped"), { once: true });
  });
  try {
    await Promise.all(tasks.map(async (task) => {
      const outcome = await Promise.race([collect(queue, queueEvents, task), stopped]);
      if (outcome === "stopped") {
        // The job stays queued: workers go on, and the next run of the sweep collects it.
        events.onEnd(task, { state: "failed", error: "Interrupted", interrupted: true });
      } else events.onEnd(task, outcome);
    }));
  } finally {
    queueEvents.off("active", onActive);
    queueEvents.off("progress", onProgress);
  }
}

/** Adds the jobs not yet in the queue; re-adds failed ones, and finished ones when forced. */
async function enqueue(
  queue: Queue<TrialJobData, TrialJobResult>,
  tasks: readonly TrialTask[],
  options: BullmqExecutorOptions,
): Promise<void> {
  const add = [];
  for (const task of tasks) {
    const jobId = jobIdOf(task.trial.id);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      const stale = state === "failed" || (task.force && state === "completed");
      if (!stale) continue; // queued, running, or finished and waiting to be collected
      await existing.remove();
    }
    const data: TrialJobData = {
      id: task.trial.id,
      config: task.trial.config,
      imports: [...task.imports],
    };
    const from = task.trial.config.kind === "learner" ? task.trial.config.init_from : undefined;
    if (from && "trial" in from) {
      // Workers share no files: the weights the trial starts from travel with its job.
      const path = join(dirname(dirname(task.dir)), from.experiment, from.trial, "weights.json");
      try {
        data.initWeights = Deno.readTextFileSync(path);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    add.push({
      name: task.trial.config.name,
      data,
      opts: {
        jobId,
        attempts: options.attempts ?? 3,
        backoff: { type: "exponential", delay: options.backoffMs ?? 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      },
    });
  }
  if (add.length) await queue.addBulk(add);
}

/** Waits for a trial's job, writes its result, removes the job; the outcome. */
async function collect(
  queue: Queue<TrialJobData, TrialJobResult>,
  queueEvents: QueueEvents,
  task: TrialTask,
): Promise<TrialOutcome> {
  const jobId = jobIdOf(task.trial.id);
  const job = await Job.fromId<TrialJobData, TrialJobResult>(queue, jobId);
  if (!job) return { state: "failed", error: `Job ${jobId} vanished from the queue` };
  let result: TrialJobResult;
  try {
    result = await job.waitUntilFinished(queueEvents);
  } catch (e) {
    const error = (e instanceof Error ? e.message : String(e)).split("\n")[0] || "Failed";
    const now = new Date().toISOString();
    // Recorded like a local failure; a finished result already there is kept.
    await installTrialFiles(task.dir, {
      "config.yaml": configToYaml(task.trial.config),
      "status.json": JSON.stringify({ state: "failed", error, started: now, finished: now }) +
        "\n",
    });
    await job.remove();
    return { state: "failed", error };
  }
  await installTrialFiles(task.dir, result.files, task.force);
  await job.remove();
  return result.outcome;
}
