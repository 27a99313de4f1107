/**
 * Job files for running a sweep as an array on a cluster, with no broker: a SLURM `sbatch` script
 * ({@linkcode emitSlurm}) and a Kubernetes Indexed Job manifest ({@linkcode emitK8s}). Each array
 * task runs `deno task run <config>`, which finds its shard in the scheduler's environment (see
 * `shard.ts`) and runs the trials of that shard, skipping those already done. Text generators
 * only: the caller writes the text where it wants.
 *
 * @module
 */
import { Document } from "yaml";

/** The most array tasks chosen when `shards` is not given (SLURM's default `MaxArraySize` is 1001). */
export const DEFAULT_MAX_SHARDS = 1000;

/** The image of {@linkcode emitK8s} when none is given. */
export const DEFAULT_K8S_IMAGE = "denoland/deno:2.9.6";

/** Options shared by {@linkcode emitSlurm} and {@linkcode emitK8s}. */
export interface EmitOptions {
  /** The sweep YAML's path as the user gave it, relative to where the job starts. */
  config: string;
  /** The number of trials in the sweep (grid × seeds), at least 1. */
  trials: number;
  /** The experiment name (the config's `name`). */
  experiment: string;
  /** `--shards`: array tasks; default `min(trials, 1000)`, at most `trials`. */
  shards?: number;
}

/** Options of {@linkcode emitSlurm}; the `emit slurm` flag of each is named below. */
export interface SlurmOptions extends EmitOptions {
  /** `--concurrency`: at most this many tasks run at once (`--array=…%k`). */
  concurrency?: number;
  /** `--partition`: `#SBATCH --partition`. */
  partition?: string;
  /** `--time`: wall time per task, e.g. `02:00:00` (`#SBATCH --time`). */
  time?: string;
  /** `--cpus`: CPUs per task (default 1), also the runner's `--jobs`. */
  cpusPerTask?: number;
  /** `--mem`: memory per task, e.g. `8G` (`#SBATCH --mem`). */
  memory?: string;
  /** `--module` (repeatable): modules to `module load`. */
  modules?: string[];
  /** `--setup` (repeatable): shell lines run before the runner, as given. */
  setup?: string[];
  /** The command that runs deno, as a shell fragment (default `deno`). */
  deno?: string;
}

/** Options of {@linkcode emitK8s}; the `emit k8s` flag of each is named below. */
export interface K8sOptions extends EmitOptions {
  /** `--parallelism`: pods at once (default: all shards). */
  parallelism?: number;
  /** `--image`: an image holding deno and the checkout (default `denoland/deno:2.9.6`). */
  image?: string;
  /** `--workdir`: where the checkout is in the image (default `/app`). */
  workdir?: string;
  /** `--pvc`: a PersistentVolumeClaim mounted at `/results`, with `PLASTICITY_RESULTS=/results`. */
  pvc?: string;
  /** `--cpus`: CPU request and limit per pod, e.g. `1` or `500m`. */
  cpu?: string;
  /** `--mem`: memory request and limit per pod, e.g. `4Gi`. */
  memory?: string;
}

function fail(key: string, expected: string, got: unknown): never {
  throw new Error(`${key}: expected ${expected}, got "${String(got)}"`);
}

function positive(key: string, v: number | undefined, max = Number.MAX_SAFE_INTEGER) {
  if (v !== undefined && !(Number.isSafeInteger(v) && v >= 1 && v <= max)) {
    fail(
      key,
      max === Number.MAX_SAFE_INTEGER ? "a positive integer" : `an integer from 1 to ${max}`,
      v,
    );
  }
}

function matching(key: string, v: string | undefined, re: RegExp, expected: string) {
  if (v !== undefined && !re.test(v)) fail(key, expected, v);
}

function oneLine(key: string, v: string | undefined) {
  if (v !== undefined && (v.trim() === "" || /[\r\n]/.test(v))) {
    fail(key, "one non-empty line", v);
  }
}

