/**
 * The command line of `deno task analyze`: parses arguments into {@linkcode AnalyzeOptions}, reads
 * the trials (`@plasticity/runner`'s `readTrials`), runs {@linkcode analyze} and writes its files.
 *
 * The output folder appears whole or not at all: the files are written into a hidden sibling folder
 * that is renamed into place at the end, and removed on any failure
 * ({@linkcode writeOutputFolder}).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  analyze,
  type AnalyzeOptions,
  type Band,
  CHART_KINDS,
  type ChartKind,
  type Goal,
  MAX_PNG_SIDE,
  type Reduce,
  REDUCE_NAMES,
  resolveFontFiles,
  unfinishedNote,
} from "@plasticity/analysis";
import { isFile, readTrials } from "@plasticity/runner/results";

/** The most significant digits `--digits` takes: 17 tell every float64 apart. */
export const MAX_DIGITS = 17;

/** A bad command line: `main` prints it and exits with code 2. */
export class UsageError extends Error {
  /** The error's name. */
  override name = "UsageError";
}

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
  --state <s>        keep trials in this state (done, diverged, failed, running, unknown);
                     repeatable (default: the finished ones, done and diverged)
  --include-unfinished
                     keep running, failed and unknown trials too (left out by default, and
                     counted on stderr and in the report)
  --order <col>      column ordering a trial's curve for --reduce final (default epoch, or t)
  --log-x, --log-y   log-scale axes
  --title <text>     report title
  --x-title <text>   x axis title
  --y-title <text>   y axis title
  --png-width <px>   PNG width, at most ${MAX_PNG_SIDE} (default twice the SVG width)
  --png-height <px>  PNG height, at most ${MAX_PNG_SIDE}, instead of --png-width
  --font <file>      font file for the PNG text (default DejaVu Sans); repeatable
  --digits <n>       significant digits in Markdown and HTML tables, at most ${MAX_DIGITS} (default 4)
  --out <dir>        output folder, replaced whole (default $PLASTICITY_RESULTS/_analysis, i.e.
                     results/_analysis); an existing one may hold only files analyze writes
  -h, --help         show this help

Exit codes: 0 done, 1 error, 2 bad command line.
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
    throw new UsageError(
      `Option --${flag} "${value}" is not valid: expected one of ${allowed.join(", ")}`,
    );
  }
  return value as T;
}

function boundedInt(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === "" ? NaN : Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max) {
    throw new UsageError(
      `Option --${flag} "${value}" is not valid: expected a whole number from 1 to ${max}`,
    );
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
 * @throws {UsageError} With a one-line message on an unknown option, a bad or out-of-range value
 * or a missing argument.
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
        "include-unfinished": { type: "boolean" },
        order: { type: "string" },
        "log-x": { type: "boolean" },
        "log-y": { type: "boolean" },
        title: { type: "string" },
        "x-title": { type: "string" },
        "y-title": { type: "string" },
        "png-width": { type: "string" },
        "png-height": { type: "string" },
        font: { type: "string", multiple: true },
        digits: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError(
      `${(e as Error).message.split("\n")[0]!.replace(/\.$/, "")}; see --help`,
    );
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (parsed.positionals.length === 0) {
    throw new UsageError("No results folder given: expected at least one path; see --help");
  }
  const ys = split(v.y);
  if (ys.length === 0) {
    throw new UsageError("No metric given: expected --y <column>, e.g. --y test_accuracy");
  }
  const where: Record<string, string[]> = {};
  for (const f of v.filter ?? []) {
    const eq = f.indexOf("=");
    if (eq <= 0 || eq === f.length - 1) {
      throw new UsageError(
        `Option --filter "${f}" is not valid: expected column=value[,value…]`,
      );
    }
    where[f.slice(0, eq)] = f.slice(eq + 1).split(",");
  }
  const digits = boundedInt("digits", v.digits, MAX_DIGITS);
  const pngWidth = boundedInt("png-width", v["png-width"], MAX_PNG_SIDE);
  const pngHeight = boundedInt("png-height", v["png-height"], MAX_PNG_SIDE);
  if (pngWidth !== undefined && pngHeight !== undefined) {
    throw new UsageError(
      "Options --png-width and --png-height are both given: expected one of them, the other keeps the aspect ratio",
    );
  }
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
    ...(v["include-unfinished"] ? { includeUnfinished: true } : {}),
    ...(v.order === undefined ? {} : { order: v.order }),
    ...(v["log-x"] ? { logX: true } : {}),
    ...(v["log-y"] ? { logY: true } : {}),
    ...(v.title === undefined ? {} : { title: v.title }),
    ...(v["x-title"] === undefined ? {} : { xTitle: v["x-title"] }),
    ...(v["y-title"] === undefined ? {} : { yTitle: v["y-title"] }),
    ...(pngWidth === undefined ? {} : { pngWidth }),
    ...(pngHeight === undefined ? {} : { pngHeight }),
    ...(digits === undefined ? {} : { digits }),
  };
  return { help: false, results: parsed.positionals, ...(fonts.length ? { fonts } : {}), options };
}

