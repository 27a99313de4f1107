/**
 * `@plasticity/cluster`: sweeps past one machine. The `bullmq` executor puts a sweep's trials on a
 * BullMQ queue in Redis; workers on any machines run them and return their files; the submitting
 * runner writes them into its results folder.
 *
 * @example Run a sweep on the queue (with workers started by `deno task worker`)
 * ```ts ignore
 * import { runExperiment } from "@plasticity/runner";
 * import { bullmqExecutor, redisTarget } from "@plasticity/cluster";
 * const redis = redisTarget("redis://127.0.0.1:6379", Deno.env.toObject());
 * await runExperiment("sweep.yaml", { executor: bullmqExecutor({ redis }) });
 * ```
 *
 * @module
 */
export * from "./redis.ts";
export * from "./queue.ts";
export * from "./bullmq_executor.ts";
export * from "./worker.ts";
