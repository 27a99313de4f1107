/**
 * Command-line parsing of `deno task reproduce`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Mode } from "./types.ts";

/** Parsed command line. */
export interface CliOptions {
  /** Print the registry and exit. */
  list: boolean;
  /** Print usage and exit. */
  help: boolean;
  /** Figure selectors (`fig3`, `pc/fig3`, `pal`). */
  figures: string[];
  /** Quick (default) or full protocol. */
  mode: Mode;
  /** Panels to produce (empty: all). */
  panels: string[];
  /** Output root. */
  out: string;
  /** Parallel trial processes. */
  jobs: number;
  /** Redo finished trials. */
  force: boolean;
  /** Analyse the finished trials under `out` and run none. */
  noRun: boolean;
  /** Where trials run: `local` processes (default) or `bullmq` workers. */
  executor: "local" | "bullmq";
  /** The Redis URL of the queue (`--executor bullmq`; else `PLASTICITY_REDIS_URL`). */
  redis?: string;
}

/** Usage text. */
export const USAGE = `Usage: deno task reproduce <figure>... [options]

Regenerates paper figures end to end: runs the trials, analyses them, and writes the panels
(SVG + PNG), a summary table (paper vs ours, met / not met per expected outcome) and an HTML
report under <out>/<paper>/<figure>/.

Figures: a full id (pc/fig3, pal/fig3), a figure name shared by papers (fig3 = both), or a paper.

Options:
  --list            list the registered figures and their panels
  --quick           reduced protocol, minutes on one core (default; stated on every chart)
  --full            the paper's protocol (hours)
  --panels 3a,3e    only these panels (repeatable or comma-separated)
  --out DIR         output root (default results/reproduce)
  --jobs N          parallel trial processes (default 1)
  --force           redo trials that already finished
  --no-run          run nothing: analyse the trials already finished under --out (e.g. a
                    committed archive of a long protocol) and say how many are missing
  --executor E      local (default) or bullmq: run the trials on workers of a BullMQ queue
                    (start them with deno task worker)
  --redis URL       the queue's Redis (default PLASTICITY_REDIS_URL), with --executor bullmq
  -h, --help        this text`;

/**
 * Parses the arguments of `deno task reproduce`.
 *
 * @param args The arguments (without the program).
 * @returns The options.
 * @throws {Error} On an unknown option, both `--quick` and `--full`, or a bad `--jobs`.
 *
 * @example
 * ```ts
 * import { parseCli } from "@plasticity/reproduce/cli";
 * const o = parseCli(["fig3", "--panels", "3a,3e", "--panels", "3h"]);
 * console.assert(o.mode === "quick" && o.panels.join() === "3a,3e,3h" && o.figures[0] === "fig3");
 * ```
 */
export function parseCli(args: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        list: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
        quick: { type: "boolean", default: false },
        full: { type: "boolean", default: false },
        panels: { type: "string", multiple: true, default: [] },
        out: { type: "string", default: "results/reproduce" },
        jobs: { type: "string", default: "1" },
        force: { type: "boolean", default: false },
        "no-run": { type: "boolean", default: false },
        executor: { type: "string", default: "local" },
        redis: { type: "string" },
      },
    });
  } catch (e) {
    throw new Error(`${(e as Error).message.split("\n")[0]} (see --help)`);
  }
  const v = parsed.values;
  if (v.quick && v.full) {
    throw new Error("Options --quick and --full exclude each other: expected one");
  }
  const jobs = Number(v.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new Error(`Invalid --jobs "${v.jobs}": expected a positive integer`);
  }
  if (v.executor !== "local" && v.executor !== "bullmq") {
    throw new Error(`Invalid --executor "${v.executor}": expected local or bullmq`);
  }
  if (v["no-run"] && (v.force || v.executor !== "local")) {
    throw new Error(
      `Option --no-run runs nothing: it excludes ${v.force ? "--force" : "--executor"}`,
    );
  }
  if (v.redis !== undefined && v.executor !== "bullmq") {
    throw new Error("Option --redis needs --executor bullmq");
  }
  const panels = (v.panels as string[]).flatMap((p) => p.split(",")).map((p) => p.trim())
    .filter((p) => p.length > 0);
  return {
    list: v.list as boolean,
    help: v.help as boolean,
    figures: parsed.positionals,
    mode: v.full ? "full" : "quick",
    panels,
    out: v.out as string,
    jobs,
    force: v.force as boolean,
    noRun: v["no-run"] as boolean,
    executor: v.executor,
    ...(v.redis === undefined ? {} : { redis: v.redis as string }),
  };
}
