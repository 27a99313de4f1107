// The parts of corinfomaxDeltas (update.ts), shared with the learner's in-place weight step.
import type { Backend, Tensor } from "@plasticity/core";

/** e_fⁿ − e_fᶠ of the first forward matrix, (r₁ⁿ − x Wff[0]) − (r₁ᶠ − x Wff[0]); dWff[0] = xᵀ·this. */
export function firstErrorDifference(b: Backend, rN1: Tensor, rF1: Tensor, drive0: Tensor): Tensor {
  return b.sub(b.sub(rN1, drive0), b.sub(rF1, drive0));
}

/** dWff[k] for k = 1 … P−1, appended to `dWff`, and dWfb[k] for k = 1 … P−1, appended to `dWfb`. */
export function upperDeltas(
  b: Backend,
  Wff: readonly Tensor[],
  Wfb: readonly Tensor[],
  rN: readonly Tensor[],
  rF: readonly Tensor[],
  dWff: Tensor[],
  dWfb: Tensor[],
): void {
  const P = Wff.length;
  for (let k = 1; k < P; k++) {
    const eN = b.sub(rN[k]!, b.matmul(rN[k - 1]!, Wff[k]!));
    const eF = b.sub(rF[k]!, b.matmul(rF[k - 1]!, Wff[k]!));
    dWff.push(b.sub(b.matmul(rN[k - 1]!, eN, true, false), b.matmul(rF[k - 1]!, eF, true, false)));
  }
  for (let k = 1; k < P; k++) {
    const W = Wfb[k - 1]!;
    const eN = b.sub(rN[k - 1]!, b.matmul(rN[k]!, W));
    const eF = b.sub(rF[k - 1]!, b.matmul(rF[k]!, W));
    dWfb.push(b.sub(b.matmul(rN[k]!, eN, true, false), b.matmul(rF[k]!, eF, true, false)));
  }
}
