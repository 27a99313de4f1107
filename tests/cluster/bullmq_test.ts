/**
 * The `bullmq` executor end to end, against a real `redis-server`: a 24-trial sweep on three
 * worker processes, one SIGKILLed mid-trial and one stopped and replaced. Every trial completes
 * exactly once, the killed worker's trial is run again by another, the results are byte-identical
 * to a local run of the same sweep, and no job is left in the queue.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { queueCounts, redisTarget } from "@plasticity/cluster";
import { cli, cliCommand, FIXTURES, trialDirs, writeConfig } from "../run/_cli.ts";
import { HAS_REDIS, startLocalRedis } from "@plasticity/cluster/local-redis";

/** Always under CI (which installs redis-server: its absence fails there); else where present. */
const RUN_REDIS_TESTS = HAS_REDIS || Deno.env.get("CI") === "1";

const WORKER = new URL("../../apps/worker/main.ts", import.meta.url).pathname;
const ROOT_CONFIG = new URL("../../deno.json", import.meta.url).pathname;

const SWEEP = `name: queued
dataset: { name: sine, train_size: 256, validation_size: 0, test_size: 64 }
network: { sizes: [1, 32, 1], activation: tanh }
rule: bp
optimizer: { name: sgd, lr: 0.05 }
epochs: 150
batch_size: 16
seeds: [0, 1, 2, 3, 4, 5, 6, 7]
backend: js
grid: { "rule.name": [bp, fa, dfa] }
`;

/** A worker process whose log lines are collected. */
function startWorker(url: string, name: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      "--config",
      ROOT_CONFIG,
      WORKER,
      "--redis",
      url,
      "--lock-ms",
      "2000",
      "--stalled-ms",
      "1000",
    ],
    env: { OPENBLAS_NUM_THREADS: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const read = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    }
  })();
  const err = new Response(child.stderr).text();
  return { name, child, lines, read, err };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function files(dir: string) {
  const { wall_s: _w, ...summary } = JSON.parse(Deno.readTextFileSync(join(dir, "summary.json")));
  return {
    config: Deno.readTextFileSync(join(dir, "config.yaml")),
    metrics: Deno.readTextFileSync(join(dir, "metrics.jsonl")),
    summary,
    status: JSON.parse(Deno.readTextFileSync(join(dir, "status.json"))).state,
  };
}

