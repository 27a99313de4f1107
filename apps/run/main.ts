/**
 * `deno task run`: the command line of the experiment runner.
 *
 * ```text
 * deno task run [run] <config.yaml> [--jobs N] [--force] [--backend NAME] [--dry-run]
 *                                   [--import MODULE]... [--progress auto|tty|plain|none]
 *                                   [--verbose] [--allow-large]
 *                                   [--executor local|bullmq --redis URL [--queue NAME]]
 *                                   [--shard i/N] [--where PATH=VALUE]...
 * deno task run emit slurm|k8s <config.yaml> [--shards N] [--out FILE] [options]
 * deno task run status <config.yaml | results/<experiment>> [--allow-large] [--redis URL]
 * deno task run list [experiments|rules|datasets|simulations]
 * deno task run clean <config.yaml | results/<experiment>> [--stale] [--redis URL]
 * deno task run schema [--out FILE] [--import MODULE]...
 * ```
 *
 * `schema` prints the JSON Schema of an experiment config (for the rules, datasets and
 * simulations registered, with `--import`ed modules' own), for editors to autocomplete and check
 * configs; `apps/run/experiment.schema.json` is the toolkit's, kept up to date by the tests.
 *
 * `--executor bullmq` puts the sweep's pending trials on a BullMQ queue in Redis, where workers
 * (`deno task worker`) run them, and writes their results here as they come back; with `--redis`,
 * `status` adds the queue's counts and `clean` also removes the experiment's failed jobs (with
 * `--stale`, its waiting ones too).
 *
 * `--where PATH=VALUE` runs only the trials whose resolved config has that value at that dotted
 * path (repeated: any of the values given for one path, all of the paths given), so a sweep can
 * be run a part at a time in any order, into the same trial folders as the whole sweep; see
 * `@plasticity/runner/where`.
 *
 * `--dry-run` prints the number of trials (computed, not expanded), the first 20 and "… and K
 * more". A sweep of more than 100 000 trials (grid points × seeds) is refused unless
 * `--allow-large` is given; see `CONFIG_LIMITS` of `@plasticity/runner/config` for the other
 * limits. `status` finds a config's trials whatever backend they ran with, and lists each
 * trial's state and backends. `--backend` naming another backend than the config's is an error.
 *
 * Exit codes: 0 all trials finished (done, diverged or skipped), 1 some trial failed, 2 bad
 * input (one line on stderr, nothing written), 130 interrupted.
 *
 * @module
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { learnerNames, simulationNames } from "@plasticity/core";
import { DATASET_NAMES } from "@plasticity/datasets";
import { ConfigError, showValue } from "@plasticity/runner/config";
import { emitK8s, emitSlurm } from "@plasticity/runner/emit";
import { experimentJsonSchema } from "@plasticity/runner/json-schema";
import { MAX_TRIALS } from "@plasticity/runner/grid";
import { resolveShard } from "@plasticity/runner/shard";
import { parseWhere } from "@plasticity/runner/where";
import { enterUserWorkdir } from "@plasticity/runner/workdir";
import { countStates, loadResultsIndex, resultsRoot } from "@plasticity/runner/results";
import {
  cleanExperiment,
  expandTrials,
  experimentStatus,
  previewExperiment,
  runExperiment,
  type RunOptions,
  trialLabel,
  type TrialReport,
} from "@plasticity/runner/runner";

/** Trials listed by --dry-run and status; the rest are counted. */
const SHOWN = 20;

