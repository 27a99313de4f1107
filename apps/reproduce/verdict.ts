/**
 * Expected outcomes of a figure and their verdicts: each outcome sets the paper's number beside
 * ours and says whether the qualitative claim holds (`met`), fails (`not met`) or could not be
 * measured in this run (`not run`, e.g. a panel left out with `--panels`).
 *
 * @module
 */

/** Verdict of one expected outcome. */
export type Verdict = "met" | "not met" | "not run" | "info";

/** One row of a figure's summary table. */
export interface Outcome {
  /** Panel the outcome belongs to, e.g. `3a`. */
  panel: string;
  /** The claim, e.g. `PC's second output stays above 0.9`. */
  expected: string;
  /** The paper's number and where it comes from. */
  paper: string;
  /** Our number(s), formatted. */
  ours: string;
  /** The verdict. */
  verdict: Verdict;
}

/**
 * The verdict of a check: `met` when it holds, `not met` when not, `not run` when nothing was
 * measured (`undefined`).
 *
 * @param holds Whether the claim holds, or `undefined` when it was not measured.
 * @returns The verdict.
 *
 * @example
 * ```ts
 * import { verdictOf } from "@plasticity/reproduce/verdict";
 * console.assert(verdictOf(true) === "met" && verdictOf(undefined) === "not run");
 * ```
 */
export function verdictOf(holds: boolean | undefined): Verdict {
  if (holds === undefined) return "not run";
  return holds ? "met" : "not met";
}

/**
 * The smallest finite value of a series (`undefined` when it has none).
 *
 * @param values The series.
 * @returns Its minimum.
 *
 * @example
 * ```ts
 * import { minOf } from "@plasticity/reproduce/verdict";
 * console.assert(minOf([3, 1, NaN, 2]) === 1);
 * ```
 */
export function minOf(values: readonly number[]): number | undefined {
  let m: number | undefined;
  for (const v of values) if (Number.isFinite(v) && (m === undefined || v < m)) m = v;
  return m;
}

/**
 * The largest finite value of a series (`undefined` when it has none).
 *
 * @param values The series.
 * @returns Its maximum.
 *
 * @example
 * ```ts
 * import { maxOf } from "@plasticity/reproduce/verdict";
 * console.assert(maxOf([3, 1, 2]) === 3);
 * ```
 */
export function maxOf(values: readonly number[]): number | undefined {
  let m: number | undefined;
  for (const v of values) if (Number.isFinite(v) && (m === undefined || v > m)) m = v;
  return m;
}

/**
 * Whether every value of a non-empty series is finite and strictly above `threshold`
 * (`undefined` for an empty series).
 *
 * @param values The series.
 * @param threshold The bound.
 * @returns Whether the series stays above the bound.
 *
 * @example
 * ```ts
 * import { staysAbove } from "@plasticity/reproduce/verdict";
 * console.assert(staysAbove([1, 0.95, 0.93], 0.9) === true);
 * console.assert(staysAbove([1, 0.76, 1], 0.9) === false);
 * ```
 */
export function staysAbove(values: readonly number[], threshold: number): boolean | undefined {
  if (values.length === 0) return undefined;
  return values.every((v) => Number.isFinite(v) && v > threshold);
}

/**
 * Whether some finite value of a non-empty series is strictly below `threshold` (`undefined` for
 * an empty series).
 *
 * @param values The series.
 * @param threshold The bound.
 * @returns Whether the series dips below the bound.
 *
 * @example
 * ```ts
 * import { dipsBelow } from "@plasticity/reproduce/verdict";
 * console.assert(dipsBelow([1, 0.76, 1], 0.8) === true);
 * ```
 */
export function dipsBelow(values: readonly number[], threshold: number): boolean | undefined {
  if (values.length === 0) return undefined;
  return values.some((v) => Number.isFinite(v) && v < threshold);
}

/**
 * The value of a time series at the last sample with time ≤ `t` (`undefined` when none is).
 *
 * @param ts Sample times, ascending.
 * @param values Values, one per time.
 * @param t The time.
 * @returns The value at or just before `t`.
 *
 * @example
 * ```ts
 * import { valueAt } from "@plasticity/reproduce/verdict";
 * console.assert(valueAt([0, 5, 10, 15], [90, 50, 20, 10], 10) === 20);
 * console.assert(valueAt([0, 5, 10, 15], [90, 50, 20, 10], 12) === 20);
 * ```
 */
export function valueAt(
  ts: readonly number[],
  values: readonly number[],
  t: number,
): number | undefined {
  if (ts.length !== values.length) {
    throw new Error(`Series lengths differ: ${ts.length} times and ${values.length} values`);
  }
  let out: number | undefined;
  for (let i = 0; i < ts.length; i++) if (ts[i]! <= t + 1e-9) out = values[i];
  return out;
}

/**
 * The first time at which a series is strictly below `threshold` (`undefined` when never).
 *
 * @param ts Sample times, ascending.
 * @param values Values, one per time.
 * @param threshold The bound.
 * @returns The first crossing time.
 *
 * @example
 * ```ts
 * import { firstBelow } from "@plasticity/reproduce/verdict";
 * console.assert(firstBelow([0, 1, 2, 3], [90, 60, 25, 10], 30) === 2);
 * ```
 */
export function firstBelow(
  ts: readonly number[],
  values: readonly number[],
  threshold: number,
): number | undefined {
  for (let i = 0; i < ts.length; i++) if (values[i]! < threshold) return ts[i];
  return undefined;
}

/**
 * A number for a summary table: 3 significant digits, `–` for a missing value.
 *
 * @param v The number.
 * @param digits Significant digits.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { fmt } from "@plasticity/reproduce/verdict";
 * console.assert(fmt(0.93456) === "0.935" && fmt(undefined) === "–");
 * ```
 */
export function fmt(v: number | undefined | null, digits = 3): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return "–";
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/**
 * Counts verdicts.
 *
 * @param outcomes The outcomes.
 * @returns How many are met, not met and not run (`info` rows are not counted).
 *
 * @example
 * ```ts
 * import { tally } from "@plasticity/reproduce/verdict";
 * const t = tally([{ panel: "3a", expected: "", paper: "", ours: "", verdict: "met" }]);
 * console.assert(t.met === 1 && t.notMet === 0);
 * ```
 */
export function tally(
  outcomes: readonly Outcome[],
): { met: number; notMet: number; notRun: number } {
  let met = 0, notMet = 0, notRun = 0;
  for (const o of outcomes) {
    if (o.verdict === "met") met++;
    else if (o.verdict === "not met") notMet++;
    else if (o.verdict === "not run") notRun++;
  }
  return { met, notMet, notRun };
}