Deno.test({
  name: "bullmq: 24 trials on 3 workers, one killed and one replaced: each once, as a local run",
  ignore: !RUN_REDIS_TESTS,
  async fn() {
    const tmp = Deno.makeTempDirSync({ prefix: "bullmq-e2e-" });
    const config = writeConfig(tmp, "sweep.yaml", SWEEP);
    const local = await cli([config, "--jobs", "2", "--progress", "none"], join(tmp, "local"));
    assert.equal(local.code, 0, local.stderr);

    const redis = await startLocalRedis();
    const workers = [1, 2, 3].map((i) => startWorker(redis.url, `w${i}`));
    try {
      const root = join(tmp, "queued");
      const submit = cliCommand(
        [config, "--executor", "bullmq", "--redis", redis.url, "--progress", "plain"],
        root,
      ).output();
      // Kill the first worker in the middle of a trial.
      const [w1, w2] = workers as [typeof workers[0], typeof workers[0]];
      await until("w1 to start a trial", () => w1.lines.some((l) => l.startsWith("start ")));
      const killedTrial = w1.lines.filter((l) => l.startsWith("start ")).at(-1)!.split(" ")[1]!;
      await sleep(200);
      w1.child.kill("SIGKILL");
      // Stop the second one once it has finished a trial, and start a replacement.
      await until("w2 to finish a trial", () => w2.lines.some((l) => /^end \w+ done/.test(l)));
      w2.child.kill("SIGTERM");
      await w2.child.status;
      workers.push(startWorker(redis.url, "w4"));

      const out = await submit;
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.match(stderr, /queued: 24 trials: done 24/);

      // Each trial completed exactly once, on some worker; the killed worker's one elsewhere.
      const ends = workers.flatMap((w) =>
        w.lines.filter((l) => /^end \w+ done/.test(l)).map((l) => ({
          w: w.name,
          id: l.split(" ")[1]!,
        }))
      );
      assert.equal(ends.length, 24, JSON.stringify(ends));
      assert.equal(new Set(ends.map((e) => e.id)).size, 24);
      assert.ok(!w1.lines.some((l) => l.startsWith(`end ${killedTrial}`)), "w1 died mid-trial");
      assert.notEqual(ends.find((e) => e.id === killedTrial)!.w, "w1");

      // Byte-identical to the local run.
      const localDirs = trialDirs(join(tmp, "local", "queued"));
      const queuedDirs = trialDirs(join(root, "queued"));
      assert.deepEqual(
        queuedDirs.map((d) => d.split("/").pop()),
        localDirs.map((d) => d.split("/").pop()),
      );
      for (let i = 0; i < localDirs.length; i++) {
        assert.deepEqual(files(queuedDirs[i]!), files(localDirs[i]!));
      }
      // Nothing left in the queue.
      const counts = await queueCounts(redisTarget(redis.url, {}), "queued");
      assert.deepEqual(counts, { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
      // A second submission finds every trial done and enqueues nothing.
      const again = await cli([config, "--executor", "bullmq", "--redis", redis.url], root);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /^queued: 24 trials: skipped 24 /);
    } finally {
      for (const w of workers) {
        try {
          w.child.kill("SIGTERM");
        } catch { /* gone */ }
        await w.child.status;
        await w.read;
        await w.err;
      }
      await redis.stop();
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test("bullmq: bad command lines are one line and exit 2", async () => {
  const tmp = Deno.makeTempDirSync({ prefix: "bullmq-bad-" });
  const config = writeConfig(tmp, "sweep.yaml", SWEEP);
  const noUrl = await cli([config, "--executor", "bullmq"], join(tmp, "r"), {
    env: { PLASTICITY_REDIS_URL: "" },
  });
  assert.equal(noUrl.code, 2);
  assert.match(
    noUrl.stderr,
    /^error: --redis: expected a Redis URL such as redis:\/\/127\.0\.0\.1:6379/,
  );
  const badUrl = await cli(
    [config, "--executor", "bullmq", "--redis", "http://u:secret@h"],
    join(tmp, "r"),
  );
  assert.equal(badUrl.code, 2);
  assert.equal(
    badUrl.stderr,
    'error: --redis: expected a redis:// or rediss:// URL, got "http://u:***@h"\n',
  );
  const noExec = await cli([config, "--redis", "redis://127.0.0.1:1"], join(tmp, "r"));
  assert.equal(noExec.code, 2);
  assert.match(noExec.stderr, /^error: --redis and --queue need --executor bullmq\n$/);
  const other = await cli([config, "--executor", "ray"], join(tmp, "r"));
  assert.equal(other.code, 2);
  assert.match(other.stderr, /^error: --executor: expected one of local, bullmq, got "ray"\n$/);
  Deno.removeSync(tmp, { recursive: true });
});

const MIXED = `name: mixed
dataset: { name: sine, train_size: 64, validation_size: 0, test_size: 32 }
network: { sizes: [1, 1] }
rule: { name: test-linear }
optimizer: { name: sgd, lr: 0.1 }
epochs: 3000
batch_size: 8
seeds: [0]
backend: js
grid:
  rule:
    - { name: test-linear, explode_after: 5 }
    - { name: test-linear, crash_after: 2 }
  network.sizes: [[1, 1], [2, 1]]
`;

Deno.test({
  name:
    "bullmq: a crashing trial is retried, its own error and divergence are not; queue status and clean",
  ignore: !RUN_REDIS_TESTS,
  async fn() {
    const tmp = Deno.makeTempDirSync({ prefix: "bullmq-mixed-" });
    const config = writeConfig(tmp, "mixed.yaml", MIXED);
    const redis = await startLocalRedis();
    const root = join(tmp, "results");
    const sub = [config, "--import", FIXTURES, "--executor", "bullmq", "--redis", redis.url];
    try {
      // Submitted with no worker running, then stopped: the jobs wait in the queue.
      const early = cliCommand([...sub, "--progress", "none"], root).spawn();
      const url = redisTarget(redis.url, {});
      for (let i = 0; i < 250; i++) {
        if ((await queueCounts(url, "mixed")).waiting === 4) break;
        await sleep(20);
      }
      early.kill("SIGINT");
      assert.equal((await early.output()).code, 130);
      const status = await cli(
        ["status", config, "--import", FIXTURES, "--redis", redis.url],
        root,
      );
      assert.match(status.stdout, /queue plasticity on redis:\/\/127\.0\.0\.1:\d+: waiting 4,/);
      const cleaned = await cli(
        ["clean", config, "--import", FIXTURES, "--stale", "--redis", redis.url],
        root,
      );
      assert.equal(cleaned.code, 0, cleaned.stderr);
      assert.match(cleaned.stdout, /removed 4 jobs from queue plasticity/);
      assert.equal((await queueCounts(url, "mixed")).waiting, 0);

      // Now with a worker.
      const w = startWorker(redis.url, "w");
      try {
        const run = await cli([...sub, "--progress", "plain"], root);
        assert.equal(run.code, 1, run.stderr);
        const attempts = new Map<string, number>();
        for (const l of w.lines) {
          const m = /^start (\w+) \(mixed, attempt (\d+)\)/.exec(l);
          if (m) attempts.set(m[1]!, Math.max(attempts.get(m[1]!) ?? 0, Number(m[2])));
        }
        const states = new Map(
          trialDirs(join(root, "mixed")).map((d) => {
            const st = JSON.parse(Deno.readTextFileSync(join(d, "status.json")));
            return [d.split("/").pop()!, st as { state: string; error?: string }];
          }),
        );
        assert.equal(states.size, 4);
        for (const [id, st] of states) {
          if (st.state === "diverged") {
            assert.equal(attempts.get(id), 1, "a divergence is a result");
          } else if (/does not match the 1 inputs/.test(st.error ?? "")) {
            assert.equal(attempts.get(id), 1, "the trial's own error is not retried");
          } else {
            assert.equal(st.state, "failed");
            assert.match(st.error!, /crashed on purpose/);
            assert.equal(attempts.get(id), 3, "a crashing process is retried, 3 attempts in all");
          }
        }
        assert.deepEqual(
          [...states.values()].map((s) => s.state).sort(),
          ["diverged", "failed", "failed", "failed"],
        );
        const left = await queueCounts(url, "mixed");
        assert.deepEqual(left, { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
      } finally {
        w.child.kill("SIGTERM");
        await w.child.status;
        await w.read;
        await w.err;
      }
    } finally {
      await redis.stop();
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});
