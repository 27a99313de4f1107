/**
 * The forward–backward weight angle of CorInfoMax: how far the learned feedback matrices are from
 * the transposes of the forward ones.
 *
 * @module
 */
import { angleDeg, type Backend, type Tensor } from "@plasticity/core";

/**
 * The forward–backward angle Θ = (180/π)·arccos(⟨Wff, Wfbᵀ⟩_F / (‖Wff‖_F ‖Wfb‖_F)) in degrees.
 *
 * @param b The backend.
 * @param Wff Forward matrix, n_k × n_{k+1}.
 * @param Wfb Feedback matrix, n_{k+1} × n_k.
 * @returns The angle.
 *
 * @example
 * ```ts
 * import { jsBackend as b } from "@plasticity/core";
 * import { forwardBackwardAngle } from "@plasticity/corinfomax";
 * const W = b.fromArray([1, 2, 3, 4, 5, 6], 2, 3);
 * console.assert(Math.abs(forwardBackwardAngle(b, W, b.transpose(W))) < 1e-6);
 * ```
 */
export function forwardBackwardAngle(b: Backend, Wff: Tensor, Wfb: Tensor): number {
  if (Wff.rows !== Wfb.cols || Wff.cols !== Wfb.rows) {
    throw new Error(
      `forwardBackwardAngle: Wff is ${Wff.rows}×${Wff.cols} and Wfb ${Wfb.rows}×${Wfb.cols}: expected transposed shapes`,
    );
  }
  const t = b.transpose(Wfb);
  const angle = angleDeg(b.read(Wff), b.read(t));
  b.dispose(t);
  return angle;
}
