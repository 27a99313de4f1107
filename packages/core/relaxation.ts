/**
 * Helpers shared by the rules whose neurons relax to an equilibrium before the weights change
 * (Equilibrium Propagation, Contrastive Similarity Matching, CorInfoMax, PC-Nudge): the nudging
 * strength with a random sign, the size of a relaxation step, and the divergence check.
 *
 * @module
 */
import type { Rng } from "./random.ts";
import type { Backend, Tensor } from "./tensor.ts";

/**
 * The nudging strength β, with its sign drawn afresh when `randomSign` is set: −β when the next
 * draw of `rng` is below ½, else β. Scellier & Bengio (2017) pick the sign of β at random in the
 * second phase; Laborieux et al. (2021) show that this cancels, on average, the first-order bias of
 * the one-sided gradient estimate. Draws exactly one number when `randomSign` is set, none
 * otherwise.
 *
 * @param rng The generator of the signs.
 * @param beta The magnitude β.
 * @param randomSign Whether to draw the sign.
 * @returns ±β.
 *
 * @example
 * ```ts
 * import { createRng, signedBeta } from "@plasticity/core";
 * const rng = createRng(0);
 * console.assert(signedBeta(rng, 0.5, false) === 0.5);
 * console.assert(Math.abs(signedBeta(rng, 0.5, true)) === 0.5);
 * ```
 */
export function signedBeta(rng: Rng, beta: number, randomSign: boolean): number {
  if (!randomSign) return beta;
  return rng.next() < 0.5 ? -beta : beta;
}

/**
 * The Euclidean norm of a − c over all layers, √(Σ_l ‖a_l − c_l‖²): the size of one relaxation
 * step when a is the new state and c the old.
 *
 * @param b The backend.
 * @param a One state, a tensor per layer.
 * @param c The other, same shapes.
 * @returns The norm.
 *
 * @example
 * ```ts
 * import { jsBackend as b, stepNorm } from "@plasticity/core";
 * console.assert(stepNorm(b, [b.fill(1, 1, 3)], [b.fill(1, 1, 7)]) === 4);
 * ```
 */
export function stepNorm(b: Backend, a: readonly Tensor[], c: readonly Tensor[]): number {
  if (a.length !== c.length) {
    throw new Error(
      `Cannot measure a step between states of ${a.length} and ${c.length} layers: expected equal counts`,
    );
  }
  let s = 0;
  for (let i = 0; i < a.length; i++) s += b.sumSquares(b.sub(a[i]!, c[i]!));
  return Math.sqrt(s);
}

/**
 * The Euclidean norm of a state over all layers, √(Σ_l ‖a_l‖²).
 *
 * @param b The backend.
 * @param a The state, a tensor per layer.
 * @returns The norm.
 *
 * @example
 * ```ts
 * import { jsBackend as b, stateNorm } from "@plasticity/core";
 * console.assert(stateNorm(b, [b.fill(1, 1, 3), b.fill(1, 1, 4)]) === 5);
 * ```
 */
export function stateNorm(b: Backend, a: readonly Tensor[]): number {
  let s = 0;
  for (const t of a) s += b.sumSquares(t);
  return Math.sqrt(s);
}

/** How {@linkcode divergedWhy} names what relaxed, for its message. */
export interface DivergenceWords {
  /** What became non-finite (default `neurons`). */
  state?: string;
  /** What a step is a step of (default `step`, e.g. `voltage step`). */
  step?: string;
  /** A hint appended in parentheses to the message about a non-contracting iteration. */
  hint?: string;
}

/**
 * Why a relaxation diverged, or undefined when it did not: the state became non-finite, or, over
 * at least three iterations, the last step is still at least `ratio` times the first (the
 * iteration does not contract) while not negligible (over 10⁻³) against the state.
 *
 * @param first Size of the first step (e.g. {@linkcode stepNorm}).
 * @param last Size of the last step.
 * @param state Size of the final state (e.g. {@linkcode stateNorm}).
 * @param ratio The last-to-first ratio from which the iteration counts as diverged.
 * @param iterations Number of iterations of the relaxation.
 * @param words How to name the state and its steps in the message.
 * @returns A one-line reason, or undefined.
 *
 * @example
 * ```ts
 * import { divergedWhy } from "@plasticity/core";
 * console.assert(divergedWhy(1, 0.01, 3, 0.5, 20) === undefined);
 * console.assert(divergedWhy(1, 2, 3, 0.5, 20)?.includes("does not contract"));
 * console.assert(divergedWhy(1, NaN, 3, 0.5, 20) === "the neurons became non-finite");
 * ```
 */
export function divergedWhy(
  first: number,
  last: number,
  state: number,
  ratio: number,
  iterations: number,
  words: DivergenceWords = {},
): string | undefined {
  if (!Number.isFinite(last) || !Number.isFinite(state)) {
    return `the ${words.state ?? "neurons"} became non-finite`;
  }
  if (iterations >= 3 && last >= ratio * first && last > 1e-3 * state) {
    return `the last ${words.step ?? "step"} of the free phase (${last.toPrecision(3)}) is ${
      (last / first).toPrecision(3)
    } times the first (${first.toPrecision(3)}): the iteration does not contract${
      words.hint ? ` (${words.hint})` : ""
    }`;
  }
  return undefined;
}
