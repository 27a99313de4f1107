/**
 * The queue's contract between the submitting runner and the workers: one BullMQ job per trial,
 * its id derived from the trial id (so enqueueing a sweep twice adds nothing), its data the
 * resolved trial config, its result the trial's files. Also the queue's view for `status` and
 * `clean`.
 *
 * @module
 */
import "./_msgpackr_js.ts";
import { Queue } from "bullmq";
import type { TrialConfig, TrialFiles, TrialOutcome } from "@plasticity/runner";
import { connectionOptions, type RedisTarget } from "./redis.ts";

/** The queue name used when none is given. */
export const DEFAULT_QUEUE = "plasticity";

/** What a job carries to a worker. */
export interface TrialJobData {
  /** The trial id. */
  id: string;
  /** The resolved trial config. */
  config: TrialConfig;
  /** Modules to import first (file URLs of the submitting machine). */
  imports: string[];
  /** The `weights.json` a trial with `init_from` starts from, read on the submitting machine. */
  initWeights?: string;
}

/** What a worker returns for a finished (done or diverged) trial. */
export interface TrialJobResult {
  /** How the trial ended. */
  outcome: TrialOutcome;
  /** Its result files, as text by name. */
  files: TrialFiles;
  /** The worker that ran it (host and process id), for logs. */
  worker: string;
}

/**
 * The BullMQ job id of a trial: `trial-<id>` (BullMQ refuses custom ids made of digits only).
 *
 * @param trialId The 12-hex trial id.
 * @returns The job id.
 *
 * @example
 * ```ts
 * import { jobIdOf } from "@plasticity/cluster";
 * console.assert(jobIdOf("012345678901") === "trial-012345678901");
 * ```
 */
export function jobIdOf(trialId: string): string {
  return `trial-${trialId}`;
}

/** Jobs of one experiment in the queue, by state. */
export type QueueCounts = Record<"waiting" | "active" | "delayed" | "completed" | "failed", number>;

const STATES = ["waiting", "active", "delayed", "completed", "failed"] as const;

/**
 * Counts the queue's jobs of one experiment per state (`completed`: finished on a worker and not
 * yet collected by a submitting runner).
 *
 * @param redis Where the queue is.
 * @param experiment The experiment name (the jobs' name).
 * @param queueName The queue (default {@linkcode DEFAULT_QUEUE}).
 * @returns The counts.
 *
 * @example
 * ```ts ignore
 * import { queueCounts, redisTarget } from "@plasticity/cluster";
 * console.log(await queueCounts(redisTarget("redis://127.0.0.1:6379", {}), "fa-sine"));
 * ```
 */
export async function queueCounts(
  redis: RedisTarget,
  experiment: string,
  queueName = DEFAULT_QUEUE,
): Promise<QueueCounts> {
  const queue = new Queue(queueName, { connection: connectionOptions(redis) });
  try {
    const counts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
    for (const state of STATES) {
      for (const job of await queue.getJobs([state])) {
        if (job?.name === experiment) counts[state]++;
      }
    }
    return counts;
  } finally {
    await queue.close();
  }
}

/**
 * Removes an experiment's failed jobs from the queue (and, with `stale`, its waiting and delayed
 * ones), so that the next submission enqueues them afresh. Active jobs and completed ones whose
 * results are not collected yet are never removed.
 *
 * @param redis Where the queue is.
 * @param experiment The experiment name.
 * @param options `stale`, and the queue name.
 * @returns The trial ids removed.
 *
 * @example
 * ```ts ignore
 * import { cleanQueue, redisTarget } from "@plasticity/cluster";
 * console.log(await cleanQueue(redisTarget("redis://127.0.0.1:6379", {}), "fa-sine"));
 * ```
 */
export async function cleanQueue(
  redis: RedisTarget,
  experiment: string,
  options: { stale?: boolean; queue?: string } = {},
): Promise<string[]> {
  const queue = new Queue(options.queue ?? DEFAULT_QUEUE, {
    connection: connectionOptions(redis),
  });
  try {
    const states = options.stale ? ["failed", "waiting", "delayed"] as const : ["failed"] as const;
    const removed: string[] = [];
    for (const job of await queue.getJobs([...states])) {
      if (job?.name !== experiment || !job.id) continue;
      await job.remove();
      removed.push(job.id.replace(/^trial-/, ""));
    }
    return removed.sort();
  } finally {
    await queue.close();
  }
}
