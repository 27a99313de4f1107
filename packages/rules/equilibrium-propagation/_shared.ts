// Private helpers shared by the EP and CSM learners.
import type { Backend, HyperValue, LearnerOptions, Rng, Tensor } from "@plasticity/core";

/** A per-layer list from the hyper-parameters, checked against the expected length. */
export function perLayer(
  h: Record<string, HyperValue>,
  key: string,
  count: number,
  what: string,
): number[] {
  const v = h[key] as readonly number[];
  if (v.length !== count) {
    throw new Error(
      `rule.${key}: expected ${count} numbers (one per ${what}), got ${JSON.stringify(v)}`,
    );
  }
  return [...v];
}

/** β with a fresh random sign when `randomSign` is set (the repository's ±β per batch). */
export function signedBeta(rng: Rng, beta: number, randomSign: boolean): number {
  if (!randomSign) return beta;
  return rng.next() < 0.5 ? -beta : beta;
}

/** Euclidean norm of `a − b` summed over layers. */
export function stepNorm(b: Backend, a: readonly Tensor[], c: readonly Tensor[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += b.sumSquares(b.sub(a[i]!, c[i]!));
  return Math.sqrt(s);
}

/** Euclidean norm over layers. */
export function stateNorm(b: Backend, a: readonly Tensor[]): number {
  let s = 0;
  for (const t of a) s += b.sumSquares(t);
  return Math.sqrt(s);
}

/**
 * Whether a relaxation diverged: a non-finite state, or the last step still at least `ratio`
 * times the first (the iteration does not contract) while not negligible against the state.
 */
export function divergedWhy(
  first: number,
  last: number,
  state: number,
  ratio: number,
  iterations: number,
): string | undefined {
  if (!Number.isFinite(last) || !Number.isFinite(state)) return "the neurons became non-finite";
  if (iterations >= 3 && last >= ratio * first && last > 1e-3 * state) {
    return `the last step of the free phase (${last.toPrecision(3)}) is ${
      (last / first).toPrecision(3)
    } times the first (${first.toPrecision(3)}): the iteration does not contract`;
  }
  return undefined;
}

/** Checks that the optimiser, when given, is the plain SGD these rules implement. */
export function checkPlainSgd(options: LearnerOptions, rule: string, lrKey: string): void {
  const o = options.optimizer;
  if (!o) return;
  if (o.name !== "sgd" || (o.momentum ?? 0) !== 0 || (o.weightDecay ?? 0) !== 0) {
    throw new Error(
      `optimizer: ${rule} uses plain SGD with the per-layer rates rule.${lrKey} (as the reference), got ${
        JSON.stringify(o)
      }; expected name sgd with momentum 0 and weight_decay 0`,
    );
  }
}
