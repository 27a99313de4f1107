import assert from "node:assert/strict";
import {
  describeShard,
  inShard,
  parseShard,
  resolveShard,
  type Shard,
  shardFromEnv,
} from "./shard.ts";

Deno.test("inShard() puts every trial index in exactly one of N shards", () => {
  const trials = 1000;
  for (const count of [1, 2, 3, 7, 10, 64, 999, 1000, 1500]) {
    const owners = Array.from({ length: trials }, () => [] as number[]);
    for (let index = 0; index < count; index++) {
      const shard: Shard = { index, count, from: "--shard" };
      for (let t = 0; t < trials; t++) if (inShard(t, shard)) owners[t]!.push(index);
    }
    for (let t = 0; t < trials; t++) {
      // Independent expectation: shard s holds s, s + N, s + 2N, …
      let expected = t;
      while (expected >= count) expected -= count;
      assert.deepEqual(owners[t], [expected], `trial ${t} of ${count} shards`);
    }
    // Shard sizes differ by at most one.
    const sizes = Array.from({ length: count }, (_, s) => owners.filter((o) => o[0] === s).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes for ${count} shards`);
  }
});

Deno.test("inShard() with no shard takes every trial", () => {
  for (const t of [0, 1, 17, 123456]) assert.equal(inShard(t, undefined), true);
});

Deno.test("parseShard() reads i/N with 0 ≤ i < N", () => {
  assert.deepEqual(parseShard("0/1"), { index: 0, count: 1, from: "--shard" });
  assert.deepEqual(parseShard("7/8"), { index: 7, count: 8, from: "--shard" });
  assert.deepEqual(parseShard("12/1000"), { index: 12, count: 1000, from: "--shard" });
});

Deno.test("parseShard() refuses anything else, quoting the value", () => {
  for (
    const bad of [
      "3/3",
      "4/3",
      "-1/2",
      "1/0",
      "0/0",
      "a/b",
      "1",
      "1/2/3",
      "1.5/4",
      "1/4.0",
      "",
      "/",
      "1/",
      "/4",
      "1/2x",
      "0x1/4",
      "1e1/100",
      "99999999999999999999/1",
    ]
  ) {
    assert.throws(
      () => parseShard(bad),
      { message: `--shard: expected i/N with 0 ≤ i < N, got "${bad}"` },
      bad,
    );
  }
});

Deno.test("shardFromEnv() reads a SLURM array starting at 0 (MIN absent or 0)", () => {
  assert.deepEqual(
    shardFromEnv({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_COUNT: "10" }),
    { index: 5, count: 10, from: "SLURM_ARRAY_TASK_ID" },
  );
  assert.deepEqual(
    shardFromEnv({
      SLURM_ARRAY_TASK_ID: "0",
      SLURM_ARRAY_TASK_COUNT: "10",
      SLURM_ARRAY_TASK_MIN: "0",
      SLURM_ARRAY_TASK_MAX: "9",
      SLURM_ARRAY_TASK_STEP: "1",
    }),
    { index: 0, count: 10, from: "SLURM_ARRAY_TASK_ID" },
  );
});

// The variables SLURM sets for each task of `--array=<first>-<last>[:step]`.
function slurmTasks(first: number, last: number, step = 1): Record<string, string>[] {
  const ids: number[] = [];
  for (let id = first; id <= last; id += step) ids.push(id);
  return ids.map((id) => ({
    SLURM_ARRAY_JOB_ID: "4242",
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_COUNT: String(ids.length),
    SLURM_ARRAY_TASK_MIN: String(first),
    SLURM_ARRAY_TASK_MAX: String(ids.at(-1)),
    SLURM_ARRAY_TASK_STEP: String(step),
  }));
}

Deno.test("shardFromEnv() maps --array=1-8 and --array=0-30:10 onto shards 0 … count-1", () => {
  for (const [first, last, step, count] of [[1, 8, 1, 8], [0, 30, 10, 4], [5, 17, 3, 5]] as const) {
    const shards = slurmTasks(first, last, step).map((env) => shardFromEnv(env)!);
    assert.deepEqual(shards.map((s) => s.index), Array.from({ length: count }, (_, i) => i));
    assert.ok(shards.every((s) => s.count === count && s.from === "SLURM_ARRAY_TASK_ID"));
    // Together the tasks cover a sweep exactly once.
    for (let t = 0; t < 100; t++) {
      assert.equal(shards.filter((s) => inShard(t, s)).length, 1, `trial ${t}`);
    }
  }
});

Deno.test("shardFromEnv() refuses task ids that are not in a range array", () => {
  // --array=1,4,9: no step describes the ids.
  assert.throws(
    () =>
      shardFromEnv({
        SLURM_ARRAY_TASK_ID: "9",
        SLURM_ARRAY_TASK_COUNT: "3",
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_STEP: "1",
      }),
    {
      message:
        'SLURM_ARRAY_TASK_ID: expected a task of a range array (--array=A-B or A-B:S) with min 1, step 1 and 3 tasks, got "9"',
    },
  );
  // Off the step, and below the minimum.
  assert.throws(
    () =>
      shardFromEnv({
        SLURM_ARRAY_TASK_ID: "5",
        SLURM_ARRAY_TASK_COUNT: "4",
        SLURM_ARRAY_TASK_STEP: "10",
      }),
    /^Error: SLURM_ARRAY_TASK_ID: expected a task of a range array .* got "5"$/,
  );
  assert.throws(
    () =>
      shardFromEnv({
        SLURM_ARRAY_TASK_ID: "0",
        SLURM_ARRAY_TASK_COUNT: "4",
        SLURM_ARRAY_TASK_MIN: "1",
      }),
    /got "0"$/,
  );
});

Deno.test("shardFromEnv() refuses bad or missing SLURM variables, naming them", () => {
  assert.throws(
    () => shardFromEnv({ SLURM_ARRAY_TASK_ID: "2" }),
    {
      message:
        'SLURM_ARRAY_TASK_ID is "2" but SLURM_ARRAY_TASK_COUNT is not set: expected both from a SLURM array job',
    },
  );
  assert.throws(
    () => shardFromEnv({ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_COUNT: "4" }),
    { message: 'SLURM_ARRAY_TASK_ID: expected a non-negative integer, got "x"' },
  );
  assert.throws(
    () => shardFromEnv({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "0" }),
    { message: 'SLURM_ARRAY_TASK_COUNT: expected an integer ≥ 1, got "0"' },
  );
  assert.throws(
    () =>
      shardFromEnv({
        SLURM_ARRAY_TASK_ID: "1",
        SLURM_ARRAY_TASK_COUNT: "4",
        SLURM_ARRAY_TASK_MIN: "-1",
      }),
    { message: 'SLURM_ARRAY_TASK_MIN: expected a non-negative integer, got "-1"' },
  );
  assert.throws(
    () =>
      shardFromEnv({
        SLURM_ARRAY_TASK_ID: "1",
        SLURM_ARRAY_TASK_COUNT: "4",
        SLURM_ARRAY_TASK_STEP: "0",
      }),
    { message: 'SLURM_ARRAY_TASK_STEP: expected an integer ≥ 1, got "0"' },
  );
});

Deno.test("shardFromEnv() reads a Kubernetes Indexed Job with PLASTICITY_SHARD_COUNT", () => {
  for (let i = 0; i < 6; i++) {
    assert.deepEqual(
      shardFromEnv({ JOB_COMPLETION_INDEX: String(i), PLASTICITY_SHARD_COUNT: "6" }),
      { index: i, count: 6, from: "JOB_COMPLETION_INDEX" },
    );
  }
  assert.throws(
    () => shardFromEnv({ JOB_COMPLETION_INDEX: "3" }),
    {
      message:
        'JOB_COMPLETION_INDEX is "3" but PLASTICITY_SHARD_COUNT is not set: expected the Job\'s completions in PLASTICITY_SHARD_COUNT',
    },
  );
  assert.throws(
    () => shardFromEnv({ JOB_COMPLETION_INDEX: "6", PLASTICITY_SHARD_COUNT: "6" }),
    {
      message: 'JOB_COMPLETION_INDEX: expected an index below PLASTICITY_SHARD_COUNT (6), got "6"',
    },
  );
  assert.throws(
    () => shardFromEnv({ JOB_COMPLETION_INDEX: "1", PLASTICITY_SHARD_COUNT: "many" }),
    { message: 'PLASTICITY_SHARD_COUNT: expected an integer ≥ 1, got "many"' },
  );
});

Deno.test("shardFromEnv() finds nothing without scheduler variables; empty means unset", () => {
  assert.equal(shardFromEnv({}), undefined);
  assert.equal(shardFromEnv({ HOME: "x", PATH: "y" }), undefined);
  assert.equal(shardFromEnv({ SLURM_ARRAY_TASK_ID: "", JOB_COMPLETION_INDEX: "" }), undefined);
  assert.equal(shardFromEnv({ SLURM_ARRAY_TASK_ID: undefined }), undefined);
  // A count alone (exported in a shell, say) says nothing about which shard this is.
  assert.equal(shardFromEnv({ PLASTICITY_SHARD_COUNT: "4" }), undefined);
  // A SLURM job that is not an array has SLURM_JOB_ID but no array variables.
  assert.equal(shardFromEnv({ SLURM_JOB_ID: "77", SLURM_CPUS_PER_TASK: "4" }), undefined);
});

Deno.test("shardFromEnv() prefers SLURM when both schedulers' variables are set", () => {
  const env = {
    SLURM_ARRAY_TASK_ID: "1",
    SLURM_ARRAY_TASK_COUNT: "2",
    JOB_COMPLETION_INDEX: "3",
    PLASTICITY_SHARD_COUNT: "5",
  };
  assert.deepEqual(shardFromEnv(env), { index: 1, count: 2, from: "SLURM_ARRAY_TASK_ID" });
});

Deno.test("resolveShard(): the flag wins over the environment, even a bad one", () => {
  const env = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" };
  assert.deepEqual(resolveShard("1/2", env), { index: 1, count: 2, from: "--shard" });
  assert.deepEqual(resolveShard(undefined, env), {
    index: 3,
    count: 4,
    from: "SLURM_ARRAY_TASK_ID",
  });
  assert.deepEqual(resolveShard("0/3", { JOB_COMPLETION_INDEX: "1" }), {
    index: 0,
    count: 3,
    from: "--shard",
  });
  assert.throws(() => resolveShard("2/2", env), { message: /^--shard: / });
  assert.equal(resolveShard(undefined, {}), undefined);
});

Deno.test("describeShard() names the shard and where it came from", () => {
  assert.equal(
    describeShard({ index: 0, count: 16, from: "JOB_COMPLETION_INDEX" }),
    "shard 0/16 (JOB_COMPLETION_INDEX)",
  );
});
