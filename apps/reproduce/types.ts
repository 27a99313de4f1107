/**
 * The shape of a figure in the registry: its panels, the runner configs it needs, the quick-mode
 * protocol, and the analysis that turns the runs into charts and verdicts.
 *
 * @module
 */
import type { Row } from "@plasticity/analysis";
export type { Cell, Row } from "@plasticity/analysis";
import type { Outcome } from "./verdict.ts";

/** `quick` (minutes on one core) or `full` (the paper's protocol). */
export type Mode = "quick" | "full";

/** One panel of a figure. */
export interface PanelInfo {
  /** Panel id as the paper names it, e.g. `3a`. */
  id: string;
  /** What it shows, one line. */
  title: string;
}

/** One runner config (the YAML format of `deno task run`) a figure runs. */
export interface ExperimentRef {
  /** YAML file name inside the figure's folder. */
  file: string;
  /** Panels that need this experiment. */
  panels: readonly string[];
  /** Values merged over the YAML in quick mode (see `mergeConfig`). */
  quick?: Record<string, unknown>;
  /** Words for the quick-mode reduction on charts (default: the override spelled out). */
  quickNote?: string;
}

/** A chart of one panel: a Vega-Lite spec written as `<name>.svg` and `<name>.png`. */
export interface Chart {
  /** Panel id. */
  panel: string;
  /** File stem, e.g. `3a` or `fig3abc_a`. */
  name: string;
  /** The Vega-Lite spec, data inlined. */
  spec: Record<string, unknown>;
}

/** A table of numbers behind a panel, written as Markdown and CSV. */
export interface DataTable {
  /** File stem. */
  name: string;
  /** Caption. */
  title: string;
  /** Rows. */
  rows: Row[];
  /** Column order. */
  columns: string[];
}

/** What the analysis of a figure gets. */
export interface AnalysisContext {
  /** The mode the runs used. */
  mode: Mode;
  /** Panels to produce. */
  panels: ReadonlySet<string>;
  /** The metric rows of the trials an experiment ran in this invocation (analysis rows). */
  rows(file: string): Promise<Row[]>;
  /** One line stating the protocol of a panel's runs (quick-mode reductions), for its chart. */
  note(panel: string): string;
  /**
   * Why an experiment did not run for want of data files (the loader's message, with the
   * download command), `undefined` when it ran: its rows are then empty and its outcomes are
   * `not run`.
   */
  missing?(file: string): string | undefined;
}

/** What the analysis of a figure returns. */
export interface FigureOutput {
  /** Charts, one or more per panel. */
  charts: Chart[];
  /** Expected outcomes with verdicts (and information rows). */
  outcomes: Outcome[];
  /** Extra tables (e.g. best learning rate per depth). */
  tables: DataTable[];
}

/** A figure of the registry. */
export interface FigureDefinition {
  /** `<paper>/<figure>`, e.g. `pc/fig3`. */
  id: string;
  /** Title of the figure. */
  title: string;
  /** The paper. */
  paper: string;
  /** Where the paper's numbers come from. */
  source: string;
  /** The panels. */
  panels: readonly PanelInfo[];
  /** The runner configs. */
  experiments: readonly ExperimentRef[];
  /** Analyses the runs. */
  analyse(ctx: AnalysisContext): Promise<FigureOutput>;
}
