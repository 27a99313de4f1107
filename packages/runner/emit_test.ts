import assert from "node:assert/strict";
import { parse } from "yaml";
import { dnsLabel, emitK8s, emitSlurm, shellQuote } from "./emit.ts";

const dec = new TextDecoder();

// Runs bash with `args` (the script on stdin when given) in a temporary folder.
async function bash(
  args: string[],
  stdin?: string,
): Promise<{ code: number; out: string; err: string }> {
  const cwd = await Deno.makeTempDir();
  try {
    const child = new Deno.Command("bash", {
      args,
      cwd,
      stdin: stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    }
    const r = await child.output();
    return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

const awkward = [
  "sweep.yaml",
  "sweeps/mnist bp.yaml",
  "it's.yaml",
  `a b'c"d$HOME\`id\`;rm -rf x|*.yaml`,
  "~/sweep.yaml",
  "'",
  "''",
  "back\\slash.yaml",
  "tab\there.yaml",
  "ünïcode €.yaml",
];

Deno.test("shellQuote(): bash reads each quoted word back as the original text", async () => {
  const script = awkward.map((s) => `printf '%s\\0' ${shellQuote(s)}`).join("\n");
  const r = await bash(["-c", script]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split("\0").slice(0, -1), awkward);
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("plain/path-1.yaml"), "plain/path-1.yaml");
});

Deno.test("emitSlurm() writes the #SBATCH lines asked for, in order", () => {
  const script = emitSlurm({
    config: "sweeps/lr.yaml",
    trials: 250,
    experiment: "lr_sweep",
    shards: 50,
    concurrency: 10,
    partition: "cpu,short",
    time: "02:00:00",
    cpusPerTask: 4,
    memory: "8G",
  });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.deepEqual(lines.filter((l) => l.startsWith("#SBATCH")), [
    "#SBATCH --job-name=lr_sweep",
    "#SBATCH --array=0-49%10",
    "#SBATCH --cpus-per-task=4",
    "#SBATCH --partition=cpu,short",
    "#SBATCH --time=02:00:00",
    "#SBATCH --mem=8G",
    "#SBATCH --output=lr_sweep-%A_%a.out",
  ]);
  // sbatch reads #SBATCH lines only before the first command.
  const firstCommand = lines.findIndex((l, i) => i > 0 && l !== "" && !l.startsWith("#"));
  assert.ok(lines.slice(firstCommand).every((l) => !l.startsWith("#SBATCH")));
  assert.equal(lines[firstCommand], "set -euo pipefail");
  assert.ok(lines.includes("export OPENBLAS_NUM_THREADS=1"));
  assert.equal(lines.at(-2), "deno task run sweeps/lr.yaml --jobs 4 --progress plain");
  assert.equal(lines.at(-1), "");
  // The runner reads the array variables itself: no command passes --shard.
  assert.ok(lines.every((l) => l.startsWith("#") || !l.includes("--shard")));
});

Deno.test("emitSlurm() defaults: min(trials, 1000) tasks, 1 CPU, no optional lines", () => {
  const small = emitSlurm({ config: "a.yaml", trials: 7, experiment: "a" });
  assert.deepEqual(small.split("\n").filter((l) => l.startsWith("#SBATCH")), [
    "#SBATCH --job-name=a",
    "#SBATCH --array=0-6",
    "#SBATCH --cpus-per-task=1",
    "#SBATCH --output=a-%A_%a.out",
  ]);
  assert.ok(small.endsWith("\ndeno task run a.yaml --jobs 1 --progress plain\n"));
  assert.ok(!small.includes("module load") && !small.includes("set +u"));
  const big = emitSlurm({ config: "a.yaml", trials: 123456, experiment: "a" });
  assert.ok(big.includes("\n#SBATCH --array=0-999\n"));
  const one = emitSlurm({ config: "a.yaml", trials: 1, experiment: "a" });
  assert.ok(one.includes("\n#SBATCH --array=0-0\n"));
});

Deno.test("emitSlurm() loads modules and runs setup lines before the runner", () => {
  const script = emitSlurm({
    config: "a.yaml",
    trials: 3,
    experiment: "a",
    modules: ["gcc/12.2.0", "openblas"],
    setup: ["source venv/bin/activate", "export PLASTICITY_RESULTS=$SCRATCH/results"],
    deno: "$HOME/.deno/bin/deno",
  });
  const lines = script.split("\n");
  const at = (l: string) => lines.indexOf(l);
  assert.ok(at("set -euo pipefail") < at("module load gcc/12.2.0"));
  assert.ok(at("module load gcc/12.2.0") < at("module load openblas"));
  assert.ok(at("module load openblas") < at("source venv/bin/activate"));
  assert.ok(at("source venv/bin/activate") < at("export PLASTICITY_RESULTS=$SCRATCH/results"));
  assert.ok(at("export PLASTICITY_RESULTS=$SCRATCH/results") < at("set -u"));
  assert.equal(lines.at(-2), "$HOME/.deno/bin/deno task run a.yaml --jobs 1 --progress plain");
});

Deno.test("emitSlurm() scripts are valid bash and pass the config path through unchanged", async () => {
  for (const config of awkward) {
    const script = emitSlurm({
      config,
      trials: 4,
      experiment: "q",
      setup: ["true"],
      // Print the arguments instead of running deno.
      deno: "printf '%s\\0'",
    });
    const syntax = await bash(["-n"], script);
    assert.equal(syntax.code, 0, `${config}: ${syntax.err}`);
    const r = await bash(["-s"], script);
    assert.equal(r.code, 0, `${config}: ${r.err}`);
    assert.deepEqual(r.out.split("\0").slice(0, -1), [
      "task",
      "run",
      config,
      "--jobs",
      "1",
      "--progress",
      "plain",
    ]);
  }
});

Deno.test("emitSlurm() refuses bad options with one line naming the value", () => {
  const base = { config: "a.yaml", trials: 10, experiment: "a" };
  const cases: [Record<string, unknown>, string][] = [
    [{ trials: 0 }, 'trials: expected a positive integer, got "0"'],
    [{ trials: 2.5 }, 'trials: expected a positive integer, got "2.5"'],
    [{ shards: 11 }, '--shards: expected an integer from 1 to 10, got "11"'],
    [{ shards: 0 }, '--shards: expected an integer from 1 to 10, got "0"'],
    [{ concurrency: -1 }, '--concurrency: expected a positive integer, got "-1"'],
    [{ cpusPerTask: 0 }, '--cpus: expected a positive integer, got "0"'],
    [{ time: "2h" }, '--time: expected a SLURM time such as 90, 02:00:00 or 1-12:00:00, got "2h"'],
    [{ memory: "8 GB" }, '--mem: expected a SLURM memory size such as 8G or 4000M, got "8 GB"'],
    [
      { partition: "cpu short" },
      '--partition: expected partition names of letters, digits, . _ - and commas, got "cpu short"',
    ],
    [
      { modules: ["gcc; rm -rf x"] },
      '--module: expected a module name without spaces or shell characters, got "gcc; rm -rf x"',
    ],
    [{ setup: ["a\nb"] }, '--setup: expected one non-empty line, got "a\nb"'],
    [
      { experiment: "a b" },
      'experiment: expected a name of letters, digits, . _ -, got "a b"',
    ],
    [{ config: "" }, 'config: expected a path on one line, not starting with -, got ""'],
    [
      { config: "--force" },
      'config: expected a path on one line, not starting with -, got "--force"',
    ],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => emitSlurm({ ...base, ...patch } as typeof base), { message }, message);
  }
  for (const time of ["90", "30:00", "02:00:00", "1-12", "1-12:00", "1-12:00:00", "UNLIMITED"]) {
    assert.ok(emitSlurm({ ...base, time }).includes(`\n#SBATCH --time=${time}\n`), time);
  }
});

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("emitK8s() writes an Indexed Job that runs the config on each shard", () => {
  const text = emitK8s({
    config: "sweeps/my sweep.yaml",
    trials: 40,
    experiment: "LR_sweep.v2",
    shards: 8,
    parallelism: 3,
    image: "registry.example.org/plasticity:1.2",
    workdir: "/src/plasticity",
    pvc: "plasticity-results",
    cpu: "500m",
    memory: "2Gi",
  });
  const job: Json = parse(text);
  assert.equal(job.apiVersion, "batch/v1");
  assert.equal(job.kind, "Job");
  assert.equal(job.metadata.name, "lr-sweep-v2");
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.completions, 8);
  assert.equal(job.spec.parallelism, 3);
  assert.equal(job.spec.backoffLimit, 16);
  assert.deepEqual(job.spec.podFailurePolicy.rules[0], {
    action: "FailJob",
    onExitCodes: { containerName: "runner", operator: "In", values: [2] },
  });
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, "Never");
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.name, "runner");
  assert.equal(c.image, "registry.example.org/plasticity:1.2");
  assert.equal(c.workingDir, "/src/plasticity");
  assert.deepEqual(c.command, [
    "deno",
    "task",
    "run",
    "sweeps/my sweep.yaml",
    "--jobs",
    "1",
    "--progress",
    "plain",
  ]);
  assert.deepEqual(c.env, [
    { name: "PLASTICITY_SHARD_COUNT", value: "8" },
    { name: "OPENBLAS_NUM_THREADS", value: "1" },
    { name: "PLASTICITY_RESULTS", value: "/results" },
  ]);
  assert.deepEqual(c.resources, {
    requests: { cpu: "500m", memory: "2Gi" },
    limits: { cpu: "500m", memory: "2Gi" },
  });
  assert.deepEqual(c.volumeMounts, [{ name: "results", mountPath: "/results" }]);
  assert.deepEqual(pod.volumes, [
    { name: "results", persistentVolumeClaim: { claimName: "plasticity-results" } },
  ]);
  assert.ok(text.startsWith("# LR_sweep.v2: 40 trials in 8 indexed pods.\n"));
  assert.ok(!text.includes("&") && !text.includes("*"), "no YAML anchors or aliases");
});

