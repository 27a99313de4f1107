/**
 * Executor benchmark: the overhead per trial of the `bullmq` executor against `local` on
 * loopback, and the throughput of a sweep of short trials with 1, 2 and 4 workers. Each setting is
 * run `--repeats` times (default 3) into fresh results folders; medians are printed.
 *
 * - overhead per trial = (sweep wall time with 1 worker of concurrency 1 − the same sweep with
 *   `local --jobs 1`) / trials: what the queue adds (enqueue, pick-up, result transfer, write);
 * - throughput = trials / sweep wall time, with N workers of concurrency 1 (each trial still runs
 *   in its own process, as locally).
 *
 * Usage: `deno run -A tools/executor_bench.ts [--trials 32] [--epochs 5] [--repeats 3]`
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bullmqExecutor, redisTarget, runWorker } from "@plasticity/cluster";
import { startLocalRedis } from "@plasticity/cluster/local-redis";
import { runExperiment } from "@plasticity/runner";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    trials: { type: "string", default: "32" },
    epochs: { type: "string", default: "5" },
    repeats: { type: "string", default: "3" },
  },
});
const trials = Number(values.trials), repeats = Number(values.repeats);
const sweep = {
  name: "executor-bench",
  dataset: { name: "sine", train_size: 128, validation_size: 0, test_size: 32 },
  network: { sizes: [1, 16, 1], activation: "tanh" },
  rule: { name: "bp" },
  epochs: Number(values.epochs),
  "batch_size": 16,
  backend: "js",
  seeds: Array.from({ length: trials }, (_, i) => i),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(run: (root: string) => Promise<unknown>): Promise<number> {
  const root = Deno.makeTempDirSync({ prefix: "executor-bench-" });
  const t0 = performance.now();
  await run(root);
  const s = (performance.now() - t0) / 1000;
  Deno.removeSync(root, { recursive: true });
  return s;
}

const redis = await startLocalRedis();
const target = redisTarget(redis.url, {});
const results: { setting: string; wall: number[] }[] = [];
try {
  const local = { setting: "local --jobs 1", wall: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    local.wall.push(
      await timed((root) => runExperiment(sweep, { resultsDir: root, jobs: 1, progress: "none" })),
    );
  }
  results.push(local);
  for (const workers of [1, 2, 4]) {
    const row = {
      setting: `bullmq, ${workers} worker${workers > 1 ? "s" : ""}`,
      wall: [] as number[],
    };
    for (let r = 0; r < repeats; r++) {
      const stop = new AbortController();
      const running = Array.from(
        { length: workers },
        () => runWorker({ redis: target, signal: stop.signal, log: () => {} }),
      );
      row.wall.push(
        await timed((root) =>
          runExperiment(sweep, {
            resultsDir: root,
            progress: "none",
            executor: bullmqExecutor({ redis: target }),
          })
        ),
      );
      stop.abort();
      await Promise.all(running);
    }
    results.push(row);
  }
} finally {
  await redis.stop();
}
const base = median(results[0]!.wall);
console.log(
  `${trials} trials of a 1-16-1 sine net, ${sweep.epochs} epochs each; medians of ${repeats}`,
);
console.log("| setting | wall (s) | trials/s | overhead per trial vs local (ms) |");
console.log("| --- | ---: | ---: | ---: |");
for (const r of results) {
  const w = median(r.wall);
  const over = r === results[0] ? "—" : ((w - base) / trials * 1000).toFixed(0);
  console.log(`| ${r.setting} | ${w.toFixed(2)} | ${(trials / w).toFixed(2)} | ${over} |`);
}
console.log(
  `(${join("tools", "executor_bench.ts")}; local includes the same per-trial process start)`,
);
