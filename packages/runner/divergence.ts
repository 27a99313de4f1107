/**
 * When a learner trial counts as `diverged`, whatever its loss or optimiser: a logged loss
 * (`train_loss`, `test_loss` or `validation_loss`) that is not finite, or that exceeds
 * `metrics.diverge_factor` (default 1000) times max(1, the same loss at epoch 0). An MSE run that
 * overflows to NaN and a cross-entropy or Adam run whose loss climbs to 1e5 while its accuracy
 * falls to chance are both caught; the floor of 1 keeps a run that starts near zero loss from
 * being called diverged over a harmless rise.
 *
 * @module
 */

/** The losses the rule watches. */
export const WATCHED_LOSSES = ["train_loss", "test_loss", "validation_loss"] as const;

/**
 * Why a logged row shows divergence, or `undefined` when it does not.
 *
 * @param row The logged row (`epoch` and the losses; a loss logged as `null` was not finite).
 * @param base The losses at epoch 0 (missing keys are not compared against a baseline).
 * @param factor `metrics.diverge_factor`.
 * @returns The reason, one line.
 *
 * @example
 * ```ts
 * import { lossDivergence } from "@plasticity/runner";
 * console.assert(lossDivergence({ epoch: 3, test_loss: 2.1 }, { test_loss: 2.3 }, 1000) === undefined);
 * console.assert(lossDivergence({ epoch: 3, test_loss: 1e5 }, { test_loss: 2.3 }, 1000)!.startsWith("test_loss"));
 * console.assert(lossDivergence({ epoch: 3, train_loss: null }, {}, 1000)!.startsWith("Non-finite"));
 * ```
 */
export function lossDivergence(
  row: Readonly<Record<string, number | null | undefined>>,
  base: Readonly<Record<string, number | null | undefined>>,
  factor: number,
): string | undefined {
  const at = row.epoch === undefined || row.epoch === null ? "" : ` at epoch ${row.epoch}`;
  for (const key of WATCHED_LOSSES) {
    if (!(key in row) || row[key] === undefined) continue;
    const v = row[key];
    if (v === null || !Number.isFinite(v)) return `Non-finite ${key} ${v ?? "NaN"}${at}`;
    const b = base[key];
    if (typeof b !== "number" || !Number.isFinite(b)) continue;
    const limit = factor * Math.max(1, b);
    if (v > limit) {
      return `${key} ${v.toPrecision(3)}${at} exceeds ${factor} × max(1, ${
        b.toPrecision(3)
      }) (metrics.diverge_factor)`;
    }
  }
  return undefined;
}