Deno.test("emitK8s() defaults: all shards at once, the deno image, /app, no volume", () => {
  const job: Json = parse(emitK8s({ config: "a.yaml", trials: 5000, experiment: "a" }));
  assert.equal(job.spec.completions, 1000);
  assert.equal(job.spec.parallelism, 1000);
  assert.equal(job.spec.backoffLimit, 2000);
  const pod = job.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.image, "denoland/deno:2.9.6");
  assert.equal(c.workingDir, "/app");
  assert.deepEqual(c.env, [
    { name: "PLASTICITY_SHARD_COUNT", value: "1000" },
    { name: "OPENBLAS_NUM_THREADS", value: "1" },
  ]);
  assert.equal(c.resources, undefined);
  assert.equal(c.volumeMounts, undefined);
  assert.equal(pod.volumes, undefined);
  // Every env value is a string, as Kubernetes requires.
  assert.ok(c.env.every((e: Json) => typeof e.value === "string"));
  assert.equal(
    parse(emitK8s({ config: "a.yaml", trials: 3, experiment: "a" })).spec.completions,
    3,
  );
  // Only memory: requests and limits hold memory alone.
  const m: Json = parse(emitK8s({ config: "a.yaml", trials: 3, experiment: "a", memory: "1Gi" }));
  assert.deepEqual(m.spec.template.spec.containers[0].resources, {
    requests: { memory: "1Gi" },
    limits: { memory: "1Gi" },
  });
});