/**
 * The names of the files {@linkcode analyze} makes: an existing output folder holding only these
 * (or nothing) is an earlier report, which {@linkcode writeOutputFolder} may replace.
 */
const OUTPUT_NAME =
  /^(?:(?:table|best)\.(?:md|csv)|report\.html|(?:line|scatter|bar|point)-[A-Za-z0-9_-]+\.(?:svg|png))$/;

/**
 * Checks that a report may be written to a folder: it does not exist yet, or it is a folder that
 * is empty or holds only files `analyze` writes (an earlier report, which would be replaced).
 *
 * @param out The output folder.
 * @returns Whether the folder exists.
 * @throws {Error} When the path is not a folder, or the folder holds anything `analyze` did not
 * write (so replacing it could lose someone's files).
 *
 * @example
 * ```ts
 * import { checkOutputFolder } from "@plasticity/analyze/cli";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/table.md`, "| a |\n");
 * console.assert(checkOutputFolder(dir) && !checkOutputFolder(`${dir}/new`));
 * Deno.writeTextFileSync(`${dir}/notes.txt`, "mine");
 * try { checkOutputFolder(dir); } catch (e) { console.assert(String(e).includes('holds "notes.txt"')); }
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function checkOutputFolder(out: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(out);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  if (!info.isDirectory) {
    throw new Error(`Output path "${out}" is not a folder: expected a folder for the report`);
  }
  for (const e of Deno.readDirSync(out)) {
    if (!e.isFile || !OUTPUT_NAME.test(e.name)) {
      throw new Error(
        `Output folder "${out}" holds "${e.name}", which analyze did not write: expected a new or empty folder, or an earlier analyze report; give another --out`,
      );
    }
  }
  return true;
}

/** Options of {@linkcode writeOutputFolder}. */
export interface WriteOptions {
  /** Writes one file (default `Deno.writeTextFile` or `Deno.writeFile`); tests inject failures here. */
  readonly writeFile?: (path: string, data: string | Uint8Array) => Promise<void>;
}

async function writeOne(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
}

let partialCounter = 0;

