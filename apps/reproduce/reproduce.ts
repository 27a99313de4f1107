/**
 * Reproduces one figure end to end: runs its configs with the runner (`@plasticity/runner`, resumable
 * results under `<out>/<paper>/<figure>/runs/`), analyses the trials of this invocation, renders
 * every panel to SVG and PNG, and writes the summary table (paper vs ours with verdicts) and the
 * HTML report.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { renderPng, renderSvg, resolveFontFiles, type Row, trialRows } from "@plasticity/analysis";
import {
  type Executor,
  experimentStatus,
  isFile,
  isTrialDir,
  loadConfig,
  readTrials,
  runExperiment,
} from "@plasticity/runner";
import { missingData } from "./_data.ts";
import { describeOverride, mergeConfig } from "./overrides.ts";
import { figureDir, figureFolder } from "./registry.ts";
import { writeReport } from "./report.ts";
import type { FigureDefinition, FigureOutput, Mode } from "./types.ts";
import type { Outcome } from "./verdict.ts";

/** Options of {@linkcode reproduceFigure}. */
export interface ReproduceOptions {
  /** `quick` (default protocol of the app) or `full`. */
  mode: Mode;
  /** Panels to produce (all when left out). */
  panels?: readonly string[];
  /** Output root (default `results/reproduce`). */
  outRoot?: string;
  /** Parallel trial processes. */
  jobs?: number;
  /** Redo trials that are already done. */
  force?: boolean;
  /**
   * Run nothing: analyse the trials already finished (done or diverged) under the output root,
   * and report each experiment with trials still missing in {@linkcode FigureReport.unfinished}.
   */
  noRun?: boolean;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
  /** Where the trials run (default: local processes, `jobs` at a time). */
  executor?: Executor;
}

/** What {@linkcode reproduceFigure} produced. */
export interface FigureReport {
  /** The figure. */
  figure: FigureDefinition;
  /** Its output folder. */
  outDir: string;
  /** Panels produced. */
  panels: string[];
  /** Outcomes with verdicts. */
  outcomes: Outcome[];
  /** Files written, relative to `outDir`. */
  files: string[];
  /** Trials that failed (id and error). */
  failures: string[];
  /** Experiments not run because their data files are missing (file and the loader's message). */
  skipped: string[];
  /**
   * With `noRun`: experiments analysed on part of their trials (file and `k of n trials
   * finished`); their verdicts rest on those trials alone.
   */
  unfinished: string[];
  /** Wall time in seconds. */
  wallS: number;
  /** Trials run, and trials reused because an earlier invocation finished them. */
  trials: { total: number; reused: number };
}

/**
 * The experiments of a figure that the selected panels need, with their configs for the mode.
 *
 * @param figure The figure.
 * @param mode Quick or full.
 * @param panels Selected panels.
 * @param dir The folder holding the figure's configs (default: its own folder).
 * @returns File name, config data and the quick-mode description per experiment.
 *
 * @example
 * ```ts
 * import { PC_FIG3 } from "./figures/pc/fig3/figure.ts";
 * import { experimentConfigs } from "./reproduce.ts";
 * const e = await experimentConfigs(PC_FIG3, "quick", new Set(["3a"]));
 * console.assert(e.length === 1 && e[0]!.raw.name === "pc-fig3a");
 * ```
 */
export async function experimentConfigs(
  figure: FigureDefinition,
  mode: Mode,
  panels: ReadonlySet<string>,
  dir: string = figureDir(figure.id),
): Promise<
  { file: string; raw: Record<string, unknown>; reduced: string; panels: readonly string[] }[]
> {
  const out = [];
  for (const e of figure.experiments) {
    if (!e.panels.some((p) => panels.has(p))) continue;
    const { raw } = await loadConfig(join(dir, e.file));
    const quick = mode === "quick" && e.quick ? e.quick : undefined;
    out.push({
      file: e.file,
      raw: withInitFromIn(dir, quick ? mergeConfig(raw, quick) : raw),
      reduced: quick ? (e.quickNote ?? describeOverride(quick)) : "",
      panels: e.panels,
    });
  }
  return out;
}

/**
 * A figure's config is passed to the runner as data, so a relative `init_from` path in it would
 * resolve against the working folder: it is made absolute against the figure's folder, as the
 * runner does for a config read from a file.
 */
function withInitFromIn(dir: string, raw: Record<string, unknown>): Record<string, unknown> {
  const given = raw.init_from;
  const abs = (p: string) => isAbsolute(p) ? p : join(dir, p);
  if (typeof given === "string") return { ...raw, "init_from": abs(given) };
  if (
    given && typeof given === "object" && typeof (given as { config?: unknown }).config === "string"
  ) {
    const g = given as { config: string };
    return { ...raw, "init_from": { ...g, config: abs(g.config) } };
  }
  return raw;
}

/**
 * Resolves `--panels` for one figure.
 *
 * @param figure The figure.
 * @param panels Requested panel ids (all when undefined or empty).
 * @returns The panel ids of this figure that were requested.
 *
 * @example
 * ```ts
 * import { PC_FIG3 } from "./figures/pc/fig3/figure.ts";
 * import { selectPanels } from "./reproduce.ts";
 * console.assert([...selectPanels(PC_FIG3, ["3a", "3x"])].join() === "3a");
 * console.assert(selectPanels(PC_FIG3, undefined).size === 6);
 * ```
 */
