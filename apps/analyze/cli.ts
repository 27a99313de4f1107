/**
 * The command line of `deno task analyze`: parses arguments into {@linkcode AnalyzeOptions}, reads
 * the trials (`@plasticity/runner`'s `readTrials`), runs {@linkcode analyze} and writes its files.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  analyze,
  type AnalyzeOptions,
  type Band,
  CHART_KINDS,
  type ChartKind,
  type Goal,
  type Reduce,
  REDUCE_NAMES,
  resolveFontFiles,
} from "@plasticity/analysis";
import { isFile, readTrials } from "@plasticity/runner/results";

/** The help text. */
export const USAGE = `Usage: deno task analyze <results…> --y <metric> [options]

Loads results folders (a results root, experiment or trial folders), draws one figure per metric
(SVG and PNG), writes table.md and table.csv (each metric reduced per trial, then mean, sample std
(n − 1), sem, min and max over seeds per group) and report.html into --out.

Options:
  --y <col>          metric column; repeat or comma-separate for several (required)
  --x <col>          x column (default epoch); for scatter/bar/point a config column, e.g. network.depth
  --group <col>      column(s) that split lines, colours or bars, e.g. rule.name (or rule:
                     a name that is not a column but has <name>.name means that); repeatable
  --chart <kind>     ${CHART_KINDS.join(" | ")} (default line)
  --band <b>         std | sem | none: band or error bar around the mean (default std)
  --reduce <r>       ${REDUCE_NAMES.join(" | ")}: one number per trial (default final)
  --better <g>       min | max: which direction is better (default from the metric name)
  --best-by <col>    also pick the best setting per group of these columns; repeatable
  --filter <c=v,…>   keep rows whose column c is one of the values; repeatable
  --state <s>        keep trials in this state (done, diverged, failed, running); repeatable
  --order <col>      column ordering a trial's curve for --reduce final (default epoch, or t)
  --log-x, --log-y   log-scale axes
  --title <text>     report title
  --x-title <text>   x axis title
  --y-title <text>   y axis title
  --png-width <px>   PNG width (default twice the SVG width)
  --font <file>      font file for the PNG text (default DejaVu Sans); repeatable
  --digits <n>       significant digits in Markdown and HTML tables (default 4)
  --out <dir>        output folder (default $PLASTICITY_RESULTS/_analysis, i.e. results/_analysis)
  -h, --help         show this help
`;

function split(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(
      `Option --${flag} "${value}" is not valid: expected one of ${allowed.join(", ")}`,
    );
  }
  return value as T;
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`Option --${flag} "${value}" is not valid: expected a positive integer`);
  }
  return n;
}

/**
 * A parsed command line: the results folders, the font files named, and the options for
 * {@linkcode analyze} (less the trials and fonts, which {@linkcode main} reads and resolves); or a
 * request for help.
 */
export type Command = { readonly help: true } | {
  readonly help: false;
  /** The results folders (results roots, experiments or trials). */
  readonly results: readonly string[];
  /** The font files of `--font`, when any (else DejaVu Sans). */
  readonly fonts?: readonly string[];
  /** The analysis options. */
  readonly options: Omit<AnalyzeOptions, "trials" | "rows" | "fontFiles">;
};

/**
 * Parses the command line of `deno task analyze`.
 *
 * @param args The arguments (without the program).
 * @param env Reads environment variables (for `PLASTICITY_RESULTS`).
 * @returns The folders, fonts and analysis options, or `{ help: true }`.
 * @throws {Error} With a one-line message on an unknown option, a bad value or a missing argument.
 *
 * @example
 * ```ts
 * import { parseCli } from "@plasticity/analyze/cli";
 * const cmd = parseCli(["results/sine", "--y", "test_loss", "--group", "rule.name", "--filter", "optimizer.lr=0.1,0.01"]);
 * console.assert(!cmd.help && cmd.results[0] === "results/sine" && cmd.options.group?.[0] === "rule.name");
 * ```
 */
