/**
 * The contrastive synaptic updates of CorInfoMax (Bozkurt, Pehlevan & Erdogan 2023), batch-major
 * (samples are rows, `r_k` is m × n_k, `Wff[k]` is n_k × n_{k+1}, `Wfb[k]` is n_{k+1} × n_k so
 * that `r_{k+1} Wfb[k]` predicts `r_k`).
 *
 * @module
 */
import type { Backend, Tensor } from "@plasticity/core";
import { firstErrorDifference, upperDeltas } from "./_deltas.ts";

/** The unscaled contrastive sums of one batch. */
export interface CorInfoMaxDeltas {
  /** Σ over the batch of e_f ⊗ r (nudged minus contrast phase) per forward matrix. */
  dWff: Tensor[];
  /** Σ over the batch of e_b ⊗ r (nudged minus contrast phase) per feedback matrix k = 1 … P−1. */
  dWfb: Tensor[];
}

/**
 * Contrastive sums with the current weights, for the nudged phase (`rN`) against the free (or
 * third) phase (`rF`), r_0 = x in both:
 * forward errors e_f⁽ᵏ⁾ = r_{k+1} − r_k Wff[k], dWff[k] = r_kⁿᵀ e_fⁿ − r_kᶠᵀ e_fᶠ;
 * backward errors e_b⁽ᵏ⁾ = r_k − r_{k+1} Wfb[k], dWfb[k] = r_{k+1}ⁿᵀ e_bⁿ − r_{k+1}ᶠᵀ e_bᶠ (k ≥ 1).
 * The learner applies W += (μ/(β m))·dW (1/(2β m) with the third phase), which is
 * W += (μ/β)⟨e_f,n r_nᵀ − e_f,f r_fᵀ⟩ in the paper's column convention.
 *
 * @param b The backend.
 * @param x Inputs, m × n_0.
 * @param Wff Forward matrices `Wff[0 … P−1]`.
 * @param Wfb Feedback matrices for k = 1 … P−1 (index k − 1).
 * @param rN Nudged-phase activities `r_1 … r_P`.
 * @param rF Free-phase (or third-phase) activities.
 * @param drive0 Optional precomputed `x Wff[0]` (the same in both phases).
 * @returns The sums.
 *
 * @example Identical phases give exactly zero
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { corinfomaxDeltas } from "@plasticity/corinfomax";
 * const r = [b.fill(2, 3, 0.5), b.fill(2, 1, 0.2)];
 * const d = corinfomaxDeltas(b, b.fill(2, 2, 1), [b.fill(2, 3, 0.1), b.fill(3, 1, 0.1)], [b.fill(1, 3, 0.3)], r, r);
 * console.assert(b.sumSquares(d.dWff[0]!) === 0 && b.sumSquares(d.dWfb[0]!) === 0);
 * ```
 */
export function corinfomaxDeltas(
  b: Backend,
  x: Tensor,
  Wff: readonly Tensor[],
  Wfb: readonly Tensor[],
  rN: readonly Tensor[],
  rF: readonly Tensor[],
  drive0?: Tensor,
): CorInfoMaxDeltas {
  const P = Wff.length;
  if (rN.length !== P || rF.length !== P || Wfb.length !== P - 1) {
    throw new Error(
      `corinfomaxDeltas: got ${rN.length} and ${rF.length} layers, ${Wff.length} forward and ${Wfb.length} feedback matrices: expected P, P, P and P − 1`,
    );
  }
  // r_0 = x in both phases: dWff[0] = xᵀ(e_fⁿ − e_fᶠ).
  const d0 = drive0 ?? b.matmul(x, Wff[0]!);
  const dWff = [b.matmul(x, firstErrorDifference(b, rN[0]!, rF[0]!, d0), true, false)];
  const dWfb: Tensor[] = [];
  upperDeltas(b, Wff, Wfb, rN, rF, dWff, dWfb);
  return { dWff, dWfb };
}
