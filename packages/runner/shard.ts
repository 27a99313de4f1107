/**
 * Shards: running one sweep as N independent jobs (a SLURM array, a Kubernetes Indexed Job, N
 * shells) with no broker between them. Shard `i` of `N` runs the trials whose index in the full
 * sweep is `i` modulo `N` ({@linkcode inShard}). Which shard a process is comes from `--shard i/N`
 * ({@linkcode parseShard}) or from the environment the scheduler sets ({@linkcode shardFromEnv});
 * {@linkcode resolveShard} picks between them. Pure functions: the caller reads `Deno.env`.
 *
 * @module
 */

/** One of `count` disjoint parts of a sweep. */
export interface Shard {
  /** Which part, `0 ≤ index < count`. */
  index: number;
  /** How many parts, at least 1. */
  count: number;
  /**
   * Where the shard came from, for log lines: `--shard`, `SLURM_ARRAY_TASK_ID` or
   * `JOB_COMPLETION_INDEX`.
   */
  from: string;
}

const NATURAL = /^[0-9]+$/;

function natural(text: string): number | undefined {
  const t = text.trim();
  if (!NATURAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses `--shard i/N`: this process is shard `i` of `N`, with integers `0 ≤ i < N`.
 *
 * @param spec The flag's value, `i/N`.
 * @returns The shard, `from: "--shard"`.
 * @throws {Error} When `spec` is not `i/N` with integers `0 ≤ i < N`.
 *
 * @example
 * ```ts
 * import { parseShard } from "@plasticity/runner/shard";
 * const s = parseShard("2/8");
 * console.assert(s.index === 2 && s.count === 8 && s.from === "--shard");
 * let message = "";
 * try { parseShard("3/3"); } catch (e) { message = (e as Error).message; }
 * console.assert(message === '--shard: expected i/N with 0 ≤ i < N, got "3/3"');
 * ```
 */
export function parseShard(spec: string): Shard {
  const parts = spec.split("/");
  const index = parts.length === 2 ? natural(parts[0]!) : undefined;
  const count = parts.length === 2 ? natural(parts[1]!) : undefined;
  if (index === undefined || count === undefined || count < 1 || index >= count) {
    throw new Error(`--shard: expected i/N with 0 ≤ i < N, got "${spec}"`);
  }
  return { index, count, from: "--shard" };
}

function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v;
}

function envNatural(
  env: Record<string, string | undefined>,
  name: string,
  min: number,
): number | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const n = natural(raw);
  if (n === undefined || n < min) {
    const what = min === 0 ? "a non-negative integer" : `an integer ≥ ${min}`;
    throw new Error(`${name}: expected ${what}, got "${raw}"`);
  }
  return n;
}

function slurmShard(env: Record<string, string | undefined>, id: number): Shard {
  const count = envNatural(env, "SLURM_ARRAY_TASK_COUNT", 1);
  if (count === undefined) {
    throw new Error(
      `SLURM_ARRAY_TASK_ID is "${id}" but SLURM_ARRAY_TASK_COUNT is not set: expected both from a SLURM array job`,
    );
  }
  const min = envNatural(env, "SLURM_ARRAY_TASK_MIN", 0) ?? 0;
  const step = envNatural(env, "SLURM_ARRAY_TASK_STEP", 1) ?? 1;
  const offset = id - min;
  const index = offset / step;
  if (offset < 0 || !Number.isInteger(index) || index >= count) {
    throw new Error(
      `SLURM_ARRAY_TASK_ID: expected a task of a range array (--array=A-B or A-B:S) with min ${min}, step ${step} and ${count} tasks, got "${id}"`,
    );
  }
  return { index, count, from: "SLURM_ARRAY_TASK_ID" };
}

/**
 * The shard a scheduler assigned to this process, from its environment:
 *
 * - **SLURM arrays**: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT`, less
 *   `SLURM_ARRAY_TASK_MIN` (0 when absent) and divided by `SLURM_ARRAY_TASK_STEP` (1 when absent),
 *   so `--array=1-8` and `--array=0-30:10` both give shards `0 … count-1`. Arrays given as lists
 *   (`--array=1,4,9`) are refused: their task ids are not a range.
 * - **Kubernetes Indexed Jobs**: `JOB_COMPLETION_INDEX` with the count from
 *   `PLASTICITY_SHARD_COUNT` (Kubernetes sets no count; the manifest of `emitK8s` does).
 *
 * SLURM is looked at first. Unset and empty variables are the same; `PLASTICITY_SHARD_COUNT`
 * alone is ignored.
 *
 * @param env The environment, e.g. `Deno.env.toObject()`.
 * @returns The shard, or `undefined` when no scheduler variable is set.
 * @throws {Error} When a variable is not a non-negative integer, the task id lies outside the
 *   array, or `JOB_COMPLETION_INDEX` comes without `PLASTICITY_SHARD_COUNT`.
 *
 * @example
 * ```ts
 * import { shardFromEnv } from "@plasticity/runner/shard";
 * // sbatch --array=1-8: task 3 is shard 2 of 8.
 * const s = shardFromEnv({
 *   SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "8", SLURM_ARRAY_TASK_MIN: "1",
 * });
 * console.assert(s?.index === 2 && s.count === 8 && s.from === "SLURM_ARRAY_TASK_ID");
 * const k = shardFromEnv({ JOB_COMPLETION_INDEX: "5", PLASTICITY_SHARD_COUNT: "10" });
 * console.assert(k?.index === 5 && k.count === 10 && k.from === "JOB_COMPLETION_INDEX");
 * console.assert(shardFromEnv({}) === undefined);
 * ```
 */