export function parseCli(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        x: { type: "string" },
        y: { type: "string", multiple: true },
        group: { type: "string", multiple: true },
        chart: { type: "string" },
        band: { type: "string" },
        reduce: { type: "string" },
        better: { type: "string" },
        "best-by": { type: "string", multiple: true },
        filter: { type: "string", multiple: true },
        state: { type: "string", multiple: true },
        order: { type: "string" },
        "log-x": { type: "boolean" },
        "log-y": { type: "boolean" },
        title: { type: "string" },
        "x-title": { type: "string" },
        "y-title": { type: "string" },
        "png-width": { type: "string" },
        font: { type: "string", multiple: true },
        digits: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new Error(`${(e as Error).message.split("\n")[0]!.replace(/\.$/, "")}; see --help`);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (parsed.positionals.length === 0) {
    throw new Error("No results folder given: expected at least one path; see --help");
  }
  const ys = split(v.y);
  if (ys.length === 0) {
    throw new Error("No metric given: expected --y <column>, e.g. --y test_accuracy");
  }
  const where: Record<string, string[]> = {};
  for (const f of v.filter ?? []) {
    const eq = f.indexOf("=");
    if (eq <= 0 || eq === f.length - 1) {
      throw new Error(`Option --filter "${f}" is not valid: expected column=value[,value…]`);
    }
    where[f.slice(0, eq)] = f.slice(eq + 1).split(",");
  }
  const digits = positiveInt("digits", v.digits);
  const pngWidth = positiveInt("png-width", v["png-width"]);
  const chart = oneOf<ChartKind>("chart", v.chart, CHART_KINDS);
  const band = oneOf<Band>("band", v.band, ["std", "sem", "none"]);
  const reduce = oneOf<Reduce>("reduce", v.reduce, REDUCE_NAMES);
  const better = oneOf<Goal>("better", v.better, ["min", "max"]);
  const states = split(v.state),
    group = split(v.group),
    bestBy = split(v["best-by"]),
    fonts = v.font ?? [];
  const options: Omit<AnalyzeOptions, "trials" | "rows" | "fontFiles"> = {
    y: ys,
    out: v.out ?? join(env("PLASTICITY_RESULTS") ?? "results", "_analysis"),
    ...(v.x === undefined ? {} : { x: v.x }),
    ...(group.length ? { group } : {}),
    ...(chart === undefined ? {} : { chart }),
    ...(band === undefined ? {} : { band }),
    ...(reduce === undefined ? {} : { reduce }),
    ...(better === undefined ? {} : { better }),
    ...(bestBy.length ? { bestBy } : {}),
    ...(Object.keys(where).length ? { where } : {}),
    ...(states.length ? { states } : {}),
    ...(v.order === undefined ? {} : { order: v.order }),
    ...(v["log-x"] ? { logX: true } : {}),
    ...(v["log-y"] ? { logY: true } : {}),
    ...(v.title === undefined ? {} : { title: v.title }),
    ...(v["x-title"] === undefined ? {} : { xTitle: v["x-title"] }),
    ...(v["y-title"] === undefined ? {} : { yTitle: v["y-title"] }),
    ...(pngWidth === undefined ? {} : { pngWidth }),
    ...(digits === undefined ? {} : { digits }),
  };
  return { help: false, results: parsed.positionals, ...(fonts.length ? { fonts } : {}), options };
}

/**
 * Runs `deno task analyze` with the given arguments: prints the help, or reads the trials, runs
 * the analysis, writes its files into `--out` and prints the files written and the summary table.
 *
 * @param args The arguments.
 * @param print Where output lines go (default `console.log`).
 * @returns The exit code: 0 on success, 1 on an error (printed to stderr).
 *
 * @example
 * ```ts
 * import { main } from "@plasticity/analyze/cli";
 * const lines: string[] = [];
 * console.assert(await main(["--help"], (l) => lines.push(l)) === 0 && lines[0]!.startsWith("Usage"));
 * ```
 */
export async function main(
  args: readonly string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  try {
    const cmd = parseCli(args, (n) => Deno.env.get(n));
    if (cmd.help) {
      print(USAGE);
      return 0;
    }
    const trials = await readTrials(cmd.results);
    const fontFiles = resolveFontFiles(cmd.fonts, isFile);
    const result = await analyze({ ...cmd.options, trials, fontFiles });
    const out = cmd.options.out;
    await Deno.mkdir(out, { recursive: true });
    const written: string[] = [];
    for (const [name, data] of result.files) {
      const path = join(out, name);
      if (typeof data === "string") await Deno.writeTextFile(path, data);
      else await Deno.writeFile(path, data);
      written.push(path);
    }
    for (const f of written) print(`wrote ${f}`);
    for (const n of result.notes) print(n);
    print("");
    print(String(result.files.get("table.md") ?? "").trimEnd());
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}
