/**
 * Turns trial records (as `@plasticity/runner`'s `readTrials` reads them from a results folder:
 * `config.yaml`, `status.json`, `metrics.jsonl`, `summary.json` and `meta.json` of each trial)
 * into rows.
 *
 * Each metrics line becomes one row holding:
 * - the resolved trial config flattened to dotted columns (`rule.name`, `optimizer.lr`, `seed`,
 *   `network.sizes` as JSON text);
 * - `experiment` (the experiment folder's name), `trial` (the trial id), `trial_dir` (the trial
 *   folder's absolute path) and `state` (from `status.json`; `"unknown"` when that file is
 *   missing);
 * - `summary.<key>` for every number in `summary.json` and `meta.<key>` for `meta.json`;
 * - the metrics line's own keys (a key that clashes with a config column is stored as
 *   `metrics.<key>`).
 *
 * Derived columns (on by default, `derive: false` turns them off): `network.depth` = the number of
 * weight layers, `network.sizes.length − 1`; `test_error` = 1 − `test_accuracy` on metrics lines and
 * `summary.test_error` likewise, where the error is not already recorded.
 *
 * Trial identity: a trial id is the hash of its config, so the same id turns up in every results
 * root that ran that config (a copy, another commit, another machine). A trial is therefore known by
 * its key, the results folder, experiment and id together ({@linkcode trialKey},
 * {@linkcode rowTrialKey}), never by its id alone.
 *
 * Finished trials: `done` and `diverged` trials are finished results (a diverged trial's curve ends
 * in non-finite values, which the reductions skip); `running`, `failed`, `unknown` (no
 * `status.json`) and any other state are unfinished ({@linkcode isFinished}).
 *
 * @module
 */
import { flatten, type Row } from "./rows.ts";

/**
 * One trial as read back from its results folder (by `@plasticity/runner`'s `readTrials`): the
 * files the runner wrote, parsed.
 */
export interface TrialRecord {
  /** The trial id (the folder's name). */
  readonly id: string;
  /** The experiment (the parent folder's name). */
  readonly experiment: string;
  /** The folder's absolute path. */
  readonly dir: string;
  /** The resolved trial config, as parsed from `config.yaml`. */
  readonly config: Record<string, unknown>;
  /** `status.json`'s `state`, or `"unknown"` when the file is missing. */
  readonly state: string;
  /** `status.json`'s `error`, when any. */
  readonly error?: string;
  /** The metrics lines, in file order (empty when `metrics.jsonl` is missing). */
  readonly metrics: Record<string, unknown>[];
  /** `summary.json`, or an empty object when missing. */
  readonly summary: Record<string, unknown>;
  /** `meta.json`, or an empty object when missing. */
  readonly meta: Record<string, unknown>;
}

/** Options of {@linkcode trialRows}. */
export interface RowOptions {
  /** Keep only trials in these states (e.g. `["done"]`); all states when left out. */
  readonly states?: readonly string[];
  /** Add the derived columns `network.depth` and `test_error` (default true). */
  readonly derive?: boolean;
}

/** The states of finished trials: the ones an analysis counts by default. */
export const FINISHED_STATES: readonly string[] = ["done", "diverged"];

/**
 * Whether a trial state is a finished result: `done` or `diverged` (see the module doc). `running`,
 * `failed`, `unknown` and any other state are unfinished.
 *
 * @param state The state, e.g. from `status.json`.
 * @returns Whether it is finished.
 *
 * @example
 * ```ts
 * import { isFinished } from "@plasticity/analysis";
 * console.assert(isFinished("done") && isFinished("diverged") && !isFinished("running") && !isFinished("unknown"));
 * ```
 */
export function isFinished(state: string): boolean {
  return FINISHED_STATES.includes(state);
}

/** The row columns that together tell one trial from every other: folder, experiment and id. */
export const TRIAL_KEY_COLUMNS: readonly string[] = ["trial_dir", "experiment", "trial"];

/**
 * The key of a trial record: its folder, experiment and id together, as text. Two trials with the
 * same id (the same config) in two results roots get different keys. It equals
 * {@linkcode rowTrialKey} of the trial's rows.
 *
 * @param trial The trial.
 * @returns The key.
 *
 * @example
 * ```ts
 * import { trialKey } from "@plasticity/analysis";
 * const t = (dir: string) => ({
 *   id: "abc", experiment: "e", dir, state: "done", config: {}, metrics: [], summary: {}, meta: {},
 * });
 * console.assert(trialKey(t("/a/e/abc")) !== trialKey(t("/b/e/abc")));
 * ```
 */