const USAGE = `Usage:
  deno task run [run] <config.yaml>... [--jobs N] [--force] [--backend NAME] [--dry-run]
                                    [--import MODULE]... [--progress auto|tty|plain|none]
                                    [--verbose] [--allow-large]
                                    [--executor local|bullmq --redis URL [--queue NAME]]
                                    [--shard i/N] [--where PATH=VALUE]...
  deno task run emit slurm <config.yaml> [--shards N] [--concurrency K] [--partition P]
                     [--time T] [--cpus C] [--mem M] [--module M]... [--setup LINE]... [--out FILE]
  deno task run emit k8s <config.yaml> [--shards N] [--parallelism K] [--image IMG]
                     [--workdir DIR] [--pvc CLAIM] [--cpus C] [--mem M] [--out FILE]
  deno task run status <config.yaml | results/<experiment>> [--allow-large] [--redis URL]
  deno task run list [experiments|rules|datasets|simulations]
  deno task run clean <config.yaml | results/<experiment>> [--stale] [--redis URL]
  deno task run schema [--out FILE] [--import MODULE]...

Results go to $PLASTICITY_RESULTS (default ./results)/<experiment>/<trial id>/. Several configs
run one after another, with the same flags; all are checked before the first trial starts.
--shard i/N runs the trials whose sweep index is i mod N (also read from SLURM_ARRAY_TASK_ID
and SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX and PLASTICITY_SHARD_COUNT).
--where PATH=VALUE runs the trials whose config has VALUE at PATH (e.g. dataset.per_class=6000,
optimizer.lr=0.005); repeat it for several values of a path (any) or several paths (all).
--dry-run lists the first ${SHOWN} trials and counts the rest; sweeps of more than ${MAX_TRIALS}
trials need --allow-large. --backend may not contradict the config's backend.`;

const COMMANDS = ["run", "status", "list", "clean", "emit", "schema", "help"] as const;

class UsageError extends Error {}

function out(line: string): void {
  console.log(line);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()).join(
    "\n",
  );
}

function showCell(v: unknown): string {
  return typeof v === "string" ? v : showValue(v);
}