export function selectPanels(
  figure: FigureDefinition,
  panels: readonly string[] | undefined,
): Set<string> {
  const all = figure.panels.map((p) => p.id);
  if (!panels || panels.length === 0) return new Set(all);
  return new Set(all.filter((p) => panels.includes(p)));
}

/**
 * Runs, analyses and reports one figure.
 *
 * @param figure The figure.
 * @param options Mode, panels, output root, parallelism, force, log.
 * @returns What was produced, with the verdicts.
 *
 * @example
 * ```ts ignore
 * import { PC_FIG3 } from "./figures/pc/fig3/figure.ts";
 * import { reproduceFigure } from "./reproduce.ts";
 * const r = await reproduceFigure(PC_FIG3, { mode: "quick", panels: ["3a"] });
 * ```
 */
export async function reproduceFigure(
  figure: FigureDefinition,
  options: ReproduceOptions,
): Promise<FigureReport> {
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const panels = selectPanels(figure, options.panels);
  const outDir = join(options.outRoot ?? join("results", "reproduce"), figure.id);
  const runsDir = join(outDir, "runs");
  Deno.mkdirSync(outDir, { recursive: true });
  const experiments = await experimentConfigs(
    figure,
    options.mode,
    panels,
    await figureFolder(figure, outDir),
  );
  const trialDirs = new Map<string, string[]>();
  const failures: string[] = [];
  const missing = new Map<string, string>();
  const unfinished: string[] = [];
  const trials = { total: 0, reused: 0 };
  for (const e of experiments) {
    const te = performance.now();
    const why = await missingData(e.raw);
    if (why !== undefined) {
      missing.set(e.file, why);
      log(`${figure.id} ${e.file}: not run, data missing: ${why}`);
      continue;
    }
    if (options.noRun) {
      const status = await experimentStatus(e.raw, { resultsDir: runsDir });
      const finished = status.trials.filter((t) => t.state === "done" || t.state === "diverged");
      trialDirs.set(e.file, finished.map((t) => join(status.dir, t.id)));
      trials.total += status.total;
      trials.reused += finished.length;
      if (finished.length < status.total) {
        unfinished.push(`${e.file}: ${finished.length} of ${status.total} trials finished`);
      }
      log(
        `${figure.id} ${e.file}: not run (--no-run), ${finished.length} of ${status.total} trials finished`,
      );
      continue;
    }
    log(`${figure.id} ${e.file}: running (${options.mode}${e.reduced ? `: ${e.reduced}` : ""})`);
    const report = await runExperiment(e.raw, {
      resultsDir: runsDir,
      jobs: options.jobs ?? 1,
      force: options.force ?? false,
      progress: "none",
      ...(options.executor ? { executor: options.executor } : {}),
    });
    trialDirs.set(e.file, report.trials.map((t) => t.dir));
    trials.total += report.trials.length;
    trials.reused += report.trials.filter((t) => t.state === "skipped").length;
    for (const t of report.trials) {
      if (t.state === "failed" || t.state === "incomplete") {
        failures.push(`${e.file} trial ${t.trial.id}: ${t.state}${t.error ? `: ${t.error}` : ""}`);
      }
    }
    const counts = Object.entries(report.counts).map(([k, v]) => `${v} ${k}`).join(", ");
    log(`${figure.id} ${e.file}: ${counts} in ${((performance.now() - te) / 1000).toFixed(1)} s`);
  }
  const note = (panel: string) => {
    if (options.mode === "full") return "Full protocol (the paper's).";
    const mine = experiments.filter((e) => e.panels.includes(panel) && e.reduced);
    const distinct = [...new Set(mine.map((e) => e.reduced))];
    if (distinct.length === 0) {
      return "Quick mode: the paper's protocol (nothing reduced for this panel).";
    }
    const parts = distinct.length === 1 ? distinct : mine.map((e) => `${e.file}: ${e.reduced}`);
    return `QUICK MODE, reduced protocol: ${parts.join("; ")}`;
  };
  const rowsCache = new Map<string, Row[]>();
  const output: FigureOutput = await figure.analyse({
    mode: options.mode,
    panels,
    note,
    missing: (file) => missing.get(file),
    async rows(file) {
      const cached = rowsCache.get(file);
      if (cached) return cached;
      const dirs = (trialDirs.get(file) ?? []).filter(isTrialDir);
      const rows = dirs.length === 0
        ? []
        : trialRows(await readTrials(dirs), { states: ["done", "diverged"] });
      rowsCache.set(file, rows);
      return rows;
    },
  });
  const files: string[] = [];
  let fontFiles: string[] | undefined;
  for (const c of output.charts) {
    const svg = await renderSvg(c.spec as Parameters<typeof renderSvg>[0]);
    Deno.writeTextFileSync(join(outDir, `${c.name}.svg`), svg);
    fontFiles ??= resolveFontFiles(undefined, isFile);
    Deno.writeFileSync(join(outDir, `${c.name}.png`), renderPng(svg, { fontFiles }));
    files.push(`${c.name}.svg`, `${c.name}.png`);
  }
  const wallS = (performance.now() - t0) / 1000;
  const result: FigureReport = {
    figure,
    outDir,
    panels: [...panels],
    outcomes: output.outcomes,
    files,
    failures,
    skipped: [...missing].map(([file, why]) => `${file}: ${why}`),
    unfinished,
    wallS,
    trials,
  };
  files.push(
    ...writeReport(result, output, {
      mode: options.mode,
      notes: experiments.map((e) => ({ file: e.file, reduced: e.reduced })),
    }),
  );
  return result;
}