export function trialKey(trial: TrialRecord): string {
  return JSON.stringify([trial.dir, trial.experiment, trial.id]);
}

/**
 * The key of the trial a row belongs to: its `trial_dir`, `experiment` and `trial` cells together,
 * as text (a missing cell counts as `null`, so rows that hold only `trial` are keyed by it).
 *
 * @param row A row, e.g. from {@linkcode trialRows}.
 * @returns The key.
 *
 * @example
 * ```ts
 * import { rowTrialKey } from "@plasticity/analysis";
 * const a = { trial: "abc", experiment: "e", "trial_dir": "/a/e/abc" };
 * console.assert(rowTrialKey(a) !== rowTrialKey({ ...a, "trial_dir": "/b/e/abc" }));
 * ```
 */
export function rowTrialKey(row: Row): string {
  return JSON.stringify(TRIAL_KEY_COLUMNS.map((c) => row[c] ?? null));
}

/**
 * The columns a trial shares with all its rows: flattened config, `experiment`, `trial`,
 * `trial_dir`, `state`,
 * `summary.*`, `meta.*` and (when deriving) `network.depth` and `summary.test_error`.
 *
 * @param trial The trial.
 * @param derive Whether to add the derived columns.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { trialColumns } from "@plasticity/analysis";
 * const row = trialColumns({
 *   id: "abc", experiment: "e", dir: "/r/e/abc", state: "done", metrics: [], meta: {},
 *   config: { rule: { name: "bp" }, network: { sizes: [4, 8, 8, 2] } }, summary: { test_accuracy: 0.75 },
 * });
 * console.assert(row["network.depth"] === 3 && row["summary.test_error"] === 0.25 && row.trial === "abc");
 * console.assert(row.trial_dir === "/r/e/abc");
 * ```
 */
export function trialColumns(trial: TrialRecord, derive = true): Row {
  const row: Row = {
    ...flatten(trial.config),
    experiment: trial.experiment,
    trial: trial.id,
    "trial_dir": trial.dir,
    state: trial.state,
    ...flatten(trial.summary, "summary"),
    ...flatten(trial.meta, "meta"),
  };
  if (derive) {
    const net = trial.config.network as Record<string, unknown> | undefined;
    if (net && Array.isArray(net.sizes) && !("network.depth" in row)) {
      row["network.depth"] = net.sizes.length - 1;
    }
    const acc = row["summary.test_accuracy"];
    if (typeof acc === "number" && !("summary.test_error" in row)) {
      row["summary.test_error"] = 1 - acc;
    }
  }
  return row;
}

/**
 * Turns trials into rows, one per metrics line (see the module doc for the columns).
 *
 * @param trials The trials.
 * @param options Which states to keep and whether to derive columns.
 * @returns The rows.
 *
 * @example
 * ```ts
 * import { trialRows } from "@plasticity/analysis";
 * const rows = trialRows([{
 *   id: "abc", experiment: "e", dir: "/r/e/abc", state: "done", summary: {}, meta: {},
 *   config: { rule: { name: "bp" }, seed: 1 },
 *   metrics: [{ epoch: 0, test_accuracy: 0.1 }, { epoch: 1, test_accuracy: 0.6 }],
 * }]);
 * console.assert(rows.length === 2 && rows[1]!["rule.name"] === "bp" && rows[1]!.test_error === 0.4);
 * ```
 */
export function trialRows(trials: readonly TrialRecord[], options: RowOptions = {}): Row[] {
  const derive = options.derive ?? true;
  const rows: Row[] = [];
  for (const trial of trials) {
    if (options.states && !options.states.includes(trial.state)) continue;
    const base = trialColumns(trial, derive);
    for (const line of trial.metrics) {
      const row: Row = { ...base };
      for (const [k, v] of Object.entries(flatten(line))) row[k in base ? `metrics.${k}` : k] = v;
      if (derive && typeof row.test_accuracy === "number" && !("test_error" in row)) {
        row.test_error = 1 - row.test_accuracy;
      }
      rows.push(row);
    }
  }
  return rows;
}