Deno.test("emitK8s() names fit DNS-1123 labels with room for the pod index", () => {
  const label = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  for (const [experiment, shards] of [["x".repeat(100), 1000], ["A_B-", 1], ["__", 2]] as const) {
    const job: Json = parse(emitK8s({ config: "a.yaml", trials: 5000, experiment, shards }));
    const name: string = job.metadata.name;
    assert.match(name, label);
    assert.ok(`${name}-${shards - 1}`.length <= 63, name);
  }
});

Deno.test("dnsLabel() lowercases, joins runs of other characters with -, trims, truncates", () => {
  const label = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  const cases: [string, string][] = [
    ["mnist", "mnist"],
    ["MNIST_BP", "mnist-bp"],
    ["a__b..c", "a-b-c"],
    ["-_a_-", "a"],
    ["été 2024", "t-2024"],
    ["", "plasticity"],
    ["___", "plasticity"],
  ];
  for (const [name, want] of cases) assert.equal(dnsLabel(name), want, name);
  const long = dnsLabel("ab_".repeat(40));
  assert.ok(long.length <= 63);
  assert.match(long, label);
  assert.equal(dnsLabel("abcdef-ghij", 7), "abcdef");
  assert.equal(dnsLabel("a".repeat(70), 10), "a".repeat(10));
  assert.throws(() => dnsLabel("a", 64), {
    message: 'max: expected an integer from 1 to 63, got "64"',
  });
});

Deno.test("emitK8s() refuses bad options with one line naming the value", () => {
  const base = { config: "a.yaml", trials: 10, experiment: "a" };
  const cases: [Record<string, unknown>, string][] = [
    [{ shards: 20 }, '--shards: expected an integer from 1 to 10, got "20"'],
    [{ shards: 4, parallelism: 5 }, '--parallelism: expected an integer from 1 to 4, got "5"'],
    [
      { pvc: "My_Claim" },
      '--pvc: expected a PersistentVolumeClaim name (DNS-1123), got "My_Claim"',
    ],
    [
      { workdir: "app" },
      '--workdir: expected an absolute path in the image, without spaces, got "app"',
    ],
    [{ cpu: "two" }, '--cpus: expected a Kubernetes quantity such as 1 or 500m, got "two"'],
    [{ memory: "4 GB" }, '--mem: expected a Kubernetes quantity such as 4Gi, got "4 GB"'],
    [{ image: "" }, '--image: expected one non-empty line, got ""'],
    [{ experiment: "" }, 'experiment: expected a non-empty name, got ""'],
  ];
  for (const [patch, message] of cases) {
    assert.throws(() => emitK8s({ ...base, ...patch } as typeof base), { message }, message);
  }
});
