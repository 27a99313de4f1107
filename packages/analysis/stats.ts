/**
 * Summary statistics over seeds: mean, sample standard deviation, standard error of the mean,
 * minimum and maximum.
 *
 * @module
 */

/** Summary statistics of a set of numbers. */
export interface Stats {
  /** How many numbers. */
  readonly n: number;
  /** Arithmetic mean; `NaN` for none. */
  readonly mean: number;
  /**
   * Sample standard deviation, with Bessel's correction (divisor n − 1), as pandas' `std()`;
   * `NaN` for fewer than two numbers.
   */
  readonly std: number;
  /** Standard error of the mean, std / √n; `NaN` for fewer than two numbers. */
  readonly sem: number;
  /** Smallest number; `NaN` for none. */
  readonly min: number;
  /** Largest number; `NaN` for none. */
  readonly max: number;
}

/** The names of the statistics in {@linkcode Stats}, in table order. */
export const STAT_NAMES: readonly (keyof Stats)[] = ["n", "mean", "std", "sem", "min", "max"];

/**
 * Summarises numbers: mean x̄ = Σxᵢ / n, sample standard deviation
 * s = √(Σ(xᵢ − x̄)² / (n − 1)) (pandas' default, `ddof = 1`), standard error s / √n, min and max.
 * The sum of squares is taken about the mean (two passes), so large offsets lose no precision.
 *
 * @param values Finite numbers (e.g. one metric over seeds).
 * @returns The statistics; `std` and `sem` are `NaN` when there are fewer than two values.
 * @throws {Error} When a value is not a finite number.
 *
 * @example
 * ```ts
 * import { summarize } from "@plasticity/analysis";
 * const s = summarize([1, 2, 3, 4]);
 * console.assert(s.mean === 2.5 && Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12 && s.max === 4);
 * ```
 */
export function summarize(values: readonly number[]): Stats {
  const n = values.length;
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(
        `Cannot summarise value ${JSON.stringify(v)} at index ${i}: expected a finite number`,
      );
    }
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { n, mean: NaN, std: NaN, sem: NaN, min: NaN, max: NaN };
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const sem = n > 1 ? std / Math.sqrt(n) : NaN;
  return { n, mean, std, sem, min, max };
}
