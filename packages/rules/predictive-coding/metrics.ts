/**
 * The paper's measures of a single learning step, as small pure functions on plain arrays.
 *
 * @module
 */
import { cosine } from "@plasticity/core";

/**
 * Target alignment (Song et al. 2024, Fig. 3b–e): cos(Δprediction, y − prediction), with
 * Δprediction = prediction_after − prediction_before, both feed-forward predictions taken just
 * before and just after one learning step. 1 means the step moved the output straight at the
 * target.
 *
 * @param before Prediction before the step (flattened).
 * @param after Prediction after the step.
 * @param target The target y.
 * @returns The cosine in [−1, 1] (NaN when the output did not move or already equals y).
 *
 * @example
 * ```ts
 * import { targetAlignment } from "@plasticity/predictive-coding";
 * console.assert(targetAlignment([1, 1], [0.8, 1], [0, 1]) === 1);
 * ```
 */
export function targetAlignment(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  target: ArrayLike<number>,
): number {
  if (after.length !== before.length || target.length !== before.length) {
    throw new Error(
      `Cannot measure target alignment of lengths ${before.length}, ${after.length}, ${target.length}: expected equal lengths`,
    );
  }
  const d = new Float64Array(before.length), e = new Float64Array(before.length);
  for (let i = 0; i < d.length; i++) {
    d[i] = after[i]! - before[i]!;
    e[i] = target[i]! - before[i]!;
  }
  return cosine(d, e);
}

/**
 * Prospective index of one layer (Song et al. 2024, `nature_pc_pi_layered`): PI = cos(V′, V⁺) with
 * V⁺ = x_relaxed − x_ff,before (the activity change inference produced) and
 * V′ = x_ff,after − x_ff,before (the change the weight step then produced in the feed-forward
 * activity). PI ≈ 1 means learning moved the activity to where inference had placed it.
 *
 * @param ffBefore Feed-forward activity of the layer before the step.
 * @param relaxed Value nodes of the layer at the weight update.
 * @param ffAfter Feed-forward activity after the step.
 * @returns The cosine in [−1, 1].
 *
 * @example
 * ```ts
 * import { prospectiveIndex } from "@plasticity/predictive-coding";
 * console.assert(prospectiveIndex([0, 0], [1, 0], [0.1, 0]) === 1);
 * ```
 */
export function prospectiveIndex(
  ffBefore: ArrayLike<number>,
  relaxed: ArrayLike<number>,
  ffAfter: ArrayLike<number>,
): number {
  if (relaxed.length !== ffBefore.length || ffAfter.length !== ffBefore.length) {
    throw new Error(
      `Cannot measure the prospective index of lengths ${ffBefore.length}, ${relaxed.length}, ${ffAfter.length}: expected equal lengths`,
    );
  }
  const vPrime = new Float64Array(ffBefore.length), vPlus = new Float64Array(ffBefore.length);
  for (let i = 0; i < vPrime.length; i++) {
    vPrime[i] = ffAfter[i]! - ffBefore[i]!;
    vPlus[i] = relaxed[i]! - ffBefore[i]!;
  }
  return cosine(vPrime, vPlus);
}

/**
 * The longest run of consecutive inference iterations whose energy rose (F_t > F_{t−1}). Under the
 * decay rule γ ← γ·d such runs stay short: each rise shrinks γ.
 *
 * @param energies Energy per iteration.
 * @returns Length of the longest run of increases.
 *
 * @example
 * ```ts
 * import { longestEnergyRise } from "@plasticity/predictive-coding";
 * console.assert(longestEnergyRise([3, 2, 2.5, 2.6, 1]) === 2);
 * ```
 */
export function longestEnergyRise(energies: readonly number[]): number {
  let best = 0, run = 0;
  for (let t = 1; t < energies.length; t++) {
    run = energies[t]! > energies[t - 1]! ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
