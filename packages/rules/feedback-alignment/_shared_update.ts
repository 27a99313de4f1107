import type { LearnerOptions } from "@plasticity/core";

/**
 * Kolen–Pollack gives Bₖ exactly Wₖ's optimiser update, so that W − Bᵀ only decays. A coupled L2
 * penalty (`optimizer.l2`) would put λ₂·Wₖ, not λ₂·Bₖ, into B's update: refused, with the
 * decoupled `weight_decay` (which decays both) as the way to decay them.
 */
export function checkSharedUpdate(options: LearnerOptions): void {
  const l2 = options.optimizer?.l2 ?? 0;
  if (l2 !== 0) {
    throw new Error(
      `optimizer.l2: Kolen–Pollack gives B the weights' own update, which would carry λ₂·W into B; got ${l2}, expected 0 (optimizer.weight_decay decays both)`,
    );
  }
}