/** The listing of --dry-run: index, id, the grid's values, seed and state of each trial. */
function trialTable(reports: readonly TrialReport[], keys: readonly string[]): string {
  return table([
    ["#", "trial", ...keys, "seed", "state"],
    ...reports.map((r, i) => [
      String(i),
      r.trial.id,
      ...keys.map((k) => showCell(r.trial.point[k])),
      String(r.trial.seed),
      r.state,
    ]),
  ]);
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        jobs: { type: "string", short: "j" },
        force: { type: "boolean" },
        backend: { type: "string" },
        "dry-run": { type: "boolean" },
        "allow-large": { type: "boolean" },
        import: { type: "string", multiple: true },
        progress: { type: "string" },
        stale: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        executor: { type: "string" },
        shard: { type: "string" },
        where: { type: "string", multiple: true },
        shards: { type: "string" },
        concurrency: { type: "string" },
        partition: { type: "string" },
        time: { type: "string" },
        cpus: { type: "string" },
        mem: { type: "string" },
        module: { type: "string", multiple: true },
        setup: { type: "string", multiple: true },
        image: { type: "string" },
        workdir: { type: "string" },
        pvc: { type: "string" },
        parallelism: { type: "string" },
        out: { type: "string" },
        redis: { type: "string" },
        queue: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e instanceof Error ? e.message : String(e)).split("\n")[0]);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out(USAGE);
    return 0;
  }
  let [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError("missing a config file or command; try --help");
  if (!(COMMANDS as readonly string[]).includes(command)) {
    rest = [command, ...rest];
    command = "run";
  }
  if (command === "help") {
    out(USAGE);
    return 0;
  }
  const common: Pick<RunOptions, "backend" | "imports" | "maxTrials"> = {};
  if (v.backend !== undefined) common.backend = v.backend;
  if (v.import) common.imports = v.import;
  if (v["allow-large"]) common.maxTrials = Infinity;
  if (v.executor !== undefined && !["local", "bullmq"].includes(v.executor)) {
    throw new UsageError(`--executor: expected one of local, bullmq, got "${v.executor}"`);
  }
  const onQueue = v.executor === "bullmq" || v.redis !== undefined;
  /** The queue, when the sweep runs on one (`--executor bullmq`, or `--redis` for status/clean). */
  const queue = async () => {
    const cluster = await import("@plasticity/cluster");
    let redis;
    try {
      redis = cluster.redisTarget(v.redis, Deno.env.toObject());
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return { cluster, redis, name: v.queue ?? cluster.DEFAULT_QUEUE };
  };

  if (command === "list") {
    if (rest.length > 1) {
      throw new UsageError(`list: expected at most one argument, got ${rest.length}`);
    }
    const what = rest[0] ?? "experiments";
    if (what === "rules") {
      const { importModules } = await import("@plasticity/runner/runner");
      await importModules(common.imports ?? []);
      learnerNames().forEach((n) => out(n));
    } else if (what === "datasets") DATASET_NAMES.forEach((n) => out(n));
    else if (what === "simulations") {
      const { importModules } = await import("@plasticity/runner/runner");
      await importModules(common.imports ?? []);
      simulationNames().forEach((n) => out(n));
    } else if (what === "experiments") {
      const root = resultsRoot();
      const rows = [[
        "experiment",
        "trials",
        "done",
        "diverged",
        "failed",
        "running",
        "incomplete",
      ]];
      let names: string[] = [];
      try {
        names = [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name).sort();
      } catch { /* no results yet */ }
      for (const name of names) {
        const entries = loadResultsIndex(`${root}/${name}`);
        if (entries.length === 0) continue;
        const c = countStates(entries);
        rows.push([
          name,
          String(entries.length),
          ...[c.done, c.diverged, c.failed, c.running, c.incomplete].map(String),
        ]);
      }
      if (rows.length === 1) out(`no experiments in ${root}`);
      else out(table(rows));
    } else {
      throw new UsageError(
        `list: expected one of experiments, rules, datasets, simulations, got "${what}"`,
      );
    }
    return 0;
  }

  if (command === "emit") return await emit(rest, v, common);

  if (command === "schema") {
    if (rest.length) throw new UsageError(`schema: expected no arguments, got ${rest.length}`);
    const { importModules } = await import("@plasticity/runner/runner");
    await importModules(common.imports ?? []);
    const text = JSON.stringify(experimentJsonSchema(), null, 2) + "\n";
    if (v.out === undefined) Deno.stdout.writeSync(new TextEncoder().encode(text));
    else {
      Deno.writeTextFileSync(v.out, text);
      console.error(`wrote ${v.out}`);
    }
    return 0;
  }

  // `run` takes several configs (run one after another, all checked before the first starts);
  // the other commands, and `run --dry-run`, one.
  const several = command === "run" && !v["dry-run"] && rest.length > 1;
  if (rest.length !== 1 && !several) {
    throw new UsageError(
      `${command}: expected ${
        command === "run"
          ? `a config file${v["dry-run"] ? " (one with --dry-run)" : " or several"}`
          : "one config file or results folder"
      }, got ${rest.length} arguments`,
    );
  }
  const target = rest[0]!;

  if (command === "status") {
    const s = await experimentStatus(target, common);
    const parts = Object.entries(s.counts).map(([k, n]) => `${k} ${n}`);
    const backends: Record<string, number> = {};
    for (const t of s.trials) for (const b of t.backends) backends[b] = (backends[b] ?? 0) + 1;
    const ran = Object.entries(backends).map(([b, n]) => `${b} ${n}`).join(", ");
    out(
      `${s.dir}: ${s.total} trials${parts.length ? ": " + parts.join(", ") : ""}${
        ran ? ` (run with ${ran})` : ""
      }`,
    );
    if (s.others > 0) {
      out(`  ${plural(s.others, "other trial folder")} there belong to no trial of this config`);
    }
    const keys = Object.keys(s.trials[0]?.point ?? {});
    const withSeed = s.trials[0]?.seed !== undefined;
    const rows = [["#", "trial", ...keys, ...(withSeed ? ["seed"] : []), "state", "backends"]];
    s.trials.slice(0, SHOWN).forEach((t, i) => {
      rows.push([
        String(i),
        t.id,
        ...keys.map((k) => showCell(t.point?.[k])),
        ...(withSeed ? [String(t.seed)] : []),
        t.state,
        t.backends.join(",") || "-",
      ]);
    });
    if (s.trials.length) out(table(rows));
    if (s.trials.length > SHOWN) out(`… and ${s.trials.length - SHOWN} more`);
    for (const t of s.trials) {
      if (t.error) out(`  ${t.id} ${t.state} (${t.backends.join(",") || "-"}): ${t.error}`);
    }
    if (onQueue) {
      const q = await queue();
      const c = await q.cluster.queueCounts(q.redis, basename(s.dir), q.name);
      out(
        `queue ${q.name} on ${q.redis.shown}: ${
          Object.entries(c).map(([k, n]) => `${k} ${n}`).join(", ")
        }`,
      );
    }
    return 0;
  }

  if (command === "clean") {
    const { removed, busy } = await cleanExperiment(target, {
      ...common,
      stale: v.stale ?? false,
    });
    out(
      `removed ${removed.length} trial folder${removed.length === 1 ? "" : "s"}${
        removed.length ? ": " + removed.join(" ") : ""
      }`,
    );
    if (busy.length) {
      out(
        `left ${busy.length} trial${busy.length === 1 ? "" : "s"} a live runner holds: ${
          busy.join(" ")
        }`,
      );
    }
    if (onQueue) {
      const q = await queue();
      const { dir } = await experimentStatus(target, common);
      const jobs = await q.cluster.cleanQueue(q.redis, basename(dir), {
        stale: v.stale ?? false,
        queue: q.name,
      });
      out(
        `removed ${plural(jobs.length, "job")} from queue ${q.name}${
          jobs.length ? ": " + jobs.join(" ") : ""
        }`,
      );
    }
    return 0;
  }

  // run
  const options: RunOptions = { ...common };
  if (v.jobs !== undefined) {
    const n = Number(v.jobs);
    if (!Number.isInteger(n) || n < 1) {
      throw new UsageError(`--jobs: expected a positive integer, got "${v.jobs}"`);
    }
    options.jobs = n;
  }
  if (v.force) options.force = true;
  if (v.verbose) options.verbose = true;
  try {
    const shard = resolveShard(v.shard, Deno.env.toObject());
    if (shard) options.shard = shard;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (v.where?.length) options.where = v.where.map(parseWhere);
  if (v.executor === "bullmq") {
    const q = await queue();
    options.executor = q.cluster.bullmqExecutor({ redis: q.redis, queue: q.name });
  } else if (v.redis !== undefined || v.queue !== undefined) {
    throw new UsageError("--redis and --queue need --executor bullmq");
  }
  if (v.progress !== undefined) {
    if (!["auto", "tty", "plain", "none"].includes(v.progress)) {
      throw new UsageError(
        `--progress: expected one of auto, tty, plain, none, got "${v.progress}"`,
      );
    }
    options.progress = v.progress as NonNullable<RunOptions["progress"]>;
  }
  if (v["dry-run"] && options.where) {
    // A filtered sweep is expanded to be filtered (as a run would), then listed like the others.
    const r = await runExperiment(target, { ...options, dryRun: true });
    out(trialTable(r.trials.slice(0, SHOWN), Object.keys(r.trials[0]?.trial.point ?? {})));
    if (r.trials.length > SHOWN) out(`… and ${r.trials.length - SHOWN} more`);
    const finished = (r.counts.done ?? 0) + (r.counts.diverged ?? 0);
    out(
      `${plural(r.trials.length, "trial")} kept by --where → ${r.dir}${
        finished ? `; ${finished} already finished` : ""
      }`,
    );
    return 0;
  }
  if (v["dry-run"]) {
    // Bounded time and memory whatever the sweep: the count is computed, only SHOWN rows kept.
    const p = await previewExperiment(target, { ...common, rows: SHOWN });
    out(trialTable(p.rows, p.keys));
    if (p.total > p.rows.length) out(`… and ${p.total - p.rows.length} more`);
    const finished = (p.counts?.done ?? 0) + (p.counts?.diverged ?? 0);
    out(
      `${plural(p.total, "trial")} (${plural(p.points, "grid point")} × ${
        plural(p.seeds, "seed")
      }) → ${p.dir}${finished ? `; ${finished} already finished` : ""}`,
    );
    if (!p.counts) {
      out(
        `checked ${p.checkedPoints} of ${p.points} grid points (the first, and each grid value once); a run checks every point`,
      );
    }
    return 0;
  }
  // Every config is read, validated and expanded before any trial runs, so a bad second file
  // stops the command before the first one's trials start.
  if (several) {
    for (const file of rest) await expandTrials(file, options);
  }
  const controller = new AbortController();
  const onSig = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSig);
  Deno.addSignalListener("SIGTERM", onSig);
  let failed = false;
  try {
    for (const file of rest) {
      const report = await runExperiment(file, { ...options, signal: controller.signal });
      const parts = Object.entries(report.counts).map(([k, n]) => `${k} ${n}`);
      console.error(
        `${report.experiment}: ${report.trials.length} trials: ${parts.join(", ")} → ${report.dir}`,
      );
      for (const r of report.trials) {
        if (r.state === "failed") console.error(`  failed ${trialLabel(r.trial)}: ${r.error}`);
      }
      if (report.interrupted) return 130;
      failed ||= report.trials.some((r) => r.state === "failed");
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSig);
    Deno.removeSignalListener("SIGTERM", onSig);
  }
  return failed ? 1 : 0;
}

/** A count flag: a positive integer, or absent. */
function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${flag}: expected a positive integer, got "${value}"`);
  }
  return n;
}

/** Drops the options left undefined (the emitters take exact optional types). */
function given<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** `emit slurm|k8s <config>`: a job-array script or an Indexed Job manifest for the sweep. */
async function emit(
  rest: string[],
  v: Record<string, string | boolean | string[] | undefined>,
  common: Pick<RunOptions, "backend" | "imports" | "maxTrials">,
): Promise<number> {
  const [kind, config, ...extra] = rest;
  if (kind !== "slurm" && kind !== "k8s") {
    throw new UsageError(
      `emit: expected slurm or k8s, got ${kind === undefined ? "nothing" : `"${kind}"`}`,
    );
  }
  if (config === undefined || extra.length) {
    throw new UsageError(
      `emit ${kind}: expected one config file, got ${rest.length - 1} arguments`,
    );
  }
  const p = await previewExperiment(config, { ...common, rows: 0 });
  const str = (k: string) => v[k] as string | undefined;
  const base = { config, trials: p.total, experiment: p.experiment };
  let text: string;
  try {
    text = kind === "slurm"
      ? emitSlurm({
        ...base,
        ...given({
          shards: count("shards", str("shards")),
          concurrency: count("concurrency", str("concurrency")),
          partition: str("partition"),
          time: str("time"),
          cpusPerTask: count("cpus", str("cpus")),
          memory: str("mem"),
          modules: v.module as string[] | undefined,
          setup: v.setup as string[] | undefined,
        }),
      })
      : emitK8s({
        ...base,
        ...given({
          shards: count("shards", str("shards")),
          parallelism: count("parallelism", str("parallelism")),
          image: str("image"),
          workdir: str("workdir"),
          pvc: str("pvc"),
          cpu: str("cpus"),
          memory: str("mem"),
        }),
      });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const file = str("out");
  if (file === undefined) Deno.stdout.writeSync(new TextEncoder().encode(text));
  else {
    Deno.writeTextFileSync(file, text);
    console.error(`wrote ${file}: ${p.total} trials of ${p.experiment}`);
  }
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    // Relative paths are the user's: `deno task` starts us in the toolkit's folder.
    enterUserWorkdir();
    code = await main(Deno.args);
  } catch (e) {
    // A config error may list several problems, one per line; anything else prints one line.
    const lines = (e instanceof Error ? e.message : String(e)).split("\n");
    for (const line of e instanceof ConfigError ? lines : lines.slice(0, 1)) {
      console.error(`error: ${line}`);
    }
    code = e instanceof ConfigError || e instanceof UsageError ? 2 : 1;
  }
  Deno.exit(code);
}