function shardCount(o: EmitOptions): number {
  positive("trials", o.trials);
  positive("--shards", o.shards, o.trials);
  if (o.config === "" || o.config.startsWith("-") || /[\r\n\0]/.test(o.config)) {
    fail("config", "a path on one line, not starting with -", o.config);
  }
  return o.shards ?? Math.min(o.trials, DEFAULT_MAX_SHARDS);
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes a string for a POSIX shell: as is when it holds only safe characters, else in single
 * quotes with each `'` written `'\''`. The shell reads the result back as exactly `s`.
 *
 * @param s Any text.
 * @returns One shell word.
 *
 * @example
 * ```ts
 * import { shellQuote } from "@plasticity/runner/emit";
 * console.assert(shellQuote("sweeps/a.yaml") === "sweeps/a.yaml");
 * console.assert(shellQuote("my sweep's.yaml") === "'my sweep'\\''s.yaml'");
 * console.assert(shellQuote("") === "''");
 * ```
 */
export function shellQuote(s: string): string {
  return SHELL_SAFE.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * A SLURM batch script that runs the sweep as a job array, one task per shard:
 * `sbatch script` submits it. The runner in each task reads `SLURM_ARRAY_TASK_ID`,
 * `SLURM_ARRAY_TASK_COUNT` and `SLURM_ARRAY_TASK_MIN` itself, so the script passes no `--shard`.
 * The job starts in the directory `sbatch` ran in, which must be the checkout (for
 * `deno task`) and the place `config` is relative to; the results folder must be on a file system
 * every node shares.
 *
 * @param o What to run and the `#SBATCH` settings.
 * @returns The script, ending with a newline.
 * @throws {Error} On a bad option (named, with the value and what was expected).
 *
 * @example
 * ```ts
 * import { emitSlurm } from "@plasticity/runner/emit";
 * const script = emitSlurm({
 *   config: "sweeps/lr.yaml", trials: 40, experiment: "lr", concurrency: 8, time: "02:00:00",
 * });
 * console.assert(script.startsWith("#!/bin/bash\n"));
 * console.assert(script.includes("#SBATCH --array=0-39%8\n"));
 * console.assert(script.includes("\ndeno task run sweeps/lr.yaml --jobs 1 --progress plain\n"));
 * ```
 */
export function emitSlurm(o: SlurmOptions): string {
  const shards = shardCount(o);
  matching("experiment", o.experiment, /^[A-Za-z0-9._-]+$/, "a name of letters, digits, . _ -");
  positive("--concurrency", o.concurrency);
  positive("--cpus", o.cpusPerTask);
  matching(
    "--partition",
    o.partition,
    /^[A-Za-z0-9._,-]+$/,
    "partition names of letters, digits, . _ - and commas",
  );
  matching(
    "--time",
    o.time,
    /^(?:[0-9]+(?::[0-9]+){0,2}|[0-9]+-[0-9]+(?::[0-9]+){0,2}|UNLIMITED|INFINITE)$/,
    "a SLURM time such as 90, 02:00:00 or 1-12:00:00",
  );
  matching("--mem", o.memory, /^[0-9]+[KMGT]?$/, "a SLURM memory size such as 8G or 4000M");
  for (const m of o.modules ?? []) {
    matching(
      "--module",
      m,
      /^[^\s'"`$\\;&|<>()]+$/,
      "a module name without spaces or shell characters",
    );
  }
  for (const line of o.setup ?? []) oneLine("--setup", line);
  oneLine("deno", o.deno);
  const cpus = o.cpusPerTask ?? 1;
  const array = `0-${shards - 1}${o.concurrency === undefined ? "" : `%${o.concurrency}`}`;

  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${o.experiment}`,
    `#SBATCH --array=${array}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(o.partition === undefined ? [] : [`#SBATCH --partition=${o.partition}`]),
    ...(o.time === undefined ? [] : [`#SBATCH --time=${o.time}`]),
    ...(o.memory === undefined ? [] : [`#SBATCH --mem=${o.memory}`]),
    `#SBATCH --output=${o.experiment}-%A_%a.out`,
    "#",
    `# ${o.experiment}: ${o.trials} trials in ${shards} array tasks.`,
    `# Task i runs the trials whose index in the sweep is i modulo ${shards}. The runner reads`,
    "# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN itself, so there is no",
    "# --shard below. Submit from the checkout; results go to $PLASTICITY_RESULTS (default",
    "# ./results), which must be on a file system every node shares. Resubmitting skips the trials",
    "# already done.",
    "set -euo pipefail",
  ];
  const setup = [...(o.modules ?? []).map((m) => `module load ${m}`), ...(o.setup ?? [])];
  if (setup.length > 0) {
    lines.push("set +u # module and setup scripts may read unset variables", ...setup, "set -u");
  }
  lines.push(
    "export OPENBLAS_NUM_THREADS=1",
    `${o.deno ?? "deno"} task run ${shellQuote(o.config)} --jobs ${cpus} --progress plain`,
  );
  return lines.join("\n") + "\n";
}

/**
 * A DNS-1123 label made from a name, for Kubernetes object names: lowercase, each run of
 * characters other than `[a-z0-9]` turned into one `-`, no `-` at either end, at most `max`
 * characters (`plasticity` when nothing is left). Different names can give the same label
 * (`a_b` and `a-b`).
 *
 * @param name Any name.
 * @param max The most characters, 1 to 63 (default 63).
 * @returns The label.
 *
 * @example
 * ```ts
 * import { dnsLabel } from "@plasticity/runner/emit";
 * console.assert(dnsLabel("MNIST_sweep.v2") === "mnist-sweep-v2");
 * console.assert(dnsLabel("__") === "plasticity");
 * console.assert(dnsLabel("a".repeat(80)).length === 63);
 * ```
 */
export function dnsLabel(name: string, max = 63): string {
  positive("max", max, 63);
  const label = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, max + 1)
    .replace(/^-+/, "").slice(0, max).replace(/-+$/, "");
  return label === "" ? "plasticity".slice(0, max) : label;
}

/**
 * A Kubernetes Indexed Job that runs the sweep, one completion index per shard: `kubectl apply -f`
 * submits it. Each pod runs `deno task run <config>` in `workdir` with `PLASTICITY_SHARD_COUNT`
 * set, and the runner takes its shard from `JOB_COMPLETION_INDEX` and that count.
 *
 * - `metadata.name` is {@linkcode dnsLabel} of the experiment, short enough that the pods'
 *   hostnames, `<name>-<index>`, stay within 63 characters.
 * - Failed pods are retried: `backoffLimit` is 2 × shards (a kill — out of memory, a lost node —
 *   re-runs its index, and the runner's resume skips the trials already done, so a retry costs only
 *   what was unfinished). Exit code 2 (bad input, the same for every pod) fails the whole Job at
 *   once, and pods disrupted by the cluster (preemption, eviction, drained nodes) do not count
 *   (`podFailurePolicy`).
 * - With `pvc`, the claim is mounted at `/results` and `PLASTICITY_RESULTS=/results`; it must be
 *   `ReadWriteMany` for pods on several nodes. Without it, each pod's results stay in the pod.
 *
 * @param o What to run and the Job settings.
 * @returns The manifest as YAML, ending with a newline.
 * @throws {Error} On a bad option (named, with the value and what was expected).
 *
 * @example
 * ```ts
 * import { emitK8s } from "@plasticity/runner/emit";
 * import { parse } from "yaml";
 * const job = parse(emitK8s({
 *   config: "sweeps/lr.yaml", trials: 40, experiment: "lr_sweep", shards: 8, pvc: "results",
 * }));
 * console.assert(job.kind === "Job" && job.metadata.name === "lr-sweep");
 * console.assert(job.spec.completionMode === "Indexed" && job.spec.completions === 8);
 * console.assert(job.spec.template.spec.containers[0].command[3] === "sweeps/lr.yaml");
 * ```
 */
export function emitK8s(o: K8sOptions): string {
  const shards = shardCount(o);
  if (o.experiment === "") fail("experiment", "a non-empty name", o.experiment);
  positive("--parallelism", o.parallelism, shards);
  oneLine("--image", o.image);
  matching("--workdir", o.workdir, /^\/\S*$/, "an absolute path in the image, without spaces");
  matching(
    "--pvc",
    o.pvc,
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    "a PersistentVolumeClaim name (DNS-1123)",
  );
  const quantity = /^[0-9]+(?:\.[0-9]+)?(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][0-9]+)?$/;
  matching("--cpus", o.cpu, quantity, "a Kubernetes quantity such as 1 or 500m");
  matching("--mem", o.memory, quantity, "a Kubernetes quantity such as 4Gi");

  const name = dnsLabel(o.experiment, 63 - `-${shards - 1}`.length);
  const env = [
    { name: "PLASTICITY_SHARD_COUNT", value: String(shards) },
    { name: "OPENBLAS_NUM_THREADS", value: "1" },
    ...(o.pvc === undefined ? [] : [{ name: "PLASTICITY_RESULTS", value: "/results" }]),
  ];
  const amounts: Record<string, string> = {
    ...(o.cpu === undefined ? {} : { cpu: o.cpu }),
    ...(o.memory === undefined ? {} : { memory: o.memory }),
  };
  const container = {
    name: "runner",
    image: o.image ?? DEFAULT_K8S_IMAGE,
    workingDir: o.workdir ?? "/app",
    command: ["deno", "task", "run", o.config, "--jobs", "1", "--progress", "plain"],
    env,
    ...(Object.keys(amounts).length === 0
      ? {}
      : { resources: { requests: { ...amounts }, limits: { ...amounts } } }),
    ...(o.pvc === undefined ? {} : { volumeMounts: [{ name: "results", mountPath: "/results" }] }),
  };
  const job = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { "app.kubernetes.io/name": "plasticity", experiment: name } },
    spec: {
      completionMode: "Indexed",
      completions: shards,
      parallelism: o.parallelism ?? shards,
      backoffLimit: 2 * shards,
      podFailurePolicy: {
        rules: [
          {
            action: "FailJob",
            onExitCodes: { containerName: "runner", operator: "In", values: [2] },
          },
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
        ],
      },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "plasticity", experiment: name } },
        spec: {
          restartPolicy: "Never",
          containers: [container],
          ...(o.pvc === undefined
            ? {}
            : { volumes: [{ name: "results", persistentVolumeClaim: { claimName: o.pvc } }] }),
        },
      },
    },
  };
  const doc = new Document(job, { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ` ${o.experiment}: ${o.trials} trials in ${shards} indexed pods.`,
    ` Pod i runs the trials whose index in the sweep is i modulo ${shards} (the runner reads`,
    " JOB_COMPLETION_INDEX and PLASTICITY_SHARD_COUNT). After `kubectl delete job " + name + "`,",
    " applying this again skips the trials already done.",
    ...(o.pvc === undefined
      ? [" No --pvc: each pod's results stay inside it unless the image mounts shared storage."]
      : []),
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}