export function shardFromEnv(env: Record<string, string | undefined>): Shard | undefined {
  const slurmId = envNatural(env, "SLURM_ARRAY_TASK_ID", 0);
  if (slurmId !== undefined) return slurmShard(env, slurmId);
  const k8sIndex = envNatural(env, "JOB_COMPLETION_INDEX", 0);
  if (k8sIndex === undefined) return undefined;
  const count = envNatural(env, "PLASTICITY_SHARD_COUNT", 1);
  if (count === undefined) {
    throw new Error(
      `JOB_COMPLETION_INDEX is "${k8sIndex}" but PLASTICITY_SHARD_COUNT is not set: expected the Job's completions in PLASTICITY_SHARD_COUNT`,
    );
  }
  if (k8sIndex >= count) {
    throw new Error(
      `JOB_COMPLETION_INDEX: expected an index below PLASTICITY_SHARD_COUNT (${count}), got "${k8sIndex}"`,
    );
  }
  return { index: k8sIndex, count, from: "JOB_COMPLETION_INDEX" };
}

/**
 * The shard of this process: `--shard i/N` when given, else the scheduler's environment
 * ({@linkcode shardFromEnv}), else none (the whole sweep). The environment is not read when the
 * flag is given, so a flag overrides a bad variable too.
 *
 * @param flag The value of `--shard`, if given.
 * @param env The environment, e.g. `Deno.env.toObject()`.
 * @returns The shard, or `undefined` for the whole sweep.
 * @throws {Error} As {@linkcode parseShard} or {@linkcode shardFromEnv}.
 *
 * @example
 * ```ts
 * import { resolveShard } from "@plasticity/runner/shard";
 * const env = { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "4" };
 * console.assert(resolveShard("1/2", env)?.from === "--shard");
 * console.assert(resolveShard(undefined, env)?.count === 4);
 * console.assert(resolveShard(undefined, {}) === undefined);
 * ```
 */
export function resolveShard(
  flag: string | undefined,
  env: Record<string, string | undefined>,
): Shard | undefined {
  return flag !== undefined ? parseShard(flag) : shardFromEnv(env);
}

/**
 * Whether the trial at `trialIndex` belongs to `shard`: `trialIndex % count === index`.
 *
 * The partition is by the trial's index in the full sweep (`Trial.index`), never by its position
 * among the trials still to do. The index does not change with what is already done, so N shards
 * started at different times — one after another, or some resumed after a kill while others were
 * finishing — still split the sweep exactly: no trial is run by two shards and none is missed.
 * Dealing out only the pending trials would give each shard a different split depending on when it
 * looked. Modulo (rather than contiguous blocks) also spreads every grid value over all shards.
 *
 * @param trialIndex The trial's 0-based index in the full sweep.
 * @param shard The shard, or `undefined` for all trials.
 * @returns `true` when this shard runs the trial.
 *
 * @example
 * ```ts
 * import { inShard } from "@plasticity/runner/shard";
 * const shard = { index: 1, count: 3, from: "--shard" };
 * const mine = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => inShard(i, shard));
 * console.assert(mine.join() === "1,4,7");
 * console.assert(inShard(5, undefined));
 * ```
 */
export function inShard(trialIndex: number, shard: Shard | undefined): boolean {
  return shard === undefined || trialIndex % shard.count === shard.index;
}

/**
 * A shard for log lines: `shard 2/8 (SLURM_ARRAY_TASK_ID)`.
 *
 * @param shard The shard.
 * @returns One line of text, no final newline.
 *
 * @example
 * ```ts
 * import { describeShard } from "@plasticity/runner/shard";
 * const text = describeShard({ index: 2, count: 8, from: "--shard" });
 * console.assert(text === "shard 2/8 (--shard)");
 * ```
 */
export function describeShard(shard: Shard): string {
  return `shard ${shard.index}/${shard.count} (${shard.from})`;
}