/**
 * Writes a report's files so that the output folder appears whole or not at all: every file goes
 * into a hidden sibling folder (`.<name>.partial-…`), which is then renamed to `out`. An earlier
 * report in `out` (see {@linkcode checkOutputFolder}) is moved aside, replaced and removed; on any
 * failure the partial folder is removed and `out` is left as it was.
 *
 * @param out The output folder.
 * @param files File name → content, e.g. {@linkcode analyze}'s `files`.
 * @param options A file writer to use instead of Deno's.
 * @returns The paths written, `out` joined with each name, in order.
 * @throws {Error} When `out` may not be replaced, a name is not a plain file name, or writing or
 * renaming fails.
 *
 * @example
 * ```ts
 * import { writeOutputFolder } from "@plasticity/analyze/cli";
 * const dir = Deno.makeTempDirSync();
 * await writeOutputFolder(`${dir}/report`, new Map([["table.md", "| a |\n"]]));
 * console.assert(Deno.readTextFileSync(`${dir}/report/table.md`) === "| a |\n");
 * const boom = () => Promise.reject(new Error("disk full"));
 * const failed = await writeOutputFolder(`${dir}/other`, new Map([["table.md", ""]]), { writeFile: boom })
 *   .then(() => false, () => true);
 * console.assert(failed && [...Deno.readDirSync(dir)].map((e) => e.name).join() === "report");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeOutputFolder(
  out: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteOptions = {},
): Promise<string[]> {
  const abs = resolve(out);
  const parent = dirname(abs), name = basename(abs);
  if (name === "" || abs === parent) {
    throw new Error(`Output folder "${out}" is not valid: expected a folder below a parent`);
  }
  for (const f of files.keys()) {
    if (f === "" || f !== basename(f) || f.startsWith(".") || f.includes("\\")) {
      throw new Error(`Output file name "${f}" is not valid: expected a plain file name`);
    }
  }
  const existed = checkOutputFolder(abs);
  await Deno.mkdir(parent, { recursive: true });
  const partial = join(parent, `.${name}.partial-${Deno.pid}-${Date.now()}-${partialCounter++}`);
  await Deno.mkdir(partial);
  const write = options.writeFile ?? writeOne;
  try {
    for (const [f, data] of files) await write(join(partial, f), data);
    if (existed) {
      const old = `${partial}.old`;
      await Deno.rename(abs, old);
      try {
        await Deno.rename(partial, abs);
      } catch (e) {
        await Deno.rename(old, abs);
        throw e;
      }
      try {
        await Deno.remove(old, { recursive: true });
      } catch { /* the new report is in place; a stale hidden folder is harmless */ }
    } else {
      await Deno.rename(partial, abs);
    }
  } catch (e) {
    try {
      await Deno.remove(partial, { recursive: true });
    } catch { /* already gone */ }
    throw e;
  }
  return [...files.keys()].map((f) => join(out, f));
}

/**
 * Runs `deno task analyze` with the given arguments: prints the help, or reads the trials, runs
 * the analysis, writes its files into `--out` (whole or not at all, see
 * {@linkcode writeOutputFolder}) and prints the files written and the summary table. The number of
 * unfinished trials left out goes to `warn` as one line.
 *
 * @param args The arguments.
 * @param print Where output lines go (default `console.log`).
 * @param warn Where the left-out line and errors go (default `console.error`).
 * @returns The exit code: 0 on success, 1 on an error, 2 on a bad command line (the error printed
 * to `warn` as one line starting `error:`).
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
  warn: (line: string) => void = console.error,
): Promise<number> {
  try {
    const cmd = parseCli(args, (n) => Deno.env.get(n));
    if (cmd.help) {
      print(USAGE);
      return 0;
    }
    const out = cmd.options.out;
    checkOutputFolder(resolve(out)); // before any work
    const trials = await readTrials(cmd.results);
    const fontFiles = resolveFontFiles(cmd.fonts, isFile);
    const result = await analyze({ ...cmd.options, trials, fontFiles });
    const leftOut = unfinishedNote(result.leftOut);
    if (leftOut) warn(leftOut);
    const written = await writeOutputFolder(out, result.files);
    for (const f of written) print(`wrote ${f}`);
    for (const n of result.notes) print(n);
    print("");
    print(String(result.files.get("table.md") ?? "").trimEnd());
    return 0;
  } catch (e) {
    warn(`error: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
    return e instanceof UsageError ? 2 : 1;
  }
}
