/**
 * `deno task worker`: runs trials from the BullMQ queue that `deno task run … --executor bullmq`
 * fills. Start one per machine (with `--concurrency` up to its cores); stop it with Ctrl-C or
 * SIGTERM (its running trials go back to the queue).
 *
 * ```text
 * deno task worker --redis redis://host:6379 [--concurrency N] [--queue NAME]
 *                  [--lock-ms MS] [--stalled-ms MS]
 * ```
 *
 * The Redis URL may also come from `PLASTICITY_REDIS_URL`, the password from `REDIS_PASSWORD`.
 * Exit codes: 0 stopped, 2 bad command line.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { redisTarget, runWorker } from "@plasticity/cluster";

const USAGE = `Usage:
  deno task worker --redis redis://host:6379 [--concurrency N] [--queue NAME]
                   [--lock-ms MS] [--stalled-ms MS]

Runs trials from the queue filled by \`deno task run <sweep.yaml> --executor bullmq\`.
Redis URL also from PLASTICITY_REDIS_URL, its password from REDIS_PASSWORD.`;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${flag}: expected a positive integer, got "${value}"`);
  }
  return n;
}

async function main(args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      redis: { type: "string" },
      queue: { type: "string" },
      concurrency: { type: "string", short: "c" },
      "lock-ms": { type: "string" },
      "stalled-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length) throw new Error(`expected no arguments, got "${positionals[0]}"`);
  const redis = redisTarget(v.redis, Deno.env.toObject());
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const concurrency = positiveInt("concurrency", v.concurrency);
  const lockMs = positiveInt("lock-ms", v["lock-ms"]);
  const stalledMs = positiveInt("stalled-ms", v["stalled-ms"]);
  await runWorker({
    redis,
    signal: controller.signal,
    ...(v.queue === undefined ? {} : { queue: v.queue }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(lockMs === undefined ? {} : { lockMs }),
    ...(stalledMs === undefined ? {} : { stalledMs }),
  });
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    code = 2;
  }
  Deno.exit(code);
}
